/**
 * SQL of the instance's blocklist: servers (by host) and remote actors the administrators refuse to federate
 * with. Blocked means: their activities are refused, nothing is delivered to them, and what they sent is hidden
 * (their videos leave every listing and page, their comments read as removed). Unblocking shows it all again.
 */
import type { Db as Sql } from "../db/client.ts";

/** `AND ...` over `videos v`: leaves out remote videos whose channel, account or server is blocked. */
export function notBlockedSql(sql: Sql) {
  return sql`AND (v.ap_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM channels bc JOIN actors ba ON ba.id = bc.actor_id
    JOIN federation_blocks fb ON fb.domain = ba.domain OR fb.actor_id = ba.id OR fb.actor_id = bc.account_actor_id
    WHERE bc.id = v.channel_id))`;
}

/** Whether a remote video is hidden by the blocklist (local videos never are). */
export async function isVideoBlocked(sql: Sql, videoId: number): Promise<boolean> {
  const [row] = await sql<{ blocked: boolean }[]>`
    SELECT NOT EXISTS (SELECT 1 FROM videos v WHERE v.id = ${videoId} ${notBlockedSql(sql)}) AS blocked`;
  return row!.blocked;
}

/** Whether the actor with this id, or its server, is blocked. The host is the id's (with its port). */
export async function isActorBlocked(sql: Sql, actorUri: string): Promise<boolean> {
  let host: string;
  try {
    host = new URL(actorUri).host.toLowerCase();
  } catch {
    return false;
  }
  const [row] = await sql<{ blocked: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM federation_blocks fb LEFT JOIN actors a ON a.id = fb.actor_id
      WHERE fb.domain = ${host} OR a.uri = ${actorUri}
    ) AS blocked`;
  return row!.blocked;
}

/** Whether deliveries to this inbox are refused: its server is blocked, or it is the own inbox of a blocked actor. */
export async function isInboxBlocked(sql: Sql, inbox: string): Promise<boolean> {
  const host = new URL(inbox).host.toLowerCase();
  const [row] = await sql<{ blocked: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM federation_blocks fb LEFT JOIN actors a ON a.id = fb.actor_id
      WHERE fb.domain = ${host} OR a.inbox_url = ${inbox}
    ) AS blocked`;
  return row!.blocked;
}

/** One entry of the blocklist, as the admin page lists it. */
export interface BlockRow {
  id: number;
  domain: string | null;
  actorUri: string | null;
  actorHandle: string | null;
  actorDomain: string | null;
  createdAt: Date;
}

export async function listBlocks(sql: Sql): Promise<BlockRow[]> {
  return sql<BlockRow[]>`
    SELECT fb.id::int AS id, fb.domain, a.uri AS actor_uri, a.handle AS actor_handle, a.domain AS actor_domain, fb.created_at
    FROM federation_blocks fb LEFT JOIN actors a ON a.id = fb.actor_id
    ORDER BY fb.created_at DESC, fb.id DESC`;
}

/** Blocks a server by host; blocking it twice is one block. */
export async function blockDomain(sql: Sql, domain: string): Promise<void> {
  await sql`INSERT INTO federation_blocks (domain) VALUES (${domain}) ON CONFLICT (domain) WHERE domain IS NOT NULL DO NOTHING`;
}

/** Blocks a remote actor kept in the actors table; blocking it twice is one block. */
export async function blockActor(sql: Sql, actorId: number): Promise<void> {
  await sql`INSERT INTO federation_blocks (actor_id) VALUES (${actorId}) ON CONFLICT (actor_id) WHERE actor_id IS NOT NULL DO NOTHING`;
}

export async function unblock(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql`DELETE FROM federation_blocks WHERE id = ${id}`;
  return rows.count > 0;
}
