/**
 * All SQL of public listings: the home page, the browse pages, and the filters search shares with them.
 * Every query lists only public, published videos and applies the viewer's listing preferences.
 */
import { notBlockedSql } from "../federation/block-queries.ts";
import type { Db as Sql } from "../db/client.ts";
import { videoSelect, type VideoListRow } from "../videos/queries.ts";
import { listingFilter, type ListingPreferences } from "../videos/listing.ts";
import { notOffAirSql } from "../live/queries.ts";

/** Narrowing conditions shared by browse pages, search and the search API; absent fields do not narrow. */
export interface VideoFilters {
  /** Seconds, inclusive. */
  readonly durationMin?: number;
  /** Seconds, exclusive. */
  readonly durationMax?: number;
  readonly publishedAfter?: Date;
  readonly languages?: readonly string[];
  readonly categories?: readonly number[];
  readonly channelHandle?: string;
  readonly isLive?: boolean;
  /** Any of these tags, exactly as written by the uploader. */
  readonly tags?: readonly string[];
  /** Only videos of channels on this instance. */
  readonly localOnly?: boolean;
}

export type ListingOrder = "newest" | "views" | "likes" | "trending";

/** Trending counts the views of this many last days. */
export const TRENDING_DAYS = 7;

/** Written exactly as the partial index videos_public_idx, so the planner can use it; lives off air are left out. */
export function listedSql(sql: Sql) {
  return sql`v.privacy = 1 AND v.state = 'published' ${notOffAirSql(sql)} ${notBlockedSql(sql)}`;
}

/** `AND ...` conditions for the filters, over `videos v` joined with its channel actor `ca`. */
export function videoFiltersSql(sql: Sql, f: VideoFilters) {
  const parts = [
    f.durationMin !== undefined ? sql`AND v.duration >= ${f.durationMin}` : null,
    f.durationMax !== undefined ? sql`AND v.duration < ${f.durationMax}` : null,
    f.publishedAfter ? sql`AND v.published_at >= ${f.publishedAfter}` : null,
    f.languages?.length ? sql`AND v.language = ANY(${sql.array([...f.languages])}::text[])` : null,
    f.categories?.length ? sql`AND v.category = ANY(${sql.array([...f.categories])}::int[])` : null,
    f.channelHandle ? sql`AND ca.handle = ${f.channelHandle}` : null,
    f.isLive !== undefined ? sql`AND v.is_live = ${f.isLive}` : null,
    f.tags?.length ? sql`AND v.tags && ${sql.array([...f.tags])}::text[]` : null,
    f.localOnly ? sql`AND ca.domain IS NULL` : null,
  ];
  return parts.reduce((all, part) => (part ? sql`${all} ${part}` : all), sql``);
}

function orderSql(sql: Sql, order: Exclude<ListingOrder, "trending">) {
  if (order === "views") return sql`v.views DESC, v.published_at DESC, v.id DESC`;
  if (order === "likes") return sql`v.likes DESC, v.published_at DESC, v.id DESC`;
  return sql`v.published_at DESC, v.id DESC`;
}

export interface ListingQuery {
  readonly filters: VideoFilters;
  readonly order: ListingOrder;
  readonly start: number;
  readonly limit: number;
  readonly prefs: ListingPreferences | null;
}

/** One page of a listing. Callers ask for one row more than they show to learn whether a next page exists. */
export async function listVideos(sql: Sql, q: ListingQuery): Promise<VideoListRow[]> {
  const where = sql`WHERE ${listedSql(sql)} ${videoFiltersSql(sql, q.filters)} ${listingFilter(sql, q.prefs)}`;
  if (q.order === "trending") {
    // Videos without recent views still follow, newest first, so the page is never empty on a quiet instance.
    return sql<VideoListRow[]>`
      ${videoSelect(sql)}
      LEFT JOIN (
        SELECT h.video_id, sum(h.views) AS recent FROM video_views_hourly h
        WHERE h.hour >= date_trunc('hour', now()) - make_interval(days => ${TRENDING_DAYS})
        GROUP BY h.video_id
      ) t ON t.video_id = v.id
      ${where}
      ORDER BY coalesce(t.recent, 0) DESC, v.published_at DESC, v.id DESC
      LIMIT ${q.limit} OFFSET ${q.start}`;
  }
  return sql<VideoListRow[]>`${videoSelect(sql)} ${where} ORDER BY ${orderSql(sql, q.order)} LIMIT ${q.limit} OFFSET ${q.start}`;
}

/** Ids of the most viewed listed videos of the last days, best first (only videos with recent views). */
export async function trendingVideoIds(sql: Sql, limit: number): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    SELECT h.video_id::int AS id FROM video_views_hourly h
    JOIN videos v ON v.id = h.video_id
    WHERE h.hour >= date_trunc('hour', now()) - make_interval(days => ${TRENDING_DAYS}) AND ${listedSql(sql)}
    GROUP BY h.video_id
    ORDER BY sum(h.views) DESC, max(v.published_at) DESC
    LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/** The listed videos among `ids`, in the order given, as the viewer's preferences allow. */
export async function listVideosByIds(sql: Sql, ids: readonly number[], prefs: ListingPreferences | null, limit: number): Promise<VideoListRow[]> {
  if (ids.length === 0) return [];
  const list = sql.array([...ids]);
  return sql<VideoListRow[]>`
    ${videoSelect(sql)}
    WHERE v.id = ANY(${list}::bigint[]) AND ${listedSql(sql)} ${listingFilter(sql, prefs)}
    ORDER BY array_position(${list}::bigint[], v.id)
    LIMIT ${limit}`;
}
