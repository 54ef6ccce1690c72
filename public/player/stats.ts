/**
 * Byte counters of a player, their periodic report to the instance (so it can show the share of traffic
 * peers carried) and the "stats for nerds" overlay. Shared by both bundles; the HTTP one only counts HTTP.
 */
import type { VjsPlayer } from "./videojs.ts";

export interface ByteCounters {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  /** Peers connected right now (not a running total). */
  peers: number;
}

/** What `window.tubeletStats()` returns and the overlay shows. */
export interface PlayerStats extends ByteCounters {
  /** Peers whose segments failed the hash check; nothing they send is used. */
  readonly badPeers: number;
  /** "720p · 1.8 Mbit/s", or "" before the first rendition loads. */
  readonly rendition: string;
  /** Seconds buffered ahead of the playhead. */
  readonly bufferAhead: number;
}

/** The body of one report: bytes since the previous report, peers now. */
export type StatsReport = ByteCounters;

/** What moved since `sent`; null when nothing did, so an idle or paused player sends nothing. */
export function reportSince(sent: ByteCounters, now: ByteCounters): StatsReport | null {
  const report = {
    httpBytes: Math.max(0, now.httpBytes - sent.httpBytes),
    p2pBytes: Math.max(0, now.p2pBytes - sent.p2pBytes),
    uploadedBytes: Math.max(0, now.uploadedBytes - sent.uploadedBytes),
    peers: now.peers,
  };
  return report.httpBytes + report.p2pBytes + report.uploadedBytes > 0 ? report : null;
}

/** Seconds of media buffered after `time` in the range that holds it (0 when the playhead is in a gap). */
export function bufferAhead(buffered: TimeRanges, time: number): number {
  for (let i = 0; i < buffered.length; i++) {
    // A small tolerance: after a seek the playhead sits a few ms before the first buffered frame.
    if (buffered.start(i) <= time + 0.1 && time <= buffered.end(i)) return Math.max(0, buffered.end(i) - time);
  }
  return 0;
}

/** "1.4 MB" style, for the overlay. */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export interface ReporterOptions {
  /** `/api/v1/videos/<id>/p2p-stats` */
  readonly url: string;
  readonly read: () => ByteCounters;
  readonly intervalMs?: number;
}

/**
 * Posts the deltas every 10 s and once more when the page goes away (pagehide, with sendBeacon, which
 * survives the page). The endpoint is best effort: errors are ignored, and a 404 (an instance without
 * it) stops further reports. Never touches playback.
 */
export function startStatsReporter(options: ReporterOptions): () => void {
  let sent: ByteCounters = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, peers: 0 };
  let stopped = false;
  const take = (): StatsReport | null => {
    const now = options.read();
    const report = reportSince(sent, now);
    if (report) sent = { ...now };
    return report;
  };
  const timer = setInterval(() => {
    const report = stopped ? null : take();
    if (!report) return;
    fetch(options.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report), credentials: "same-origin" })
      .then((response) => {
        if (response.status === 404) stop();
      })
      .catch(() => {});
  }, options.intervalMs ?? 10_000);
  const onPageHide = () => {
    const report = stopped ? null : take();
    if (report) navigator.sendBeacon(options.url, new Blob([JSON.stringify(report)], { type: "application/json" }));
  };
  addEventListener("pagehide", onPageHide);
  function stop() {
    stopped = true;
    clearInterval(timer);
    removeEventListener("pagehide", onPageHide);
  }
  return stop;
}

/**
 * The overlay over the video and its control-bar button. Returns the toggle (the `i` key uses it too).
 * Values are written with textContent: nothing here is HTML.
 */
export function addStatsOverlay(player: VjsPlayer, read: () => PlayerStats, options: { p2p: boolean }): () => void {
  const rows: [label: string, value: (s: PlayerStats) => string][] = [
    ["Rendition", (s) => s.rendition || "—"],
    ["Buffer ahead", (s) => `${s.bufferAhead.toFixed(1)} s`],
    ["From HTTP", (s) => formatBytes(s.httpBytes)],
    ...(options.p2p
      ? ([
          ["From peers", (s) => formatBytes(s.p2pBytes)],
          ["Uploaded", (s) => formatBytes(s.uploadedBytes)],
          ["Peers", (s) => String(s.peers) + (s.badPeers ? ` (${s.badPeers} refused)` : "")],
        ] satisfies typeof rows)
      : []),
  ];
  const box = document.createElement("div");
  box.className = "vjs-stats";
  box.id = "player-stats";
  box.hidden = true;
  const list = document.createElement("dl");
  const values = rows.map(([label]) => {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    list.append(dt, dd);
    return dd;
  });
  box.append(list);
  player.el().append(box);

  let timer: ReturnType<typeof setInterval> | undefined;
  const render = () => {
    const stats = read();
    rows.forEach(([, value], i) => (values[i]!.textContent = value(stats)));
  };
  const toggle = () => {
    box.hidden = !box.hidden;
    clearInterval(timer);
    if (!box.hidden) {
      render();
      timer = setInterval(render, 1000);
    }
  };

  const controlBar = player.getChild("ControlBar");
  if (controlBar) {
    // Just before the full-screen toggle, which stays the last control.
    const button = controlBar.addChild("Button", { controlText: "Stats for nerds", className: "vjs-stats-button" }, controlBar.children().length - 1);
    button.on("click", toggle);
  }
  return toggle;
}
