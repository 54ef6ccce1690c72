/**
 * Mirrors in the P2P player. hls.js loads playlists, init segments and some media segments itself (through its
 * loader); P2P Media Loader's core loads the rest over HTTP (through its request hook). Both go through the source
 * picker: spread over origin and mirrors, the next source on failure, and a mirror's bytes checked against the map.
 */
import type { HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderStats } from "hls.js";
import type { CheckSegment, SourcePicker } from "./mirrors.ts";

type LoaderClass = NonNullable<HlsConfig["loader"]>;

/** hls.js's loader (`Base`, e.g. the byte-counting one) trying each of the picker's sources in turn. */
export function failoverLoader(Base: LoaderClass, picker: SourcePicker, check: CheckSegment): LoaderClass {
  return class FailoverLoader implements Loader<LoaderContext> {
    private inner: Loader<LoaderContext>;
    /** Stats handed in by the caller (P2P Media Loader shares its own object with the loader it falls back to). */
    private sharedStats: LoaderStats | null = null;
    constructor(private readonly hlsConfig: HlsConfig) {
      this.inner = new Base(hlsConfig);
    }
    get stats(): LoaderStats {
      return this.inner.stats;
    }
    set stats(value: LoaderStats) {
      this.sharedStats = value;
      this.inner.stats = value;
    }
    get context(): LoaderContext | null {
      return this.inner.context;
    }
    abort(): void {
      this.inner.abort();
    }
    destroy(): void {
      this.inner.destroy();
    }
    load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      const candidates = picker.candidates(context.url);
      const attempt = (i: number): void => {
        const url = candidates[i]!;
        if (i > 0) {
          this.inner.destroy();
          this.inner = new Base(this.hlsConfig);
          if (this.sharedStats) this.inner.stats = this.sharedStats;
        }
        const next = () => i + 1 < candidates.length;
        // hls.js's loader retries a failing URL itself, for up to half a minute; with other sources left, the next
        // source is tried at once instead.
        const policy = next() ? { ...config, loadPolicy: { ...config.loadPolicy, errorRetry: null, timeoutRetry: null } } : config;
        this.inner.load({ ...context, url }, policy, {
          ...callbacks,
          onSuccess: (response, stats, _ctx, details) => {
            void (async () => {
              if (picker.isMirror(url) && response.data instanceof ArrayBuffer && (await check(context.url, undefined, response.data)) === "mismatch") {
                picker.servedWrongBytes(url);
                if (next()) return attempt(i + 1);
                return callbacks.onError({ code: 502, text: `${url} does not match the SHA-256 map` }, context, details, stats);
              }
              // Under the origin's URL, so playlists resolve their files against the origin and stay spread.
              callbacks.onSuccess({ ...response, url: context.url }, stats, context, details);
            })();
          },
          onError: (error, _ctx, details, stats) => {
            picker.failed(url);
            if (next()) return attempt(i + 1);
            callbacks.onError(error, context, details, stats);
          },
          onTimeout: (stats, _ctx, details) => {
            picker.failed(url);
            if (next()) return attempt(i + 1);
            callbacks.onTimeout(stats, context, details);
          },
        });
      };
      attempt(0);
    }
  };
}

/**
 * P2P Media Loader core hooks: each HTTP attempt of a segment goes to the picker's best source, and a new attempt of
 * the same segment means the last one failed, so its source is skipped for a while. A mirror's segment is validated
 * against the map (the core then retries elsewhere). `done` forgets a segment once it loaded or was given up.
 */
export function mirrorCoreHooks(picker: SourcePicker, check: CheckSegment) {
  const lastSource = new Map<string, string>();
  return {
    httpRequestSetup: async (segmentUrl: string, _range: unknown, signal: AbortSignal, requestByteRange: { start: number; end?: number } | undefined) => {
      const candidates = picker.candidates(segmentUrl);
      if (candidates.length === 1) return undefined;
      const last = lastSource.get(segmentUrl);
      if (last) picker.failed(last);
      const url = picker.candidates(segmentUrl)[0]!;
      lastSource.set(segmentUrl, url);
      const headers = requestByteRange ? { Range: `bytes=${requestByteRange.start}-${requestByteRange.end ?? ""}` } : undefined;
      return new Request(url, { headers, signal });
    },
    validateHTTPSegment: async (segmentUrl: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer) => {
      const used = lastSource.get(segmentUrl);
      if (!used || !picker.isMirror(used) || (await check(segmentUrl, byteRange, data)) !== "mismatch") return true;
      picker.servedWrongBytes(used);
      lastSource.delete(segmentUrl);
      return false;
    },
    done: (segmentUrl: string) => {
      lastSource.delete(segmentUrl);
    },
  };
}
