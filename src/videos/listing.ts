/** What every public listing (home, browse, search, subscriptions) leaves out for the person looking. */
import type { Db as Sql } from "../db/client.ts";

export interface ListingPreferences {
  readonly sensitivePolicy: "show" | "blur" | "hide";
  /** null: every language. */
  readonly videoLanguages: readonly string[] | null;
}

/** Visitors who are not logged in see sensitive videos blurred, in every language. */
export const DEFAULT_LISTING_PREFERENCES: ListingPreferences = { sensitivePolicy: "blur", videoLanguages: null };

/** An `AND ...` fragment for a query over `videos v`: hides sensitive videos and other languages as asked. */
export function listingFilter(sql: Sql, prefs: ListingPreferences | null) {
  const p = prefs ?? DEFAULT_LISTING_PREFERENCES;
  const sensitive = p.sensitivePolicy === "hide" ? sql`AND NOT v.sensitive` : sql``;
  // A video with no language set is kept: most uploads never say.
  const languages =
    p.videoLanguages && p.videoLanguages.length > 0 ? sql`AND (v.language IS NULL OR v.language = ANY(${sql.array([...p.videoLanguages])}))` : sql``;
  return sql`${sensitive} ${languages}`;
}

/** Listings depend on the viewer only through these preferences: the part of a cache key that stands for them. */
export function preferencesKey(prefs: ListingPreferences | null): string {
  const p = prefs ?? DEFAULT_LISTING_PREFERENCES;
  return `${p.sensitivePolicy}|${p.videoLanguages ? [...p.videoLanguages].sort().join(",") : "*"}`;
}
