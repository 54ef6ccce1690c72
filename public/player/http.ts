/**
 * The HTTP-only player, for viewers who have not accepted P2P: video.js with its own HLS engine (VHS).
 * It must never load WebRTC code, so it imports nothing from hls.js or P2P Media Loader. It still reports
 * the bytes it fetched, so the instance can compute which share of its traffic peers carried.
 */
// The core build plus VHS and the quality-levels plugin: what the full package bundles, less its DASH parser
// (see scripts/build-assets.ts). VHS and the plugin register themselves on import.
import videojsImport from "video.js/core.es.js";
import "@videojs/http-streaming";
import "videojs-contrib-quality-levels";
import { readPlayerConfig } from "./config.ts";
import { addStatsOverlay, bufferAhead, startStatsReporter, type PlayerStats } from "./stats.ts";
import { bindQualityMenu, bindViewBeacon, createPlayer, exposeForTests, startPlayerOnPage, statsUrl } from "./ui.ts";
import { applyPageOptions } from "./page-options.ts";
import { createSourcePicker, failoverXhr, type SourcePicker, type XhrFunction } from "./mirrors.ts";
import { createSegmentChecker, fetchSegmentHashMap } from "./integrity.ts";
import type { VideoJs, VjsPlayer } from "./videojs.ts";

const videojs = videojsImport as unknown as VideoJs;

// Counted from the first request on: VHS's hook is global, and the player fetches as soon as it has a source.
// A new player on the page (a live that started) starts again from zero.
let httpBytes = 0;
videojs.Vhs?.xhr.onResponse((request) => {
  // Segments and init segments, like the P2P player counts; playlists are a rounding error.
  if (request.requestType !== "segment" && request.requestType !== "segment-media-initialization") return;
  const body: unknown = request.response;
  if (body instanceof ArrayBuffer) httpBytes += body.byteLength;
});

// Playlists and segments go to the origin and the mirrors (redundancy) with failover. VHS's request function is
// global, so it asks for the picker and checker of the player on the page now.
let picker: SourcePicker | null = null;
let checkSegment: ReturnType<typeof createSegmentChecker> = async () => "unlisted";
const videojsWithXhr = videojs as unknown as { xhr: XhrFunction };
videojsWithXhr.xhr = failoverXhr(videojsWithXhr.xhr, () => picker, (...args) => checkSegment(...args));

/** Starts the player on `<video id="player">`; returns what stops it (null when the page has none). */
function start(): (() => void) | null {
  httpBytes = 0;
  const element = document.getElementById("player");
  if (!(element instanceof HTMLVideoElement)) return null;
  const config = readPlayerConfig(element.dataset);
  picker = createSourcePicker({ masterUrl: config.src, pageUrl: location.href, mirrors: config.mirrors ?? [] });
  const hashesUrl = config.hashesUrl;
  checkSegment = hashesUrl ? createSegmentChecker({ loadMap: (fresh) => fetchSegmentHashMap(hashesUrl, fresh) }) : async () => "unlisted";
  const created = createPlayer(videojs, { html5: { vhs: { overrideNative: true } }, ...(config.live ? { liveui: true } : {}) });
  if (!created) return null;
  const { player, setStatsToggle } = created;
  player.src({ src: config.src, type: "application/x-mpegURL" });

  const levels = player.qualityLevels!();
  const quality = bindQualityMenu({
    heights: () => Array.from({ length: levels.length }, (_, i) => levels[i]!.height),
    pin(height) {
      for (let i = 0; i < levels.length; i++) levels[i]!.enabled = height === null || levels[i]!.height === height;
    },
  });
  levels.on("addqualitylevel", () => quality.refresh());
  applyPageOptions(player, quality);

  const stats = (): PlayerStats => ({
    httpBytes,
    p2pBytes: 0,
    uploadedBytes: 0,
    peers: 0,
    badPeers: 0,
    rendition: rendition(player),
    bufferAhead: bufferAhead(player.buffered(), player.currentTime()),
  });
  setStatsToggle(addStatsOverlay(player, stats, { p2p: false }));
  bindViewBeacon(player, config.videoId);
  const stopReporter = startStatsReporter({ url: statsUrl(config.videoId), read: stats });
  exposeForTests(player, stats);
  return () => {
    stopReporter();
    created.dispose();
  };
}

function rendition(player: VjsPlayer): string {
  const levels = player.qualityLevels!();
  const level = levels.selectedIndex >= 0 ? levels[levels.selectedIndex] : undefined;
  return level ? `${level.height}p · ${(level.bitrate / 1e6).toFixed(2)} Mbit/s` : "";
}

startPlayerOnPage(start);
