/** All SQL of feeds: the newest public videos of the instance, a channel or an account. */
import { notBlockedSql } from "../federation/block-queries.ts";
import type { Db as Sql } from "../db/client.ts";
import { listingFilter } from "../videos/listing.ts";
import { notOffAirSql } from "../live/queries.ts";

/** What a feed entry needs of a video, nothing more. */
export interface FeedVideoRow {
  id: number;
  uuid: string;
  shortId: string;
  name: string;
  description: string;
  tags: string[];
  duration: number;
  audioOnly: boolean;
  downloadEnabled: boolean;
  sensitive: boolean;
  isLive: boolean;
  publishedAt: Date;
  updatedAt: Date;
  channelHandle: string;
  channelDisplayName: string;
}

export interface FeedVideoFilter {
  readonly channelId?: number;
  /** The account: videos of every channel this user owns. */
  readonly ownerId?: number;
  /** Podcasts leave live streams out: there is no file to download. */
  readonly excludeLive?: boolean;
  readonly limit: number;
}

/** Public, published videos, newest first; feed readers are anonymous, so the visitors' listing filter applies. */
export async function listFeedVideos(sql: Sql, filter: FeedVideoFilter): Promise<FeedVideoRow[]> {
  const channel = filter.channelId !== undefined ? sql`AND v.channel_id = ${filter.channelId}` : sql``;
  const owner = filter.ownerId !== undefined ? sql`AND c.owner_id = ${filter.ownerId}` : sql``;
  const live = filter.excludeLive ? sql`AND NOT v.is_live` : sql``;
  return sql<FeedVideoRow[]>`
    SELECT v.id::int AS id, v.uuid::text AS uuid, v.short_id, v.name, v.description, v.tags, v.duration, v.audio_only,
           v.download_enabled, v.sensitive, v.is_live, coalesce(v.published_at, v.created_at) AS published_at, v.updated_at,
           ca.handle AS channel_handle, ca.display_name AS channel_display_name
    FROM videos v
    JOIN channels c ON c.id = v.channel_id
    JOIN actors ca ON ca.id = c.actor_id
    WHERE v.privacy = 1 AND v.state = 'published' ${notOffAirSql(sql)} ${notBlockedSql(sql)} ${channel} ${owner} ${live} ${listingFilter(sql, null)}
    ORDER BY coalesce(v.published_at, v.created_at) DESC, v.id DESC
    LIMIT ${filter.limit}`;
}
