/** /admin/runners: registration tokens, runners and their jobs. Administrators only; forms carry the CSRF token. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireAdmin } from "../http/context.ts";
import { notFound } from "../http/errors.ts";
import { AdminRunnersPage } from "../../views/pages/admin-runners.tsx";
import * as q from "./queries.ts";
import { cancelRunnerJob, deleteRunnerJob, generateRegistrationToken, type RunnersDeps } from "./service.ts";

const NOTICES = { generated: "admin.runners.generatedNotice", deleted: "admin.runners.deletedNotice", cancelled: "admin.runners.cancelledNotice" } as const;

export function runnerAdminRoutes(context: ReturnType<typeof contextPlugin>, deps: RunnersDeps) {
  const back = (notice: keyof typeof NOTICES) => `/admin/runners?done=${notice}`;
  return new Elysia({ name: "runners-admin" })
    .use(context)
    .get("/admin/runners", async ({ user, page, query }) => {
      requireAdmin(user);
      const [tokens, runners, jobs] = await Promise.all([q.listRegistrationTokens(deps.sql), q.listRunners(deps.sql), q.listJobs(deps.sql, 50)]);
      const done = NOTICES[String(query.done) as keyof typeof NOTICES];
      return (
        <AdminRunnersPage
          page={page}
          mode={deps.config.runners.mode}
          notice={done ? page.t(done) : undefined}
          tokens={tokens.map((tk) => ({ id: tk.id, token: tk.token, runners: tk.registeredRunnersCount }))}
          runners={runners}
          jobs={jobs.map((j) => ({
            uuid: j.uuid, type: j.type, state: j.state, runnerName: j.runnerName, progress: j.progress, failures: j.failures,
            lastError: j.errors.at(-1) ?? null, open: j.state === "pending" || j.state === "processing",
          }))}
        />
      );
    })
    .post("/admin/runners/tokens", async ({ user, redirect }) => {
      requireAdmin(user);
      await generateRegistrationToken(deps.sql);
      return redirect(back("generated"), 303);
    })
    .post("/admin/runners/tokens/:id/delete", async ({ user, params, redirect }) => {
      requireAdmin(user);
      if (!(await q.deleteRegistrationToken(deps.sql, Number(params.id) || 0))) throw notFound();
      deps.announceJobs();
      return redirect(back("deleted"), 303);
    })
    .post("/admin/runners/:id/delete", async ({ user, params, redirect }) => {
      requireAdmin(user);
      if (!(await q.deleteRunner(deps.sql, Number(params.id) || 0))) throw notFound();
      deps.announceJobs();
      return redirect(back("deleted"), 303);
    })
    .post("/admin/runners/jobs/:uuid/cancel", async ({ user, params, redirect }) => {
      requireAdmin(user);
      if (!(await cancelRunnerJob(deps.sql, params.uuid))) throw notFound();
      return redirect(back("cancelled"), 303);
    })
    .post("/admin/runners/jobs/:uuid/delete", async ({ user, params, redirect }) => {
      requireAdmin(user);
      if (!(await deleteRunnerJob(deps.sql, params.uuid))) throw notFound();
      return redirect(back("deleted"), 303);
    });
}
