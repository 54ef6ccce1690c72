/**
 * Search filters and sort from query strings: the results page's filter bar (plain words such as
 * `duration=short`) and PeerTube's API parameters (`durationMin`, `languageOneOf`...). Unknown values get a 400
 * naming what is allowed rather than being ignored, so a typo in a link is noticed.
 */
import { badRequest } from "../http/errors.ts";
import { CATEGORIES, LANGUAGES } from "../videos/metadata.ts";
import type { VideoFilters } from "../browse/queries.ts";
import { parseCount, parseStart } from "../browse/paging.ts";

export const SORTS = ["relevance", "newest", "views", "likes"] as const;
export type SearchSort = (typeof SORTS)[number];

/** Short is under 4 minutes, medium 4 to 10, long 10 and more. */
export const DURATIONS = {
  short: { durationMax: 240 },
  medium: { durationMin: 240, durationMax: 600 },
  long: { durationMin: 600 },
} as const satisfies Record<string, VideoFilters>;
export const DATES = { today: 1, week: 7, month: 30, year: 365 } as const;
export const TYPES = { live: true, vod: false } as const;

export interface SearchForm {
  readonly q: string;
  readonly duration: "" | keyof typeof DURATIONS;
  readonly date: "" | keyof typeof DATES;
  readonly language: string;
  readonly channel: string;
  readonly type: "" | keyof typeof TYPES;
  readonly sort: SearchSort;
  readonly start: number;
}

function text(raw: unknown): string {
  return typeof raw === "string" ? raw.trim() : Array.isArray(raw) ? text(raw[0]) : "";
}

function oneOf<T extends string>(raw: unknown, allowed: readonly T[], name: string): T | "" {
  const value = text(raw);
  if (value === "") return "";
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw badRequest(`Unknown ${name} “${value.slice(0, 30)}”; use one of: ${allowed.join(", ")}.`);
}

function channelHandle(raw: unknown): string {
  const value = text(raw).replace(/^@/, "");
  if (value !== "" && !/^[\w.-]{1,64}$/.test(value)) throw badRequest("channel is a channel's handle, such as “cooking”.");
  return value;
}

/** The results page's query string, as the filter bar sends it. */
export function parseSearchForm(query: Record<string, unknown>): SearchForm {
  return {
    q: text(query.q),
    duration: oneOf(query.duration, Object.keys(DURATIONS) as (keyof typeof DURATIONS)[], "duration"),
    date: oneOf(query.date, Object.keys(DATES) as (keyof typeof DATES)[], "date"),
    language: oneOf(query.language, Object.keys(LANGUAGES), "language"),
    channel: channelHandle(query.channel),
    type: oneOf(query.type, Object.keys(TYPES) as (keyof typeof TYPES)[], "type"),
    sort: oneOf(query.sort, SORTS, "sort") || "relevance",
    start: parseStart(query.start),
  };
}

/** Whether anything narrows the results besides the words. */
export function hasFilters(form: SearchForm): boolean {
  return Boolean(form.duration || form.date || form.language || form.channel || form.type);
}

/** The filters the form asks for; `now` anchors the date ranges. */
export function formFilters(form: SearchForm, now: Date): VideoFilters {
  return {
    ...(form.duration ? DURATIONS[form.duration] : {}),
    ...(form.date ? { publishedAfter: new Date(now.getTime() - DATES[form.date] * 86_400_000) } : {}),
    ...(form.language ? { languages: [form.language] } : {}),
    ...(form.channel ? { channelHandle: form.channel } : {}),
    ...(form.type ? { isLive: TYPES[form.type] } : {}),
  };
}

/** The results page URL for this form at another offset: "load more" links keep every filter. */
export function searchFormUrl(form: SearchForm, start: number): string {
  const params = new URLSearchParams();
  for (const key of ["q", "duration", "date", "language", "channel", "type"] as const) if (form[key]) params.set(key, form[key]);
  if (form.sort !== "relevance") params.set("sort", form.sort);
  if (start > 0) params.set("start", String(start));
  return `/search?${params}`;
}

/** PeerTube's sort names for search, mapped to ours. */
const API_SORTS: Readonly<Record<string, SearchSort>> = {
  "-match": "relevance",
  match: "relevance",
  "-publishedAt": "newest",
  "-createdAt": "newest",
  "-views": "views",
  "-likes": "likes",
};

function list(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined || raw === "" ? [] : [raw];
  return values
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter(Boolean)
    .slice(0, 20);
}

function seconds(raw: unknown, name: string): number | undefined {
  const value = text(raw);
  if (value === "") return undefined;
  if (!/^\d{1,7}$/.test(value)) throw badRequest(`${name} is a number of seconds.`);
  return Number(value);
}

function boolean(raw: unknown, name: string): boolean | undefined {
  const value = oneOf(raw, ["true", "false"], name);
  return value === "" ? undefined : value === "true";
}

function apiFilters(query: Record<string, unknown>): VideoFilters {
  const languages = list(query.languageOneOf);
  const unknownLanguage = languages.find((l) => !LANGUAGES[l]);
  if (unknownLanguage) throw badRequest(`Unknown language “${unknownLanguage.slice(0, 10)}” in languageOneOf.`);
  const categories = list(query.categoryOneOf).map(Number);
  if (categories.some((c) => !CATEGORIES[c])) throw badRequest(`categoryOneOf holds category ids: ${Object.keys(CATEGORIES).join(", ")}.`);
  const startDate = text(query.startDate);
  const after = startDate ? new Date(startDate) : undefined;
  if (after && Number.isNaN(after.getTime())) throw badRequest("startDate is a date such as 2026-01-31.");
  // PeerTube compares whole seconds inclusively; ours are fractional, so the bounds are widened by half a second.
  const min = seconds(query.durationMin, "durationMin");
  const max = seconds(query.durationMax, "durationMax");
  const isLive = boolean(query.isLive, "isLive");
  const tags = list(query.tagsOneOf);
  return {
    ...(min !== undefined ? { durationMin: min - 0.5 } : {}),
    ...(max !== undefined ? { durationMax: max + 0.5 } : {}),
    ...(after ? { publishedAfter: after } : {}),
    ...(languages.length ? { languages } : {}),
    ...(categories.length ? { categories } : {}),
    ...(tags.length ? { tags } : {}),
    ...(isLive !== undefined ? { isLive } : {}),
    ...(query.isLocal === "true" ? { localOnly: true } : {}),
  };
}

export interface ApiSearch {
  readonly search: string;
  readonly filters: VideoFilters;
  readonly sort: SearchSort;
  readonly start: number;
  readonly count: number;
}

/** `GET /api/v1/search/videos` and `/video-channels` parameters (channels ignore the video filters). */
export function parseApiSearch(query: Record<string, unknown>): ApiSearch {
  const rawSort = text(query.sort);
  const sort = rawSort === "" ? "relevance" : API_SORTS[rawSort];
  if (!sort) throw badRequest(`Unknown sort “${rawSort.slice(0, 30)}”; use one of: ${Object.keys(API_SORTS).join(", ")}.`);
  return { search: text(query.search), filters: apiFilters(query), sort, start: parseStart(query.start), count: parseCount(query.count, 15) };
}
