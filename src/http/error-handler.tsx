/** Turns every error into a friendly page for browsers or PeerTube-shaped JSON for API clients. */
import { Elysia } from "elysia";
import type { PageContext } from "../../views/context.ts";
import { i18nFor, isLocale, negotiateLocale, type MessageKey } from "../i18n/i18n.ts";
import { ErrorPage } from "../../views/pages/error.tsx";
import { LOCALE_COOKIE, type AppDeps } from "./context.ts";
import { HttpError, problemJson } from "./errors.ts";

interface Resolved {
  status: number;
  /** English: what API clients get. */
  message: string;
  /** The message's catalog key when it has one, for error pages in the visitor's language. */
  key?: MessageKey;
  code?: string;
  fields?: Readonly<Record<string, string>>;
}

/** Maps thrown things to a status and a message safe to show; internals are logged, never shown. */
export function resolveError(code: string | number, error: unknown): Resolved {
  if (error instanceof HttpError) return { status: error.status, message: error.message, key: error.messageKey, code: error.code, fields: error.fields };
  switch (code) {
    case "NOT_FOUND":
      return { status: 404, message: "We could not find that page.", key: "error.notFound" };
    case "PARSE":
      return { status: 400, message: "The request body could not be read; check its format and Content-Type.", key: "error.badBody" };
    case "VALIDATION":
      return { status: 400, message: "Some fields are missing or malformed.", key: "error.invalid" };
    default: {
      const status = (error as { status?: unknown })?.status;
      if (typeof status === "number" && status >= 400 && status < 500) {
        return { status, message: (error as Error).message || "The request was refused." };
      }
      return { status: 500, message: "Something went wrong on our side. Please try again in a moment.", key: "error.internal" };
    }
  }
}

/** The language cookie read straight from the header: the context plugin did not run for this request. */
function localeCookie(request: Request): string | undefined {
  const prefix = `${LOCALE_COOKIE}=`;
  return request.headers.get("cookie")?.split(";").map((part) => part.trim()).find((part) => part.startsWith(prefix))?.slice(prefix.length);
}

/** A page context for errors raised before the context plugin ran (unknown routes): a visitor, in their browser's language. */
function anonymousPage(deps: AppDeps, request: Request): PageContext {
  const url = new URL(request.url);
  const chosen = localeCookie(request);
  const i18n = i18nFor(isLocale(chosen) ? chosen : negotiateLocale(request.headers.get("accept-language")));
  return {
    instanceName: deps.config.instanceName,
    viewer: null,
    csrfToken: "",
    assets: deps.assets.urls,
    path: url.pathname,
    now: new Date(),
    locale: i18n.locale,
    t: i18n.t,
    i18n,
  };
}

export function errorHandler(deps: AppDeps) {
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, (ctx) => {
    const { code, error, request, set } = ctx;
    const resolved = resolveError(code, error);
    if (resolved.status >= 500) console.error(`[${request.method} ${request.url}]`, error);
    const url = new URL(request.url);
    const page = (ctx as { page?: PageContext }).page ?? anonymousPage(deps, request);
    if (url.pathname.startsWith("/api/")) {
      const body: Record<string, unknown> = problemJson(resolved.status, resolved.message, resolved.code);
      if (resolved.fields) {
        body["invalid-params"] = Object.fromEntries(Object.entries(resolved.fields).map(([k, v]) => [k, { msg: v, param: k }]));
      }
      return new Response(JSON.stringify(body), {
        status: resolved.status,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    }
    if (resolved.status === 401 && request.method === "GET") {
      const expired = (ctx as { sessionExpired?: boolean }).sessionExpired ? "&expired=1" : "";
      set.status = 303;
      set.headers.location = `/login?next=${encodeURIComponent(url.pathname + url.search)}${expired}`;
      return "";
    }
    set.status = resolved.status;
    set.headers["content-type"] = "text/html; charset=utf-8";
    const message = resolved.key ? page.t(resolved.key) : resolved.message;
    return <ErrorPage page={page} status={resolved.status} message={message} />;
  });
}
