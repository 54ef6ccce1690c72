/**
 * Comments between two Tubelet instances on loopback. B follows a channel of A and holds a copy of its video; a
 * person on B comments on it (delivered to A, the video's origin), the owner on A answers (delivered to the
 * channel's followers, so back to B, threaded under the comment it answers), and the comment's author deleting it
 * on B removes it on A too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { fetcherFor, instanceActor } from "../../src/federation/actors.ts";
import { followRemoteActor } from "../../src/federation/follows.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { loggedInClient, startInstance, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

let a: Instance;
let b: Instance;
let alice: UserRow;
const PASSWORD = "Correct-Horse-42";

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance("a"), startInstance("b")]);
  alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: PASSWORD }, { bypassSignupMode: true });
  await registerUser({ sql: b.db.sql, config: b.config }, { username: "bob", email: "bob@example.org", password: PASSWORD }, { bypassSignupMode: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
}, 30_000);

const clientOf = (instance: Instance, username: string) => loggedInClient(instance, username, PASSWORD);

async function commentOn(instance: Instance, apIdPrefix: string) {
  const [row] = await instance.db.sql<{ id: number; text: string; deletedAt: Date | null; parentId: number | null; apId: string }[]>`
    SELECT id::int, text, deleted_at, parent_id::int, ap_id FROM comments WHERE ap_id LIKE ${`${apIdPrefix}%`} ORDER BY id`;
  return row ?? null;
}

test("a comment on B reaches A; A's answer comes back to B threaded under it; B's delete removes it on A", async () => {
  const channelUri = `${a.url}/video-channels/alice_channel`;
  const bActor = await instanceActor(b.db.sql, b.config);
  const followId = await followRemoteActor({ sql: b.db.sql, config: b.config, queues: b.queues, fetcher: fetcherFor(b.config) }, bActor.id, channelUri);
  await waitFor("B's follow to be accepted", async () => {
    const [row] = await b.db.sql`SELECT state FROM subscriptions WHERE follow_activity_id = ${followId}`;
    return row?.state === "accepted";
  });
  const video = await seedVideo(a.db.sql, { channelId: await defaultChannelId(a.db.sql, alice.id), name: "Pruning roses" });
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");
  await waitFor("the video to reach B", async () => (await b.db.sql`SELECT 1 FROM videos WHERE uuid = ${video.uuid}::uuid`).length > 0, { timeoutMs: 20_000 });

  // Bob comments on B's copy: a Note by bob's account, delivered to the channel's inbox on A.
  const bob = await clientOf(b, "bob");
  expect((await bob.submit(`/w/${video.shortId}/comments`, { text: "Which **shears** do you use?" })).status).toBe(303);
  const bobsPrefix = `${b.url}/videos/watch/${video.uuid}/comments/`;
  const onA = await waitFor("bob's comment to reach A", () => commentOn(a, bobsPrefix), { timeoutMs: 20_000 });
  expect(onA).toMatchObject({ text: "Which **shears** do you use?", parentId: null });
  const pageA = await (await fetch(`${a.url}/w/${video.shortId}/comments`)).text();
  expect(pageA).toContain("<strong>shears</strong>");
  expect(pageA).toContain(`href="${b.url}/a/bob"`);

  // Alice answers on A: delivered to the channel's followers (B), threaded under bob's comment there.
  const aliceClient = await clientOf(a, "alice");
  expect((await aliceClient.submit(`/w/${video.shortId}/comments/${onA.id}/replies`, { text: "Bypass shears, always" })).status).toBe(303);
  const alicesPrefix = `${a.url}/videos/watch/${video.uuid}/comments/`;
  const answer = await waitFor("alice's answer to reach B", () => commentOn(b, alicesPrefix), { timeoutMs: 20_000 });
  const [bobsOnB] = await b.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE ap_id IS NULL AND text LIKE 'Which%'`;
  expect(answer).toMatchObject({ text: "Bypass shears, always", parentId: bobsOnB!.id });
  const pageB = await (await fetch(`${b.url}/w/${video.shortId}/comments`)).text();
  const thread = pageB.slice(pageB.indexOf(`id="thread-${bobsOnB!.id}"`));
  expect(thread).toContain("Bypass shears, always");
  // A comment's id answers ActivityPub clients with its Note.
  const note = (await (await fetch(onA.apId, { headers: { accept: "application/activity+json" } })).json()) as Record<string, unknown>;
  expect(note).toMatchObject({ type: "Note", attributedTo: `${b.url}/accounts/bob`, inReplyTo: `${a.url}/videos/watch/${video.uuid}` });

  // Bob deletes his comment on B: A removes its text too, and alice's answer stays readable there.
  expect((await bob.submit(`/w/${video.shortId}/comments/${bobsOnB!.id}/delete`, {})).status).toBe(303);
  await waitFor("the delete to reach A", async () => (await commentOn(a, bobsPrefix))?.deletedAt != null, { timeoutMs: 20_000 });
  const afterA = await (await fetch(`${a.url}/w/${video.shortId}/comments`)).text();
  expect(afterA).not.toContain("shears</strong>");
  expect(afterA).toContain("Bypass shears, always");
}, 90_000);
