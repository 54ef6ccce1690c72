/** Errors that carry an HTTP status and a message meant for the person who sent the request. */
import type { MessageKey } from "../i18n/i18n.ts";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Machine-readable reason for API clients, in PeerTube's style (e.g. "invalid_grant"). */
    readonly code?: string,
    /** Field name → message, for forms that show errors beside their inputs. */
    readonly fields?: Readonly<Record<string, string>>,
    /** The catalog key of `message`, so error pages can show it in the page's language (API answers stay English). */
    readonly messageKey?: MessageKey,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, fields?: Record<string, string>) => new HttpError(400, message, undefined, fields);
export const unauthorized = (message?: string) =>
  new HttpError(401, message ?? "You need to log in to do that.", undefined, undefined, message ? undefined : "error.unauthorized");
export const forbidden = (message?: string) =>
  new HttpError(403, message ?? "You are not allowed to do that.", undefined, undefined, message ? undefined : "error.forbidden");
export const notFound = (message?: string) =>
  new HttpError(404, message ?? "We could not find that page.", undefined, undefined, message ? undefined : "error.notFound");
export const conflict = (message: string, fields?: Record<string, string>) => new HttpError(409, message, undefined, fields);

/** PeerTube's JSON error body (RFC 7807 problem details plus its legacy `error` and `code`). */
export function problemJson(status: number, detail: string, code?: string) {
  return {
    type: "about:blank",
    title: statusTitle(status),
    status,
    detail,
    error: detail,
    ...(code ? { code } : {}),
  };
}

/** The English reason phrase for API problem bodies; HTML error pages use the catalog's `error.<status>` headings. */
export function statusTitle(status: number): string {
  const titles: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
  };
  return titles[status] ?? "Error";
}
