/** Pages for registering, logging in and out, account profiles and approving accounts. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { SESSION_COOKIE, requireAdmin, setSessionCookie } from "../http/context.ts";
import { HttpError } from "../http/errors.ts";
import { field, safeNext } from "../http/forms.ts";
import { LoginPage, RegisterPage, RegisteredPendingPage } from "../../views/pages/auth.tsx";
import { AccountPage } from "../../views/pages/channels.tsx";
import { AdminUsersPage } from "../../views/pages/admin.tsx";
import { FieldError } from "../../views/components/form.tsx";
import { authenticate, closeSession, openSession, registerUser } from "./service.ts";
import { handleProblem, USERNAME_MAX } from "./validation.ts";
import * as q from "./queries.ts";
import { listChannelsOfOwner } from "../channels/queries.ts";
import { toChannelView } from "../channels/service.ts";
import { staticUrl } from "../http/urls.ts";

export function accountRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "accounts" })
    .use(context)
    .get("/login", ({ page, query, user, sessionExpired, redirect }) => {
      if (user) return redirect(safeNext(query.next), 303);
      const notice = sessionExpired || query.expired ? page.t("auth.login.sessionExpired") : undefined;
      return <LoginPage page={page} next={safeNext(query.next)} notice={notice} />;
    })
    .post("/login", async ({ deps, body, page, ip, cookie, redirect, set }) => {
      const login = field(body, "login");
      const next = safeNext(field(body, "next"));
      try {
        const user = await authenticate(deps, login, field(body, "password"), ip);
        setSessionCookie(cookie, deps.config, await openSession(deps.sql, user.id));
        return redirect(next, 303);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        set.status = error.status === 400 ? 401 : error.status;
        return <LoginPage page={page} next={next} login={login} error={error.message} />;
      }
    })
    .post("/logout", async ({ deps, cookie, redirect }) => {
      const token = cookie[SESSION_COOKIE]?.value;
      if (typeof token === "string" && token) await closeSession(deps.sql, token);
      setSessionCookie(cookie, deps.config, null);
      return redirect("/", 303);
    })
    .get("/register", ({ deps, page, set }) => {
      if (deps.config.signup === "closed") set.status = 403;
      return <RegisterPage page={page} signup={deps.config.signup} />;
    })
    .post("/register", async ({ deps, body, page, cookie, redirect, set }) => {
      const values = { username: field(body, "username"), email: field(body, "email"), displayName: field(body, "displayName") };
      try {
        const user = await registerUser(deps, { ...values, password: field(body, "password") });
        if (!user.approved) return <RegisteredPendingPage page={page} />;
        setSessionCookie(cookie, deps.config, await openSession(deps.sql, user.id));
        return redirect(`/a/${user.handle}`, 303);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        set.status = error.status;
        return <RegisterPage page={page} signup={deps.config.signup} values={values} errors={error.fields} error={error.message} />;
      }
    })
    // htmx: tells whether a username or channel handle can be used while the person types.
    .get("/handles/check", async ({ deps, query, page }) => {
      const fieldName = query.field === "handle" ? "handle" : "username";
      const handle = String(query[fieldName] ?? "").trim().toLowerCase();
      const id = `f-${fieldName}-error`;
      const problem = handleProblem(handle, fieldName === "username" ? USERNAME_MAX : undefined);
      if (problem) return <FieldError id={id} message={problem} />;
      if (await q.handleExists(deps.sql, handle)) return <FieldError id={id} message={page.t("auth.handle.taken")} />;
      return <FieldError id={id} ok={page.t("auth.handle.available", { handle })} />;
    })
    .get("/a/:handle", async ({ deps, params, page }) => {
      const account = await q.findUserByHandle(deps.sql, params.handle.toLowerCase());
      if (!account || !account.approved) throw new HttpError(404, page.t("account.notFound"));
      const channels = await listChannelsOfOwner(deps.sql, account.id);
      return (
        <AccountPage
          page={page}
          account={{ ...account, avatarUrl: staticUrl(account.avatarPath) }}
          channels={channels.map(toChannelView)}
          host={deps.config.publicHost}
        />
      );
    })
    .get("/admin/users", async ({ deps, user, page, query }) => {
      requireAdmin(user);
      const pending = await q.listPendingUsers(deps.sql);
      return <AdminUsersPage page={page} pending={pending} notice={query.approved ? page.t("admin.pending.approved", { handle: String(query.approved) }) : undefined} />;
    })
    .post("/admin/users/:id/approve", async ({ deps, user, params, page, redirect }) => {
      requireAdmin(user);
      const target = await q.findUserById(deps.sql, Number(params.id) || 0);
      if (!target) throw new HttpError(404, page.t("admin.pending.noSuchAccount"));
      await q.approveUser(deps.sql, target.id);
      return redirect(`/admin/users?approved=${encodeURIComponent(target.handle)}`, 303);
    });
}
