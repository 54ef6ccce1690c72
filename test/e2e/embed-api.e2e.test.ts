/**
 * PeerTube's embed API against our embed page, in headless Chromium: a parent page on another origin (a second
 * Bun.serve) loads the real `@peertube/embed-api` package, bundled for the browser, and drives an <iframe> of
 * /videos/embed/:id on a real server with a real transcoded video. Also checks the embed's URL options and the
 * watch page's ?start=. Screenshots go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Server } from "bun";
import type { Frame, Page } from "playwright-core";
import { join } from "node:path";
import { launchBrowser, screenshot, startE2eServer, watchConsole, type E2eServer, type TestBrowser, playMuted } from "../helpers/browser.ts";
import { defaultChannelId, publishPlayableVideos, type SeededVideo } from "../helpers/videos.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";
import { P2P_COOKIE } from "../../src/p2p/consent.ts";

setDefaultTimeout(90_000);

let server: E2eServer;
let parent: Server<undefined>;
let browser: TestBrowser;
let page: Page;
let consoleWatch: ReturnType<typeof watchConsole>;
let video: SeededVideo;

/** The package's browser build (jschannel included), exposed as window.PeerTubePlayer like its CDN build. */
async function bundleEmbedApi(): Promise<string> {
  const entry = join(import.meta.dir, "embed-api-parent.entry.ts");
  const result = await Bun.build({
    entrypoints: [entry],
    files: { [entry]: `import { PeerTubePlayer } from "@peertube/embed-api/build/player.min.js";\nObject.assign(window, { PeerTubePlayer });\n` },
    target: "browser",
    format: "iife",
  });
  if (!result.success) throw new AggregateError(result.logs, "bundling @peertube/embed-api failed");
  return result.outputs[0]!.text();
}

/** A plain page of another site: the API script and one iframe of the embed URL given in ?embed=. */
function startParentSite(script: string): Server<undefined> {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/embed-api.js") return new Response(script, { headers: { "content-type": "text/javascript" } });
      if (url.pathname !== "/") return new Response("not here", { status: 404 });
      const src = (url.searchParams.get("embed") ?? "").replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
      const html = `<!doctype html><html><head><title>Another site</title><link rel="icon" href="data:,"><script src="/embed-api.js"></script></head>
        <body style="font-family: sans-serif"><h1>Another site embeds a Tubelet video</h1>
        <iframe id="embed" width="560" height="315" src="${src}" allow="autoplay; fullscreen" allowfullscreen
          sandbox="allow-same-origin allow-scripts allow-popups"></iframe></body></html>`;
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    },
  });
}

interface Status {
  position: number;
  volume: number;
  duration: number;
  playbackState: string;
}
type EmbedWindow = Window & {
  PeerTubePlayer: new (iframe: HTMLIFrameElement) => Record<string, (...args: unknown[]) => Promise<unknown>> & { ready: Promise<void>; addEventListener(e: string, h: (v: unknown) => void): void };
  pt: Record<string, (...args: unknown[]) => Promise<unknown>>;
  updates: Status[];
  changes: string[];
  resolutionUpdates: unknown[];
};

/** Opens the parent site with the embed of `query`, builds the API's player and waits until it is ready. */
async function openParent(query = ""): Promise<void> {
  const embedUrl = `${server.url}/videos/embed/${video.shortId}${query}`;
  await page.goto(`http://127.0.0.1:${parent.port}/?embed=${encodeURIComponent(embedUrl)}`);
  await page.evaluate(async () => {
    const w = window as unknown as EmbedWindow;
    const pt = new w.PeerTubePlayer(document.getElementById("embed") as HTMLIFrameElement);
    Object.assign(w, { pt, updates: [], changes: [], resolutionUpdates: [] });
    pt.addEventListener("playbackStatusUpdate", (status) => w.updates.push(status as Status));
    pt.addEventListener("playbackStatusChange", (state) => w.changes.push(state as string));
    pt.addEventListener("resolutionUpdate", (list) => w.resolutionUpdates.push(list));
    await pt.ready;
  });
}

/** Calls a method of the embed API's player in the parent page. */
function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (window as unknown as EmbedWindow).pt[m as string]!(...(a as unknown[])), [method, args] as const) as Promise<T>;
}

/** Waits for a status update matching `predicate` (a function body over `s`), received after `since` updates. */
async function waitForStatus(predicate: string, since = 0): Promise<Status> {
  const handle = await page.waitForFunction(
    ([body, from]) => {
      const test = new Function("s", `return ${body}`) as (s: Status) => boolean;
      return (window as unknown as EmbedWindow).updates.slice(from as number).find(test) ?? false;
    },
    [predicate, since] as const,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as Status;
}

const updateCount = () => page.evaluate(() => (window as unknown as EmbedWindow).updates.length);

function embedFrame(): Frame {
  const frame = page.frames().find((f) => f.url().includes("/videos/embed/"));
  if (!frame) throw new Error("the embed frame is missing");
  return frame;
}

beforeAll(async () => {
  server = await startE2eServer();
  const sql = server.db.sql;
  const user = await registerUser({ sql, config: parseConfig({}) }, { username: "ema", email: "ema@example.org", password: "Embedded-Player-9" });
  const [published] = await publishPlayableVideos(sql, server.dataDir, await defaultChannelId(sql, user.id), [{ name: "Embedded <clip>" }], {
    seconds: 8,
    resolutions: [144, 240],
  });
  video = published!;
  parent = startParentSite(await bundleEmbedApi());
  browser = await launchBrowser();
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  consoleWatch = watchConsole(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  parent?.stop(true);
  await server?.stop();
}, 30_000);

describe("PeerTube's embed API drives our embed from another origin", () => {
  test("ready, resolutions, volume, playback rate, play with advancing status, pause, seek", async () => {
    await openParent();
    expect(new URL(page.url()).origin).not.toBe(new URL(server.url).origin);

    const resolutions = await call<{ id: number; label: string; active: boolean }[]>("getResolutions");
    expect(resolutions.map((r) => [r.id, r.label, r.active])).toEqual([[-1, "Auto", true], [240, "240p", false], [144, "144p", false]]);

    await call("setVolume", 0.25);
    expect(await call<number>("getVolume")).toBe(0.25);
    expect(await call<number[]>("getPlaybackRates")).toEqual([0.5, 1, 1.25, 1.5, 2]);
    await call("setPlaybackRate", 1.5);
    expect(await call<number>("getPlaybackRate")).toBe(1.5);
    await call("setPlaybackRate", 1);

    const before = await updateCount();
    await call("play");
    const first = await waitForStatus("s.playbackState === 'playing' && s.position > 0.2", before);
    const later = await waitForStatus(`s.playbackState === 'playing' && s.position > ${first.position + 0.5}`, before);
    expect(later.volume).toBe(0.25);
    expect(later.duration).toBeGreaterThan(7);
    expect(await call<boolean>("isPlaying")).toBe(true);

    await call("pause");
    const paused = await waitForStatus("s.playbackState === 'paused'", await updateCount());
    expect(paused.position).toBeGreaterThanOrEqual(later.position);

    await call("seek", 2);
    const sought = await waitForStatus("s.playbackState === 'paused' && Math.abs(s.position - 2) < 0.1", await updateCount());
    expect(sought.position).toBeCloseTo(2, 1);
    expect(await call<number>("getCurrentTime")).toBeCloseTo(2, 1);
    expect(await page.evaluate(() => (window as unknown as EmbedWindow).changes)).toEqual(["playing", "paused"]);
    await screenshot(page, "embed-api-parent");
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("setResolution pins a rendition in the embed's own menu, -1 returns to Auto, an unknown id is refused", async () => {
    await call("setResolution", 144);
    let resolutions = await call<{ id: number; active: boolean }[]>("getResolutions");
    expect(resolutions.filter((r) => r.active).map((r) => r.id)).toEqual([144]);
    expect(await embedFrame().locator("#quality").inputValue()).toBe("144");
    const updates = await page.evaluate(() => (window as unknown as EmbedWindow).resolutionUpdates);
    expect(updates.at(-1)).toEqual(resolutions);

    await call("setResolution", -1);
    resolutions = await call<{ id: number; active: boolean }[]>("getResolutions");
    expect(resolutions.filter((r) => r.active).map((r) => r.id)).toEqual([-1]);
    expect(await embedFrame().locator("#quality").inputValue()).toBe("auto");

    const refused = await page.evaluate(() => (window as unknown as EmbedWindow).pt.setResolution!(999).then(() => "resolved", (e: unknown) => String(e)));
    expect(refused).toBe("Error");
    expect(await call<unknown[]>("getCaptions")).toEqual([]);
    expect(String(await call<string>("getImageDataUrl"))).toMatch(/^data:image\/jpeg;base64,/);
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("the embed honours start, muted, autoplay and loop from its URL", async () => {
    await openParent("?start=0m3s&muted=1&autoplay=1&loop=1");
    const status = await waitForStatus("s.playbackState === 'playing' && s.position > 0");
    // Without ?start= the first report would say well under a second.
    expect(status.position).toBeGreaterThanOrEqual(2.9);
    // And it plays on from there.
    await waitForStatus(`s.playbackState === 'playing' && s.position > ${status.position + 0.5}`);
    const media = await embedFrame().evaluate(() => {
      const v = document.querySelector("#player video") as HTMLVideoElement;
      return { muted: v.muted, loop: v.loop };
    });
    expect(media).toEqual({ muted: true, loop: true });
    await screenshot(page, "embed-api-autoplay");
    expect(consoleWatch.problems()).toEqual([]);
  });
});

describe("the P2P player bundle answers the embed API too", () => {
  test("for a viewer who accepted P2P: ready, hls.js renditions, pinning one, playing", async () => {
    const { hostname } = new URL(server.url);
    await browser.context.addCookies([{ name: P2P_COOKIE, value: "on", domain: hostname, path: "/" }]);
    const requested: string[] = [];
    const onRequest = (request: { url(): string }) => requested.push(request.url());
    page.on("request", onRequest);
    try {
      await openParent();
      expect(requested.some((url) => url.includes("/player-p2p.js"))).toBe(true);
      const resolutions = await call<{ id: number; active: boolean }[]>("getResolutions");
      expect(resolutions.map((r) => r.id)).toEqual([-1, 240, 144]);
      await call("setResolution", 240);
      expect((await call<{ id: number; active: boolean }[]>("getResolutions")).filter((r) => r.active).map((r) => r.id)).toEqual([240]);
      await call("setVolume", 0);
      const before = await updateCount();
      await call("play");
      const first = await waitForStatus("s.playbackState === 'playing' && s.position > 0.2", before);
      await waitForStatus(`s.playbackState === 'playing' && s.position > ${first.position + 0.5}`, before);
      await call("pause");
      // The tracker's URL comes from the instance's public URL (localhost:9000 here, not this test server's port),
      // so the page's CSP blocks it; peers are the P2P swarm test's job (they need a non-loopback network).
      expect(consoleWatch.problems([/tracker\/socket/])).toEqual([]);
    } finally {
      page.off("request", onRequest);
      await browser.context.clearCookies();
      await page.goto("about:blank");
      consoleWatch.clear();
    }
  });
});

describe("the watch page", () => {
  test("starts at ?start= on first play", async () => {
    await page.goto(`${server.url}/w/${video.shortId}?start=5`);
    await playMuted(page);
    const time = await page.waitForFunction(() => {
      const v = document.querySelector("#player video") as HTMLVideoElement | null;
      return v && !v.paused && v.currentTime > 0 ? v.currentTime : false;
    });
    expect((await time.jsonValue()) as number).toBeGreaterThanOrEqual(4.9);
    expect(consoleWatch.problems()).toEqual([]);
  });
});

describe("the share panel", () => {
  test("link and embed code start where the player is, and copy to the clipboard", async () => {
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await page.evaluate(() => (window as unknown as { tubeletPlayer: { pause(): void } }).tubeletPlayer.pause());
    const seconds = await page.evaluate(() => Math.floor((document.querySelector("#player video") as HTMLVideoElement).currentTime));
    expect(seconds).toBeGreaterThanOrEqual(5);

    await page.getByRole("button", { name: "Share", exact: true }).click();
    const link = page.locator("#share-link");
    await link.waitFor();
    expect(await link.inputValue()).toEndWith(`/w/${video.shortId}`);
    await page.getByLabel("Start at").check();
    expect(await link.inputValue()).toEndWith(`/w/${video.shortId}?start=${seconds}s`);
    expect(await page.locator("#share-embed").inputValue()).toContain(`/videos/embed/${video.shortId}?start=${seconds}s"`);
    await screenshot(page, "share-panel");

    await page.getByRole("button", { name: "Copy link" }).click();
    await page.getByRole("status").filter({ hasText: "Copied." }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await link.inputValue());
    await page.getByRole("button", { name: "Copy embed code" }).click();
    await page.waitForFunction(() => navigator.clipboard.readText().then((text) => text.startsWith("<iframe ")));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.locator("#share-embed").inputValue());

    // Escape closes it.
    await page.keyboard.press("Escape");
    await page.locator("#share-panel").waitFor({ state: "hidden" });
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("fits a 360 px wide screen", async () => {
    const narrow = await browser.newPage({ width: 360, height: 740 });
    const problems = watchConsole(narrow);
    await narrow.goto(`${server.url}/w/${video.shortId}`);
    await narrow.getByRole("button", { name: "Share", exact: true }).click();
    const box = (await narrow.locator("#share-panel").boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await screenshot(narrow, "share-panel-360", { fullPage: false });
    expect(problems.problems()).toEqual([]);
    await narrow.close();
  });
});
