/**
 * Reading what someone typed in the search box: words, Japanese or other CJK text (no spaces between words),
 * a handle on another instance, or a URL. Pure functions, so every case is tested without a database.
 */

/** Longer queries are cut: nobody types more, and the SQL stays cheap. */
export const QUERY_MAX = 200;
/** Words beyond this are ignored: each one is another condition for PostgreSQL. */
const WORDS_MAX = 8;

export type SearchText =
  | { readonly kind: "empty" }
  | { readonly kind: "url"; readonly url: URL }
  | { readonly kind: "handle"; readonly name: string; readonly host: string }
  | {
      readonly kind: "words";
      /** The query as typed (normalized, lower-case): compared whole against titles. */
      readonly text: string;
      /** Letters and digits only, safe to hand to to_tsquery. */
      readonly words: readonly string[];
      /** Han, kana or Hangul: words are not separated by spaces, so substring matching takes over. */
      readonly cjk: boolean;
    };

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const HOST = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d{1,5})?$/i;
const HANDLE = /^@?([\p{L}\p{N}_.-]+)@([^@\s]+)$/u;

/**
 * Trims, joins runs of spaces and applies NFKC, so full-width Latin letters and half-width katakana typed
 * with a Japanese input method match the usual forms stored in titles.
 */
export function normalizeQuery(raw: unknown): string {
  if (typeof raw !== "string") return "";
  return raw.normalize("NFKC").replace(/\s+/g, " ").trim().slice(0, QUERY_MAX).trim();
}

/** What kind of search this is; `raw` is the query string as received. */
export function classifySearch(raw: unknown): SearchText {
  const text = normalizeQuery(raw);
  if (!text) return { kind: "empty" };
  if (/^https?:\/\/\S+$/i.test(text)) {
    try {
      return { kind: "url", url: new URL(text) };
    } catch {
      // Not a URL after all: search its words.
    }
  }
  const handle = HANDLE.exec(text);
  if (handle && HOST.test(handle[2]!)) return { kind: "handle", name: handle[1]!, host: handle[2]!.toLowerCase() };
  const lower = text.toLowerCase();
  return { kind: "words", text: lower, words: (lower.match(WORD) ?? []).slice(0, WORDS_MAX), cjk: CJK.test(lower) };
}

/** A to_tsquery text that needs every word, the last one as a prefix (people are still typing it). */
export function prefixTsQuery(words: readonly string[]): string {
  return words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(" & ");
}

/** `%term%` LIKE patterns for each space-separated term, with LIKE's wildcards escaped ("50%" means 50%). */
export function likePatterns(text: string): string[] {
  return text
    .toLowerCase()
    .split(" ")
    .filter(Boolean)
    .slice(0, WORDS_MAX)
    .map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/** Where a URL of this instance points: a video or a channel page, or null for anything else. */
export function localTarget(url: URL, publicUrl: string): { kind: "video"; id: string } | { kind: "channel"; handle: string } | null {
  if (url.origin !== new URL(publicUrl).origin) return null;
  const video = /^\/w\/([\w-]{1,64})\/?$/.exec(url.pathname);
  if (video) return { kind: "video", id: video[1]! };
  const channel = /^\/c\/([\w.-]{1,64})\/?$/.exec(url.pathname);
  if (channel) return { kind: "channel", handle: channel[1]! };
  return null;
}
