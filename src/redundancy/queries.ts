/** SQL of redundancy: our mirrors of remote videos, candidates to mirror, and others' mirrors of our videos. */
import type { Db as Sql } from "../db/client.ts";
import type { StrategyName } from "./settings.ts";

export type MirrorStrategy = StrategyName | "manual";

/** One of our mirrors, with what choosing, renewing and announcing it needs. */
export interface MirrorRow {
  id: number;
  videoId: number;
  uuid: string;
  strategy: MirrorStrategy;
  sizeBytes: number;
  bytesServed: number;
  createdAt: Date;
  expiresAt: Date;
  name: string;
  shortId: string;
  views: number;
  videoApId: string;
  originDomain: string;
  /** Where the origin receives activities: its channel's shared inbox, else the channel's inbox. */
  originInbox: string;
}

const MIRROR_COLUMNS = (sql: Sql) => sql`
  m.id::int, m.video_id::int, m.uuid::text, m.strategy, m.size_bytes::float8 AS size_bytes,
  m.bytes_served::float8 AS bytes_served, m.created_at, m.expires_at, v.name, v.short_id, v.views::int, v.ap_id AS video_ap_id,
  a.domain AS origin_domain, coalesce(a.shared_inbox_url, a.inbox_url) AS origin_inbox`;

export async function listMirrors(sql: Sql): Promise<MirrorRow[]> {
  return sql<MirrorRow[]>`
    SELECT ${MIRROR_COLUMNS(sql)}
    FROM video_mirrors m JOIN videos v ON v.id = m.video_id JOIN channels c ON c.id = v.channel_id JOIN actors a ON a.id = c.actor_id
    ORDER BY m.created_at DESC, m.id DESC`;
}

export async function findMirror(sql: Sql, id: number): Promise<MirrorRow | null> {
  const [row] = await sql<MirrorRow[]>`
    SELECT ${MIRROR_COLUMNS(sql)}
    FROM video_mirrors m JOIN videos v ON v.id = m.video_id JOIN channels c ON c.id = v.channel_id JOIN actors a ON a.id = c.actor_id
    WHERE m.id = ${id}`;
  return row ?? null;
}

export async function insertMirror(sql: Sql, m: { videoId: number; uuid: string; strategy: MirrorStrategy; sizeBytes: number; expiresAt: Date }): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO video_mirrors (video_id, uuid, strategy, size_bytes, expires_at)
    VALUES (${m.videoId}, ${m.uuid}, ${m.strategy}, ${m.sizeBytes}, ${m.expiresAt})
    ON CONFLICT DO NOTHING RETURNING id::int`;
  return row?.id ?? null;
}

export async function deleteMirror(sql: Sql, id: number): Promise<boolean> {
  return (await sql`DELETE FROM video_mirrors WHERE id = ${id}`).count > 0;
}

export async function setMirrorExpiry(sql: Sql, id: number, expiresAt: Date): Promise<void> {
  await sql`UPDATE video_mirrors SET expires_at = ${expiresAt} WHERE id = ${id}`;
}

/** Adds bytes our static route served from mirrors, by uuid. */
export async function addBytesServed(sql: Sql, served: ReadonlyMap<string, number>): Promise<void> {
  for (const [uuid, bytes] of served) {
    await sql`UPDATE video_mirrors SET bytes_served = bytes_served + ${bytes} WHERE uuid = ${uuid}::uuid`;
  }
}

/** A remote video that may be mirrored. */
export interface CandidateRow {
  id: number;
  uuid: string;
  name: string;
  views: number;
  /** The renditions' sizes as the origin announced them: an estimate of what the mirror will take. */
  estimatedBytes: number;
  originMasterUrl: string;
  originHashesUrl: string | null;
}

const ORDER: Record<StrategyName, string> = {
  "most-viewed": "v.views DESC",
  // Views per day since publication: a video many watch now rather than one that gathered views over years.
  trending: "v.views / greatest(extract(epoch FROM now() - v.published_at) / 86400, 1) DESC",
  "recently-added": "v.published_at DESC",
};

/**
 * Remote published VOD videos of instances our instance actor follows (the instance itself or any of its channels and
 * accounts), not blocked, not mirrored yet, best first by the strategy. Lives are never mirrored.
 */
export async function listCandidates(sql: Sql, instanceActorId: number, strategy: StrategyName, minViews: number, limit: number): Promise<CandidateRow[]> {
  return sql<CandidateRow[]>`
    SELECT v.id::int, v.uuid::text, v.name, v.views::int, v.origin_master_url, v.origin_hashes_url,
           coalesce((SELECT sum((r->>'size')::float8) FROM jsonb_array_elements(v.renditions) r), 0)::float8 AS estimated_bytes
    FROM videos v JOIN channels c ON c.id = v.channel_id JOIN actors a ON a.id = c.actor_id
    WHERE v.ap_id IS NOT NULL AND v.state = 'published' AND v.privacy = 1 AND NOT v.is_live AND v.origin_hashes_url IS NOT NULL
      AND v.views >= ${minViews}
      AND NOT EXISTS (SELECT 1 FROM video_mirrors m WHERE m.video_id = v.id)
      AND NOT EXISTS (SELECT 1 FROM federation_blocks fb WHERE fb.domain = a.domain OR fb.actor_id = a.id)
      AND EXISTS (SELECT 1 FROM subscriptions s JOIN actors t ON t.id = s.channel_id
                  WHERE s.subscriber_id = ${instanceActorId} AND s.state = 'accepted' AND t.domain = a.domain)
    ORDER BY ${sql.unsafe(ORDER[strategy])}, v.id DESC
    LIMIT ${limit}`;
}

/** A remote video by id, with what a manual mirror needs; null when it is not a remote VOD video. */
export async function findMirrorableVideo(sql: Sql, videoId: number): Promise<CandidateRow | null> {
  const [row] = await sql<CandidateRow[]>`
    SELECT v.id::int, v.uuid::text, v.name, v.views::int, v.origin_master_url, v.origin_hashes_url,
           coalesce((SELECT sum((r->>'size')::float8) FROM jsonb_array_elements(v.renditions) r), 0)::float8 AS estimated_bytes
    FROM videos v WHERE v.id = ${videoId} AND v.ap_id IS NOT NULL AND v.state = 'published' AND NOT v.is_live`;
  return row ?? null;
}

/** Others' mirror of one of our videos. */
export interface RedundancyRow {
  id: number;
  videoId: number;
  uuid: string;
  actorId: number;
  apId: string;
  baseUrl: string;
  expiresAt: Date | null;
  failedChecks: number;
}

/**
 * Records (or renews) a mirror of a local video announced by a remote instance actor. One per instance and video: a
 * new CacheFile id from the same instance replaces the old.
 */
export async function upsertRedundancy(sql: Sql, r: { videoId: number; actorId: number; apId: string; baseUrl: string; expiresAt: Date | null }): Promise<void> {
  await sql`
    INSERT INTO video_redundancies (video_id, actor_id, ap_id, base_url, expires_at)
    VALUES (${r.videoId}, ${r.actorId}, ${r.apId}, ${r.baseUrl}, ${r.expiresAt})
    ON CONFLICT (video_id, actor_id) DO UPDATE SET ap_id = EXCLUDED.ap_id, base_url = EXCLUDED.base_url,
      expires_at = EXCLUDED.expires_at, checked_at = now(), failed_checks = 0`;
}

export async function findRedundancyByApId(sql: Sql, apId: string): Promise<RedundancyRow | null> {
  const [row] = await sql<RedundancyRow[]>`
    SELECT r.id::int, r.video_id::int, v.uuid::text, r.actor_id::int, r.ap_id, r.base_url, r.expires_at, r.failed_checks
    FROM video_redundancies r JOIN videos v ON v.id = r.video_id WHERE r.ap_id = ${apId}`;
  return row ?? null;
}

export async function deleteRedundancy(sql: Sql, id: number): Promise<void> {
  await sql`DELETE FROM video_redundancies WHERE id = ${id}`;
}

/** Every recorded mirror of our videos, to check again; expired ones are removed first. */
export async function listRedundanciesToCheck(sql: Sql): Promise<RedundancyRow[]> {
  await sql`DELETE FROM video_redundancies WHERE expires_at < now()`;
  return sql<RedundancyRow[]>`
    SELECT r.id::int, r.video_id::int, v.uuid::text, r.actor_id::int, r.ap_id, r.base_url, r.expires_at, r.failed_checks
    FROM video_redundancies r JOIN videos v ON v.id = r.video_id ORDER BY r.id`;
}

/** Records one check: answered (failures reset) or not (one more failure); returns the consecutive failures. */
export async function recordRedundancyCheck(sql: Sql, id: number, answered: boolean): Promise<number> {
  const [row] = await sql<{ failedChecks: number }[]>`
    UPDATE video_redundancies SET checked_at = now(), failed_checks = ${answered ? sql`0` : sql`failed_checks + 1`}
    WHERE id = ${id} RETURNING failed_checks`;
  return row?.failedChecks ?? 0;
}

/**
 * The mirror folders players may fetch a video's files from: the live CacheFiles others announced for a local video,
 * and for a remote video, our own mirror of it.
 */
export async function mirrorBaseUrls(sql: Sql, video: { id: number; apId: string | null; uuid: string }, publicUrl: string, ownMirrorPath: string): Promise<string[]> {
  if (video.apId !== null) {
    const [own] = await sql`SELECT 1 FROM video_mirrors WHERE video_id = ${video.id}`;
    return own ? [`${publicUrl}${ownMirrorPath}`] : [];
  }
  const rows = await sql<{ baseUrl: string }[]>`
    SELECT base_url FROM video_redundancies r JOIN actors a ON a.id = r.actor_id
    WHERE r.video_id = ${video.id} AND (r.expires_at IS NULL OR r.expires_at > now())
      AND NOT EXISTS (SELECT 1 FROM federation_blocks fb WHERE fb.domain = a.domain OR fb.actor_id = a.id)
    ORDER BY r.id`;
  return rows.map((r) => r.baseUrl);
}

/** Whether our instance actor follows (accepted) any actor of `domain`: "those we follow" may mirror our videos. */
export async function instanceFollowsDomain(sql: Sql, instanceActorId: number, domain: string): Promise<boolean> {
  const [row] = await sql<{ yes: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM subscriptions s JOIN actors t ON t.id = s.channel_id
                   WHERE s.subscriber_id = ${instanceActorId} AND s.state = 'accepted' AND t.domain = ${domain}) AS yes`;
  return row!.yes;
}

/** A local, published VOD video by its ActivityPub id's uuid. */
export async function findLocalVideoByUuid(sql: Sql, uuid: string): Promise<{ id: number; uuid: string } | null> {
  const [row] = await sql<{ id: number; uuid: string }[]>`
    SELECT id::int, uuid::text FROM videos WHERE uuid = ${uuid}::uuid AND ap_id IS NULL AND state = 'published' AND NOT is_live AND privacy = 1`;
  return row ?? null;
}
