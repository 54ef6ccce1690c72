/** All SQL of accounts: users, their actors, sessions and OAuth tokens. */
import type { Db as Sql } from "../db/client.ts";
import type { KeyPairPem } from "../federation/keys.ts";

export interface UserRow {
  id: number;
  actorId: number;
  handle: string;
  displayName: string;
  description: string;
  avatarPath: string | null;
  email: string;
  role: "user" | "admin";
  approved: boolean;
  /** The person's own P2P choice; null follows the instance default. */
  p2pPreference: "on" | "off" | null;
  /** The person's interface language; null follows the browser. */
  locale: "en" | "ja" | null;
  /** How listings treat videos marked sensitive. */
  sensitivePolicy: "show" | "blur" | "hide";
  /** Only list videos in these languages (and videos with none); null lists all. */
  videoLanguages: string[] | null;
  /** Per notification type, false when turned off; a missing type is on. */
  notificationSettings: Record<string, boolean>;
  createdAt: Date;
  /** Only on the session's user: unread notifications, for the bell in the header. */
  unreadNotifications?: number;
}

export interface UserWithPassword extends UserRow {
  passwordHash: string;
}

const USER_COLUMNS = (sql: Sql) => sql`
  u.id::int AS id, a.id::int AS actor_id, a.handle, a.display_name, a.description, a.avatar_path,
  u.email, u.role, u.approved, u.p2p_preference, u.locale, u.sensitive_policy, u.video_languages,
  u.notification_settings, u.created_at`;

/** Whether a local actor has this handle (remote actors have their own namespace per domain). */
export async function handleExists(sql: Sql, handle: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM actors WHERE handle = ${handle} AND domain IS NULL`;
  return rows.length > 0;
}

export async function emailExists(sql: Sql, email: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM users WHERE lower(email) = lower(${email})`;
  return rows.length > 0;
}

export async function insertActor(
  sql: Sql,
  actor: { handle: string; kind: "person" | "group"; displayName: string; description?: string; keys?: KeyPairPem },
): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO actors (handle, kind, display_name, description, public_key_pem, private_key_pem)
    VALUES (${actor.handle}, ${actor.kind}, ${actor.displayName}, ${actor.description ?? ""},
            ${actor.keys?.publicKeyPem ?? null}, ${actor.keys?.privateKeyPem ?? null})
    RETURNING id::int`;
  return row!.id;
}

export async function insertUser(
  sql: Sql,
  user: { actorId: number; email: string; passwordHash: string; role: "user" | "admin"; approved: boolean; quota: number; dailyQuota: number },
): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO users (actor_id, email, password_hash, role, approved, video_quota, video_quota_daily)
    VALUES (${user.actorId}, ${user.email}, ${user.passwordHash}, ${user.role}, ${user.approved}, ${user.quota}, ${user.dailyQuota})
    RETURNING id::int`;
  return row!.id;
}

export async function findUserById(sql: Sql, id: number): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT ${USER_COLUMNS(sql)} FROM users u JOIN actors a ON a.id = u.actor_id WHERE u.id = ${id}`;
  return row ?? null;
}

export async function findUserByHandle(sql: Sql, handle: string): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT ${USER_COLUMNS(sql)} FROM users u JOIN actors a ON a.id = u.actor_id WHERE a.handle = ${handle}`;
  return row ?? null;
}

/** Login accepts a username or an e-mail address. */
export async function findUserForLogin(sql: Sql, login: string): Promise<UserWithPassword | null> {
  const [row] = await sql<UserWithPassword[]>`
    SELECT ${USER_COLUMNS(sql)}, u.password_hash
    FROM users u JOIN actors a ON a.id = u.actor_id
    WHERE a.handle = lower(${login}) OR lower(u.email) = lower(${login})
    LIMIT 1`;
  return row ?? null;
}

export async function listPendingUsers(sql: Sql): Promise<UserRow[]> {
  return sql<UserRow[]>`
    SELECT ${USER_COLUMNS(sql)} FROM users u JOIN actors a ON a.id = u.actor_id
    WHERE NOT u.approved ORDER BY u.created_at`;
}

export async function approveUser(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql`UPDATE users SET approved = true WHERE id = ${id} AND NOT approved`;
  return rows.count > 0;
}

export async function updatePasswordHash(sql: Sql, userId: number, passwordHash: string): Promise<void> {
  await sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId}`;
}

export async function insertSession(sql: Sql, tokenHash: Uint8Array, userId: number, expiresAt: Date): Promise<void> {
  await sql`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (${tokenHash}, ${userId}, ${expiresAt})`;
}

/** The user behind a live session; expired sessions find nobody. */
export async function findSessionUser(sql: Sql, tokenHash: Uint8Array): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT ${USER_COLUMNS(sql)},
      (SELECT count(*)::int FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread_notifications
    FROM sessions s JOIN users u ON u.id = s.user_id JOIN actors a ON a.id = u.actor_id
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND u.approved`;
  return row ?? null;
}

export async function deleteSession(sql: Sql, tokenHash: Uint8Array): Promise<void> {
  await sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`;
}

export async function deleteExpiredSessions(sql: Sql): Promise<number> {
  const rows = await sql`DELETE FROM sessions WHERE expires_at <= now()`;
  return rows.count;
}

export async function findOauthClient(sql: Sql, clientId: string): Promise<{ clientId: string; clientSecret: string } | null> {
  const [row] = await sql<{ clientId: string; clientSecret: string }[]>`
    SELECT client_id, client_secret FROM oauth_clients WHERE client_id = ${clientId}`;
  return row ?? null;
}

/** The instance's one public client, which PeerTube apps fetch from /api/v1/oauth-clients/local. */
export async function ensureLocalOauthClient(sql: Sql, make: () => { clientId: string; clientSecret: string }) {
  const [existing] = await sql<{ clientId: string; clientSecret: string }[]>`
    SELECT client_id, client_secret FROM oauth_clients ORDER BY created_at LIMIT 1`;
  if (existing) return existing;
  const fresh = make();
  await sql`INSERT INTO oauth_clients (client_id, client_secret) VALUES (${fresh.clientId}, ${fresh.clientSecret}) ON CONFLICT DO NOTHING`;
  const [row] = await sql<{ clientId: string; clientSecret: string }[]>`
    SELECT client_id, client_secret FROM oauth_clients ORDER BY created_at LIMIT 1`;
  return row!;
}

export async function insertOauthToken(
  sql: Sql,
  t: { accessHash: Uint8Array; refreshHash: Uint8Array; userId: number; clientId: string; accessExpiresAt: Date; refreshExpiresAt: Date },
): Promise<void> {
  await sql`
    INSERT INTO oauth_tokens (access_hash, refresh_hash, user_id, client_id, access_expires_at, refresh_expires_at)
    VALUES (${t.accessHash}, ${t.refreshHash}, ${t.userId}, ${t.clientId}, ${t.accessExpiresAt}, ${t.refreshExpiresAt})`;
}

/** Consumes a refresh token (one use only) and returns its user, if it is still valid. */
export async function takeRefreshToken(sql: Sql, refreshHash: Uint8Array, clientId: string): Promise<number | null> {
  const [row] = await sql<{ userId: number }[]>`
    DELETE FROM oauth_tokens WHERE refresh_hash = ${refreshHash} AND client_id = ${clientId} AND refresh_expires_at > now()
    RETURNING user_id::int`;
  return row?.userId ?? null;
}

export async function findTokenUser(sql: Sql, accessHash: Uint8Array): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT ${USER_COLUMNS(sql)}
    FROM oauth_tokens t JOIN users u ON u.id = t.user_id JOIN actors a ON a.id = u.actor_id
    WHERE t.access_hash = ${accessHash} AND t.access_expires_at > now() AND u.approved`;
  return row ?? null;
}

export async function deleteAccessToken(sql: Sql, accessHash: Uint8Array): Promise<void> {
  await sql`DELETE FROM oauth_tokens WHERE access_hash = ${accessHash}`;
}

export async function setP2PPreference(sql: Sql, userId: number, choice: "on" | "off"): Promise<void> {
  await sql`UPDATE users SET p2p_preference = ${choice} WHERE id = ${userId}`;
}
