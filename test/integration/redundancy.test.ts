/**
 * Redundancy between three instances on loopback: B and C follow A and mirror its most-viewed video, A records both
 * CacheFiles after checking the mirrors' segments and lists them in its API; a mirror serving corrupted segments is
 * dropped, one that stops answering after three checks; a CacheFile from an instance A does not accept is ignored; eviction waits for the minimum lifetime and
 * sends an Undo; renewal sends an Update; the admin page works for administrators only; A's delete of the video
 * removes the mirrors.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { UserRow } from "../../src/accounts/queries.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { TestClient } from "../helpers/app.ts";
import { instanceActor } from "../../src/federation/actors.ts";
import { enqueueDeliveries } from "../../src/federation/delivery.ts";
import { localActorUri } from "../../src/federation/urls.ts";
import type { Redis } from "../../src/queue/redis.ts";
import { toCacheFileActivity, toCacheFileObject } from "../../src/redundancy/cache-file.ts";
import { mirrorDir } from "../../src/redundancy/mirrors.ts";
import { saveRedundancySettings, settingsFromConfig } from "../../src/redundancy/settings.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { deleteVideo, type VideosDeps } from "../../src/videos/service.ts";
import { startInstance, waitForQueueIdle, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { MIRROR_ENV, publishOnOrigin, recordedMirrors, redisFor, runRedundancy } from "../helpers/redundancy.ts";
import type { SeededVideo } from "../helpers/videos.ts";

let a: Instance;
let b: Instance;
let c: Instance;
let redis: Redis;
let alice: UserRow;
let popular: SeededVideo;
let quiet: SeededVideo;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startInstance("ra"), startInstance("rb", MIRROR_ENV), startInstance("rc", MIRROR_ENV)]);
  redis = redisFor(a);
  const published = await publishOnOrigin(a, [b, c], [{ name: "Popular clip", views: 100 }, { name: "Quiet clip", views: 3 }]);
  alice = published.alice;
  [popular, quiet] = published.videos as [SeededVideo, SeededVideo];
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
}, 30_000);

const hostOf = (i: Instance) => new URL(i.url).host;

async function mirrorRow(instance: Instance, uuid: string) {
  const [row] = await instance.db.sql<{ strategy: string; sizeBytes: number; expiresAt: Date }[]>`
    SELECT strategy, size_bytes::float8 AS size_bytes, expires_at FROM video_mirrors WHERE uuid = ${uuid}::uuid`;
  return row ?? null;
}

async function processedOnA(activityId: string): Promise<void> {
  await waitFor(`A to process ${activityId}`, async () => (await a.db.sql`SELECT 1 FROM ap_inbox_seen WHERE activity_id = ${activityId}`).length > 0, { timeoutMs: 20_000 });
  await waitForQueueIdle(a, "ap-inbox");
}

test("B and C mirror A's most-viewed video; A checks and records both CacheFiles and lists them in its API", async () => {
  const [fromB, fromC] = [await runRedundancy(b, redis), await runRedundancy(c, redis)];
  expect(fromB.mirrored).toEqual(["Popular clip"]);
  expect(fromC.mirrored).toEqual(["Popular clip"]);
  expect(await mirrorRow(b, quiet.uuid)).toBeNull(); // one item at most (TUBELET_REDUNDANCY_MAX_ITEMS=1)
  expect((await mirrorRow(b, popular.uuid))?.strategy).toBe("most-viewed");

  // Every rendition's playlist and segments, the master and the map, under the origin's names, served with CORS.
  const files = await readdir(mirrorDir(createLayout(b.config.dataDir), popular.uuid));
  const originFiles = await readdir(join(createLayout(a.config.dataDir).videoDir(popular.uuid), "hls"));
  expect(files.sort()).toEqual(originFiles.filter((f) => /\.(m3u8|m4s|mp4|json)$/.test(f)).sort());
  const segment = files.find((f) => f.endsWith(".m4s"))!;
  const served = await fetch(`${b.url}/static/redundancy/hls/${popular.uuid}/${segment}`);
  expect(served.status).toBe(200);
  expect(served.headers.get("access-control-allow-origin")).toBe("*");
  expect(Buffer.from(await served.arrayBuffer()).equals(await readFile(join(createLayout(a.config.dataDir).videoDir(popular.uuid), "hls", segment)))).toBe(true);

  const mirrors = await waitFor("A to record both mirrors", async () => {
    const rows = await recordedMirrors(a, popular.uuid);
    return rows.length === 2 ? rows : null;
  }, { timeoutMs: 20_000 });
  expect(mirrors.map((m) => m.domain).sort()).toEqual([hostOf(b), hostOf(c)].sort());
  expect(mirrors.map((m) => m.baseUrl).sort()).toEqual([`${b.url}/static/redundancy/hls/${popular.uuid}`, `${c.url}/static/redundancy/hls/${popular.uuid}`].sort());

  const api = (await (await fetch(`${a.url}/api/v1/videos/${popular.uuid}`)).json()) as { streamingPlaylists: { redundancies: { baseUrl: string }[] }[] };
  expect(api.streamingPlaylists[0]!.redundancies.map((r) => r.baseUrl).sort()).toEqual(mirrors.map((m) => m.baseUrl).sort());
  // The watch page hands the mirrors to the player; a video nobody mirrors has none.
  const pageMirrors = async (shortId: string) => {
    const html = await (await fetch(`${a.url}/w/${shortId}`)).text();
    return (JSON.parse(/data-mirrors="([^"]*)"/.exec(html)![1]!.replaceAll("&#34;", '"')) as string[]).sort();
  };
  expect(await pageMirrors(popular.shortId)).toEqual(mirrors.map((m) => m.baseUrl).sort());
  expect(await pageMirrors(quiet.shortId)).toEqual([]);
  // B's own viewers of A's video play it from A and from B's copy.
  const bHtml = await (await fetch(`${b.url}/w/${popular.shortId}`)).text();
  expect(JSON.parse(/data-mirrors="([^"]*)"/.exec(bHtml)![1]!.replaceAll("&#34;", '"'))).toEqual([`${b.url}/static/redundancy/hls/${popular.uuid}`]);
}, 90_000);

test("a mirror serving corrupted segments is detected by A's next check and dropped; the good one stays", async () => {
  const dir = mirrorDir(createLayout(c.config.dataDir), popular.uuid);
  const hashes = JSON.parse(await readFile(join(dir, "segments-sha256.json"), "utf8")) as Record<string, string>;
  const checkedFirst = Object.keys(hashes).filter((n) => /\.(m4s|mp4)$/.test(n)).sort()[0]!;
  const good = await readFile(join(dir, checkedFirst));
  const bad = Buffer.from(good);
  bad[bad.length - 1] = bad.at(-1)! ^ 0xff;
  await writeFile(join(dir, checkedFirst), bad);

  const report = await runRedundancy(a, redis);
  expect(report.dropped).toBe(1);
  expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).toEqual([hostOf(b)]);
  await writeFile(join(dir, checkedFirst), good);
}, 60_000);

test("a CacheFile from an instance A does not accept mirrors from is ignored; once accepted it is recorded", async () => {
  const cActor = await instanceActor(c.db.sql, c.config);
  const cActorUri = localActorUri(c.config.publicUrl, "application", cActor.handle);
  const object = toCacheFileObject(c.config.publicUrl, { uuid: popular.uuid, videoApId: `${a.url}/videos/watch/${popular.uuid}`, expiresAt: new Date(Date.now() + 3_600_000) });
  const send = async (id: string) => {
    await enqueueDeliveries(c.queues, c.config, [{ signerActorId: cActor.id, activity: toCacheFileActivity("Create", id, cActorUri, object), inboxes: [`${a.url}/inbox`] }]);
    await processedOnA(id);
  };

  await saveRedundancySettings(a.db.sql, { ...settingsFromConfig(a.config), acceptFrom: "nobody" });
  await send(`${cActorUri}/cache-files/test-nobody`);
  expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).toEqual([hostOf(b)]);

  // "Instances we follow": A follows nobody on C.
  await saveRedundancySettings(a.db.sql, { ...settingsFromConfig(a.config), acceptFrom: "followings" });
  await send(`${cActorUri}/cache-files/test-followings`);
  expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).toEqual([hostOf(b)]);

  await saveRedundancySettings(a.db.sql, { ...settingsFromConfig(a.config), acceptFrom: "anybody" });
  await send(`${cActorUri}/cache-files/test-anybody`);
  expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain).sort()).toEqual([hostOf(b), hostOf(c)].sort());
}, 60_000);

test("a mirror close to expiry is renewed with an Update that A applies", async () => {
  await b.db.sql`UPDATE video_mirrors SET expires_at = now() + interval '10 minutes' WHERE uuid = ${popular.uuid}::uuid`;
  const report = await runRedundancy(b, redis);
  expect(report.renewed).toBe(1);
  expect((await mirrorRow(b, popular.uuid))!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  await waitFor("A to apply B's renewed expiry", async () => {
    const fromB = (await recordedMirrors(a, popular.uuid)).find((m) => m.domain === hostOf(b));
    return fromB?.expiresAt && fromB.expiresAt.getTime() > Date.now() + 3_000_000;
  }, { timeoutMs: 20_000 });
}, 60_000);

test("over its item cap, B evicts a less viewed mirror only after its minimum lifetime, and A hears the Undo", async () => {
  // The quiet clip becomes the most viewed on B: it would take the only place, but the popular clip's mirror is new.
  await b.db.sql`UPDATE videos SET views = 1000 WHERE uuid = ${quiet.uuid}::uuid`;
  const early = await runRedundancy(b, redis);
  expect(early.evicted).toEqual([]);
  expect(early.mirrored).toEqual([]);
  expect(await mirrorRow(b, popular.uuid)).not.toBeNull();

  // A day later (past the 24 h minimum lifetime), it gives way.
  await b.db.sql`UPDATE video_mirrors SET created_at = now() - interval '25 hours' WHERE uuid = ${popular.uuid}::uuid`;
  const later = await runRedundancy(b, redis);
  expect(later.evicted).toEqual(["Popular clip"]);
  expect(later.mirrored).toEqual(["Quiet clip"]);
  expect(await mirrorRow(b, popular.uuid)).toBeNull();
  expect(await readdir(mirrorDir(createLayout(b.config.dataDir), popular.uuid)).catch(() => null)).toBeNull();
  await waitFor("A to drop B's mirror after the Undo", async () => !(await recordedMirrors(a, popular.uuid)).some((m) => m.domain === hostOf(b)), { timeoutMs: 20_000 });
  await waitFor("A to record B's mirror of the quiet clip", async () => (await recordedMirrors(a, quiet.uuid)).some((m) => m.domain === hostOf(b)), { timeoutMs: 20_000 });
}, 90_000);

test("a mirror that stops answering is dropped after three checks in a row", async () => {
  expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).toContain(hostOf(c));
  await c.down();
  try {
    for (let check = 1; check <= 2; check++) {
      expect((await runRedundancy(a, redis)).dropped).toBe(0);
      expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).toContain(hostOf(c));
    }
    expect((await runRedundancy(a, redis)).dropped).toBe(1);
    expect((await recordedMirrors(a, popular.uuid)).map((m) => m.domain)).not.toContain(hostOf(c));
  } finally {
    await c.up();
  }
}, 60_000);

test("B's administrators see the mirrors, change the settings, remove a mirror and mirror a video by hand; others may not", async () => {
  const boss = await registerUser({ sql: b.db.sql, config: b.config }, { username: "boss", email: "boss@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  await b.db.sql`UPDATE users SET role = 'admin' WHERE id = ${boss.id}`;
  await registerUser({ sql: b.db.sql, config: b.config }, { username: "carol", email: "carol@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  const clientOf = () => new TestClient((request) => {
    const url = new URL(request.url);
    return fetch(new Request(`${b.url}${url.pathname}${url.search}`, request), { redirect: "manual" });
  }, "127.0.0.1");
  const anonymous = clientOf();
  const visitor = await anonymous.page("/admin/redundancy");
  expect(visitor.status).toBe(303); // to the login page
  expect(visitor.response.headers.get("location")).toStartWith("/login");
  const carol = clientOf();
  await carol.login("carol", "Correct-Horse-42");
  expect((await carol.page("/admin/redundancy")).status).toBe(403);
  expect((await carol.submit("/admin/redundancy/run", {})).status).toBe(403);

  const admin = clientOf();
  await admin.login("boss", "Correct-Horse-42");
  const listing = await admin.page("/admin/redundancy");
  expect(listing.status).toBe(200);
  expect(listing.html).toContain("Quiet clip");
  expect(listing.html).toContain("Most viewed");
  const [quietMirror] = await b.db.sql<{ id: number }[]>`SELECT id::int FROM video_mirrors WHERE uuid = ${quiet.uuid}::uuid`;

  // Bad settings: 400, every problem named, what was typed kept, nothing saved.
  const form = { enabled: "on", acceptFrom: "anybody", maxItems: "5", mostViewedSize: "1", mostViewedLifetime: "24", trendingSize: "0", trendingLifetime: "24", recentlyAddedSize: "0", recentlyAddedLifetime: "24", recentlyAddedMinViews: "10" };
  const bad = await admin.submit("/admin/redundancy/settings", { ...form, maxItems: "lots", acceptFrom: "everyone" });
  expect(bad.status).toBe(400);
  const badHtml = await bad.text();
  expect(badHtml).toContain("Most mirrored videos in all must be a number from 0 to 1,000,000.");
  expect(badHtml).toContain("Choose who may mirror our videos");
  expect(badHtml).toContain('value="lots"');
  expect(await b.db.sql`SELECT 1 FROM redundancy_settings`).toHaveLength(0);
  expect((await admin.submit("/admin/redundancy/settings", form)).status).toBe(303);
  const [saved] = await b.db.sql<{ settings: { maxItems: number; mostViewed: { sizeBytes: number } } }[]>`SELECT settings FROM redundancy_settings`;
  expect(saved!.settings.maxItems).toBe(5);
  expect(saved!.settings.mostViewed.sizeBytes).toBe(1024 ** 3);

  // Removing a mirror deletes its files and tells A (Undo).
  expect((await admin.submit(`/admin/redundancy/mirrors/${quietMirror!.id}/delete`, {})).status).toBe(303);
  expect(await mirrorRow(b, quiet.uuid)).toBeNull();
  await waitFor("A to drop B's mirror of the quiet clip", async () => (await recordedMirrors(a, quiet.uuid)).length === 0, { timeoutMs: 20_000 });

  // A video named by its address on its origin is mirrored by hand; an unknown one is a clear 404.
  expect((await admin.submit("/admin/redundancy/mirrors", { video: "https://nowhere.example/w/nothing" })).status).toBe(404);
  expect((await admin.submit("/admin/redundancy/mirrors", { video: `${a.url}/videos/watch/${popular.uuid}` })).status).toBe(303);
  expect((await mirrorRow(b, popular.uuid))?.strategy).toBe("manual");
  await waitFor("A to record B's manual mirror", async () => (await recordedMirrors(a, popular.uuid)).some((m) => m.domain === hostOf(b)), { timeoutMs: 20_000 });
  const again = await admin.submit("/admin/redundancy/mirrors", { video: `${a.url}/videos/watch/${popular.uuid}` });
  expect(again.status).toBe(409);
  expect(await again.text()).toContain("already mirrored");
}, 60_000);

test("A's delete of a mirrored video removes the mirrors: rows on A, rows and files on B and C", async () => {
  const deps: VideosDeps = { sql: a.db.sql, config: a.config, queues: a.queues, layout: createLayout(a.config.dataDir), views: null as never };
  await deleteVideo(deps, alice, popular.shortId);
  expect(await recordedMirrors(a, popular.uuid)).toEqual([]);
  await waitFor("B to delete its copy of the video", async () => (await b.db.sql`SELECT 1 FROM videos WHERE uuid = ${popular.uuid}::uuid`).length === 0, { timeoutMs: 20_000 });
  expect(await mirrorRow(b, popular.uuid)).toBeNull();
  await waitFor("C to delete its copy of the video", async () => (await c.db.sql`SELECT 1 FROM videos WHERE uuid = ${popular.uuid}::uuid`).length === 0, { timeoutMs: 20_000 });
  for (const mirror of [b, c]) {
    await runRedundancy(mirror, redis);
    expect(await readdir(mirrorDir(createLayout(mirror.config.dataDir), popular.uuid)).catch(() => null)).toBeNull();
  }
}, 60_000);
