/**
 * The P2P player, for viewers who accepted P2P: video.js for the UI, hls.js with P2P Media Loader for
 * the media. Segments come over HTTP and from other viewers over WebRTC; every segment from a peer is
 * checked against the instance's SHA-256 map before hls.js gets it (see integrity.ts).
 */
// The core build of video.js has no VHS, so only our hls.js source handler claims HLS sources.
import videojsCore from "video.js/core.es.js";
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import { coreConfig, liveHlsConfig, readP2PConfig } from "./config.ts";
import { byteCountingLoader, registerHlsJsSourceHandler } from "./hlsjs-source-handler.ts";
import { createP2PSegmentGuard, createSegmentChecker, fetchSegmentHashMap } from "./integrity.ts";
import { addStatsOverlay, bufferAhead, startStatsReporter, type ByteCounters, type PlayerStats } from "./stats.ts";
import { bindQualityMenu, bindViewBeacon, createPlayer, exposeForTests, startPlayerOnPage, statsUrl } from "./ui.ts";
import { applyPageOptions } from "./page-options.ts";
import { createSourcePicker } from "./mirrors.ts";
import { failoverLoader, mirrorCoreHooks } from "./hlsjs-mirrors.ts";
import type { VideoJs } from "./videojs.ts";

const videojs = videojsCore as unknown as VideoJs;
const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls);
type HlsP2P = InstanceType<typeof HlsWithP2P>;

/** The hls.js factory of the player on the page now; the source handler is registered once per page. */
let createHls: (() => HlsP2P) | null = null;
let onFatal: (code: 2 | 3 | 4, message: string) => void = () => {};

registerHlsJsSourceHandler(videojs, {
  create: () => {
    if (!createHls) throw new Error("no player on this page");
    return createHls();
  },
  onFatal: (code, message) => onFatal(code, message),
});

/** Starts the player on `<video id="player">`; returns what stops it (null when the page has none). */
function start(): (() => void) | null {
  const element = document.getElementById("player");
  if (!(element instanceof HTMLVideoElement)) return null;
  const config = readP2PConfig(element.dataset);
  const checkSegment = createSegmentChecker({ loadMap: (fresh) => fetchSegmentHashMap(config.hashesUrl, fresh) });
  const guard = createP2PSegmentGuard(checkSegment);
  // Segments come over HTTP from the origin and the mirrors alike, spread and with failover (see mirrors.ts).
  const picker = createSourcePicker({ masterUrl: config.src, pageUrl: location.href, mirrors: config.mirrors ?? [] });
  const mirrorHooks = mirrorCoreHooks(picker, checkSegment);
  const counters: ByteCounters = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0 };
  // Distinct peers: the same viewer may be connected once per stream (main and audio).
  const peers = new Map<string, number>();
  let hls: HlsP2P | null = null;
  let refreshMenu = () => {};

  createHls = () => {
    const instance = new HlsWithP2P({
      ...liveHlsConfig(config.live),
      // The core's own loads are counted by its chunk events; this counts what hls.js fetches itself.
      loader: failoverLoader(byteCountingLoader((bytes) => (counters.httpBytes += bytes)), picker, checkSegment),
      p2p: {
        core: {
          ...coreConfig(config, (...args) => guard.validateP2PSegment(...args)),
          httpRequestSetup: mirrorHooks.httpRequestSetup,
          validateHTTPSegment: mirrorHooks.validateHTTPSegment,
        },
      },
    });
    watchCore(instance);
    instance.on(Hls.Events.MANIFEST_PARSED, () => refreshMenu());
    hls = instance;
    return instance;
  };
  onFatal = (code, message) => player.error({ code, message });

  function watchCore(instance: HlsP2P): void {
    const engine = instance.p2pEngine;
    // HTTP bytes count as they arrive (the origin sent them whatever happens next); peers' bytes only once their
    // segment passed the hash check, so a peer sending bad data never shows up as P2P delivery.
    engine.addEventListener("onChunkDownloaded", (bytes, source) => {
      if (source === "http") counters.httpBytes += bytes;
    });
    engine.addEventListener("onChunkUploaded", (bytes) => (counters.uploadedBytes += bytes));
    engine.addEventListener("onPeerConnect", ({ peerId }) => {
      peers.set(peerId, (peers.get(peerId) ?? 0) + 1);
      counters.peers = peers.size;
    });
    engine.addEventListener("onPeerClose", ({ peerId }) => {
      const left = (peers.get(peerId) ?? 1) - 1;
      if (left > 0) peers.set(peerId, left);
      else peers.delete(peerId);
      counters.peers = peers.size;
    });
    engine.addEventListener("onSegmentStart", (details) => guard.onSegmentStart(details));
    // Loaded, failed or aborted: the guard and the mirror hooks forget the segment's download either way.
    const finished = (url: string) => {
      guard.onSegmentDone(url);
      mirrorHooks.done(url);
    };
    engine.addEventListener("onSegmentLoaded", ({ segmentUrl, bytesLength, downloadSource }) => {
      if (downloadSource === "p2p") counters.p2pBytes += bytesLength;
      finished(segmentUrl);
    });
    engine.addEventListener("onSegmentError", ({ segment }) => finished(segment.url));
    engine.addEventListener("onSegmentAbort", ({ segment }) => finished(segment.url));
  }

  const created = createPlayer(videojs, config.live ? { liveui: true } : {});
  if (!created) return null;
  const { player, setStatsToggle } = created;

  const quality = bindQualityMenu({
    heights: () => hls?.levels.map((level) => level.height) ?? [],
    pin(height) {
      if (!hls) return;
      // -1 is hls.js's automatic switching.
      hls.currentLevel = height === null ? -1 : hls.levels.findIndex((level) => level.height === height);
    },
  });

  refreshMenu = () => quality.refresh();
  applyPageOptions(player, quality);

  const rendition = () => {
    const level = hls && hls.currentLevel >= 0 ? hls.levels[hls.currentLevel] : undefined;
    return level ? `${level.height}p · ${(level.bitrate / 1e6).toFixed(2)} Mbit/s` : "";
  };
  const stats = (): PlayerStats => ({
    ...counters,
    badPeers: guard.badPeers.size,
    rendition: rendition(),
    bufferAhead: bufferAhead(player.buffered(), player.currentTime()),
  });

  player.src({ src: config.src, type: "application/x-mpegURL" });
  setStatsToggle(addStatsOverlay(player, stats, { p2p: true }));
  bindViewBeacon(player, config.videoId);
  const stopReporter = startStatsReporter({ url: statsUrl(config.videoId), read: () => ({ ...counters }) });
  exposeForTests(player, stats);
  // The live benchmark reads hls.js's playingDate (the program date time of what is on screen).
  Object.defineProperty(window, "tubeletHls", { get: () => hls, configurable: true });
  return () => {
    stopReporter();
    created.dispose();
  };
}

startPlayerOnPage(start);
