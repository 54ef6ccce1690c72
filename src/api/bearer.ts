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
