/**
 * One P2P viewing session for bench/p2p.ts: a fresh instance in its own network namespace (test/helpers/netns.ts)
 * with the given P2P settings, N headless viewers who arrive one after another and watch the whole video, and
 * what it cost the origin (counted by the proxy in front of it) against what the viewers got from each other.
 */
import type { Cleanup } from "./cleanup.ts";
import { launchBrowserInNetwork, openViewer, startP2PInstance, type Viewer, type ViewerStats } from "../../test/helpers/netns.ts";
import { waitFor } from "../../test/helpers/processes.ts";

export interface SessionOptions {
  readonly viewers: number;
  /** TUBELET_P2P_* variables; unset ones keep the instance defaults (src/config.ts). */
  readonly env: Readonly<Record<string, string>>;
  readonly clipSeconds: number;
  readonly segmentSeconds: number;
  /** A viewer arrives when the previous one has played this far. */
  readonly arrivalSeconds: number;
  /**
   * The origin's uplink for segments, as a multiple of the video's bitrate, shared by all viewers (a small
   * instance with a popular video); unset: as fast as loopback.
   */
  readonly originRate?: number;
}

export interface ViewerResult extends ViewerStats {
  /** The media element's "waiting" events after playback began: each is a stall. */
  readonly stalls: number;
  readonly finished: boolean;
}

export interface SessionResult {
  readonly viewers: readonly ViewerResult[];
  /** Segment bytes the origin sent, as the proxy counted them. */
  readonly originBytes: number;
  /** Bytes of one copy of the video's segments. */
  readonly videoBytes: number;
  /** Share of the audience's traffic the origin did not carry: 1 - origin / (N × video). */
  readonly offload: number;
  /** The most any swarm can offload: the first copy must come from the origin. */
  readonly limit: number;
}

/** Runs one session and tears everything down before returning (or throwing). */
export async function runSession(cleanup: Cleanup, options: SessionOptions): Promise<SessionResult> {
  const instance = await startP2PInstance({
    env: { TUBELET_P2P: "on", ...options.env },
    clipSeconds: options.clipSeconds,
    resolutions: [240],
    segmentSeconds: options.segmentSeconds,
  });
  // Registered so Ctrl-C also removes the namespace; run again below, which is harmless.
  cleanup.defer("stop the P2P instance", () => instance.stop());
  if (options.originRate) instance.proxy.limitSegmentRate((options.originRate * instance.video.segmentBytes) / options.clipSeconds);
  try {
    const browser = await launchBrowserInNetwork(instance.network);
    try {
      const viewers: Viewer[] = [];
      for (let n = 1; n <= options.viewers; n++) {
        const viewer = await openViewer(browser, instance.origin, n);
        viewers.push(viewer);
        await viewer.play(instance.watchPath);
        if (n < options.viewers) {
          await waitFor(`viewer ${n} to play ${options.arrivalSeconds} s`, async () => (await viewer.playback()).currentTime >= options.arrivalSeconds, {
            timeoutMs: 60_000,
            intervalMs: 200,
          });
        }
      }
      // Everyone watches to the end; a viewer stuck for good shows up as not finished rather than hanging the bench.
      const deadline = (options.clipSeconds + 60) * 1000;
      await waitFor("every viewer to reach the end", async () => (await Promise.all(viewers.map((v) => v.playback()))).every((p) => p.ended), {
        timeoutMs: deadline,
        intervalMs: 500,
      }).catch(() => undefined);
      const results: ViewerResult[] = [];
      for (const viewer of viewers) {
        const [stats, playback] = await Promise.all([viewer.stats(), viewer.playback()]);
        results.push({ ...stats, stalls: playback.waiting, finished: playback.ended });
      }
      const originBytes = instance.proxy.segmentBytes();
      const videoBytes = instance.video.segmentBytes;
      const n = options.viewers;
      return { viewers: results, originBytes, videoBytes, offload: 1 - originBytes / (n * videoBytes), limit: (n - 1) / n };
    } finally {
      await browser.close().catch(() => {});
    }
  } finally {
    await instance.stop();
  }
}
