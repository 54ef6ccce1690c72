/** SQL of federated videos: remote channels and videos kept locally, followers to deliver to, and the outbox. */
import type { Db as Sql } from "../db/client.ts";
import { shortIdFromUuid } from "../videos/ids.ts";
import type { ParsedVideo } from "./video-objects.ts";

/** The channel row of a remote Group actor, made on first sight; the account is remembered when known. */
export async function ensureRemoteChannel(sql: Sql, channelActorId: number, accountActorId: number | null): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO channels (actor_id, owner_id, account_actor_id) VALUES (${channelActorId}, NULL, ${accountActorId})
    ON CONFLICT (actor_id) DO UPDATE SET account_actor_id = coalesce(EXCLUDED.account_actor_id, channels.account_actor_id)
    RETURNING id::int`;
  return row!.id;
}

/** What origin checks need of a stored remote video. */
export interface RemoteVideoRef {
  id: number;
  uuid: string;
  apId: string;
  channelActorUri: string;
}

export async function findRemoteVideoByApId(sql: Sql, apId: string): Promise<RemoteVideoRef | null> {
  const [row] = await sql<RemoteVideoRef[]>`
    SELECT v.id::int AS id, v.uuid::text AS uuid, v.ap_id, a.uri AS channel_actor_uri
    FROM videos v JOIN channels c ON c.id = v.channel_id JOIN actors a ON a.id = c.actor_id
    WHERE v.ap_id = ${apId}`;
  return row ?? null;
}

/**
 * Stores a remote video, or refreshes the copy kept under the same id. Null (and nothing written) when its uuid
 * already belongs to another video, local or from another id: a uuid names one video, and a remote may not take
 * over one of ours by reusing it.
 */
export async function upsertRemoteVideo(sql: Sql, channelId: number, v: ParsedVideo): Promise<number | null> {
  const [holder] = await sql<{ apId: string | null }[]>`SELECT ap_id FROM videos WHERE uuid = ${v.uuid}::uuid`;
  if (holder && holder.apId !== v.id) return null;
  const renditions = v.renditions.map((r) => ({ height: r.height, width: r.width, bandwidth: 0, playlist: r.href, size: r.size }));
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO videos (uuid, short_id, channel_id, name, description, privacy, category, language, tags, comments_enabled,
                        download_enabled, sensitive, is_live, state, progress, original_path, original_filename, duration,
                        width, height, fps, audio_only, renditions, views, created_at, updated_at, published_at,
                        ap_id, origin_watch_url, origin_master_url, origin_hashes_url, origin_thumbnail_url, origin_preview_url,
                        origin_tracker_urls)
    VALUES (${v.uuid}, ${shortIdFromUuid(v.uuid)}, ${channelId}, ${v.name}, ${v.description}, 1, ${v.category}, ${v.language},
            ${sql.array([...v.tags])}, ${v.commentsEnabled}, ${v.downloadEnabled}, ${v.sensitive}, ${v.isLive}, 'published', 100,
            NULL, '', ${v.durationSeconds}, ${v.width}, ${v.height}, ${v.fps}, false, ${sql.json(renditions)}, ${v.views},
            ${v.published}, ${v.updated}, ${v.published}, ${v.id}, ${v.watchUrl}, ${v.masterUrl}, ${v.hashesUrl},
            ${v.thumbnailUrl}, ${v.previewUrl}, ${sql.array([...v.trackerUrls])})
    ON CONFLICT (ap_id) DO UPDATE SET
      name = EXCLUDED.name, description = EXCLUDED.description, category = EXCLUDED.category, language = EXCLUDED.language,
      tags = EXCLUDED.tags, comments_enabled = EXCLUDED.comments_enabled, download_enabled = EXCLUDED.download_enabled,
      sensitive = EXCLUDED.sensitive, is_live = EXCLUDED.is_live, duration = EXCLUDED.duration, width = EXCLUDED.width,
      height = EXCLUDED.height, fps = EXCLUDED.fps, renditions = EXCLUDED.renditions,
      views = greatest(videos.views, EXCLUDED.views), updated_at = EXCLUDED.updated_at,
      origin_watch_url = EXCLUDED.origin_watch_url, origin_master_url = EXCLUDED.origin_master_url,
      origin_hashes_url = EXCLUDED.origin_hashes_url, origin_thumbnail_url = EXCLUDED.origin_thumbnail_url,
      origin_preview_url = EXCLUDED.origin_preview_url, origin_tracker_urls = EXCLUDED.origin_tracker_urls
    RETURNING id::int`;
  return row!.id;
}

export async function deleteRemoteVideo(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql`DELETE FROM videos WHERE id = ${id} AND ap_id IS NOT NULL`;
  return rows.count > 0;
}

/**
 * Whether a local actor follows (accepted) any of these remote actors, or the instance actor of `domain`: only
 * then is their news stored here.
 */
export async function isFollowedLocally(sql: Sql, remoteActorIds: readonly number[], domain: string): Promise<boolean> {
  const [row] = await sql<{ followed: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM subscriptions s JOIN actors f ON f.id = s.subscriber_id JOIN actors t ON t.id = s.channel_id
      WHERE s.state = 'accepted' AND f.domain IS NULL
        AND (t.id = ANY(${sql.array([...remoteActorIds])}::bigint[]) OR (t.kind = 'application' AND t.domain = ${domain}))
    ) AS followed`;
  return row!.followed;
}

/** Inboxes of the remote followers of these local actors: one shared inbox per server when it has one. */
export async function remoteFollowerInboxes(sql: Sql, localActorIds: readonly number[]): Promise<string[]> {
  if (localActorIds.length === 0) return [];
  const rows = await sql<{ inbox: string }[]>`
    SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url) AS inbox
    FROM subscriptions s JOIN actors a ON a.id = s.subscriber_id
    WHERE s.channel_id = ANY(${sql.array([...localActorIds])}::bigint[]) AND s.state = 'accepted'
      AND a.domain IS NOT NULL AND a.inbox_url IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM federation_blocks fb WHERE fb.domain = a.domain OR fb.actor_id = a.id)
    ORDER BY 1`;
  return rows.map((r) => r.inbox);
}

/** The local person actor that owns a local channel actor. */
export async function channelOwnerActorId(sql: Sql, channelActorId: number): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    SELECT u.actor_id::int AS id FROM channels c JOIN users u ON u.id = c.owner_id WHERE c.actor_id = ${channelActorId}`;
  return row?.id ?? null;
}

/** Ids of a local channel's public, published videos for its outbox, newest first, and how many there are. */
export async function listOutboxVideoIds(sql: Sql, channelActorId: number, offset: number, limit: number) {
  const where = sql`c.actor_id = ${channelActorId} AND v.privacy = 1 AND v.state = 'published' AND v.ap_id IS NULL`;
  const [items, [count]] = await Promise.all([
    sql<{ id: number }[]>`
      SELECT v.id::int AS id FROM videos v JOIN channels c ON c.id = v.channel_id WHERE ${where}
      ORDER BY v.published_at DESC, v.id DESC LIMIT ${limit} OFFSET ${offset}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM videos v JOIN channels c ON c.id = v.channel_id WHERE ${where}`,
  ]);
  return { total: count!.n, ids: items.map((r) => r.id) };
}
