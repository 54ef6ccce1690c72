/** OAuth2 password and refresh-token grants, as PeerTube clients expect them. */
import type { Sql } from "postgres";
import { HttpError } from "../http/errors.ts";
import type { AccountsDeps } from "./service.ts";
import { authenticate } from "./service.ts";
import * as q from "./queries.ts";
import { randomToken, tokenHash } from "./tokens.ts";

/** PeerTube's lifetimes: a day for access tokens, two weeks for refresh tokens. */
export const ACCESS_TOKEN_SECONDS = 86_400;
export const REFRESH_TOKEN_SECONDS = 14 * 86_400;

export interface TokenResponse {
  token_type: "Bearer";
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

export interface TokenRequest {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  username?: string;
  password?: string;
  refresh_token?: string;
}

async function issueTokens(sql: Sql, userId: number, clientId: string): Promise<TokenResponse> {
  const access = randomToken();
  const refresh = randomToken();
  const now = Date.now();
  await q.insertOauthToken(sql, {
    accessHash: tokenHash(access),
    refreshHash: tokenHash(refresh),
    userId,
    clientId,
    accessExpiresAt: new Date(now + ACCESS_TOKEN_SECONDS * 1000),
    refreshExpiresAt: new Date(now + REFRESH_TOKEN_SECONDS * 1000),
  });
  return {
    token_type: "Bearer",
    access_token: access,
    refresh_token: refresh,
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
  };
}

/** Handles POST /api/v1/users/token for both grants; client credentials are checked first. */
export async function grantToken(deps: AccountsDeps, request: TokenRequest, ip: string): Promise<TokenResponse> {
  const client = request.client_id ? await q.findOauthClient(deps.sql, request.client_id) : null;
  if (!client || client.clientSecret !== request.client_secret) {
    throw new HttpError(400, "Invalid client: client is invalid", "invalid_client");
  }
  if (request.grant_type === "password") {
    const user = await authenticate(deps, request.username ?? "", request.password ?? "", ip);
    return issueTokens(deps.sql, user.id, client.clientId);
  }
  if (request.grant_type === "refresh_token") {
    const userId = request.refresh_token ? await q.takeRefreshToken(deps.sql, tokenHash(request.refresh_token), client.clientId) : null;
    if (!userId) throw new HttpError(400, "Invalid grant: refresh token is invalid", "invalid_grant");
    return issueTokens(deps.sql, userId, client.clientId);
  }
  throw new HttpError(400, "Unsupported grant type: use password or refresh_token", "unsupported_grant_type");
}

/** The user behind an `Authorization: Bearer` header, or null when there is none or it is invalid. */
export async function bearerUser(sql: Sql, authorization: string | null): Promise<q.UserRow | null> {
  const match = authorization ? /^Bearer\s+([\w-]{20,100})$/i.exec(authorization.trim()) : null;
  return match ? q.findTokenUser(sql, tokenHash(match[1]!)) : null;
}

export async function revokeAccessToken(sql: Sql, authorization: string | null): Promise<void> {
  const match = authorization ? /^Bearer\s+([\w-]{20,100})$/i.exec(authorization.trim()) : null;
  if (match) await q.deleteAccessToken(sql, tokenHash(match[1]!));
}
