/** The one context plugin: app-wide handles plus, per request, who is asking, from where, and the CSRF token. */
import { Elysia } from "elysia";
import type { Sql } from "postgres";
import type { Redis } from "ioredis";
import type { Config } from "../config.ts";
import type { Assets } from "./assets.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { Queues } from "../queue/queues.ts";
import type { Layout } from "../storage/layout.ts";
import type { ViewCounter } from "../videos/views.ts";
import type { P2PStats } from "../p2p/stats.ts";
import type { MicroCache } from "./micro-cache.ts";
import type { VisitorPages } from "./visitor-pages.ts";
import type { PageContext, Viewer } from "../../views/context.ts";
import type { UserRow } from "../accounts/queries.ts";
import { sessionUser } from "../accounts/service.ts";
import { randomToken } from "../accounts/tokens.ts";
import { HttpError } from "./errors.ts";
import { staticUrl } from "./urls.ts";
import { i18nFor, isLocale, negotiateLocale, type Locale } from "../i18n/i18n.ts";

export interface AppDeps {
  readonly config: Config;
  readonly sql: Sql;
  readonly redis: Redis;
  readonly limiter: RateLimiter;
  readonly assets: Assets;
  readonly queues: Queues;
  readonly layout: Layout;
  readonly views: ViewCounter;
  readonly p2pStats: P2PStats;
  /** Public listings reused for a moment across visitors with the same filters (config.listingCacheMs). */
  readonly listings: MicroCache<unknown>;
  /** Whole pages as visitors who are not logged in see them, reused the same way. */
  readonly visitorPages: VisitorPages;
  /** Viewers in a video's P2P swarm now, from the tracker in this process (0 where none runs). */
  readonly swarmPeers: (uuid: string) => number;
}

export const SESSION_COOKIE = "tubelet_session";
export const CSRF_COOKIE = "tubelet_csrf";
/** The language chosen from the footer by someone not logged in. */
export const LOCALE_COOKIE = "tubelet_locale";

/** Paths that authenticate with bearer tokens or signatures instead of cookies, so CSRF does not apply. */
const CSRF_EXEMPT = /^\/(api\/|tracker\/|inbox$|(accounts|video-channels)\/[^/]+\/inbox$)/;

export function toViewer(user: UserRow, config: Config): Viewer {
  return {
    id: user.id,
    handle: user.handle,
    displayName: user.displayName,
    role: user.role,
    avatarUrl: staticUrl(user.avatarPath),
    unreadNotifications: user.unreadNotifications ?? 0,
    sensitivePolicy: user.sensitivePolicy,
  };
}

function clientIp(request: Request, server: { requestIP(r: Request): { address: string } | null } | null, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for");
    const last = forwarded?.split(",").pop()?.trim();
    if (last) return last;
  }
  return server?.requestIP(request)?.address ?? "unknown";
}

/** Constant-time comparison so the token cannot be guessed byte by byte from timings. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function contextPlugin(deps: AppDeps) {
  const { config, sql } = deps;
  const cookieBase = { path: "/", httpOnly: true, sameSite: "lax" as const, secure: config.secureCookies };
  return new Elysia({ name: "tubelet-context" })
    .decorate("deps", deps)
    .derive({ as: "global" }, async ({ request, server, cookie }) => {
      const sessionToken = cookie[SESSION_COOKIE]?.value;
      const user = typeof sessionToken === "string" && sessionToken ? await sessionUser(sql, sessionToken) : null;
      const sessionExpired = Boolean(sessionToken) && !user;
      if (sessionExpired) setSessionCookie(cookie, config, null);
      const sentCsrf = cookie[CSRF_COOKIE]?.value;
      let csrfToken = typeof sentCsrf === "string" ? sentCsrf : "";
      if (!/^[\w-]{43}$/.test(csrfToken)) {
        csrfToken = randomToken();
        // Readable by nobody but us (HttpOnly); pages embed it in forms and in htmx's headers.
        cookie[CSRF_COOKIE]!.set({ ...cookieBase, value: csrfToken });
      }
      const url = new URL(request.url);
      const chosen = cookie[LOCALE_COOKIE]?.value;
      const locale: Locale = user?.locale ?? (isLocale(chosen) ? chosen : negotiateLocale(request.headers.get("accept-language")));
      const i18n = i18nFor(locale);
      const page: PageContext = {
        instanceName: config.instanceName,
        viewer: user ? toViewer(user, config) : null,
        csrfToken,
        assets: deps.assets.urls,
        now: new Date(),
        path: url.pathname + url.search,
        query: url.pathname === "/search" ? (url.searchParams.get("q") ?? "") : undefined,
        locale,
        t: i18n.t,
        i18n,
      };
      return { user, sessionExpired, page, ip: clientIp(request, server, config.trustProxy), pathname: url.pathname };
    })
    .onBeforeHandle({ as: "global" }, ({ request, body, page, pathname }) => {
      if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return;
      if (CSRF_EXEMPT.test(pathname)) return;
      const sent = request.headers.get("x-csrf-token") ?? (body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent !== "string" || !sameToken(sent, page.csrfToken)) {
        throw new HttpError(403, "This form has expired or came from another site. Reload the page and try again.", "csrf", undefined, "error.csrf");
      }
    });
}

type CookieJar = Record<string, { set(options: Record<string, unknown>): unknown } | undefined>;

/** Sets the session cookie, or clears it when `session` is null. */
export function setSessionCookie(cookie: CookieJar, config: Config, session: { token: string; expiresAt: Date } | null): void {
  const base = { path: "/", httpOnly: true, sameSite: "lax", secure: config.secureCookies };
  cookie[SESSION_COOKIE]!.set(session ? { ...base, value: session.token, expires: session.expiresAt } : { ...base, value: "", maxAge: 0 });
}

/** Narrows the viewer for routes that need someone logged in. */
export function requireUser(user: UserRow | null): UserRow {
  if (!user) throw new HttpError(401, "You need to log in to do that.", undefined, undefined, "error.unauthorized");
  return user;
}

export function requireAdmin(user: UserRow | null): UserRow {
  const u = requireUser(user);
  if (u.role !== "admin") throw new HttpError(403, "Only administrators can do that.", undefined, undefined, "error.adminOnly");
  return u;
}
