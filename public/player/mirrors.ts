/**
 * Multi-source HTTP for the players: a video's files live in the origin's HLS folder and, under the same names, in
 * each mirror's folder (redundancy). Requests are spread over the sources by file name, so each source serves its
 * share and the same file always comes from the same place first (one copy per source in caches); a source that
 * fails is skipped for a while and the request goes to the next; a mirror that serves bytes not matching the SHA-256
 * map is dropped for the rest of the page. The origin is never dropped, only skipped while it fails.
 * Pure apart from the clock it is given, so it is tested without a browser.
 */

/** How long a failing source is tried only after the others. */
export const FAILED_SOURCE_PAUSE_MS = 30_000;

export interface SourcePicker {
  /** The URLs to try for `url`, best first; just `url` when it is not a file of the video's HLS folder. */
  candidates(url: string): string[];
  /** The source of `candidateUrl` failed (network error, HTTP error, timeout). */
  failed(candidateUrl: string): void;
  /** The source of `candidateUrl` served wrong bytes: a mirror is never asked again. */
  servedWrongBytes(candidateUrl: string): void;
  /** Whether `candidateUrl` is on a mirror (its bytes are checked against the map). */
  isMirror(candidateUrl: string): boolean;
  /** The sources in use now (origin first), for the stats overlay and tests. */
  sources(): string[];
}

/** FNV-1a of a file name: a stable spread of files over sources. */
function spread(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A picker for the folder of `masterUrl` (absolute, or relative to `pageUrl`) and the mirror folders (absolute URLs
 * without a trailing slash, as the server lists them).
 */
export function createSourcePicker(options: { masterUrl: string; pageUrl: string; mirrors: readonly string[]; now?: () => number }): SourcePicker {
  const now = options.now ?? Date.now;
  const master = new URL(options.masterUrl, options.pageUrl).href;
  const origin = master.slice(0, master.lastIndexOf("/"));
  let mirrors = [...new Set(options.mirrors.map((m) => m.replace(/\/+$/, "")).filter((m) => /^https?:\/\//.test(m) && m !== origin))];
  const pausedUntil = new Map<string, number>();
  const sourceOf = (url: string) => [origin, ...mirrors].find((s) => url.startsWith(`${s}/`)) ?? null;

  return {
    candidates(url) {
      const absolute = new URL(url, options.pageUrl).href;
      if (!absolute.startsWith(`${origin}/`)) return [url];
      const file = absolute.slice(origin.length + 1);
      const all = [origin, ...mirrors];
      const start = spread(file.replace(/[?#].*$/, "")) % all.length;
      const rotated = [...all.slice(start), ...all.slice(0, start)];
      const t = now();
      // Sources in a pause go last, in the same order, so a request still succeeds when every source had trouble.
      const ready = rotated.filter((s) => (pausedUntil.get(s) ?? 0) <= t);
      const paused = rotated.filter((s) => (pausedUntil.get(s) ?? 0) > t);
      return [...ready, ...paused].map((s) => `${s}/${file}`);
    },
    failed(candidateUrl) {
      const source = sourceOf(candidateUrl);
      if (source) pausedUntil.set(source, now() + FAILED_SOURCE_PAUSE_MS);
    },
    servedWrongBytes(candidateUrl) {
      const source = sourceOf(candidateUrl);
      if (source && source !== origin) mirrors = mirrors.filter((m) => m !== source);
      else if (source) pausedUntil.set(source, now() + FAILED_SOURCE_PAUSE_MS);
    },
    isMirror(candidateUrl) {
      const source = sourceOf(candidateUrl);
      return source !== null && source !== origin;
    },
    sources: () => [origin, ...mirrors],
  };
}

/** What checking a segment against the map found (see integrity.ts). */
export type SegmentCheckResult = "valid" | "mismatch" | "unlisted";
export type CheckSegment = (url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer) => Promise<SegmentCheckResult>;

type XhrResponse = { statusCode: number; body?: unknown };
type XhrCallback = (error: unknown, response: XhrResponse) => void;
/** The shape of video.js's xhr function, which VHS calls for every playlist and segment. */
export type XhrFunction = (options: { uri: string } & Record<string, unknown>, callback: XhrCallback) => object;

/**
 * video.js's xhr with failover over the picker's sources, for VHS (the HTTP-only player). VHS keeps the request object
 * it is given (to abort it and read its response), so it gets a stand-in that always speaks for the current attempt.
 * A mirror's segment is checked against the map before VHS sees it.
 */
export function failoverXhr(original: XhrFunction, picker: () => SourcePicker | null, check: CheckSegment): XhrFunction {
  return (options, callback) => {
    const candidates = picker()?.candidates(options.uri) ?? [options.uri];
    if (candidates.length === 1) return original(options, callback);
    let current: Record<string | symbol, unknown> = {};
    const own: Record<string | symbol, unknown> = { abort: () => (current.abort as () => void).call(current) };
    const standIn = new Proxy(own, {
      get: (target, key) => {
        if (key in target) return target[key];
        const value = current[key];
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
      },
      set: (target, key, value) => {
        target[key] = value;
        return true;
      },
    });
    const attempt = (i: number): void => {
      const uri = candidates[i]!;
      const next = () => i + 1 < candidates.length && own.aborted !== true;
      current = original({ ...options, uri }, (error, response) => {
        void (async () => {
          const failed = own.aborted !== true && (Boolean(error) || response.statusCode === 0 || response.statusCode >= 400);
          if (failed) {
            picker()?.failed(uri);
            if (next()) return attempt(i + 1);
          } else if (!error && picker()?.isMirror(uri) && response.body instanceof ArrayBuffer && (await check(options.uri, undefined, response.body)) === "mismatch") {
            picker()?.servedWrongBytes(uri);
            if (next()) return attempt(i + 1);
            return callback(new Error(`${uri} does not match the SHA-256 map`), { ...response, statusCode: 502 });
          }
          callback(error, response);
        })();
      }) as Record<string | symbol, unknown>;
    };
    attempt(0);
    return standIn;
  };
}
