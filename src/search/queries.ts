/**
 * All SQL of search. Videos: PostgreSQL full-text search over the weighted search_vector (title A, tags B,
 * description C), with trigram similarity on titles for typos and substring matching for CJK text. Channels:
 * substring and trigram matching on display name and handle.
 */
import type { Fragment, Sql as Pool } from "postgres";
import type { Db as Sql } from "../db/client.ts";
import type { ChannelRow } from "../channels/queries.ts";
import { videoSelect, type VideoListRow } from "../videos/queries.ts";
import { listingFilter, type ListingPreferences } from "../videos/listing.ts";
import { listedSql, videoFiltersSql, type VideoFilters } from "../browse/queries.ts";
import type { SearchSort } from "./filters.ts";

/** How titles are matched; `text` is the whole query, normalized and lower-case. */
export type VideoMatch =
  /** No words: filters alone. */
  | { readonly kind: "all" }
  /** Full-text; with `typos`, titles similar to the query count too. */
  | { readonly kind: "fts"; readonly text: string; readonly tsquery: string; readonly typos: boolean }
  /** CJK text: every term a substring of the title, or the full-text match (whole tags, for example). */
  | { readonly kind: "cjk"; readonly text: string; readonly tsquery: string; readonly patterns: readonly string[] };

/**
 * strict_word_similarity from which a title counts as a typo of the query: "minecarft" scores 0.43 against
 * "Minecraft tutorial", "cookng" 0.5 against "Cooking pasta", while "dog" scores 0.22 against "Hotdog stand".
 */
export const TYPO_THRESHOLD = 0.35;

/**
 * Runs `fn` in a transaction with the typo threshold set: the `<<%` operator reads it from a setting, and only
 * an operator (not the function) can use the trigram indexes. SET LOCAL leaves pooled connections unchanged.
 */
export async function withTypoThreshold<T>(pool: Pool, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const result = await pool.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL pg_trgm.strict_word_similarity_threshold = ${TYPO_THRESHOLD}`);
    return fn(tx);
  });
  return result as T;
}

function tsqueryJoin(sql: Sql, m: VideoMatch) {
  return m.kind === "all" ? sql`` : sql`CROSS JOIN to_tsquery('simple', ${m.tsquery}) AS tsq`;
}

function allLike(sql: Sql, column: Fragment, patterns: readonly string[]) {
  // One LIKE per term rather than LIKE ALL(array): the trigram index serves single patterns only.
  return patterns.reduce((all, p, i) => (i === 0 ? sql`${column} LIKE ${p}` : sql`${all} AND ${column} LIKE ${p}`), sql`true`);
}

/**
 * The alternatives are written as a union of indexed lookups: with `a OR b` in the WHERE clause the planner scans
 * every video (105 ms against 2.5 ms for a typo over 30,000 videos).
 */
function matchSql(sql: Sql, m: VideoMatch) {
  if (m.kind === "all") return sql``;
  if (m.kind === "cjk") {
    return sql`AND v.id IN (
      SELECT id FROM videos WHERE ${allLike(sql, sql`lower(name)`, m.patterns)}
      UNION ALL
      SELECT id FROM videos WHERE search_vector @@ to_tsquery('simple', ${m.tsquery}))`;
  }
  if (m.typos) {
    return sql`AND v.id IN (
      SELECT id FROM videos WHERE search_vector @@ to_tsquery('simple', ${m.tsquery})
      UNION ALL
      SELECT id FROM videos WHERE ${m.text} <<% lower(name))`;
  }
  return sql`AND v.search_vector @@ tsq`;
}

function relevanceSql(sql: Sql, m: VideoMatch) {
  const newest = sql`v.published_at DESC, v.id DESC`;
  if (m.kind === "all") return newest;
  // An exact title always comes first, whatever the ranks say.
  const exact = sql`(lower(v.name) = ${m.text}) DESC`;
  if (m.kind === "cjk") {
    return sql`${exact}, (strpos(lower(v.name), ${m.text}) > 0) DESC, ts_rank_cd(v.search_vector, tsq, 1) DESC, length(v.name), ${newest}`;
  }
  const similar = m.typos ? sql`strict_word_similarity(${m.text}, lower(v.name)) DESC,` : sql``;
  return sql`${exact}, ts_rank_cd(v.search_vector, tsq, 1) DESC, ${similar} ${newest}`;
}

function orderSql(sql: Sql, m: VideoMatch, sort: SearchSort) {
  if (sort === "newest") return sql`v.published_at DESC, v.id DESC`;
  if (sort === "views") return sql`v.views DESC, v.published_at DESC, v.id DESC`;
  if (sort === "likes") return sql`v.likes DESC, v.published_at DESC, v.id DESC`;
  return relevanceSql(sql, m);
}

export interface VideoSearchQuery {
  readonly match: VideoMatch;
  readonly filters: VideoFilters;
  readonly prefs: ListingPreferences | null;
  readonly sort: SearchSort;
  readonly start: number;
  readonly limit: number;
}

/** How many listed videos match. */
export async function countMatchingVideos(sql: Sql, q: Omit<VideoSearchQuery, "sort" | "start" | "limit">): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n
    FROM videos v JOIN channels c ON c.id = v.channel_id JOIN actors ca ON ca.id = c.actor_id ${tsqueryJoin(sql, q.match)}
    WHERE ${listedSql(sql)} ${matchSql(sql, q.match)} ${videoFiltersSql(sql, q.filters)} ${listingFilter(sql, q.prefs)}`;
  return row!.n;
}

/** One page of listed videos that match, in the order asked. */
export async function findMatchingVideos(sql: Sql, q: VideoSearchQuery): Promise<VideoListRow[]> {
  return sql<VideoListRow[]>`
    ${videoSelect(sql)} ${tsqueryJoin(sql, q.match)}
    WHERE ${listedSql(sql)} ${matchSql(sql, q.match)} ${videoFiltersSql(sql, q.filters)} ${listingFilter(sql, q.prefs)}
    ORDER BY ${orderSql(sql, q.match, q.sort)}
    LIMIT ${q.limit} OFFSET ${q.start}`;
}

export interface ChannelSearchQuery {
  readonly text: string;
  /** `%term%` patterns: every one must appear in the display name or handle. */
  readonly patterns: readonly string[];
  /** Also names similar to `text` (inside withTypoThreshold). */
  readonly typos: boolean;
  readonly start: number;
  readonly limit: number;
}

/** The expression of actors_name_trgm_idx, written identically so the index serves it. */
const CHANNEL_NAME = (sql: Sql) => sql`lower(a.display_name || ' ' || a.handle)`;

function channelMatchSql(sql: Sql, q: Pick<ChannelSearchQuery, "text" | "patterns" | "typos">) {
  const like = allLike(sql, CHANNEL_NAME(sql), q.patterns);
  // Remote channels have no page here yet (their links go to their origin), so channel search stays local.
  return q.typos ? sql`a.domain IS NULL AND ((${like}) OR ${q.text} <<% ${CHANNEL_NAME(sql)})` : sql`a.domain IS NULL AND (${like})`;
}

/** How many channels match. */
export async function countMatchingChannels(sql: Sql, q: Pick<ChannelSearchQuery, "text" | "patterns" | "typos">): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM channels c JOIN actors a ON a.id = c.actor_id WHERE ${channelMatchSql(sql, q)}`;
  return row!.n;
}

/** One page of matching channels: an exact handle or name first, then the most similar, then the newest. */
export async function findMatchingChannels(sql: Sql, q: ChannelSearchQuery): Promise<ChannelRow[]> {
  return sql<ChannelRow[]>`
    SELECT c.id::int AS id, c.actor_id::int AS actor_id, coalesce(c.owner_id, 0)::int AS owner_id, a.handle, a.display_name,
           a.description, c.support, a.avatar_path, oa.handle AS owner_handle, oa.display_name AS owner_display_name,
           oa.avatar_path AS owner_avatar_path, c.created_at
    FROM channels c
    JOIN actors a ON a.id = c.actor_id
    LEFT JOIN users u ON u.id = c.owner_id
    JOIN actors oa ON oa.id = coalesce(u.actor_id, c.account_actor_id, c.actor_id)
    WHERE ${channelMatchSql(sql, q)}
    ORDER BY (lower(a.handle) = ${q.text} OR lower(a.display_name) = ${q.text}) DESC,
             strict_word_similarity(${q.text}, ${CHANNEL_NAME(sql)}) DESC, c.created_at DESC, c.id DESC
    LIMIT ${q.limit} OFFSET ${q.start}`;
}
