/**
 * hls.js as a video.js source handler on the Html5 tech. P2P Media Loader 2.x integrates with hls.js but
 * not with video.js, so video.js keeps the UI (controls, poster, full screen) and hls.js feeds the same
 * `<video>` element through Media Source Extensions. The P2P bundle imports `video.js/core.es.js`, which
 * has no VHS, so nothing else competes for HLS sources; this handler is registered first regardless,
 * because recent Chromium can play HLS natively and the native handler would otherwise take it.
 */
import Hls, { type ErrorData, type HlsConfig, type LoaderCallbacks, type LoaderConfiguration, type LoaderContext } from "hls.js";
import type { SourceHandler, SourceObject, VideoJs, VjsTech } from "./videojs.ts";

const HLS_TYPES = /^(application\/(x-)?mpegurl|audio\/(x-)?mpegurl|application\/vnd\.apple\.mpegurl)$/i;

export interface HlsSourceHandlerOptions<T extends Hls> {
  /** Builds the hls.js instance for a source (the P2P bundle returns one with P2P Media Loader injected). */
  create(source: SourceObject, tech: VjsTech): T;
  /** A fatal error hls.js could not recover from; the player shows it. */
  onFatal(code: 2 | 3 | 4, message: string): void;
}

/** Registers the handler ahead of the native one; returns nothing to undo, like video.js's own. */
export function registerHlsJsSourceHandler<T extends Hls>(videojs: VideoJs, options: HlsSourceHandlerOptions<T>): void {
  const canPlayType = (type: string) => (HLS_TYPES.test(type) && Hls.isSupported() ? "probably" : "");
  const handler: SourceHandler = {
    canPlayType,
    canHandleSource: (source) => canPlayType(source.type ?? "") || (/\.m3u8($|\?)/i.test(source.src) && Hls.isSupported() ? "maybe" : ""),
    handleSource(source, tech) {
      const hls = options.create(source, tech);
      let mediaRecoveries = 0;
      hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
        if (!data.fatal) return;
        // hls.js has already retried network errors per its loading policies; a decode error is often
        // cured by recreating the SourceBuffers, twice at most.
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
          mediaRecoveries++;
          hls.recoverMediaError();
          return;
        }
        const code = data.type === Hls.ErrorTypes.NETWORK_ERROR ? 2 : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 3 : 4;
        options.onFatal(code, `Playback failed (${data.details}).`);
      });
      hls.attachMedia(tech.el());
      hls.loadSource(source.src);
      return { dispose: () => hls.destroy() };
    },
  };
  videojs.getTech("Html5").registerSourceHandler(handler, 0);
}

/**
 * hls.js's default loader, counting the bytes of every binary response (segments and init segments).
 * With P2P Media Loader, hls.js still loads some segments itself, bypassing the core and its events:
 * init segments always, and media segments requested before the core knows their playlist.
 */
export function byteCountingLoader(onBytes: (bytes: number) => void): HlsConfig["loader"] {
  const Base = Hls.DefaultConfig.loader;
  return class ByteCountingLoader extends Base {
    override load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      super.load(context, config, {
        ...callbacks,
        onSuccess(response, stats, loaded, details) {
          if (response.data instanceof ArrayBuffer) onBytes(response.data.byteLength);
          callbacks.onSuccess(response, stats, loaded, details);
        },
      });
    }
  };
}
