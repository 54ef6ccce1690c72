/** Search: what the box's text means, which queries answer it, and when to widen to typos. */
import type { Sql as Pool } from "postgres";
import type { Config } from "../config.ts";
import type { ChannelRow } from "../channels/queries.ts";
import { findChannelByHandle } from "../channels/queries.ts";
import { findVideo, type VideoListRow } from "../videos/queries.ts";
import { classifyVideoId } from "../videos/ids.ts";
import type { ListingPreferences } from "../videos/listing.ts";
import type { VideoFilters } from "../browse/queries.ts";
import { formFilters, hasFilters, type ApiSearch, type SearchForm, type SearchSort } from "./filters.ts";
import { classifySearch, likePatterns, localTarget, prefixTsQuery, type SearchText } from "./query-text.ts";
import * as q from "./queries.ts";
import { resolveRemoteSearch, type RemoteSearchResult } from "./remote.ts";

/** Fewer full-text matches than this and titles that look like a typo of the query are added after them. */
const FEW_MATCHES = 3;

export interface VideoSearch {
  readonly text: SearchText;
  readonly filters: VideoFilters;
  readonly prefs: ListingPreferences | null;
  readonly sort: SearchSort;
  readonly start: number;
  readonly count: number;
}

export interface VideoResults {
  readonly total: number;
  readonly videos: VideoListRow[];
  /** Nothing matched exactly: every result is a similar title. */
  readonly onlySimilar: boolean;
}

const NO_VIDEOS: VideoResults = { total: 0, videos: [], onlySimilar: false };

/** The title match for words typed, or null when they hold nothing searchable (only punctuation). */
function videoMatch(text: SearchText): q.VideoMatch | null {
  if (text.kind === "empty") return { kind: "all" };
  if (text.kind !== "words" || text.words.length === 0) return null;
  const tsquery = prefixTsQuery(text.words);
  if (text.cjk) return { kind: "cjk", text: text.text, tsquery, patterns: likePatterns(text.text) };
  return { kind: "fts", text: text.text, tsquery, typos: false };
}

/** Listed videos matching the words and filters, ranked as asked, with the total for paging. */
export async function searchVideos(pool: Pool, s: VideoSearch): Promise<VideoResults> {
  const match = videoMatch(s.text);
  if (!match) return NO_VIDEOS;
  const query = { match, filters: s.filters, prefs: s.prefs, sort: s.sort, start: s.start, limit: s.count };
  const [total, videos] = await Promise.all([q.countMatchingVideos(pool, query), q.findMatchingVideos(pool, query)]);
  if (match.kind !== "fts" || total >= FEW_MATCHES) return { total, videos, onlySimilar: false };
  const widened = { ...query, match: { ...match, typos: true } };
  return q.withTypoThreshold(pool, async (tx) => {
    const [all, rows] = await Promise.all([q.countMatchingVideos(tx, widened), q.findMatchingVideos(tx, widened)]);
    return { total: all, videos: rows, onlySimilar: total === 0 && all > 0 };
  });
}

/** Channels whose display name or handle holds every word, or, when none does, looks like a typo of them. */
export async function searchChannels(pool: Pool, text: SearchText, start: number, count: number): Promise<{ total: number; channels: ChannelRow[] }> {
  if (text.kind !== "words" || text.words.length === 0) return { total: 0, channels: [] };
  const query = { text: text.text, patterns: likePatterns(text.text), typos: false, start, limit: count };
  const [total, channels] = await Promise.all([q.countMatchingChannels(pool, query), q.findMatchingChannels(pool, query)]);
  if (total > 0 || text.cjk) return { total, channels };
  const widened = { ...query, typos: true };
  return q.withTypoThreshold(pool, async (tx) => {
    const [all, rows] = await Promise.all([q.countMatchingChannels(tx, widened), q.findMatchingChannels(tx, widened)]);
    return { total: all, channels: rows };
  });
}

/** What to do before searching locally: go to a page of this instance, or report a lookup elsewhere. */
export type Elsewhere =
  { readonly kind: "redirect"; readonly path: string } | { readonly kind: "remote"; readonly result: RemoteSearchResult | null } | null;

/**
 * URLs and handles are not words: a URL of this instance leads to its page, a handle of a local channel to the
 * channel, and anything on another instance goes to the federation lookup (which answers null until it exists).
 */
export async function searchElsewhere(deps: { sql: Pool; config: Config }, raw: string, text: SearchText): Promise<Elsewhere> {
  if (text.kind === "url") {
    const target = localTarget(text.url, deps.config.publicUrl);
    if (target) return { kind: "redirect", path: target.kind === "video" ? `/w/${target.id}` : `/c/${target.handle}` };
    if (text.url.origin === deps.config.publicUrl) return null;
  } else if (text.kind === "handle") {
    if (text.host === deps.config.publicHost.toLowerCase()) {
      const channel = await findChannelByHandle(deps.sql, text.name);
      return channel ? { kind: "redirect", path: `/c/${channel.handle}` } : null;
    }
  } else {
    return null;
  }
  return { kind: "remote", result: await resolveRemoteSearch(deps, raw) };
}

export interface ResultsPage {
  /** A page of this instance to go to instead (a pasted URL, a local handle). */
  readonly redirect: string | null;
  /** The query names something elsewhere that could not be looked up. */
  readonly remoteUnavailable: boolean;
  readonly videos: VideoResults;
  readonly channels: readonly ChannelRow[];
  /** A channel or account of another instance that the query named, looked up just now. */
  readonly remoteActor?: RemoteSearchResult["remoteActor"];
}

/** Everything the results page shows for a submitted filter bar. */
export async function searchResultsPage(
  deps: { sql: Pool; config: Config },
  form: SearchForm,
  prefs: ListingPreferences | null,
  options: { now: Date; pageSize: number; channels: number },
): Promise<ResultsPage> {
  const text = classifySearch(form.q);
  const elsewhere = await searchElsewhere(deps, form.q, text);
  if (elsewhere?.kind === "redirect") return { redirect: elsewhere.path, remoteUnavailable: false, videos: NO_VIDEOS, channels: [] };
  if (elsewhere?.kind === "remote") {
    const found = elsewhere.result;
    const videos = { total: found?.videos.length ?? 0, videos: [...(found?.videos ?? [])], onlySimilar: false };
    return { redirect: null, remoteUnavailable: found === null, videos, channels: found?.channels ?? [], remoteActor: found?.remoteActor };
  }
  const filtered = hasFilters(form);
  if (text.kind === "empty" && !filtered) return { redirect: null, remoteUnavailable: false, videos: NO_VIDEOS, channels: [] };
  const search = { text, filters: formFilters(form, options.now), prefs, sort: form.sort, start: form.start, count: options.pageSize };
  // Channels have none of the videos' filters, so a filtered search shows videos alone.
  const [videos, channels] = await Promise.all([
    searchVideos(deps.sql, search),
    form.start === 0 && !filtered ? searchChannels(deps.sql, text, 0, options.channels) : { channels: [] },
  ]);
  return { redirect: null, remoteUnavailable: false, videos, channels: channels.channels };
}

/**
 * For the API, a URL or handle is answered with what it names: a video or channel of this instance, or what the
 * federation lookup found elsewhere (nothing, for now). Null: the text is words, to search as usual.
 */
async function apiDirectHits(deps: { sql: Pool; config: Config }, raw: string, text: SearchText): Promise<RemoteSearchResult | null> {
  const none: RemoteSearchResult = { videos: [], channels: [] };
  const local = text.kind === "url" ? localTarget(text.url, deps.config.publicUrl) : null;
  if (local?.kind === "video") {
    const key = classifyVideoId(local.id);
    const video = key ? await findVideo(deps.sql, key) : null;
    // A pasted link may be unlisted (whoever has it may watch it), never private or unfinished.
    return { videos: video && video.privacy !== 3 && video.state === "published" ? [video] : [], channels: [] };
  }
  const handle =
    local?.kind === "channel" ? local.handle : text.kind === "handle" && text.host === deps.config.publicHost.toLowerCase() ? text.name : null;
  if (handle !== null) {
    const channel = await findChannelByHandle(deps.sql, handle);
    return { videos: [], channels: channel ? [channel] : [] };
  }
  if (text.kind === "url" && text.url.origin === deps.config.publicUrl) return none;
  if (text.kind === "url" || text.kind === "handle") return (await resolveRemoteSearch(deps, raw)) ?? none;
  return null;
}

/** `GET /api/v1/search/videos`. */
export async function apiSearchVideos(
  deps: { sql: Pool; config: Config },
  s: ApiSearch,
  prefs: ListingPreferences | null,
): Promise<{ total: number; videos: readonly VideoListRow[] }> {
  const text = classifySearch(s.search);
  const direct = await apiDirectHits(deps, s.search, text);
  if (direct) return { total: direct.videos.length, videos: s.start === 0 ? direct.videos.slice(0, s.count) : [] };
  return searchVideos(deps.sql, { text, filters: s.filters, prefs, sort: s.sort, start: s.start, count: s.count });
}

/** `GET /api/v1/search/video-channels`. */
export async function apiSearchChannels(
  deps: { sql: Pool; config: Config },
  s: ApiSearch,
): Promise<{ total: number; channels: readonly ChannelRow[] }> {
  const text = classifySearch(s.search);
  const direct = await apiDirectHits(deps, s.search, text);
  if (direct) return { total: direct.channels.length, channels: s.start === 0 ? direct.channels.slice(0, s.count) : [] };
  return searchChannels(deps.sql, text, s.start, s.count);
}

