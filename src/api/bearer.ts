/** Bearer-token authentication for the REST API (cookies are never used there, so CSRF cannot reach it). */
import type { Sql } from "postgres";
import type { UserRow } from "../accounts/queries.ts";
import { bearerUser } from "../accounts/oauth.ts";
import { HttpError } from "../http/errors.ts";

/** The API caller, or a 401 in PeerTube's words when the token is missing, unknown or expired. */
export async function requireBearer(sql: Sql, request: Request): Promise<UserRow> {
  const user = await bearerUser(sql, request.headers.get("authorization"));
  if (!user) throw new HttpError(401, "Token is invalid or expired; log in again to get a new one.", "invalid_token");
  return user;
}

/**
 * The API caller by bearer token, or, for the web pages' own scripts, by session cookie plus the CSRF header
 * (a cookie alone never authenticates an API call, so other sites cannot drive it).
 */
export async function requireApiUser(
  sql: Sql,
  request: Request,
  session: { user: UserRow | null; csrfToken: string },
): Promise<UserRow> {
  if (request.headers.has("authorization")) return requireBearer(sql, request);
  const sent = request.headers.get("x-csrf-token");
  if (session.user && sent && sent === session.csrfToken) return session.user;
  throw new HttpError(401, "Log in first: send a bearer token (or use the web page while logged in).", "invalid_token");
}

/** Who is reading, for safe (GET) requests: the bearer token's user, else the session's, else nobody. */
export async function optionalApiUser(sql: Sql, request: Request, sessionUser: UserRow | null): Promise<UserRow | null> {
  const authorization = request.headers.get("authorization");
  return authorization ? bearerUser(sql, authorization) : sessionUser;
}
