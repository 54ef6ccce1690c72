/**
 * PeerTube's runner API under /api/v1/runners: same paths, bodies and field names (runnerToken and jobToken in
 * the body). Where Tubelet differs: a `vod-hls-transcoding` job makes the whole one-pass ladder, so its success
 * upload carries every file of the ladder (`payload[files]`, each named by its path) instead of one rendition,
 * and accepting a job that is gone answers 409 rather than 400.
 */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireApiUser } from "../api/bearer.ts";
import { badRequest, forbidden, notFound } from "../http/errors.ts";
import type { LiveFeeds } from "./live-feeds.ts";
import type { UserRow } from "../accounts/queries.ts";
import * as q from "./queries.ts";
import {
  abortRunnerJob, acceptRunnerJob, cancelRunnerJob, deleteRunnerJob, authenticateRunner, availableJobs, failRunnerJob, generateRegistrationToken, jobOfRunner,
  registerRunner, runnerJobJson, updateRunnerJob, type RunnersDeps,
} from "./service.ts";
import { acceptVodResult, resultFiles, vodSourceFile } from "./vod-jobs.ts";

type Body = Record<string, unknown> | undefined;
type RunnerApiDeps = RunnersDeps & { readonly liveFeeds: LiveFeeds };

async function requireApiAdmin(deps: RunnersDeps, request: Request, user: UserRow | null, csrfToken: string): Promise<UserRow> {
  const caller = await requireApiUser(deps.sql, request, { user, csrfToken });
  if (caller.role !== "admin") throw forbidden("Only administrators can manage runners.");
  return caller;
}

function positiveId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  return id;
}

/** Administration: registration tokens, runners and jobs (bearer token of an administrator). */
function adminRoutes(context: ReturnType<typeof contextPlugin>, deps: RunnersDeps) {
  return new Elysia({ name: "runners-admin-api", prefix: "/api/v1/runners" })
    .use(context)
    .onBeforeHandle(({ request, user, page }) => requireApiAdmin(deps, request, user, page.csrfToken).then(() => undefined))
    .post("/registration-tokens/generate", async ({ set }) => {
      await generateRegistrationToken(deps.sql);
      set.status = 204;
      return "";
    })
    .get("/registration-tokens", async () => {
      const rows = await q.listRegistrationTokens(deps.sql);
      const data = rows.map((t) => ({ id: t.id, registrationToken: t.token, createdAt: t.createdAt, updatedAt: t.createdAt, registeredRunnersCount: t.registeredRunnersCount }));
      return { total: data.length, data };
    })
    .delete("/registration-tokens/:id", async ({ params, set }) => {
      if (!(await q.deleteRegistrationToken(deps.sql, positiveId(params.id)))) throw notFound("Registration token not found.");
      set.status = 204;
      return "";
    })
    .get("/", async () => {
      const rows = await q.listRunners(deps.sql);
      const data = rows.map((r) => ({ id: r.id, name: r.name, description: r.description, ip: r.ip, lastContact: r.lastContact, createdAt: r.createdAt, updatedAt: r.lastContact }));
      return { total: data.length, data };
    })
    .delete("/:runnerId", async ({ params, set }) => {
      if (!(await q.deleteRunner(deps.sql, positiveId(params.runnerId)))) throw notFound("Runner not found.");
      deps.announceJobs();
      set.status = 204;
      return "";
    })
    .get("/jobs", async () => {
      const data = (await q.listJobs(deps.sql)).map(runnerJobJson);
      return { total: data.length, data };
    })
    .post("/jobs/:jobUUID/cancel", async ({ params, set }) => {
      if (!(await cancelRunnerJob(deps.sql, params.jobUUID))) throw notFound("No pending or processing job with this id.");
      set.status = 204;
      return "";
    })
    .delete("/jobs/:jobUUID", async ({ params, set }) => {
      if (!(await deleteRunnerJob(deps.sql, params.jobUUID))) throw notFound("Unknown runner job.");
      set.status = 204;
      return "";
    });
}

/** What runners call, authenticated by the tokens in the body. */
function runnerRoutes(context: ReturnType<typeof contextPlugin>, deps: RunnerApiDeps) {
  const jobOf = async (body: Body, uuid: string, ip: string) => {
    const runner = await authenticateRunner(deps.sql, body?.runnerToken, ip);
    return { runner, job: await jobOfRunner(deps.sql, runner, uuid, body?.jobToken) };
  };
  return new Elysia({ name: "runners-api", prefix: "/api/v1/runners" })
    .use(context)
    .post("/register", ({ body, ip }) => registerRunner(deps, (body ?? {}) as Body & object, ip))
    .post("/unregister", async ({ body, ip, set }) => {
      const runner = await authenticateRunner(deps.sql, (body as Body)?.runnerToken, ip);
      await q.deleteRunner(deps.sql, runner.id);
      deps.announceJobs();
      set.status = 204;
      return "";
    })
    .post("/jobs/request", async ({ body, ip }) => {
      await authenticateRunner(deps.sql, (body as Body)?.runnerToken, ip);
      return { availableJobs: await availableJobs(deps.sql, (body as Body)?.jobTypes) };
    })
    .post("/jobs/:jobUUID/accept", async ({ body, ip, params }) => {
      const runner = await authenticateRunner(deps.sql, (body as Body)?.runnerToken, ip);
      const { job, jobToken } = await acceptRunnerJob(deps, runner, params.jobUUID);
      return { job: { ...runnerJobJson(job), jobToken } };
    })
    .post(
      "/jobs/:jobUUID/update",
      async ({ request, ip, params, set }) => {
        // JSON for progress; multipart when a live's runner sends segments and playlists (`payload[files]`).
        const multipart = request.headers.get("content-type")?.startsWith("multipart/form-data");
        const form = multipart ? await request.formData() : null;
        const body = (form ? { runnerToken: form.get("runnerToken"), jobToken: form.get("jobToken") } : await request.json().catch(() => ({}))) as Body;
        const { job } = await jobOf(body, params.jobUUID, ip);
        if (form) {
          if (job.type !== "live-rtmp-hls-transcoding") throw badRequest("Only live jobs upload files with /update.");
          await deps.liveFeeds.accept(job.uuid, await resultFiles(form));
        }
        await updateRunnerJob(deps.sql, job, body?.progress);
        set.status = 204;
        return "";
      },
      { parse: "none" },
    )
    .post("/jobs/:jobUUID/error", async ({ body, ip, params, set }) => {
      const { runner, job } = await jobOf(body as Body, params.jobUUID, ip);
      const message = typeof (body as Body)?.message === "string" ? String((body as Body)!.message) : "the runner reported an error";
      await failRunnerJob(deps, job, { runnerId: runner.id }, `runner "${runner.name}": ${message}`);
      deps.liveFeeds.end(job.uuid, 1);
      set.status = 204;
      return "";
    })
    .post("/jobs/:jobUUID/abort", async ({ body, ip, params, set }) => {
      const { runner, job } = await jobOf(body as Body, params.jobUUID, ip);
      if (job.type === "live-rtmp-hls-transcoding") {
        await failRunnerJob(deps, job, { runnerId: runner.id }, `runner "${runner.name}" aborted: ${String((body as Body)?.reason ?? "")}`);
        deps.liveFeeds.end(job.uuid, 1);
      } else await abortRunnerJob(deps, runner, job);
      set.status = 204;
      return "";
    })
    .post("/jobs/:jobUUID/files/videos/:videoUUID/max-quality", async ({ body, ip, params }) => {
      const { job } = await jobOf(body as Body, params.jobUUID, ip);
      return vodSourceFile(deps, job, params.videoUUID);
    })
    .post("/jobs/:jobUUID/files/live/stream", async ({ body, ip, params }) => {
      const { job } = await jobOf(body as Body, params.jobUUID, ip);
      return deps.liveFeeds.stream(job.uuid);
    })
    .post(
      "/jobs/:jobUUID/success",
      async ({ request, ip, params, set }) => {
        const form = await request.formData();
        const tokens = { runnerToken: form.get("runnerToken"), jobToken: form.get("jobToken") };
        const { runner, job } = await jobOf(tokens, params.jobUUID, ip);
        if (job.type === "live-rtmp-hls-transcoding") {
          // The runner's ffmpeg wrote the last segments and ENDLIST (already uploaded): the live's transcoding is over.
          await q.completeJob(deps.sql, job.id, runner.id);
          deps.liveFeeds.end(job.uuid, 0);
        } else await acceptVodResult(deps, runner, job, await resultFiles(form));
        set.status = 204;
        return "";
      },
      { parse: "none" },
    );
}

/** Every /api/v1/runners route. */
export function runnerApiRoutes(context: ReturnType<typeof contextPlugin>, deps: RunnerApiDeps) {
  return new Elysia({ name: "runners-api-all" }).use(runnerRoutes(context, deps)).use(adminRoutes(context, deps));
}
