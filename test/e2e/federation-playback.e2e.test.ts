/**
 * A followed instance's video plays in a real browser on the following instance: B follows a channel of A, a
 * playable video published on A reaches B, and B's watch page plays it from A's playlists and segments (CORS on A's
 * static files, B's content policy allowing A's origin), with no error in the console.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../../src/accounts/service.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { launchBrowser, screenshot, watchConsole, type TestBrowser, playMuted } from "../helpers/browser.ts";
import { startInstance, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { defaultChannelId, publishPlayableVideos, type SeededVideo } from "../helpers/videos.ts";

setDefaultTimeout(60_000);

let a: Instance;
let b: Instance;
let video: SeededVideo;
let seeded: SeededVideo[];
let browser: TestBrowser;

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance("pa"), startInstance("pb")]);
  const alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  seeded = await publishPlayableVideos(a.db.sql, a.config.dataDir, await defaultChannelId(a.db.sql, alice.id), [{ name: "Across instances" }]);
  video = seeded[0]!;
  const bActor = await instanceActor(b.db.sql, b.config);
  const followId = await followRemoteActor({ sql: b.db.sql, config: b.config, queues: b.queues, fetcher: fetcherFor(b.config) }, bActor.id, `${a.url}/video-channels/alice_channel`);
  await waitFor("B's follow to be accepted", async () => {
    const [row] = await b.db.sql`SELECT state FROM subscriptions WHERE follow_activity_id = ${followId}`;
    return row?.state === "accepted";
  });
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");
  await waitFor("the video to reach B", async () => (await b.db.sql`SELECT 1 FROM videos WHERE uuid = ${video.uuid}::uuid`).length > 0, { timeoutMs: 20_000 });
  browser = await launchBrowser({ baseURL: b.url });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
}, 30_000);

test("B's watch page plays A's video from A's files, without console errors", async () => {
  const page: Page = await browser.newPage();
  const console = watchConsole(page);
  const fromA: string[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(`${a.url}/static/videos/${video.uuid}/`)) fromA.push(request.url());
  });
  await page.goto(`/w/${video.shortId}`);
  await playMuted(page);
  await page
    .waitForFunction(() => (document.querySelector("#player video") as HTMLVideoElement | null)?.currentTime! > 1.5, null, { timeout: 30_000 })
    .catch((error: Error) => {
      throw new Error(`${error.message}; requests to A: ${JSON.stringify(fromA)}; console: ${JSON.stringify(console.problems())}`);
    });
  await screenshot(page, "federation-remote-playback");
  expect(fromA.some((url) => url.endsWith("/hls/master.m3u8"))).toBe(true);
  expect(fromA.some((url) => /\.(m4s|mp4)$/.test(url))).toBe(true);
  expect(await page.locator("main").innerText()).toContain(new URL(a.url).host);
  expect(console.problems()).toEqual([]);
});
