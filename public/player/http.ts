/**
 * The HTTP-only player, for viewers who have not accepted P2P: video.js with its own HLS engine (VHS).
 * It must never load WebRTC code, so it imports nothing from hls.js or P2P Media Loader. It still reports
 * the bytes it fetched, so the instance can compute which share of its traffic peers carried.
 */
import videojsImport from "video.js";
import { readPlayerConfig } from "./config.ts";
import { addStatsOverlay, bufferAhead, startStatsReporter, type PlayerStats } from "./stats.ts";
import { bindQualityMenu, bindViewBeacon, createPlayer, exposeForTests, statsUrl } from "./ui.ts";
import { applyPageOptions } from "./page-options.ts";
import type { VideoJs, VjsPlayer } from "./videojs.ts";

const videojs = videojsImport as unknown as VideoJs;

function start(): void {
  // Counted from the first request on: VHS's hook is global, and the player fetches as soon as it has a source.
  let httpBytes = 0;
  videojs.Vhs?.xhr.onResponse((request) => {
    // Segments and init segments, like the P2P player counts; playlists are a rounding error.
    if (request.requestType !== "segment" && request.requestType !== "segment-media-initialization") return;
    const body: unknown = request.response;
    if (body instanceof ArrayBuffer) httpBytes += body.byteLength;
  });

  const created = createPlayer(videojs, { html5: { vhs: { overrideNative: true } } });
  if (!created) return;
  const { element, player, setStatsToggle } = created;
  const config = readPlayerConfig(element.dataset);
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
  startStatsReporter({ url: statsUrl(config.videoId), read: stats });
  exposeForTests(player, stats);
}

function rendition(player: VjsPlayer): string {
  const levels = player.qualityLevels!();
  const level = levels.selectedIndex >= 0 ? levels[levels.selectedIndex] : undefined;
  return level ? `${level.height}p · ${(level.bitrate / 1e6).toFixed(2)} Mbit/s` : "";
}

start();
