/**
 * Live streaming, per latency mode (low: 1 s segments, normal: 4 s): a fresh instance (`tubelet serve` with RTMP,
 * in a network namespace behind a counting proxy; see bench/lib/live-instance.ts), a live created through the
 * API, the test card published to it, and three headless Chromium viewers with P2P on. Measured:
 *
 * - latency: from a frame entering the publisher to a viewer playing it (bench/lib/live-latency.ts), sampled
 *   every second for 20 s in every viewer once all three play; median and p95;
 * - first segment: from the publisher's start to the first segment of the live being fetchable over HTTP;
 * - CPU over the same 20 s, as a share of one core: the server process with its ffmpeg (the transcoder is
 *   most of it), and the publisher's ffmpeg, which is not ours (OBS would do that work on the streamer's machine);
 * - P2P share: bytes the viewers got from each other over all they got, ~30 s after the last one started.
 *
 * Reference rows: the latencies the issue quotes for PeerTube (small latency ~15 s, with P2P off; normal ~30 s)
 * and Owncast (lowest ~5 s, default ~10 s), and our targets (low ≤ 4 s, normal ≤ 10 s).
 */
import type { Browser } from "playwright-core";
import { LIVE_SEGMENT_SECONDS, type LatencyMode } from "../src/live/transcode-args.ts";
import { launchBrowserInNetwork, openViewer, type Viewer } from "../test/helpers/netns.ts";
import { waitFor } from "../test/helpers/processes.ts";
import { withCleanup } from "./lib/cleanup.ts";
import { startLiveBenchInstance, startPublisher, treeCpuSeconds } from "./lib/live-instance.ts";
import { FIRST_PLAYLIST_RECORDER, percentile, readAnchor, sampleLatency, type LatencySample, type PlayheadAnchor } from "./lib/live-latency.ts";
import { waitForFirstSegment } from "./lib/live-playlists.ts";
import { cpuSeconds, warnIfMachineBusy } from "./lib/process.ts";
import { median, printTable, ratio } from "./lib/table.ts";

const VIEWERS = 3;
const SAMPLE_SECONDS = 20;
/** The P2P share is read this long after the last viewer started playing. */
const P2P_SECONDS = 30;
/** Longer than the whole session; the publisher is stopped before this. */
const PUBLISH_SECONDS = 300;
const TARGET_SECONDS: Record<LatencyMode, number> = { low: 4, normal: 10 };
/**
 * A 480p card and a 240p + 480p ladder: the publisher, the server's ffmpeg and three browsers decoding video share
 * this machine's cores, and at 720p they saturate a 2-core box, whose stalls would be measured as latency.
 */
const CARD = { width: 854, height: 480, fps: 30 } as const;
const LADDER = "240,480";

interface ModeResult {
  readonly mode: LatencyMode;
  readonly command: string;
  readonly latencies: readonly number[];
  readonly via: string;
  readonly firstSegmentMs: number;
  readonly exactStart: boolean;
  /** Shares of one core over the sampling window. */
  readonly serverCpu: number;
  readonly ffmpegCpu: number;
  readonly publisherCpu: number;
  readonly p2pShare: number;
  readonly peers: readonly number[];
  /** Per viewer: P2P share, and "waiting" events after playback began. */
  readonly viewerShares: readonly number[];
  readonly stalls: readonly number[];
}

/** Opens a viewer with P2P on (the instance default), plays the live and waits until its playhead moves. */
async function joinViewer(browser: Browser, origin: string, number: number, watchPath: string): Promise<{ viewer: Viewer; anchor: PlayheadAnchor }> {
  const viewer = await openViewer(browser, origin, number, { initScripts: [FIRST_PLAYLIST_RECORDER] });
  await viewer.play(watchPath);
  const start = (await viewer.playback()).currentTime;
  await waitFor(`viewer ${number} to play`, async () => (await viewer.playback()).currentTime >= start + 2, { timeoutMs: 45_000, intervalMs: 200 });
  const anchor = await waitFor(`viewer ${number}'s first playlist`, () => readAnchor(viewer), { timeoutMs: 5_000, intervalMs: 100 });
  return { viewer, anchor };
}

async function measureMode(mode: LatencyMode): Promise<ModeResult> {
  return withCleanup(async (cleanup) => {
    const instance = await startLiveBenchInstance(cleanup, { TUBELET_LIVE_RESOLUTIONS: LADDER });
    const live = await instance.api.createLive({ name: `Bench live (${mode} latency)`, latency: mode });
    const publisher = await startPublisher(cleanup, live, PUBLISH_SECONDS, CARD);
    const first = await waitForFirstSegment({ base: instance.base, dataDir: instance.dataDir, uuid: live.uuid, segmentSeconds: LIVE_SEGMENT_SECONDS[mode] }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\npublisher: ${publisher.stderr()}\nserver: ${instance.server.output()}`);
      },
    );
    console.log(`  ${mode}: first segment fetchable ${((first.fetchedAt - publisher.t0) / 1000).toFixed(2)} s after the publisher started`);

    const browser = await launchBrowserInNetwork(instance.network);
    cleanup.defer("close the browser", () => browser.close());
    const viewers: { viewer: Viewer; anchor: PlayheadAnchor }[] = [];
    for (let n = 1; n <= VIEWERS; n++) viewers.push(await joinViewer(browser, instance.origin, n, live.watchPath));
    const allPlaying = Date.now();

    const cpuBefore = treeCpuSeconds(instance.server.pid);
    const publisherBefore = cpuSeconds(publisher.pid);
    const wallBefore = performance.now();
    const samples: LatencySample[] = [];
    for (let tick = 1; tick <= SAMPLE_SECONDS; tick++) {
      const taken = await Promise.all(viewers.map(({ viewer, anchor }) => sampleLatency(viewer, anchor, { t0: publisher.t0, startDates: first.startDates })));
      samples.push(...taken.filter((s): s is LatencySample => s !== null));
      // Paced by the clock, not by a fixed pause: a slow sample does not stretch the window.
      await Bun.sleep(Math.max(0, wallBefore + tick * 1000 - performance.now()));
    }
    const seconds = (performance.now() - wallBefore) / 1000;
    const cpuAfter = treeCpuSeconds(instance.server.pid);
    const publisherCpu = (cpuSeconds(publisher.pid) - publisherBefore) / seconds;

    await Bun.sleep(Math.max(0, allPlaying + P2P_SECONDS * 1000 - Date.now()));
    const stats = await Promise.all(viewers.map(({ viewer }) => viewer.stats()));
    const playback = await Promise.all(viewers.map(({ viewer }) => viewer.playback()));
    const p2p = stats.reduce((sum, s) => sum + s.p2pBytes, 0);
    const http = stats.reduce((sum, s) => sum + s.httpBytes, 0);
    if (samples.length === 0) throw new Error(`no latency sample in ${mode} mode (every viewer paused?)`);
    return {
      mode,
      command: instance.command,
      latencies: samples.map((s) => s.latencyMs / 1000),
      via: [...new Set(samples.map((s) => s.via))].join("+"),
      firstSegmentMs: first.fetchedAt - publisher.t0,
      exactStart: first.fromSequenceZero,
      serverCpu: (cpuAfter.own - cpuBefore.own) / seconds,
      ffmpegCpu: (cpuAfter.children - cpuBefore.children) / seconds,
      publisherCpu,
      p2pShare: p2p / Math.max(1, p2p + http),
      peers: stats.map((s) => s.peers),
      viewerShares: stats.map((s) => s.p2pBytes / Math.max(1, s.p2pBytes + s.httpBytes)),
      stalls: playback.map((p) => p.waiting),
    };
  });
}

const pct = (share: number) => `${Math.round(share * 100)}%`;
const sec = (s: number) => `${s.toFixed(1)} s`;

/** Rows of the table: ours per mode, then the anchors with how many times our latency is lower. */
function tableRows(results: readonly ModeResult[]): string[][] {
  const byMode = new Map(results.map((r) => [r.mode, r]));
  const rows: string[][] = results.map((r) => {
    const med = median(r.latencies);
    const target = TARGET_SECONDS[r.mode];
    return [
      `Tubelet ${r.mode} (${LIVE_SEGMENT_SECONDS[r.mode]} s segments)`,
      sec(med),
      sec(percentile(r.latencies, 0.95)),
      `≤ ${target} s`,
      `${ratio(target / med)} ${med <= target ? "✓" : "✗"}`,
      sec(r.firstSegmentMs / 1000),
      `${pct(r.serverCpu + r.ffmpegCpu)} (ffmpeg ${pct(r.ffmpegCpu)})`,
      pct(r.publisherCpu),
      pct(r.p2pShare),
    ];
  });
  const anchors: [string, number, LatencyMode][] = [
    ["PeerTube small latency (P2P off)", 15, "low"],
    ["PeerTube normal", 30, "normal"],
    ["Owncast lowest", 5, "low"],
    ["Owncast default", 10, "normal"],
  ];
  for (const [name, seconds, mode] of anchors) {
    const ours = byMode.get(mode);
    const vs = ours ? `${ratio(seconds / median(ours.latencies))} vs ${mode}` : "—";
    rows.push([name, `~${seconds} s`, "—", "—", vs, "—", "—", "—", "—"]);
  }
  return rows;
}

export async function run(): Promise<void> {
  await warnIfMachineBusy();
  const started = Date.now();
  console.log(`Live: the test card (${CARD.width}x${CARD.height}, ${CARD.fps} fps, ladder ${LADDER}) published over RTMP, ${VIEWERS} Chromium viewers with P2P, per latency mode\n`);
  const results: ModeResult[] = [];
  for (const mode of ["low", "normal"] as const) {
    const result = await measureMode(mode);
    results.push(result);
    console.log(`  ${mode}: latency median ${sec(median(result.latencies))} over ${result.latencies.length} samples (${result.via}), peers ${result.peers.join(" ")}`);
  }
  console.log("");
  printTable(["", "latency", "p95", "target", "target / measured", "first segment", "server CPU", "publisher CPU", "P2P share"], tableRows(results));
  console.log(
    "\nLatency: publisher start + stream time of the frame played, against the wall clock; CPU as a share of one core over the " +
      `${SAMPLE_SECONDS} s sampling window (server: the tubelet process and its ffmpeg); P2P share ${P2P_SECONDS} s after the last viewer started.`,
  );
  console.log("T0 is the publisher's spawn, so its start-up (about 0.1 s) counts as latency.");
  console.log("Reference rows: latencies quoted in the issue; their ratio is how many times lower ours is.");
  for (const r of results) {
    const notes = [
      `server ran as ${r.command}`,
      `latency from ${r.via === "anchor" ? "the first playlist's date + currentTime (no hls.js hook on the page)" : "hls.js playingDate"}`,
      `P2P share per viewer ${r.viewerShares.map(pct).join(" ")}`,
      `stalls per viewer ${r.stalls.join(" ")}`,
    ];
    if (!r.exactStart) notes.push("stream start date estimated (first playlist read after sequence 0)");
    console.log(`  ${r.mode}: ${notes.join("; ")}`);
  }
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
}
