/** All SQL of account settings: profile and preference updates, password and sessions, account deletion. */
import type { Db as Sql } from "../db/client.ts";
import type { Locale } from "../i18n/i18n.ts";

export interface Preferences {
  /** null: follow the instance default. */
  readonly p2pPreference: "on" | "off" | null;
  readonly sensitivePolicy: "show" | "blur" | "hide";
  /** null: every language. */
  readonly videoLanguages: readonly string[] | null;
  /** null: follow the browser. */
  readonly locale: Locale | null;
}

export async function updateProfile(sql: Sql, actorId: number, profile: { displayName: string; description: string }): Promise<void> {
  await sql`
    UPDATE actors SET display_name = ${profile.displayName}, description = ${profile.description}, updated_at = now()
    WHERE id = ${actorId}`;
}

/** Writes only the preferences given; the others keep their value. */
export async function updatePreferences(sql: Sql, userId: number, prefs: Partial<Preferences>): Promise<void> {
  const set = <K extends keyof Preferences>(key: K) => prefs[key] !== undefined;
  const languages = prefs.videoLanguages ? sql.array([...prefs.videoLanguages]) : null;
  await sql`
    UPDATE users SET
      p2p_preference = CASE WHEN ${set("p2pPreference")} THEN ${prefs.p2pPreference ?? null}::text ELSE p2p_preference END,
      sensitive_policy = CASE WHEN ${set("sensitivePolicy")} THEN ${prefs.sensitivePolicy ?? "blur"}::text ELSE sensitive_policy END,
      video_languages = CASE WHEN ${set("videoLanguages")} THEN ${languages}::text[] ELSE video_languages END,
      locale = CASE WHEN ${set("locale")} THEN ${prefs.locale ?? null}::text ELSE locale END
    WHERE id = ${userId}`;
}

export async function passwordHashOf(sql: Sql, userId: number): Promise<string | null> {
  const [row] = await sql<{ passwordHash: string }[]>`SELECT password_hash FROM users WHERE id = ${userId}`;
  return row?.passwordHash ?? null;
}

/**
 * Ends every browser session and API token of the user except the ones given (the request's own), so a
 * password change locks out whoever else was logged in.
 */
export async function endOtherSessions(
  sql: Sql,
  userId: number,
  keep: { sessionHash: Uint8Array | null; accessHash: Uint8Array | null },
): Promise<void> {
  const sessionKeep = keep.sessionHash ? sql`AND token_hash <> ${keep.sessionHash}` : sql``;
  const tokenKeep = keep.accessHash ? sql`AND access_hash <> ${keep.accessHash}` : sql``;
  await sql`DELETE FROM sessions WHERE user_id = ${userId} ${sessionKeep}`;
  await sql`DELETE FROM oauth_tokens WHERE user_id = ${userId} ${tokenKeep}`;
}

/**
 * Administrators other than this user. Every admin row is locked in id order, so two admins deleting
 * themselves at once take turns (instead of deadlocking), and the second sees the first gone.
 */
export async function lockOtherAdmins(sql: Sql, userId: number): Promise<number> {
  const rows = await sql<{ id: number }[]>`SELECT id::int FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`;
  return rows.filter((row) => row.id !== userId).length;
}

/** Other administrators, for the delete page to say up front that the last one cannot leave. */
export async function countOtherAdmins(sql: Sql, userId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND id <> ${userId}`;
  return row!.n;
}

/** Videos in all of the account's channels, whatever their state. */
export async function countAccountVideos(sql: Sql, userId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM videos v JOIN channels c ON c.id = v.channel_id WHERE c.owner_id = ${userId}`;
  return row!.n;
}

export interface AccountFiles {
  readonly videos: readonly { uuid: string; originalPath: string | null }[];
  readonly uploadIds: readonly string[];
  /** Relative to the data folder: the account's avatar and its channels'. */
  readonly avatarPaths: readonly string[];
}

/** Everything on disk that belongs to the account, read before its rows go. */
export async function accountFiles(sql: Sql, userId: number): Promise<AccountFiles> {
  const [videos, uploads, avatars] = await Promise.all([
    sql<{ uuid: string; originalPath: string | null }[]>`
      SELECT v.uuid::text, v.original_path FROM videos v JOIN channels c ON c.id = v.channel_id WHERE c.owner_id = ${userId}`,
    sql<{ id: string }[]>`SELECT id FROM upload_sessions WHERE user_id = ${userId}`,
    sql<{ avatarPath: string }[]>`
      SELECT a.avatar_path FROM actors a
      WHERE a.avatar_path IS NOT NULL
        AND (a.id = (SELECT actor_id FROM users WHERE id = ${userId})
          OR a.id IN (SELECT actor_id FROM channels WHERE owner_id = ${userId}))`,
  ]);
  return { videos, uploadIds: uploads.map((u) => u.id), avatarPaths: avatars.map((a) => a.avatarPath) };
}

/**
 * Deletes the account's channel actors and its person actor. The cascades take the user, its channels,
 * videos, sessions, tokens, uploads, playlists, ratings, subscriptions and notifications; comments stay,
 * without an author.
 */
export async function deleteAccountRows(sql: Sql, userId: number): Promise<boolean> {
  const [user] = await sql<{ actorId: number }[]>`SELECT actor_id::int FROM users WHERE id = ${userId}`;
  if (!user) return false;
  await sql`DELETE FROM actors WHERE id IN (SELECT actor_id FROM channels WHERE owner_id = ${userId})`;
  await sql`DELETE FROM actors WHERE id = ${user.actorId}`;
  return true;
}
