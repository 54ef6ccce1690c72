/**
 * Video on demand as a creator and a viewer see it, in headless Chromium against a real server with its
 * worker pool: upload a generated clip through the page, watch the progress bar and the status, then play
 * the video on its watch page and check that time advances. Screenshots go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { launchBrowser, screenshot, startE2eServer, watchConsole, type E2eServer, type TestBrowser, playMuted } from "../helpers/browser.ts";
import { makeClip } from "../helpers/media.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";

setDefaultTimeout(120_000);

let server: E2eServer;
let browser: TestBrowser;
let page: Page;
let consoleWatch: ReturnType<typeof watchConsole>;
let watchUrl = "";
const requested: string[] = [];

beforeAll(async () => {
  server = await startE2eServer({ TUBELET_RESOLUTIONS: "144,240,360", TUBELET_X264_PRESET: "ultrafast", TUBELET_SEGMENT_SECONDS: "2" });
  await registerUser({ sql: server.db.sql, config: parseConfig({}) }, { username: "vera", email: "vera@example.org", password: "Moving-Pictures-1895" });
  browser = await launchBrowser({ baseURL: server.url });
  page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  consoleWatch = watchConsole(page);
  page.on("request", (request) => requested.push(request.url()));
  // Counts WebRTC connections: the HTTP-only player must never make one.
  await page.addInitScript(() => {
    const Real = window.RTCPeerConnection;
    const counter = { constructed: 0 };
    Object.assign(window, { rtcCounter: counter });
    window.RTCPeerConnection = new Proxy(Real, {
      construct(target, args) {
        counter.constructed++;
        return Reflect.construct(target, args);
      },
    });
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

describe("video on demand in a browser", () => {
  test("upload through the page: progress bar, then processing status, then published", async () => {
    await page.goto("/login");
    await page.getByLabel("Username or e-mail").fill("vera");
    await page.getByLabel("Password").fill("Moving-Pictures-1895");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/");

    await page.goto("/videos/upload");
    await screenshot(page, "upload-empty");
    // A refused upload says why and keeps the form.
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByText("Choose a file to upload.").waitFor();

    const clip = await makeClip({ seconds: 6, width: 640, height: 360, name: "holiday.mp4" });
    await page.getByLabel("Video or audio file").setInputFiles(clip);
    await page.getByLabel("Title").fill("Holiday <b>clip</b>");
    await page.getByLabel("Description").fill("A **test** pattern, see https://example.org");
    await page.getByLabel("Tags").fill("test, pattern");
    await page.getByRole("button", { name: "Upload" }).click();
    await page.locator("#upload-progress").waitFor();
    await screenshot(page, "upload-progress");
    await page.locator("#watch-link").waitFor({ timeout: 90_000 });
    await expect(page.locator("#upload-status").textContent()).resolves.toContain("Published.");
    expect(await page.locator("#upload-bar").getAttribute("value")).toBe("100");
    await screenshot(page, "upload-published");
    watchUrl = (await page.locator("#watch-link").getAttribute("href"))!;
    expect(watchUrl).toMatch(/^\/w\/[1-9a-km-zA-HJ-NP-Z]{22}$/);
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("the watch page plays the video with the HTTP-only player: time advances, renditions are offered, no WebRTC", async () => {
    requested.length = 0;
    await page.goto(watchUrl);
    await page.getByRole("heading", { level: 1, name: "Holiday <b>clip</b>" }).waitFor();
    await page.locator(".description strong", { hasText: "test" }).waitFor();
    await playMuted(page);
    await page.waitForFunction(() => (document.querySelector("#player video") as HTMLVideoElement | null)?.currentTime! > 1.5, null, { timeout: 30_000 });
    const options = await page.locator("#quality option").allTextContents();
    expect(options).toEqual(["Auto", "360p", "240p", "144p"]);
    await screenshot(page, "watch-playing");
    // The HTTP bundle counts what it fetched, for the instance's P2P share.
    expect(await page.evaluate(() => (window as unknown as { tubeletStats(): { httpBytes: number; peers: number } }).tubeletStats())).toMatchObject({ peers: 0 });
    await page.waitForFunction(() => (window as unknown as { tubeletStats(): { httpBytes: number } }).tubeletStats().httpBytes > 0);
    expect(requested.some((url) => url.includes("/player-http.js"))).toBe(true);
    expect(requested.filter((url) => url.includes("/player-p2p.js"))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { rtcCounter: { constructed: number } }).rtcCounter.constructed)).toBe(0);
    expect(consoleWatch.problems()).toEqual([]);
  });

  test("the home page lists the new video with its thumbnail and duration", async () => {
    await page.goto("/");
    const card = page.locator(".video-card", { hasText: "Holiday <b>clip</b>" });
    await card.waitFor();
    await expect(card.locator(".duration").textContent()).resolves.toBe("0:06");
    await page.waitForFunction(() => {
      const img = document.querySelector(".video-card img") as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await screenshot(page, "home-with-video");
    expect(consoleWatch.problems()).toEqual([]);
  });
});
