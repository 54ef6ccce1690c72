/**
 * Videos travel between three Tubelet instances on loopback. B follows a channel of A; a video published on A
 * reaches B (played from A's HLS), an edit on A updates it, a Delete forged by C (signed with C's own key) is
 * ignored, and A's delete removes it. Every wait polls with a deadline: deliveries are queue jobs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { enqueueDeliveries } from "../../src/federation/delivery.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { toDeleteActivity } from "../../src/federation/video-objects.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { deleteVideo, editVideo, type VideosDeps } from "../../src/videos/service.ts";
import { TestClient } from "../helpers/app.ts";
import { startInstance, waitForQueueIdle, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

let a: Instance;
let b: Instance;
let c: Instance;
let alice: UserRow;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startInstance("a"), startInstance("b"), startInstance("c")]);
  alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
}, 30_000);

/** What the video code of A is given: the instance's database, config and queues (views are not used by edits). */
function videoDepsOf(instance: Instance): VideosDeps {
  return { sql: instance.db.sql, config: instance.config, queues: instance.queues, layout: createLayout(instance.config.dataDir), views: null as never };
}

async function remoteCopyOnB(uuid: string) {
  const [row] = await b.db.sql<{ name: string; apId: string; originMasterUrl: string; originHashesUrl: string; shortId: string }[]>`
    SELECT name, ap_id, origin_master_url, origin_hashes_url, short_id FROM videos WHERE uuid = ${uuid}::uuid`;
  return row ?? null;
}

async function bFollowsAlicesChannel(): Promise<void> {
  const channelUri = `${a.url}/video-channels/alice_channel`;
  const bActor = await instanceActor(b.db.sql, b.config);
  const followId = await followRemoteActor({ sql: b.db.sql, config: b.config, queues: b.queues, fetcher: fetcherFor(b.config) }, bActor.id, channelUri);
  await waitFor("B's follow of A's channel to be accepted", async () => {
    const [row] = await b.db.sql`SELECT state FROM subscriptions WHERE follow_activity_id = ${followId}`;
    return row?.state === "accepted";
  });
}

test("a video published on A reaches B, plays from A, follows A's edit, survives C's forged Delete and goes with A's delete", async () => {
  await bFollowsAlicesChannel();
  const channelId = await defaultChannelId(a.db.sql, alice.id);
  const video = await seedVideo(a.db.sql, { channelId, name: "Tomatoes in August", description: "From the garden", tags: ["garden"] });
  // The same hook the transcode job calls once a video is published.
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");

  const copy = await waitFor("the video to reach B", () => remoteCopyOnB(video.uuid), { timeoutMs: 20_000 });
  expect(copy).toMatchObject({
    name: "Tomatoes in August",
    apId: `${a.url}/videos/watch/${video.uuid}`,
    originMasterUrl: `${a.url}/static/videos/${video.uuid}/hls/master.m3u8`,
    originHashesUrl: `${a.url}/static/videos/${video.uuid}/hls/segments-sha256.json`,
    shortId: video.shortId,
  });

  // B lists it with its origin and plays it from A's files, in the same swarm as A's viewers.
  const home = await (await fetch(`${b.url}/`)).text();
  expect(home).toContain("Tomatoes in August");
  expect(home).toContain(new URL(a.url).host);
  const search = await (await fetch(`${b.url}/search?q=tomatoes`)).text();
  expect(search).toContain("Tomatoes in August");
  const watch = await (await fetch(`${b.url}/w/${video.shortId}`)).text();
  expect(watch).toContain(`data-src="${a.url}/static/videos/${video.uuid}/hls/master.m3u8"`);
  expect(watch).toContain(`data-hashes="${a.url}/static/videos/${video.uuid}/hls/segments-sha256.json"`);
  expect(watch).toContain(`data-swarm-id="tubelet:${video.uuid}"`);

  // An edit on A is an Update for B.
  await editVideo(videoDepsOf(a), alice, video.shortId, { name: "Tomatoes in late August" });
  await waitFor("the edit to reach B", async () => (await remoteCopyOnB(video.uuid))?.name === "Tomatoes in late August");

  // C signs a Delete of A's video with its own key and delivers it to B: verified, processed, and ignored.
  const cActor = await instanceActor(c.db.sql, c.config);
  const cActorUri = `${c.url}/accounts/${cActor.handle}`;
  const forgedId = `${cActorUri}/forged-delete-1`;
  const forged = toDeleteActivity(forgedId, cActorUri, `${a.url}/videos/watch/${video.uuid}`, []);
  await enqueueDeliveries(c.queues, c.config, [{ signerActorId: cActor.id, activity: forged, inboxes: [`${b.url}/inbox`] }]);
  await waitFor("B to process C's forged Delete", async () => {
    const [seen] = await b.db.sql`SELECT 1 FROM ap_inbox_seen WHERE activity_id = ${forgedId}`;
    return Boolean(seen);
  });
  expect(await remoteCopyOnB(video.uuid)).not.toBeNull();

  // A's own delete removes it from B.
  await deleteVideo(videoDepsOf(a), alice, video.shortId);
  await waitFor("the delete to reach B", async () => (await remoteCopyOnB(video.uuid)) === null);
  // Visitors' pages are reused for up to a second (TUBELET_LISTING_CACHE_MS), so the page goes soon after.
  await waitFor("B's watch page to be gone", async () => (await fetch(`${b.url}/w/${video.shortId}`)).status === 404);
}, 60_000);

test("a video made private on A is deleted on B; unlisted videos never leave A", async () => {
  const channelId = await defaultChannelId(a.db.sql, alice.id);
  const shown = await seedVideo(a.db.sql, { channelId, name: "Seedlings" });
  const unlisted = await seedVideo(a.db.sql, { channelId, name: "Compost notes", privacy: 2 });
  const aDeps = { sql: a.db.sql, config: a.config, queues: a.queues };
  await federateVideo(aDeps, unlisted.id, "create");
  await federateVideo(aDeps, shown.id, "create");
  await waitFor("the public video to reach B", () => remoteCopyOnB(shown.uuid));
  await waitForQueueIdle(a, "ap-deliver");
  await waitForQueueIdle(b, "ap-inbox");
  expect(await remoteCopyOnB(unlisted.uuid)).toBeNull();
  // Only public videos are served as objects, too.
  const object = await fetch(`${a.url}/videos/watch/${unlisted.uuid}`, { headers: { accept: "application/activity+json" } });
  expect(object.status).toBe(404);

  await editVideo(videoDepsOf(a), alice, shown.shortId, { privacy: 3 });
  await waitFor("the private video to leave B", async () => (await remoteCopyOnB(shown.uuid)) === null);
}, 60_000);

test("A's channel outbox lists its public videos' Create activities, paged", async () => {
  const outbox = `${a.url}/video-channels/alice_channel/outbox`;
  const ap = { accept: "application/activity+json" };
  const summary = (await (await fetch(outbox, { headers: ap })).json()) as { totalItems: number; first: string };
  expect(summary.totalItems).toBe(0); // everything public above was deleted or made private
  const channelId = await defaultChannelId(a.db.sql, alice.id);
  const v = await seedVideo(a.db.sql, { channelId, name: "Harvest" });
  const page = (await (await fetch(`${outbox}?page=1`, { headers: ap })).json()) as { totalItems: number; orderedItems: { type: string; object: { id: string } }[] };
  expect(page.totalItems).toBe(1);
  expect(page.orderedItems[0]).toMatchObject({ type: "Create", object: { id: `${a.url}/videos/watch/${v.uuid}` } });
});

test("a person on B finds A's channel by handle from the search box and subscribes: a Follow that A accepts", async () => {
  await registerUser({ sql: b.db.sql, config: b.config }, { username: "bob", email: "bob@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  // The cookie-keeping test client, pointed at B's real server.
  const bob = new TestClient((request) => {
    const url = new URL(request.url);
    return fetch(new Request(`${b.url}${url.pathname}${url.search}`, request), { redirect: "manual" });
  }, "127.0.0.1");
  expect((await bob.login("bob", "Correct-Horse-42")).status).toBe(303);
  const handle = `@alice_channel@${new URL(a.url).host}`;
  const found = await bob.page(`/search?q=${encodeURIComponent(handle)}`);
  expect(found.html).toContain("Main alice channel");
  expect(found.html).toContain('action="/federation/follow"');

  const channelUri = `${a.url}/video-channels/alice_channel`;
  expect((await bob.submit("/federation/follow", { uri: channelUri, next: "/" })).status).toBe(303);
  await waitFor("bob's follow to be accepted", async () => {
    const [row] = await b.db.sql`
      SELECT s.state FROM subscriptions s JOIN users u ON u.actor_id = s.subscriber_id JOIN actors t ON t.id = s.channel_id
      WHERE t.uri = ${channelUri} AND u.id = (SELECT u2.id FROM users u2 JOIN actors a2 ON a2.id = u2.actor_id WHERE a2.handle = 'bob')`;
    return row?.state === "accepted";
  });
  const again = await bob.page(`/search?q=${encodeURIComponent(handle)}`);
  expect(again.html).toContain('action="/federation/unfollow"');
});
