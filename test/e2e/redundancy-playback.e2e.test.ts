/**
 * Players use mirrors: B and C mirror A's video; a viewer of A's watch page (through a loopback proxy that can refuse
 * A's /static/ files) keeps playing when A's static files are unreachable, from B's and C's copies. Both players:
 * the HTTP one (VHS) and the P2P one (hls.js with P2P Media Loader).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import type { Redis } from "../../src/queue/redis.ts";
import { launchBrowser, screenshot, watchConsole, type TestBrowser, playMuted } from "../helpers/browser.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { startInstance, type Instance } from "../helpers/federation.ts";
import { freePort, waitFor } from "../helpers/processes.ts";
import { MIRROR_ENV, publishOnOrigin, recordedMirrors, redisFor, runRedundancy } from "../helpers/redundancy.ts";
import type { SeededVideo } from "../helpers/videos.ts";

setDefaultTimeout(90_000);

let a: Instance;
let b: Instance;
let c: Instance;
let redis: Redis;
let video: SeededVideo;
let browser: TestBrowser;
let proxy: ReturnType<typeof Bun.serve>;
/** While true, the proxy answers A's /static/ files with 503, as a static server that went down. */
let staticDown = false;
const refused: string[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([startInstance("ea"), startInstance("eb", MIRROR_ENV), startInstance("ec", MIRROR_ENV)]);
  redis = redisFor(a);
  const published = await publishOnOrigin(a, [b, c], [{ name: "Mirrored clip", views: 50 }], { seconds: 16, resolutions: [144] });
  video = published.videos[0]!;
  await runRedundancy(b, redis);
  await runRedundancy(c, redis);
  await waitFor("A to record both mirrors", async () => (await recordedMirrors(a, video.uuid)).length === 2, { timeoutMs: 20_000 });
  proxy = Bun.serve({
    port: await freePort(),
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      if (staticDown && url.pathname.startsWith("/static/")) {
        refused.push(url.pathname);
        return new Response("down", { status: 503 });
      }
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      // Uncompressed: fetch would decompress the answer but keep its Content-Encoding header.
      const headers = new Headers(request.headers);
      headers.set("accept-encoding", "identity");
      return fetch(`${a.url}${url.pathname}${url.search}`, { method: request.method, headers, body, redirect: "manual" });
    },
  });
  browser = await launchBrowser({ baseURL: `http://127.0.0.1:${proxy.port}` });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  proxy?.stop(true);
  redis?.disconnect();
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
}, 30_000);

/** Plays A's video with A's static files down; returns the mirror hosts that served segments. */
async function playWithOriginDown(page: Page, name: string): Promise<Set<string>> {
  const fromMirrors = new Set<string>();
  const logs: string[] = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (response.ok() && url.pathname.startsWith(`/static/redundancy/hls/${video.uuid}/`) && /\.(m4s|mp4)$/.test(url.pathname)) fromMirrors.add(url.host);
  });
  refused.length = 0;
  staticDown = true;
  try {
    await page.goto(`/w/${video.shortId}`);
    await playMuted(page);
    // Well past the first segments: the player went on fetching from the mirrors.
    await page
      .waitForFunction(() => (document.querySelector("#player video") as HTMLVideoElement | null)?.currentTime! > 10, null, { timeout: 60_000 })
      .catch(async (error: Error) => {
        logs.push(String(await page.evaluate(() => JSON.stringify((window as unknown as { tubeletPlayer: { error(): unknown; currentTime(): number } }).tubeletPlayer.error()))));
        await screenshot(page, `${name}-failed`);
        throw new Error(`${error.message}; refused: ${JSON.stringify(refused)}; mirrors: ${[...fromMirrors].join(", ")}; console: ${logs.slice(0, 20).join(" | ")}`);
      });
    await screenshot(page, name);
    const playerError = await page.evaluate(() => (window as unknown as { tubeletPlayer: { error(): unknown } }).tubeletPlayer.error());
    expect(playerError).toBeNull();
  } finally {
    staticDown = false;
  }
  // A's static files were asked for and refused: the players went elsewhere.
  expect(refused.length).toBeGreaterThan(0);
  return fromMirrors;
}

test("the HTTP player keeps playing from B's and C's mirrors while A's static files are unreachable", async () => {
  const page = await browser.newPage();
  const mirrors = await playWithOriginDown(page, "redundancy-http-origin-down");
  expect(mirrors.size).toBeGreaterThan(0);
  expect([...mirrors].every((host) => host === new URL(b.url).host || host === new URL(c.url).host)).toBe(true);
  await page.close();
});

test("the P2P player keeps playing from the mirrors too", async () => {
  await browser.context.addCookies([{ name: "tubelet_p2p", value: "on", url: `http://127.0.0.1:${proxy.port}` }]);
  const page = await browser.newPage();
  const mirrors = await playWithOriginDown(page, "redundancy-p2p-origin-down");
  expect(mirrors.size).toBeGreaterThan(0);
  await page.close();
});

test("B's administrator sees the mirror on the redundancy page, and saves the settings from it", async () => {
  const boss = await registerUser({ sql: b.db.sql, config: b.config }, { username: "boss", email: "boss@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  await b.db.sql`UPDATE users SET role = 'admin' WHERE id = ${boss.id}`;
  const page = await browser.newPage();
  const console = watchConsole(page);
  await page.goto(`${b.url}/login`);
  await page.getByLabel("Username or e-mail").fill("boss");
  await page.getByLabel("Password").fill("Correct-Horse-42");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.goto(`${b.url}/admin/redundancy`);
  const row = page.locator("#mirrors tbody tr", { hasText: "Mirrored clip" });
  await row.waitFor();
  expect(await row.innerText()).toContain("Most viewed");
  await page.getByLabel("Most mirrored videos in all").fill("3");
  await page.getByRole("button", { name: "Save" }).first().click();
  await page.locator(".alert-info", { hasText: "Saved." }).waitFor();
  expect(await page.getByLabel("Most mirrored videos in all").inputValue()).toBe("3");
  await screenshot(page, "admin-redundancy");
  expect(console.problems()).toEqual([]);
  await page.close();
});
