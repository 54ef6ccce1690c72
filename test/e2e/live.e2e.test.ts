/**
 * Live streaming end to end: the whole server with its RTMP listener (startLiveInstance), the test card pushed
 * over RTMP from the root namespace, and headless Chromium viewers with P2P in a network namespace (WebRTC never
 * uses loopback; see test/helpers/netns.ts).
 *
 * - low latency: a viewer waits on the page before the stream starts; when it starts the page swaps in the
 *   player by itself (no reload) and plays; a second viewer joins; they exchange segments over P2P; when the
 *   publisher stops, both pages show the ended state within ~10 s;
 * - normal latency with the replay saved: ~12 s published, then the ended page links the replay, which gets
 *   published as a video.
 * Screenshots of the waiting, live and ended states go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { runTestcard } from "../../src/live/testcard.ts";
import { screenshot, watchConsole } from "../helpers/browser.ts";
import { launchBrowserInNetwork, openViewer, type Viewer, type ViewerStats } from "../helpers/netns.ts";
import { startLiveInstance, type LiveInstance } from "../helpers/live-network.ts";
import { waitFor } from "../helpers/processes.ts";

setDefaultTimeout(90_000);

const P2P_ON = { tubelet_p2p: "on" };
/** A small test card and a one-rung ladder keep ffmpeg and two players light on a CI machine. */
const CARD = { width: 640, height: 360, fps: 25 } as const;
/** The live area's states, as the watch page renders them (views/components/live.tsx). */
const WAITING = "#live-area #live-placeholder:not(.live-ended)";
const PLAYER = "#live-area video#player, #live-area #player video";
const ENDED = "#live-area .live-ended";

let instance: LiveInstance;
let browser: Browser;

beforeAll(async () => {
  instance = await startLiveInstance({ env: { TUBELET_LIVE_RESOLUTIONS: "360" } });
  browser = await launchBrowserInNetwork(instance.network);
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await instance?.stop();
}, 30_000);

/** Publishes the test card until `signal` aborts or `seconds` pass; stderr is kept for failure messages. */
function publish(live: { rtmpUrl: string; streamKey: string }, options: { signal?: AbortSignal; seconds: number }) {
  let stderr = "";
  const exited = runTestcard({
    url: live.rtmpUrl,
    key: live.streamKey,
    durationSeconds: options.seconds,
    signal: options.signal,
    ...CARD,
    onStderr: (text) => (stderr += text),
  });
  return { exited, stderr: () => stderr };
}

/** Waits for the page's player (swapped in or rendered) and starts it muted, as a viewer pressing play would. */
async function startPlaying(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(() => "tubeletPlayer" in window && document.querySelector("#live-area video") !== null, undefined, { timeout: timeoutMs });
  await page.evaluate(() => {
    const player = (window as unknown as { tubeletPlayer: { muted(v: boolean): void; play(): Promise<void> | undefined } }).tubeletPlayer;
    player.muted(true);
    // A rejected play() (source not ready yet) is not a failure here: the playhead check below is.
    void player.play()?.catch(() => {});
  });
}

/** Waits until the viewer's playhead has moved `seconds` past where it is now; a failure says what the page logged. */
async function playsOn(viewer: Viewer, seconds: number, pageConsole?: { problems(): string[] }, timeoutMs = 30_000): Promise<void> {
  const from = (await viewer.playback()).currentTime;
  await waitFor(`viewer ${viewer.number} to play ${seconds} s`, async () => (await viewer.playback()).currentTime >= from + seconds, { timeoutMs, intervalMs: 200 }).catch(
    async (error: Error) => {
      const playerError = await viewer.page.evaluate(() => (window as unknown as { tubeletPlayer?: { error(): { message?: string } | null } }).tubeletPlayer?.error()?.message ?? null);
      throw new Error(`${error.message}; the player's error: ${playerError ?? "none"}; the page's console: ${JSON.stringify(pageConsole?.problems() ?? [])}`);
    },
  );
}

/** Exceptions thrown in a page; console errors such as playlists gone after the end are not counted. */
function exceptions(problems: string[]): string[] {
  return problems.filter((p) => p.startsWith("exception:"));
}

describe("live streaming", () => {
  test("low latency: waiting page swaps to the player by itself, two viewers share over P2P, both see the end", async () => {
    const live = await instance.api.createLive({ name: "Low latency live", latency: "low" });
    const first = await openViewer(browser, instance.origin, 1, { cookies: P2P_ON });
    const firstConsole = watchConsole(first.page);
    let navigations = 0;
    first.page.on("framenavigated", (frame) => {
      if (frame === first.page.mainFrame()) navigations++;
    });
    await first.page.goto(live.watchPath);
    await first.page.locator(WAITING).waitFor({ state: "visible" });
    expect(await first.page.locator(PLAYER).count()).toBe(0);
    await screenshot(first.page, "live-waiting");
    const loaded = navigations;

    const stop = new AbortController();
    const publisher = publish(live, { signal: stop.signal, seconds: 120 });
    try {
      await startPlaying(first.page).catch((error: Error) => {
        throw new Error(`the waiting page did not swap in the player: ${error.message}\npublisher: ${publisher.stderr()}`);
      });
      await playsOn(first, 3, firstConsole);
      expect(navigations).toBe(loaded);
      await screenshot(first.page, "live-playing", { fullPage: false });

      const second = await openViewer(browser, instance.origin, 2, { cookies: P2P_ON });
      const secondConsole = watchConsole(second.page);
      await second.page.goto(live.watchPath);
      await startPlaying(second.page);
      await playsOn(second, 3, secondConsole);

      const viewers = [first, second];
      // Bytes one viewer received from a peer and the other sent: the sharing itself. A count of connected peers
      // is only a moment's view; P2P Media Loader drops a peer on a protocol hiccup and finds it again only at
      // its next announce, which on a busy machine came after this deadline with the bytes already shared.
      const shared = await waitFor(
        "one viewer to receive segment bytes from a peer and the other to send them",
        async () => {
          const stats = await Promise.all(viewers.map((v) => v.stats()));
          const [a, b] = stats as [ViewerStats, ViewerStats];
          return (a.p2pBytes > 0 && b.uploadedBytes > 0) || (b.p2pBytes > 0 && a.uploadedBytes > 0) ? stats : null;
        },
        { timeoutMs: 45_000, intervalMs: 500 },
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await Promise.all(viewers.map((v) => v.stats())))}`);
      });
      expect(shared.reduce((sum, s) => sum + s.p2pBytes, 0)).toBeGreaterThan(0);

      stop.abort();
      const stoppedAt = Date.now();
      await Promise.all(viewers.map((v) => v.page.locator(ENDED).waitFor({ state: "visible", timeout: 12_000 })));
      const endedAfter = Date.now() - stoppedAt;
      expect(endedAfter).toBeLessThanOrEqual(12_000);
      expect(navigations).toBe(loaded);
      await screenshot(first.page, "live-ended");
      expect(exceptions(firstConsole.problems())).toEqual([]);
      expect(exceptions(secondConsole.problems())).toEqual([]);
      await second.close();
    } finally {
      stop.abort();
      await publisher.exited.catch(() => {});
      await first.close();
    }
  }, 120_000);

  test("normal latency with replay: ~12 s on air, then the ended page links the replay, which gets published", async () => {
    const live = await instance.api.createLive({ name: "Live with a replay", latency: "normal", saveReplay: true });
    const viewer = await openViewer(browser, instance.origin, 3, { cookies: P2P_ON });
    const problems = watchConsole(viewer.page);
    try {
      await viewer.page.goto(live.watchPath);
      await viewer.page.locator(WAITING).waitFor({ state: "visible" });
      const publisher = publish(live, { seconds: 12 });
      await viewer.page.locator(PLAYER).first().waitFor({ state: "attached", timeout: 12_000 });
      const code = await publisher.exited;
      expect({ code, stderr: publisher.stderr() }).toMatchObject({ code: 0 });

      await viewer.page.locator(ENDED).waitFor({ state: "visible", timeout: 12_000 });
      const link = viewer.page.locator("#live-replay");
      await link.waitFor({ state: "visible", timeout: 60_000 });
      await screenshot(viewer.page, "live-replay-link");
      const href = await link.getAttribute("href");
      expect(href).toMatch(/^\/w\/[\w-]+$/);
      const replayId = href!.slice("/w/".length);
      const replay = await waitFor(
        "the replay to be published",
        async () => {
          const video = await instance.api.get<{ state: { id: number; label?: string }; isLive?: boolean; duration: number }>(`/api/v1/videos/${replayId}`);
          if (video.state.id === 7) throw new Error(`the replay failed: ${JSON.stringify(video.state)}`);
          return video.state.id === 1 ? video : null;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      // About the 12 s that were on air (the start may lose a moment to probing, the end a partial segment).
      expect(replay.duration).toBeGreaterThanOrEqual(8);
      expect(replay.duration).toBeLessThanOrEqual(16);
      expect(exceptions(problems.problems())).toEqual([]);
    } finally {
      await viewer.close();
    }
  }, 150_000);
});
