/**
 * Tubelet against a Mastodon-like server built on the real Fedify library (test/helpers/fedify-peer.ts), in its
 * own process. Tubelet sits behind the project's Caddyfile over https with Caddy's local certificate authority,
 * which the peer trusts, so the peer's handle lookup is a real `acct:` WebFinger over TLS. The peer follows a
 * channel, gets the Accept, gets the Create and Announce of a video published afterwards (Fedify verifies every
 * signature and reads the PeerTube-style Video), and its HTML reply becomes a comment on the watch page and in the
 * comments API; its favourite counts as a like. A second Fedify peer following the channel gets that reply forwarded by Tubelet, and accepts it:
 * the forward is the author's activity unchanged, whose Linked Data signature Fedify checks.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import type { UserRow } from "../../src/accounts/queries.ts";
import { federateVideo } from "../../src/federation/videos.ts";
import { startTlsCaddy, type TlsCaddy } from "../helpers/caddy.ts";
import { startInstance, type Instance } from "../helpers/federation.ts";
import { startFedifyPeer, type FedifyPeer, type ReceivedActivity } from "../helpers/fedify-peer.ts";
import { freePort, waitFor } from "../helpers/processes.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

let a: Instance;
let caddy: TlsCaddy;
let peer: FedifyPeer;
let follower: FedifyPeer;
let alice: UserRow;
let https: string;
let ca: string;

beforeAll(async () => {
  const port = await freePort();
  https = `https://localhost:${port}`;
  a = await startInstance("a", { TUBELET_PUBLIC_URL: https, TUBELET_TRUST_PROXY: "true" });
  caddy = await startTlsCaddy({ port, upstream: new URL(a.url).host, dataDir: a.config.dataDir });
  ca = await Bun.file(caddy.rootCertFile).text();
  [peer, follower] = await Promise.all([startFedifyPeer({ caCertFile: caddy.rootCertFile }), startFedifyPeer({ caCertFile: caddy.rootCertFile })]);
  alice = await registerUser({ sql: a.db.sql, config: a.config }, { username: "alice", email: "alice@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([peer?.stop(), follower?.stop()]);
  await caddy?.stop();
  await a?.stop();
}, 30_000);

/** GET through Caddy over https, trusting its local root as the peer does. */
function viaCaddy(path: string, accept = "text/html"): Promise<Response> {
  return fetch(`${https}${path}`, { tls: { ca }, headers: { accept } });
}

/** Waits for an activity on a peer, saying what it did receive when it never comes. */
function waitForReceived(type: string, match: (a: ReceivedActivity) => boolean, on = peer): Promise<ReceivedActivity> {
  const find = async () => (await on.received()).find((a) => a.type === type && match(a));
  return waitFor(`the peer to receive ${type}`, find, { timeoutMs: 20_000 }).catch(async (error) => {
    throw new Error(`${(error as Error).message}\nreceived: ${JSON.stringify(await on.received(), null, 1)}\npeer output:\n${on.output()}`);
  });
}

test("the Fedify peer follows a channel by handle over https, gets its new video, and its reply becomes a comment", async () => {
  const channelUri = `${https}/video-channels/alice_channel`;
  const accountUri = `${https}/accounts/alice`;

  // A Mastodon user types the handle: WebFinger over https through Caddy, then the actor, then a Follow.
  const { actorId, followId } = await peer.follow(`@alice_channel@localhost:${new URL(https).port}`);
  expect(actorId).toBe(channelUri);
  const accept = await waitForReceived("Accept", (x) => x.objectId === followId);
  expect(accept.actor).toBe(channelUri);
  const [followRow] = await a.db.sql<{ uri: string }[]>`
    SELECT r.uri FROM subscriptions s JOIN actors r ON r.id = s.subscriber_id JOIN actors t ON t.id = s.channel_id
    WHERE t.handle = 'alice_channel' AND t.domain IS NULL AND s.state = 'accepted'`;
  expect(followRow?.uri).toBe(peer.actorUri);

  const second = await follower.follow(`@alice_channel@localhost:${new URL(https).port}`);
  await waitForReceived("Accept", (x) => x.objectId === second.followId, follower);

  // A video published afterwards reaches the peer: Create by the account, Announce by the channel.
  const video = await seedVideo(a.db.sql, { channelId: await defaultChannelId(a.db.sql, alice.id), name: "Tomatoes in August" });
  await federateVideo({ sql: a.db.sql, config: a.config, queues: a.queues }, video.id, "create");
  const videoUri = `${https}/videos/watch/${video.uuid}`;
  const create = await waitForReceived("Create", (x) => x.objectId === videoUri);
  expect(create.actor).toBe(accountUri);
  expect(create.object).toMatchObject({ type: "Video", id: videoUri, name: "Tomatoes in August" });
  const announce = await waitForReceived("Announce", (x) => x.objectId === videoUri);
  expect(announce.actor).toBe(channelUri);
  expect(announce.object).toMatchObject({ type: "Video", id: videoUri });

  // The peer replies as Mastodon does: HTML with a mention, addressed to the video's account.
  const noteId = await peer.reply(
    videoUri,
    `<p><span class="h-card"><a href="${accountUri}" class="u-url mention">@<span>alice</span></a></span> Which <strong>variety</strong> is it?</p><p>Mine split <a href="https://example.org/tomatoes">in the rain</a>.</p><script>alert(1)</script>`,
    [accountUri],
  );
  const comment = await waitFor("the reply to become a comment on A", async () => {
    const [row] = await a.db.sql<{ id: number; text: string }[]>`SELECT id::int, text FROM comments WHERE ap_id = ${noteId}`;
    return row;
  }, { timeoutMs: 20_000 }).catch((error) => {
    throw new Error(`${(error as Error).message}\npeer output:\n${peer.output()}`);
  });
  expect(comment.text).toBe("@alice Which variety is it?\n\nMine split [in the rain](https://example.org/tomatoes).");

  // On the watch page (through Caddy): the text, the peer's account linked, the link kept, the script gone.
  const page = await (await viaCaddy(`/w/${video.shortId}/comments`)).text();
  expect(page).toContain("Which variety is it?");
  expect(page).toContain(`href="${peer.actorUri}"`);
  expect(page).toContain('href="https://example.org/tomatoes"');
  expect(page).not.toContain("alert(1)");
  // In the comments API, by the peer's account.
  const threads = (await (await viaCaddy(`/api/v1/videos/${video.uuid}/comment-threads`, "application/json")).json()) as {
    total: number;
    data: { id: number; text: string; account: { name: string; host: string; url: string } }[];
  };
  expect(threads.total).toBe(1);
  expect(threads.data[0]).toMatchObject({ id: comment.id, account: { name: "mastodon", host: new URL(peer.origin).host } });
  expect(threads.data[0]!.text).toContain("Which variety is it?");

  // A favourite of the video (Mastodon sends a Like) counts as the peer's like.
  await peer.like(videoUri, [accountUri]);
  await waitFor("the peer's Like to count on A", async () => {
    const [row] = await a.db.sql<{ likes: number }[]>`SELECT likes::int FROM videos WHERE id = ${video.id}`;
    return row?.likes === 1;
  }, { timeoutMs: 20_000 });

  // The other follower of the channel gets the reply from Tubelet, signed by the channel, and accepts it.
  const forwarded = await waitForReceived("Create", (x) => x.objectId === noteId, follower);
  expect(forwarded.actor).toBe(peer.actorUri);
  expect(forwarded.object).toMatchObject({ type: "Note", inReplyTo: videoUri });
}, 90_000);
