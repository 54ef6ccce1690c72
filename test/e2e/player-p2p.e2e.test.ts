/**
 * The P2P player bundle in headless Chromium, without peers: the real watch page view (with `p2p`) and
 * the real embedded assets, served by a small Bun.serve in the test next to a ladder made by
 * transcodeToHlsLadder and a tracker socket that never answers. The page must play entirely over HTTP,
 * list the renditions, toggle the stats overlay, report its bytes, and log no errors.
 * Playing with real peers needs a non-loopback network (see DESIGN.md); that is the P2P swarm test's job.
 */
import { testPage } from "../helpers/page.ts";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Server } from "bun";
import { launchBrowser, screenshot, watchConsole, type TestBrowser, playMuted } from "../helpers/browser.ts";
import { makeClip } from "../helpers/media.ts";
import { loadAssets, type Assets } from "../../src/http/assets.ts";
import { safeJoin, serveFile } from "../../src/http/static.ts";
import { transcodeToHlsLadder } from "../../src/transcoding/vod.ts";
import { WatchPage, type WatchView } from "../../views/pages/watch.tsx";

setDefaultTimeout(60_000);

// The policy src/server.ts sends with every page, so the bundle is tested under it (workers from blob:,
// MSE media from blob:, the tracker WebSocket on the page's own origin).
const CSP =
  "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; font-src 'self' data:; frame-ancestors 'none'; " +
  "base-uri 'self'; form-action 'self'";

interface Stats {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  peers: number;
  rendition: string;
  bufferAhead: number;
}

let work: string;
let assets: Assets;
let server: Server<undefined>;
let browser: TestBrowser;
let page: Page;
let consoleWatch: ReturnType<typeof watchConsole>;
const requested: string[] = [];
const trackerMessages: unknown[] = [];
const reports: { path: string; body: string; type: string | null }[] = [];
/** Bytes of segment files (init and media) the server answered with. */
let servedSegmentBytes = 0;

function watchView(origin: string): WatchView {
  return {
    id: 42, shortId: "p2pTestVideo", uuid: "00000000-0000-4000-8000-000000000042", name: "P2P <test>", description: "", tags: [],
    duration: 8, views: 0, publishedAt: new Date(), createdAt: new Date(), state: "published", stateReason: null, progress: 100,
    privacy: 1, audioOnly: false, width: 640, height: 360, channelHandle: "test", channelDisplayName: "Test", channelAvatarUrl: null,
    masterUrl: "/media/hls/master.m3u8", posterUrl: "/media/preview.jpg", thumbnailUrl: "/media/thumbnail.jpg", downloadUrl: null,
    hashesUrl: "/media/hls/segments-sha256.json", swarmId: "tubelet:test-swarm",
    trackers: [`${origin.replace(/^http/, "ws")}/tracker/socket`], stunServers: [],
    p2pSettings: { highDemandTimeWindow: 20, httpDownloadInitialTimeoutMs: 0, cachedSegmentsCount: 10 },
  };
}

function renderPage(origin: string): string {
  const context = testPage({ instanceName: "Tubelet test", assets: assets.urls, now: new Date() });
  return String(WatchPage({ page: context, video: watchView(origin), canManage: false, publicUrl: origin, p2p: true }));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "tubelet-player-p2p-"));
  const clip = await makeClip({ seconds: 8, width: 640, height: 360 });
  await transcodeToHlsLadder({
    input: clip,
    outputDir: join(work, "media"),
    workDir: join(work, "work"),
    ladder: { resolutions: [144, 240, 360], preset: "ultrafast", segmentSeconds: 2 },
  });
  assets = await loadAssets();
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, srv) {
      const { pathname } = new URL(request.url);
      if (pathname === "/tracker/socket") return srv.upgrade(request) ? undefined : new Response("upgrade expected", { status: 400 });
      if (pathname === "/") return new Response(renderPage(srv.url.origin), { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP } });
      if (pathname === "/favicon.svg") return new Response(Bun.file(assets.favicon), { headers: { "content-type": "image/svg+xml" } });
      const asset = assets.byUrl(pathname);
      if (asset) return new Response(asset.body, { headers: { "content-type": asset.type } });
      if (pathname.startsWith("/media/")) {
        const path = safeJoin(join(work, "media"), pathname.slice("/media/".length));
        if (!path) return new Response("Not found", { status: 404 });
        const response = await serveFile(path, request);
        if (/\.(m4s|mp4)$/.test(path) && response.ok) servedSegmentBytes += Number(response.headers.get("content-length"));
        // Nothing from the browser's cache: every byte the player counts went over the wire.
        response.headers.set("cache-control", "no-store");
        return response;
      }
      // The watch page loads its comments once they scroll into view; this page has none.
      if (pathname === "/w/p2pTestVideo/comments") return new Response('<div id="comments-body"></div>', { headers: { "content-type": "text/html; charset=utf-8" } });
      if (request.method === "POST" && /^\/api\/v1\/videos\/42\/(views|p2p-stats)$/.test(pathname)) {
        reports.push({ path: pathname, body: await request.text(), type: request.headers.get("content-type") });
        return new Response(null, { status: 204 });
      }
      return new Response("Not found", { status: 404 });
    },
    // A tracker that listens and never answers: the player announces and finds nobody.
    websocket: { message: (_ws, message) => void trackerMessages.push(JSON.parse(String(message))) },
  });
  browser = await launchBrowser({ baseURL: server.url.origin });
  page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  consoleWatch = watchConsole(page);
  page.on("request", (request) => requested.push(request.url()));
  await page.addInitScript(() => {
    const Real = window.RTCPeerConnection;
    const counter = { constructed: 0, iceServers: [] as unknown[] };
    Object.assign(window, { rtcCounter: counter });
    window.RTCPeerConnection = new Proxy(Real, {
      construct(target, args) {
        counter.constructed++;
        counter.iceServers.push(...((args[0] as RTCConfiguration | undefined)?.iceServers ?? []));
        return Reflect.construct(target, args);
      },
    });
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop(true);
  if (work) await rm(work, { recursive: true, force: true });
}, 30_000);

/** Polls a condition on the test's side (server state) with a deadline. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(50);
  }
}

const stats = () => page.evaluate(() => (window as unknown as { tubeletStats(): Stats }).tubeletStats());

describe("the P2P player without peers", () => {
  test("plays everything over HTTP: time advances, no peer bytes", async () => {
    await page.goto("/");
    await playMuted(page);
    await page.waitForFunction(() => (document.querySelector("#player video") as HTMLVideoElement | null)?.currentTime! > 1.5, null, { timeout: 30_000 });
    expect(await stats()).toMatchObject({ p2pBytes: 0, uploadedBytes: 0, peers: 0 });
    // Segment bytes are counted once: the core's loads by its chunk events, the init segments hls.js
    // loads itself by the counting loader; never more than the server sent. Usually exactly that, but a
    // load abandoned after the server finished answering (the core drops its prefetch of a rendition
    // when ABR switches away) is served yet never read, hence the margin below. Polled: loads may be in flight.
    const counted = () => stats().then((s) => s.httpBytes);
    const deadline = Date.now() + 10_000;
    while ((await counted()) !== servedSegmentBytes && Date.now() < deadline) await Bun.sleep(100);
    expect(await counted()).toBeLessThanOrEqual(servedSegmentBytes);
    expect(await counted()).toBeGreaterThan(servedSegmentBytes * 0.75);
    expect(requested.some((url) => url.includes("/player-p2p.js"))).toBe(true);
    expect(requested.filter((url) => url.includes("/player-http.js"))).toEqual([]);
    // It did look for peers: announced to the tracker with WebRTC offers (the counter works, so the
    // HTTP-only page's zero in vod.e2e.test.ts means something).
    await until(() => trackerMessages.some((m) => (m as { action?: string }).action === "announce"));
    const rtc = await page.evaluate(() => (window as unknown as { rtcCounter: { constructed: number; iceServers: unknown[] } }).rtcCounter);
    expect(rtc.constructed).toBeGreaterThan(0);
    // data-stun="[]" means no STUN at all, not the library's default Google and Twilio servers.
    expect(rtc.iceServers).toEqual([]);
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("the quality menu lists the renditions and pins one", async () => {
    await page.waitForFunction(() => document.querySelectorAll("#quality option").length > 1);
    expect(await page.locator("#quality option").allTextContents()).toEqual(["Auto", "360p", "240p", "144p"]);
    await page.locator("#quality").selectOption("144");
    // From the start again, in case a slow machine already played to the end.
    await page.evaluate(() => {
      const player = (window as unknown as { tubeletPlayer: { currentTime(t: number): void; play(): Promise<void> } }).tubeletPlayer;
      player.currentTime(0);
      return player.play();
    });
    await page.waitForFunction(() => (window as unknown as { tubeletStats(): Stats }).tubeletStats().rendition.startsWith("144p"));
    await page.locator("#quality").selectOption("auto");
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("the stats overlay toggles from its control-bar button and the i key", async () => {
    const overlay = page.locator("#player-stats");
    await expect(overlay.isVisible()).resolves.toBe(false);
    // While playing, video.js hides the control bar from an idle user; moving the mouse brings it back.
    await page.locator("#player").hover();
    await page.locator(".vjs-stats-button").click();
    await overlay.waitFor({ state: "visible" });
    const text = await overlay.innerText();
    for (const label of ["Rendition", "Buffer ahead", "From HTTP", "From peers", "Uploaded", "Peers"]) expect(text).toContain(label);
    await screenshot(page, "player-p2p-stats");
    // With the focus inside the player (video.js's hotkeys), then outside it (the page's listener).
    await page.keyboard.press("i");
    await overlay.waitFor({ state: "hidden" });
    await page.keyboard.press("i");
    await overlay.waitFor({ state: "visible" });
    await page.locator("h1").click();
    await page.keyboard.press("i");
    await overlay.waitFor({ state: "hidden" });
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("counts its HTTP bytes exactly, a view after 5 s, and reports the bytes when the page goes away", async () => {
    await until(() => reports.some((r) => r.path.endsWith("/views")), 30_000);
    const before = await stats();
    await page.goto("about:blank");
    await until(() => reports.some((r) => r.path.endsWith("/p2p-stats")));
    expect(reports.filter((r) => r.path.endsWith("/views"))).toHaveLength(1);
    const sent = reports.filter((r) => r.path.endsWith("/p2p-stats"));
    const total = sent.map((r) => JSON.parse(r.body) as Record<string, number>).reduce((sum, r) => sum + r.httpBytes!, 0);
    expect(Object.keys(JSON.parse(sent[0]!.body)).sort()).toEqual(["httpBytes", "p2pBytes", "peers", "uploadedBytes"]);
    expect(sent[0]!.type).toBe("application/json");
    expect(total).toBeGreaterThanOrEqual(before.httpBytes);
    expect(consoleWatch.problems()).toEqual([]);
  });
});
