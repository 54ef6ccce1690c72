/**
 * What people on other instances do to a video reaches its origin. Three Tubelet instances on loopback: B and C
 * follow a channel of A and hold copies of its video. Bob on B likes, dislikes and unrates the copy, and watches
 * it: A's counters move (Like, Dislike, Undo, View sent to the origin). Bob's comments reach A, which notifies
 * alice and forwards them (and their edits and deletes) to C, whose copy then shows them too; C trusts only what B
 * itself serves.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { followChannel, loggedInClient, startInstance, waitForQueueIdle, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let a: Instance;
let b: Instance;
let c: Instance;
let alice: UserRow;
let video: SeededVideo;
const PASSWORD = "Correct-Horse-42";

const clientOf = (instance: Instance, username: string) => loggedInClient(instance, username, PASSWORD);

beforeAll(async () => {
  // B reads viewers' addresses from X-Forwarded-For, so the test can be two viewers.
  [a, b, c] = await Promise.all([startInstance("a"), startInstance("b", { TUBELET_TRUST_PROXY: "true" }), startInstance("c")]);
  alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: PASSWORD }, { bypassSignupMode: true });
  await registerUser({ sql: b.db.sql, config: b.config }, { username: "bob", email: "bob@example.org", password: PASSWORD }, { bypassSignupMode: true });
  await Promise.all([followChannel(b, a, "alice_channel"), followChannel(c, a, "alice_channel")]);
  video = await seedVideo(a.db.sql, { channelId: await defaultChannelId(a.db.sql, alice.id), name: "Pruning roses" });
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");
  for (const instance of [b, c]) {
    await waitFor(`the video to reach ${instance.url}`, async () => (await instance.db.sql`SELECT 1 FROM videos WHERE uuid = ${video.uuid}::uuid`).length > 0, { timeoutMs: 20_000 });
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
}, 30_000);

async function countersOnA() {
  const [row] = await a.db.sql<{ likes: number; dislikes: number; views: number }[]>`
    SELECT likes::int, dislikes::int, views::int FROM videos WHERE id = ${video.id}`;
  return row!;
}

async function waitForCountersOnA(what: string, expected: Partial<{ likes: number; dislikes: number; views: number }>) {
  await waitFor(what, async () => {
    const now = await countersOnA();
    return Object.entries(expected).every(([key, value]) => now[key as keyof typeof now] === value);
  }, { timeoutMs: 20_000 }).catch(async (error) => {
    throw new Error(`${(error as Error).message}; A has ${JSON.stringify(await countersOnA())}`);
  });
}

test("bob's like, dislike and removal on B move the counters of the video on A, as his own rating", async () => {
  const bob = await clientOf(b, "bob");
  const rate = async (rating: string) => expect((await bob.submit(`/w/${video.shortId}/rate`, { rating })).status).toBe(303);

  await rate("like");
  await waitForCountersOnA("bob's Like to reach A", { likes: 1, dislikes: 0 });
  const [rater] = await a.db.sql<{ uri: string; rating: string }[]>`
    SELECT ac.uri, r.rating FROM video_rates r JOIN actors ac ON ac.id = r.actor_id WHERE r.video_id = ${video.id}`;
  expect(rater).toEqual({ uri: `${b.url}/accounts/bob`, rating: "like" });

  await rate("dislike");
  await waitForCountersOnA("bob's Dislike to replace his like on A", { likes: 0, dislikes: 1 });
  await rate("none");
  await waitForCountersOnA("bob's Undo to reach A", { likes: 0, dislikes: 0 });
  // Liking again after an undo is a new activity, not a repeat A has already applied.
  await rate("like");
  await waitForCountersOnA("bob's second Like to reach A", { likes: 1, dislikes: 0 });
  // B's copy keeps bob's rating too.
  const [copy] = await b.db.sql<{ likes: number }[]>`SELECT likes::int FROM videos WHERE uuid = ${video.uuid}::uuid`;
  expect(copy!.likes).toBe(1);
}, 60_000);

test("a view of the copy on B is a view of the video on A; the same viewer again within the hour is not", async () => {
  const before = (await countersOnA()).views;
  const view = (ip: string) => fetch(`${b.url}/api/v1/videos/${video.uuid}/views`, { method: "POST", headers: { "x-forwarded-for": ip } });
  expect((await view("198.51.100.7")).status).toBe(204);
  await waitForCountersOnA("B's View to reach A", { views: before + 1 });
  expect((await view("198.51.100.7")).status).toBe(204);
  expect((await view("198.51.100.8")).status).toBe(204);
  await waitForCountersOnA("the second viewer's View to reach A", { views: before + 2 });
  await waitForQueueIdle(b, "ap-deliver");
  await waitForQueueIdle(a, "ap-inbox");
  expect((await countersOnA()).views).toBe(before + 2);
}, 60_000);

/** A comment kept on an instance under its ActivityPub id. */
async function commentByApId(instance: Instance, apId: string) {
  const [row] = await instance.db.sql<{ id: number; text: string; parentId: number | null; deletedAt: Date | null }[]>`
    SELECT id::int, text, parent_id::int, deleted_at FROM comments WHERE ap_id = ${apId}`;
  return row ?? null;
}

async function notificationsOfAlice(): Promise<{ type: string; commentId: number }[]> {
  const rows = await a.db.sql<{ type: string; commentId: number }[]>`
    SELECT type, comment_id::int FROM notifications WHERE user_id = ${alice.id} AND type IN ('video_comment', 'comment_reply') ORDER BY id`;
  return [...rows];
}

test("bob's comment on B reaches A, notifies alice there, and is forwarded to C; an edit follows it", async () => {
  const bob = await clientOf(b, "bob");
  expect((await bob.submit(`/w/${video.shortId}/comments`, { text: "Do you prune in **March**?" })).status).toBe(303);
  const [mine] = await b.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE ap_id IS NULL AND text LIKE 'Do you prune%'`;
  const apId = `${b.url}/videos/watch/${video.uuid}/comments/${mine!.id}`;

  const onA = await waitFor("bob's comment to reach A", () => commentByApId(a, apId), { timeoutMs: 20_000 });
  expect(await notificationsOfAlice()).toEqual([{ type: "video_comment", commentId: onA.id }]);
  const aliceOnA = await clientOf(a, "alice");
  expect((await aliceOnA.page("/my/notifications")).html).toContain("Do you prune in");
  // In PeerTube's API shape, the commenter is bob of B's host, not of A's.
  const api = (await (await aliceOnA.fetch("/api/v1/users/me/notifications", { headers: { "x-csrf-token": aliceOnA.csrf } })).json()) as { data: { comment?: { account: unknown } }[] };
  expect(api.data[0]!.comment!.account).toEqual({ name: "bob", displayName: "bob", host: new URL(b.url).host });

  // C follows alice's channel, not bob: it hears of the comment from A, and reads it from B.
  const onC = await waitFor("A to forward bob's comment to C", () => commentByApId(c, apId), { timeoutMs: 20_000 });
  expect(onC.text).toBe("Do you prune in **March**?");
  const pageC = await (await fetch(`${c.url}/w/${video.shortId}/comments`)).text();
  expect(pageC).toContain("<strong>March</strong>");
  expect(pageC).toContain(`href="${b.url}/a/bob"`);

  expect((await bob.submit(`/w/${video.shortId}/comments/${mine!.id}/edit`, { text: "Do you prune in February?" })).status).toBe(303);
  await waitFor("the edit to be forwarded to C", async () => (await commentByApId(c, apId))?.text === "Do you prune in February?", { timeoutMs: 20_000 });

  // Bob deletes it on B: A removes it, and passes the Delete on to C, which checks with B that it is gone.
  expect((await bob.submit(`/w/${video.shortId}/comments/${mine!.id}/delete`, {})).status).toBe(303);
  await waitFor("the delete to reach A", async () => (await commentByApId(a, apId))?.deletedAt != null, { timeoutMs: 20_000 });
  await waitFor("the delete to be forwarded to C", async () => (await commentByApId(c, apId))?.deletedAt != null, { timeoutMs: 20_000 });
  expect(await (await fetch(`${c.url}/w/${video.shortId}/comments`)).text()).not.toContain("Do you prune");
}, 60_000);

test("bob's reply on B to alice's comment notifies alice on A as a reply", async () => {
  const aliceClient = await clientOf(a, "alice");
  expect((await aliceClient.submit(`/w/${video.shortId}/comments`, { text: "Thanks for watching" })).status).toBe(303);
  const [hers] = await a.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE ap_id IS NULL AND text = 'Thanks for watching'`;
  const hersOnB = await waitFor("alice's comment to reach B", () => commentByApId(b, `${a.url}/videos/watch/${video.uuid}/comments/${hers!.id}`), { timeoutMs: 20_000 });

  const bob = await clientOf(b, "bob");
  expect((await bob.submit(`/w/${video.shortId}/comments/${hersOnB.id}/replies`, { text: "You are welcome" })).status).toBe(303);
  const [reply] = await b.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE ap_id IS NULL AND text = 'You are welcome'`;
  const onA = await waitFor("bob's reply to reach A", () => commentByApId(a, `${b.url}/videos/watch/${video.uuid}/comments/${reply!.id}`), { timeoutMs: 20_000 });
  expect(onA.parentId).toBe(hers!.id);
  // The owner answered on her own video hears of it once, as a reply.
  expect((await notificationsOfAlice()).filter((n) => n.commentId === onA.id)).toEqual([{ type: "comment_reply", commentId: onA.id }]);
}, 60_000);
