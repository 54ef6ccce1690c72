/** All SQL of videos and resumable upload sessions. */
import { notBlockedSql } from "../federation/block-queries.ts";
import type { Db as Sql } from "../db/client.ts";
import { notOffAirSql } from "../live/queries.ts";

export type VideoState = "queued" | "transcoding" | "published" | "failed";
export type Privacy = 1 | 2 | 3;

export interface Rendition {
  height: number;
  width: number;
  bandwidth: number;
  playlist: string;
  size: number;
}

export interface VideoRow {
  id: number;
  uuid: string;
  shortId: string;
  channelId: number;
  name: string;
  description: string;
  privacy: Privacy;
  category: number | null;
  language: string | null;
  tags: string[];
  commentsEnabled: boolean;
  downloadEnabled: boolean;
  state: VideoState;
  stateReason: string | null;
  progress: number;
  originalPath: string | null;
  originalSize: number;
  originalFilename: string;
  duration: number;
  width: number;
  height: number;
  fps: number;
  audioOnly: boolean;
  renditions: Rendition[];
  outputSize: number;
  views: number;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  channelHandle: string;
  channelDisplayName: string;
  channelAvatarPath: string | null;
  ownerId: number;
  ownerHandle: string;
  /** The channel's actor: what subscriptions and federation point at. */
  channelActorId: number;
  sensitive: boolean;
  isLive: boolean;
  likes: number;
  dislikes: number;
  /** Null for local videos; the other instance's host name for videos that came by federation. */
  channelDomain: string | null;
  /** A remote video's ActivityPub id and the origin's URLs it plays from; all null for local videos. */
  apId: string | null;
  originWatchUrl: string | null;
  originMasterUrl: string | null;
  originHashesUrl: string | null;
  originThumbnailUrl: string | null;
  originPreviewUrl: string | null;
  originTrackerUrls: string[];
}

/**
 * Remote channels (federation) have no local owner: their owner id reads 0, which no user has, so every "is it
 * mine" check says no; the owner shown is the remote account, or the channel itself when the account is unknown.
 */
const OWNER_ID = "coalesce(c.owner_id, 0)::int AS owner_id";
const OWNER_ACTOR = "coalesce(u.actor_id, c.account_actor_id, c.actor_id)";

const VIDEO_SELECT = (sql: Sql) => sql`
  SELECT v.id::int AS id, v.uuid::text AS uuid, v.short_id, v.channel_id::int AS channel_id, v.name, v.description, v.privacy,
         v.category, v.language, v.tags, v.comments_enabled, v.download_enabled, v.state, v.state_reason, v.progress,
         v.original_path, v.original_size::float8 AS original_size, v.original_filename, v.duration, v.width, v.height,
         v.fps, v.audio_only, v.renditions, v.output_size::float8 AS output_size, v.views::float8 AS views,
         v.created_at, v.updated_at, v.published_at,
         ca.handle AS channel_handle, ca.display_name AS channel_display_name, ca.avatar_path AS channel_avatar_path,
         ${sql.unsafe(OWNER_ID)}, oa.handle AS owner_handle, ca.id::int AS channel_actor_id,
         v.sensitive, v.is_live, v.likes, v.dislikes, ca.domain AS channel_domain, v.ap_id, v.origin_watch_url,
         v.origin_master_url, v.origin_hashes_url, v.origin_thumbnail_url, v.origin_preview_url, v.origin_tracker_urls
  FROM videos v
  JOIN channels c ON c.id = v.channel_id
  JOIN actors ca ON ca.id = c.actor_id
  LEFT JOIN users u ON u.id = c.owner_id
  JOIN actors oa ON oa.id = ${sql.unsafe(OWNER_ACTOR)}`;

/** What the uploader chooses, and may edit later. */
export type VideoDetails = Pick<
  VideoRow,
  "name" | "description" | "privacy" | "category" | "language" | "tags" | "commentsEnabled" | "downloadEnabled" | "sensitive"
>;

/** `sensitive` defaults to false, so rows seeded by tests and benchmarks need not say it. */
export type NewVideo = Omit<VideoDetails, "sensitive"> &
  Partial<Pick<VideoDetails, "sensitive">> &
  Pick<VideoRow, "uuid" | "shortId" | "channelId" | "originalSize" | "originalFilename" | "duration" | "width" | "height" | "fps" | "audioOnly"> & {
    originalPath: string;
  };

export async function insertVideo(sql: Sql, v: NewVideo): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO videos (uuid, short_id, channel_id, name, description, privacy, category, language, tags, comments_enabled,
                        download_enabled, sensitive, state, original_path, original_size, original_filename, duration, width,
                        height, fps, audio_only)
    VALUES (${v.uuid}, ${v.shortId}, ${v.channelId}, ${v.name}, ${v.description}, ${v.privacy}, ${v.category}, ${v.language},
            ${sql.array(v.tags)}, ${v.commentsEnabled}, ${v.downloadEnabled}, ${v.sensitive ?? false}, 'queued', ${v.originalPath}, ${v.originalSize},
            ${v.originalFilename}, ${v.duration}, ${v.width}, ${v.height}, ${v.fps}, ${v.audioOnly})
    RETURNING id::int`;
  return row!.id;
}

export async function findVideo(sql: Sql, key: { id: number } | { uuid: string } | { shortId: string }): Promise<VideoRow | null> {
  const where =
    "id" in key ? sql`v.id = ${key.id}` : "uuid" in key ? sql`v.uuid = ${key.uuid}::uuid` : sql`v.short_id = ${key.shortId}`;
  const [row] = await sql<VideoRow[]>`${VIDEO_SELECT(sql)} WHERE ${where}`;
  return row ?? null;
}

/** Newest public, published videos; `channelId` narrows to one channel. */
/** ORDER BY for a list of public videos: newest first unless asked oldest first or most viewed (ties by id). */
export function publicVideoOrder(sql: Sql, sort?: "-publishedAt" | "publishedAt" | "-views") {
  return sort === "publishedAt"
    ? sql`v.published_at ASC, v.id ASC`
    : sort === "-views"
      ? sql`v.views DESC, v.id DESC`
      : sql`v.published_at DESC, v.id DESC`;
}

export async function listPublicVideos(
  sql: Sql,
  options: { start: number; count: number; channelId?: number; sort?: "-publishedAt" | "publishedAt" | "-views" },
): Promise<{ total: number; data: VideoListRow[] }> {
  // Lives off air stay reachable by their link but are not listed.
  const channel = sql`${options.channelId ? sql`AND v.channel_id = ${options.channelId}` : sql``} ${notOffAirSql(sql)} ${notBlockedSql(sql)}`;
  const order = publicVideoOrder(sql, options.sort);
  const [data, [count]] = await Promise.all([
    sql<VideoListRow[]>`${videoSelect(sql)} WHERE v.privacy = 1 AND v.state = 'published' ${channel}
      ORDER BY ${order} LIMIT ${options.count} OFFSET ${options.start}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM videos v WHERE v.privacy = 1 AND v.state = 'published' ${channel}`,
  ]);
  return { total: count!.n, data };
}

/** Every video of a channel, for its owner (all states and privacies). */
export async function listChannelVideosForOwner(sql: Sql, channelId: number): Promise<VideoRow[]> {
  return sql<VideoRow[]>`${VIDEO_SELECT(sql)} WHERE v.channel_id = ${channelId} ORDER BY v.created_at DESC LIMIT 200`;
}

export async function setVideoState(
  sql: Sql,
  id: number,
  state: VideoState,
  extra: { reason?: string | null; progress?: number } = {},
): Promise<void> {
  await sql`
    UPDATE videos SET state = ${state}, state_reason = ${extra.reason ?? null}, progress = ${extra.progress ?? 0}, updated_at = now()
    WHERE id = ${id}`;
}

export async function setVideoProgress(sql: Sql, id: number, progress: number): Promise<void> {
  await sql`UPDATE videos SET progress = ${progress} WHERE id = ${id} AND state = 'transcoding'`;
}

export async function markPublished(sql: Sql, id: number, renditions: Rendition[], outputSize: number): Promise<void> {
  await sql`
    UPDATE videos SET state = 'published', state_reason = NULL, progress = 100, renditions = ${sql.json(renditions as never)},
           output_size = ${outputSize}, published_at = coalesce(published_at, now()), updated_at = now()
    WHERE id = ${id}`;
}

export async function updateVideoDetails(
  sql: Sql,
  id: number,
  d: VideoDetails,
): Promise<void> {
  await sql`
    UPDATE videos SET name = ${d.name}, description = ${d.description}, privacy = ${d.privacy}, category = ${d.category},
           language = ${d.language}, tags = ${sql.array(d.tags)}, comments_enabled = ${d.commentsEnabled},
           download_enabled = ${d.downloadEnabled}, sensitive = ${d.sensitive}, updated_at = now()
    WHERE id = ${id}`;
}

export async function deleteVideoRow(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql`DELETE FROM videos WHERE id = ${id}`;
  return rows.count > 0;
}

export async function addViews(sql: Sql, counts: ReadonlyMap<number, number>): Promise<void> {
  if (counts.size === 0) return;
  const ids = [...counts.keys()];
  const adds = ids.map((id) => counts.get(id)!);
  await sql`
    UPDATE videos v SET views = v.views + c.n
    FROM unnest(${sql.array(ids)}::bigint[], ${sql.array(adds)}::bigint[]) AS c(id, n)
    WHERE v.id = c.id`;
}

/** Bytes a user has stored in total and over the last 24 hours, counted from the uploaded originals. */
export async function quotaUsage(sql: Sql, userId: number): Promise<{ total: number; daily: number; quota: number; dailyQuota: number }> {
  const [row] = await sql<{ total: number; daily: number; quota: number; dailyQuota: number }[]>`
    SELECT coalesce(sum(v.original_size), 0)::float8 AS total,
           coalesce(sum(v.original_size) FILTER (WHERE v.created_at > now() - interval '1 day'), 0)::float8 AS daily,
           u.video_quota::float8 AS quota, u.video_quota_daily::float8 AS daily_quota
    FROM users u
    LEFT JOIN channels c ON c.owner_id = u.id
    LEFT JOIN videos v ON v.channel_id = c.id
    WHERE u.id = ${userId}
    GROUP BY u.id`;
  return row!;
}

export async function listQueuedVideos(sql: Sql): Promise<{ id: number; uuid: string }[]> {
  return sql<{ id: number; uuid: string }[]>`SELECT id::int AS id, uuid::text AS uuid FROM videos WHERE state = 'queued' ORDER BY id`;
}

/** What listings show of a video: no description, tags, renditions or file details, which cost most to fetch and parse. */
export type VideoListRow = Omit<
  VideoRow,
  | "description" | "tags" | "renditions" | "originalPath" | "originalSize" | "originalFilename" | "outputSize" | "fps" | "commentsEnabled"
  | "downloadEnabled" | "originMasterUrl" | "originHashesUrl" | "originPreviewUrl" | "originTrackerUrls"
>;

/**
 * The shared listing SELECT (aliases: v videos, c channels, ca channel actor, u owner, oa owner actor). Parsing rows
 * dominated the home page's cost with the full row (renditions JSON, a long description): this one is about 3×
 * cheaper per row.
 */
export function videoSelect(sql: Sql) {
  return sql`
  SELECT v.id::int AS id, v.uuid::text AS uuid, v.short_id, v.channel_id::int AS channel_id, v.name, v.privacy, v.category,
         v.language, v.state, v.state_reason, v.progress, v.duration, v.width, v.height, v.audio_only, v.views::float8 AS views,
         v.likes, v.dislikes, v.sensitive, v.is_live, v.created_at, v.updated_at, v.published_at,
         ca.handle AS channel_handle, ca.display_name AS channel_display_name, ca.avatar_path AS channel_avatar_path,
         ${sql.unsafe(OWNER_ID)}, oa.handle AS owner_handle, ca.id::int AS channel_actor_id, ca.domain AS channel_domain, v.ap_id,
         v.origin_watch_url, v.origin_thumbnail_url
  FROM videos v
  JOIN channels c ON c.id = v.channel_id
  JOIN actors ca ON ca.id = c.actor_id
  LEFT JOIN users u ON u.id = c.owner_id
  JOIN actors oa ON oa.id = ${sql.unsafe(OWNER_ACTOR)}`;
}

/**
 * Adds buffered views to the current hour's row of each video, for trending. Videos deleted since the views were
 * counted are skipped: their foreign key would otherwise fail the whole flush again and again.
 */
export async function addHourlyViews(sql: Sql, counts: ReadonlyMap<number, number>): Promise<void> {
  if (counts.size === 0) return;
  const ids = [...counts.keys()];
  const adds = ids.map((id) => counts.get(id)!);
  await sql`
    INSERT INTO video_views_hourly (video_id, hour, views)
    SELECT c.id, date_trunc('hour', now()), c.n
    FROM unnest(${sql.array(ids)}::bigint[], ${sql.array(adds)}::int[]) AS c(id, n)
    JOIN videos v ON v.id = c.id
    ON CONFLICT (video_id, hour) DO UPDATE SET views = video_views_hourly.views + EXCLUDED.views`;
}
