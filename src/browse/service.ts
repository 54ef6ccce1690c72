/** Browse and home listings: a page of videos plus whether another follows, and the home page's trending row. */
import type { Db as Sql } from "../db/client.ts";
import type { VideoListRow } from "../videos/queries.ts";
import { preferencesKey, type ListingPreferences } from "../videos/listing.ts";
import type { MicroCache } from "../http/micro-cache.ts";
import { listingQuery, type BrowseListing } from "./listings.ts";
import { listVideos, listVideosByIds, trendingVideoIds } from "./queries.ts";

export const BROWSE_PAGE_SIZE = 24;

export interface ListingPage {
  readonly videos: VideoListRow[];
  /** The offset of the next page, or null on the last one. */
  readonly next: number | null;
}

/** One page of a listing; asks for one row more than it shows instead of counting every match. */
export async function browseListing(sql: Sql, listing: BrowseListing, start: number, prefs: ListingPreferences | null): Promise<ListingPage> {
  const rows = await listVideos(sql, { ...listingQuery(listing), start, limit: BROWSE_PAGE_SIZE + 1, prefs });
  return { videos: rows.slice(0, BROWSE_PAGE_SIZE), next: rows.length > BROWSE_PAGE_SIZE ? start + BROWSE_PAGE_SIZE : null };
}

/** browseListing through the app's listing cache: visitors with the same preferences share one query per TTL. */
export function cachedBrowseListing(
  deps: { readonly sql: Sql; readonly listings: MicroCache<unknown> },
  listing: BrowseListing,
  start: number,
  prefs: ListingPreferences | null,
): Promise<ListingPage> {
  const key = `browse:${JSON.stringify(listing)}:${start}:${preferencesKey(prefs)}`;
  return deps.listings.get(key, () => browseListing(deps.sql, listing, start, prefs)) as Promise<ListingPage>;
}

/** How many videos the home page's trending row shows. */
export const TRENDING_ROW_SIZE = 4;
/** Enough ranked ids that the row stays full after a viewer's filters drop some. */
const RANKED_IDS = 24;

export interface TrendingRow {
  /** The row for a viewer: one query by id, the ranking itself comes from a cache. */
  videos(prefs: ListingPreferences | null): Promise<VideoListRow[]>;
}

/**
 * The home page's trending row. Summing a week of hourly views on every home request would cost the most of
 * any query there, so the ranking is recomputed at most once per `ttlMs`; rows are still read per request, so
 * a video made private or deleted leaves the row at once.
 */
export function createTrendingRow(sql: Sql, ttlMs = 60_000, clock: () => number = Date.now): TrendingRow {
  let cached: { at: number; ids: Promise<number[]> } | null = null;
  const rankedIds = (): Promise<number[]> => {
    const now = clock();
    if (!cached || now - cached.at >= ttlMs) {
      const ids = trendingVideoIds(sql, RANKED_IDS);
      const entry = { at: now, ids };
      cached = entry;
      // A failed ranking is not kept: the next request tries again.
      ids.catch(() => {
        if (cached === entry) cached = null;
      });
    }
    return cached.ids;
  };
  return {
    async videos(prefs) {
      return listVideosByIds(sql, await rankedIds(), prefs, TRENDING_ROW_SIZE);
    },
  };
}
