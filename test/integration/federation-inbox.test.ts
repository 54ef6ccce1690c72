/**
 * Federation over app.handle on a real database: discovery, actor documents, and the inbox's signature rules
 * against a real signed request from a fake remote server (a Bun.serve on loopback publishing the actor).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";
import { generateActorKeys, type KeyPairPem } from "../../src/federation/keys.ts";
import { signRequest } from "@fedify/fedify";
import { importPrivateKey } from "../../src/federation/keys.ts";
import { coversContentDigest, signOutbound } from "../../src/federation/signatures.ts";
import { createInboxHandler } from "../../src/federation/inbox.ts";
import { fetcherFor } from "../../src/federation/actors.ts";
import type { Queues } from "../../src/queue/queues.ts";

let app: TestApp;
let remote: ReturnType<typeof Bun.serve>;
let remoteUrl: string;
let anaKeys: KeyPairPem;
let bobKeys: KeyPairPem;
const CHANNEL = `${ORIGIN}/video-channels/alice_channel`;
const INBOX = `${CHANNEL}/inbox`;
const MAX_INBOX = 4096;

function actorDocument(name: string, keys: KeyPairPem) {
  const id = `${remoteUrl}/users/${name}`;
  return {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id,
    type: "Person",
    preferredUsername: name,
    inbox: `${id}/inbox`,
    endpoints: { sharedInbox: `${remoteUrl}/inbox` },
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem },
  };
}

beforeAll(async () => {
  [anaKeys, bobKeys] = await Promise.all([generateActorKeys(), generateActorKeys()]);
  remote = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/users/ana") return Response.json(actorDocument("ana", anaKeys), { headers: { "content-type": "application/activity+json" } });
      if (path === "/users/bob") return Response.json(actorDocument("bob", bobKeys), { headers: { "content-type": "application/activity+json" } });
      return new Response("not found", { status: 404 });
    },
  });
  remoteUrl = `http://127.0.0.1:${remote.port}`;
  app = await createTestApp({ TUBELET_FEDERATION_ALLOW_PRIVATE: "true", TUBELET_FEDERATION_MAX_INBOX_BYTES: String(MAX_INBOX) });
  await app.createUser("alice");
});

afterAll(async () => {
  await app?.close();
  remote?.stop(true);
});

function follow(actor = `${remoteUrl}/users/ana`, id = `${remoteUrl}/follows/${crypto.randomUUID()}`) {
  return { "@context": "https://www.w3.org/ns/activitystreams", id, type: "Follow", actor, object: CHANNEL };
}

async function signedPost(body: unknown, as: { name: string; keys: KeyPairPem }, headers: Record<string, string> = {}) {
  const request = new Request(INBOX, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/activity+json", ...headers } });
  return signOutbound(request, { keyId: `${remoteUrl}/users/${as.name}#main-key`, privateKeyPem: as.keys.privateKeyPem });
}

const ana = () => ({ name: "ana", keys: anaKeys });

describe("discovery", () => {
  test("WebFinger finds a channel by acct: and by id; unknown names are 404", async () => {
    const response = await app.handle(new Request(`${ORIGIN}/.well-known/webfinger?resource=acct:alice_channel@localhost:9000`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/jrd+json");
    const jrd = (await response.json()) as { subject: string; links: { rel: string; href?: string }[] };
    expect(jrd.subject).toBe("acct:alice_channel@localhost:9000");
    expect(jrd.links.find((l) => l.rel === "self")?.href).toBe(CHANNEL);
    expect((await app.handle(new Request(`${ORIGIN}/.well-known/webfinger?resource=${encodeURIComponent(CHANNEL)}`))).status).toBe(200);
    expect((await app.handle(new Request(`${ORIGIN}/.well-known/webfinger?resource=acct:nobody@localhost:9000`))).status).toBe(404);
    expect((await app.handle(new Request(`${ORIGIN}/.well-known/webfinger`))).status).toBe(400);
  });

  test("NodeInfo reports the software and usage; host-meta points at WebFinger", async () => {
    const links = (await (await app.handle(new Request(`${ORIGIN}/.well-known/nodeinfo`))).json()) as { links: { rel: string; href: string }[] };
    const href = links.links.find((l) => l.rel.endsWith("/schema/2.1"))!.href;
    const info = (await (await app.handle(new Request(href))).json()) as { software: { name: string }; usage: { users: { total: number } }; openRegistrations: boolean };
    expect(info.software.name).toBe("tubelet");
    expect(info.usage.users.total).toBe(1);
    expect(links.links.find((l) => l.rel.endsWith("#Application"))?.href).toBe(`${ORIGIN}/accounts/peertube`);
    expect(await (await app.handle(new Request(`${ORIGIN}/.well-known/host-meta`))).text()).toContain("/.well-known/webfinger?resource={uri}");
  });
});

describe("actor documents", () => {
  const ap = { accept: "application/activity+json" };
  test("the channel's id serves JSON to ActivityPub clients and redirects browsers to its page", async () => {
    const response = await app.handle(new Request(CHANNEL, { headers: ap }));
    expect(response.headers.get("content-type")).toContain("application/activity+json");
    const doc = (await response.json()) as Record<string, any>;
    expect(doc).toMatchObject({ type: "Group", id: CHANNEL, attributedTo: [{ type: "Person", id: `${ORIGIN}/accounts/alice` }] });
    expect(doc.publicKey.publicKeyPem).toContain("BEGIN PUBLIC KEY");
    const browser = await app.handle(new Request(CHANNEL, { headers: { accept: "text/html" } }));
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe("/c/alice_channel");
  });

  test("the /a/ and /c/ pages answer JSON-LD to ActivityPub clients and HTML to browsers", async () => {
    const person = (await (await app.handle(new Request(`${ORIGIN}/a/alice`, { headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } }))).json()) as Record<string, unknown>;
    expect(person).toMatchObject({ type: "Person", id: `${ORIGIN}/accounts/alice` });
    const group = (await (await app.handle(new Request(`${ORIGIN}/c/alice_channel`, { headers: ap }))).json()) as Record<string, unknown>;
    expect(group.type).toBe("Group");
    const page = await app.handle(new Request(`${ORIGIN}/c/alice_channel`));
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  test("the instance actor is an Application; a channel name under /accounts/ is not found", async () => {
    const doc = (await (await app.handle(new Request(`${ORIGIN}/accounts/peertube`, { headers: ap }))).json()) as Record<string, unknown>;
    expect(doc.type).toBe("Application");
    expect((await app.handle(new Request(`${ORIGIN}/accounts/alice_channel`, { headers: ap }))).status).toBe(404);
  });
});

describe("inbox signature rules", () => {
  test("RFC 9421: every signature of a Signature-Input must cover content-digest", () => {
    expect(coversContentDigest('sig1=("@method" "@target-uri" "content-digest");created=1;keyid="k"')).toBe(true);
    expect(coversContentDigest('sig1=("@method" "@target-uri");created=1, sig2=("content-digest");created=1')).toBe(false);
    expect(coversContentDigest('sig1=("@method" "x-content-digest-note")')).toBe(false);
    expect(coversContentDigest("garbage")).toBe(false);
  });

  test("an unsigned POST is 401", async () => {
    const response = await app.handle(new Request(INBOX, { method: "POST", body: JSON.stringify(follow()), headers: { "content-type": "application/activity+json" } }));
    expect(response.status).toBe(401);
  });

  test("a body that does not match its signed Digest is 401", async () => {
    const signed = await signedPost(follow(), ana());
    const tampered = new Request(signed.url, { method: "POST", headers: signed.headers, body: JSON.stringify(follow(`${remoteUrl}/users/ana`, `${remoteUrl}/other`)) });
    tampered.headers.set("content-length", String((await tampered.clone().arrayBuffer()).byteLength));
    expect((await app.handle(tampered)).status).toBe(401);
  });

  test("a Date two hours old is 401", async () => {
    const signed = await signedPost(follow(), ana(), { date: new Date(Date.now() - 2 * 3600_000).toUTCString() });
    expect((await app.handle(signed)).status).toBe(401);
  });

  test("a key whose owner is not the activity's actor is 401", async () => {
    const signed = await signedPost(follow(`${remoteUrl}/users/bob`), ana());
    expect((await app.handle(signed)).status).toBe(401);
  });

  test("a comment (Create of a Note) by someone else than the key's owner is queued as forwarded, for a re-read", async () => {
    const bob = `${remoteUrl}/users/bob`;
    const note = { id: `${bob}/statuses/1`, type: "Note", attributedTo: bob, inReplyTo: `${ORIGIN}/videos/watch/x`, content: "hi", to: ["https://www.w3.org/ns/activitystreams#Public"] };
    const create = { id: `${note.id}/activity`, type: "Create", actor: bob, object: note };
    expect((await app.handle(await signedPost(create, ana()))).status).toBe(202);
    const keys = await app.deps.redis.keys(`${app.config.redisPrefix}bull:ap-inbox:in-*`);
    const jobs = await Promise.all(keys.map(async (key) => JSON.parse((await app.deps.redis.hget(key, "data")) ?? "null")));
    expect(jobs.find((job) => job?.activity?.id === create.id)).toMatchObject({ forwardedBy: `${remoteUrl}/users/ana` });
  });

  test("an RFC 9421 signature is accepted; one that does not cover the body's Content-Digest, or a tampered body, is 401", async () => {
    // `coverBody: false` signs as if there were no body (no Content-Digest), then sends the body all the same.
    const rfc9421 = async (body: unknown, { coverBody = true } = {}) => {
      const request = new Request(INBOX, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/activity+json" } });
      const key = await importPrivateKey(anaKeys.privateKeyPem);
      const options = coverBody ? { spec: "rfc9421" as const } : { spec: "rfc9421" as const, body: null as unknown as ArrayBuffer };
      return signRequest(request, key, new URL(`${remoteUrl}/users/ana#main-key`), options);
    };
    const signed = await rfc9421(follow());
    expect(signed.headers.get("signature-input")).toContain('"content-digest"');
    expect((await app.handle(signed)).status).toBe(202);

    const bodyless = await rfc9421(follow(), { coverBody: false });
    expect(bodyless.headers.get("signature-input")).not.toContain("content-digest");
    expect((await app.handle(bodyless)).status).toBe(401);

    const original = await rfc9421(follow());
    const tampered = new Request(original.url, { method: "POST", headers: original.headers, body: JSON.stringify(follow(`${remoteUrl}/users/ana`, `${remoteUrl}/other`)) });
    tampered.headers.set("content-length", String((await tampered.clone().arrayBuffer()).byteLength));
    expect((await app.handle(tampered)).status).toBe(401);
  });

  test("a body over the inbox limit is 413", async () => {
    const big = { ...follow(), padding: "x".repeat(MAX_INBOX) };
    expect((await app.handle(await signedPost(big, ana()))).status).toBe(413);
  });

  test("a well-signed Follow is 202, needs no CSRF token, and is queued", async () => {
    const signed = await signedPost(follow(), ana());
    const response = await app.handle(signed);
    expect(response.status).toBe(202);
    const counts = await app.deps.redis.keys(`${app.config.redisPrefix}bull:ap-inbox:*`);
    expect(counts.length).toBeGreaterThan(0);
    // The key's actor was fetched and cached on the way.
    const [cached] = await app.db.sql`SELECT handle, domain FROM actors WHERE uri = ${`${remoteUrl}/users/ana`}`;
    expect(cached).toMatchObject({ handle: "ana", domain: `127.0.0.1:${remote.port}` });
  });

  test("a comment forwarded by a blocked actor is 403, even when its author is not blocked", async () => {
    const bob = `${remoteUrl}/users/bob`;
    const note = { id: `${bob}/statuses/2`, type: "Note", attributedTo: bob, inReplyTo: `${ORIGIN}/videos/watch/x`, content: "hi", to: ["https://www.w3.org/ns/activitystreams#Public"] };
    const [block] = await app.db.sql<{ id: number }[]>`
      INSERT INTO federation_blocks (actor_id) SELECT id FROM actors WHERE uri = ${`${remoteUrl}/users/ana`} RETURNING id::int`;
    try {
      const response = await app.handle(await signedPost({ id: `${note.id}/activity`, type: "Create", actor: bob, object: note }, ana()));
      expect(response.status).toBe(403);
    } finally {
      await app.db.sql`DELETE FROM federation_blocks WHERE id = ${block!.id}`;
    }
  });
});

describe("inbox processing", () => {
  test("the same Follow processed twice follows once and answers one Accept", async () => {
    const sent: { queue: string; payload: any }[] = [];
    const queues: Queues = { add: async (queue, payload) => void sent.push({ queue, payload }), close: async () => {} };
    const handle = createInboxHandler({ sql: app.db.sql, config: app.config, queues, fetcher: fetcherFor(app.config) });
    const activity = follow();
    await handle({ activity, recipient: "alice_channel" });
    await handle({ activity, recipient: "alice_channel" });
    const [row] = await app.db.sql`
      SELECT count(*)::int AS n, min(s.state) AS state FROM subscriptions s JOIN actors a ON a.id = s.subscriber_id
      WHERE a.uri = ${activity.actor}`;
    expect(row).toEqual({ n: 1, state: "accepted" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queue).toBe("ap-deliver");
    expect(sent[0]!.payload).toMatchObject({ inbox: `${remoteUrl}/inbox`, activity: { type: "Accept", actor: CHANNEL, object: { id: activity.id } } });

    const followers = (await (await app.handle(new Request(`${CHANNEL}/followers?page=1`, { headers: { accept: "application/activity+json" } }))).json()) as Record<string, unknown>;
    expect(followers).toMatchObject({ totalItems: 1, orderedItems: [activity.actor] });

    // Undo from the follower removes it; an Undo of someone else's Follow does nothing.
    const undo = (actor: string) => ({ id: `${remoteUrl}/undo/${crypto.randomUUID()}`, type: "Undo", actor, object: { id: activity.id, type: "Follow", actor, object: CHANNEL } });
    await handle({ activity: undo(`${remoteUrl}/users/bob`), recipient: null });
    expect((await app.db.sql`SELECT 1 FROM subscriptions WHERE follow_activity_id = ${activity.id}`).length).toBe(1);
    await handle({ activity: undo(activity.actor), recipient: null });
    expect((await app.db.sql`SELECT 1 FROM subscriptions WHERE follow_activity_id = ${activity.id}`).length).toBe(0);
  });
});
