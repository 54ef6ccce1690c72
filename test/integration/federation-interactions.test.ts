/**
 * Inbound interactions over a real database: Notes from a Mastodon-like server become comments (sanitized,
 * threaded), Deletes only count from the comment's origin, Like / Dislike / Undo / View move the counters. The
 * remote servers are Bun.serve instances on loopback publishing actor documents; activities go through the
 * inbox worker's handler directly (what the queue would run).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";
import { generateActorKeys, type KeyPairPem } from "../../src/federation/keys.ts";
import { createInboxHandler } from "../../src/federation/inbox.ts";
import { fetcherFor } from "../../src/federation/actors.ts";
import type { Queues } from "../../src/queue/queues.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

const AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
let app: TestApp;
let keys: KeyPairPem;
const servers: ReturnType<typeof Bun.serve>[] = [];
let masto: string;
let evil: string;
let video: SeededVideo;
let handle: ReturnType<typeof createInboxHandler>;
const sent: { queue: string; payload: any }[] = [];
/** Objects the fake servers serve besides actors, by URL (Notes read back from their origin). */
const served = new Map<string, unknown>();

/** A fediverse server publishing Person actors under /users/NAME. */
function fakeServer(): string {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const url = new URL(request.url);
      if (served.has(url.href)) return Response.json(served.get(url.href), { headers: { "content-type": "application/activity+json" } });
      const match = /^\/users\/(\w+)$/.exec(url.pathname);
      if (!match) return new Response("not found", { status: 404 });
      const id = `${url.origin}/users/${match[1]}`;
      return Response.json(
        {
          "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
          id,
          type: "Person",
          preferredUsername: match[1],
          name: match[1] === "ana" ? "Ana <b>Bold</b>" : match[1],
          url: `${url.origin}/@${match[1]}`,
          inbox: `${id}/inbox`,
          endpoints: { sharedInbox: `${url.origin}/inbox` },
          publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem },
        },
        { headers: { "content-type": "application/activity+json" } },
      );
    },
  });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

beforeAll(async () => {
  keys = await generateActorKeys();
  masto = fakeServer();
  evil = fakeServer();
  app = await createTestApp({ TUBELET_FEDERATION_ALLOW_PRIVATE: "true" });
  const cook = await app.createUser("cook");
  video = await seedVideo(app.db.sql, { channelId: await defaultChannelId(app.db.sql, cook.id), name: "Tomato soup" });
  const queues: Queues = { add: async (queue, payload) => void sent.push({ queue, payload }), close: async () => {} };
  handle = createInboxHandler({ sql: app.db.sql, config: app.config, queues, fetcher: fetcherFor(app.config) });
}, 30_000);

afterAll(async () => {
  await app?.close();
  for (const s of servers) s.stop(true);
});

const videoUri = () => `${ORIGIN}/videos/watch/${video.uuid}`;
let seq = 0;

function createNote(origin: string, user: string, inReplyTo: string, content: string, extra: Record<string, unknown> = {}) {
  const actor = `${origin}/users/${user}`;
  const id = `${actor}/statuses/${++seq}`;
  const object = { id, type: "Note", attributedTo: actor, inReplyTo, content, to: [AS_PUBLIC], cc: [`${actor}/followers`], published: new Date().toISOString(), ...extra };
  return { activity: { id: `${id}/activity`, type: "Create", actor, object, to: [AS_PUBLIC] }, noteId: id };
}

async function commentsHtml(): Promise<string> {
  return (await app.handle(new Request(`${ORIGIN}/w/${video.shortId}/comments`))).text();
}

async function commentByApId(apId: string) {
  const [row] = await app.db.sql<{ id: number; text: string; deletedAt: Date | null; parentId: number | null; threadId: number | null }[]>`
    SELECT id::int, text, deleted_at, parent_id::int, thread_id::int FROM comments WHERE ap_id = ${apId}`;
  return row ?? null;
}

describe("comments from other servers", () => {
  let anaNote = "";

  test("a Mastodon reply to the video is a comment; its hostile HTML is text, shown under the remote author", async () => {
    const hostile =
      '<p>Great soup!<script>alert("x")</script><img src=x onerror="alert(1)"> <a href="javascript:alert(2)">click</a> ' +
      '<a href="https://recipes.example/soup" onclick="steal()">recipe</a></p><p>&lt;iframe src=//evil&gt;</p>';
    const { activity, noteId } = createNote(masto, "ana", videoUri(), hostile);
    await handle({ activity, recipient: null });
    anaNote = noteId;
    const row = await commentByApId(noteId);
    expect(row).toMatchObject({ text: 'Great soup! click [recipe](https://recipes.example/soup)\n\n<iframe src=//evil>', parentId: null });

    const html = await commentsHtml();
    expect(html).toContain("Great soup!");
    expect(html).toContain('<a href="https://recipes.example/soup" rel="nofollow noopener ugc">recipe</a>');
    expect(html).toContain("&lt;iframe src=//evil&gt;");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("onerror");
    expect(html).not.toContain("javascript:");
    // The author: the remote actor, named and linked to its profile; its display name escaped.
    expect(html).toContain(`href="${masto}/@ana"`);
    expect(html).toContain("Ana &lt;b&gt;Bold&lt;/b&gt;");
    // The same Note delivered again (another activity id) is kept once.
    const again = createNote(masto, "ana", videoUri(), "x");
    await handle({ activity: { ...again.activity, object: { ...activity.object } }, recipient: null });
    const [count] = await app.db.sql`SELECT count(*)::int AS n FROM comments WHERE ap_id = ${noteId}`;
    expect(count!.n).toBe(1);
  });

  test("a reply to that comment, and a reply to a local comment by its id, are threaded under them", async () => {
    const { activity, noteId } = createNote(masto, "bob", anaNote, "<p>Agreed</p>");
    await handle({ activity, recipient: null });
    const parent = (await commentByApId(anaNote))!;
    expect(await commentByApId(noteId)).toMatchObject({ text: "Agreed", parentId: parent.id, threadId: parent.id });

    const [local] = await app.db.sql<{ id: number }[]>`
      INSERT INTO comments (video_id, actor_id, text) SELECT ${video.id}, u.actor_id, 'Local words' FROM users u
      JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'cook' RETURNING id::int`;
    const reply = createNote(masto, "bob", `${ORIGIN}/videos/watch/${video.uuid}/comments/${local!.id}`, "To the cook");
    await handle({ activity: reply.activity, recipient: null });
    expect(await commentByApId(reply.noteId)).toMatchObject({ parentId: local!.id, threadId: local!.id });
  });

  test("private Notes, Notes by someone else than the sender, and replies to unknown things are not kept", async () => {
    const dm = createNote(masto, "ana", videoUri(), "secret", { to: [`${ORIGIN}/accounts/cook`], cc: [] });
    await handle({ activity: dm.activity, recipient: null });
    const forged = createNote(masto, "ana", videoUri(), "forged");
    await handle({ activity: { ...forged.activity, id: `${evil}/users/eve/x1`, actor: `${evil}/users/eve` }, recipient: null });
    const stray = createNote(masto, "ana", "https://elsewhere.example/notes/1", "stray");
    await handle({ activity: stray.activity, recipient: null });
    for (const id of [dm.noteId, forged.noteId, stray.noteId]) expect(await commentByApId(id)).toBeNull();
  });

  test("Delete of a Note from another origin is ignored; from its origin it removes the text and keeps the replies", async () => {
    await handle({ activity: { id: `${evil}/users/eve/del-1`, type: "Delete", actor: `${evil}/users/eve`, object: anaNote }, recipient: null });
    expect((await commentByApId(anaNote))!.deletedAt).toBeNull();
    await handle({ activity: { id: `${masto}/users/ana/del-1`, type: "Delete", actor: `${masto}/users/ana`, object: { id: anaNote, type: "Tombstone" } }, recipient: null });
    expect(await commentByApId(anaNote)).toMatchObject({ text: "" });
    expect((await commentByApId(anaNote))!.deletedAt).not.toBeNull();
    const html = await commentsHtml();
    expect(html).not.toContain("Great soup!");
    expect(html).toContain("Agreed");
  });

  test("a local comment's id serves its Note to ActivityPub clients", async () => {
    const [local] = await app.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE text = 'Local words'`;
    const uri = `${ORIGIN}/videos/watch/${video.uuid}/comments/${local!.id}`;
    const response = await app.handle(new Request(uri, { headers: { accept: "application/activity+json" } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ type: "Note", id: uri, content: "Local words", inReplyTo: videoUri(), attributedTo: `${ORIGIN}/accounts/cook` });
    const browser = await app.handle(new Request(uri));
    expect(browser.headers.get("location")).toBe(`${ORIGIN}/w/${video.shortId}#comment-${local!.id}`);
  });
});

describe("likes, dislikes and views", () => {
  const counts = async () =>
    (await app.db.sql<{ likes: number; dislikes: number; views: number }[]>`SELECT likes, dislikes, views::int FROM videos WHERE id = ${video.id}`)[0]!;
  const act = (user: string, type: string, object: unknown, n = ++seq) => ({ id: `${masto}/users/${user}/act/${n}`, type, actor: `${masto}/users/${user}`, object });

  test("a Like counts once per actor, a Dislike replaces it, Undo of the other rating changes nothing, Undo removes it", async () => {
    await handle({ activity: act("ana", "Like", videoUri()), recipient: null });
    await handle({ activity: act("ana", "Like", videoUri()), recipient: null });
    await handle({ activity: act("bob", "Like", videoUri()), recipient: null });
    expect(await counts()).toMatchObject({ likes: 2, dislikes: 0 });
    const dislike = act("ana", "Dislike", videoUri());
    await handle({ activity: dislike, recipient: null });
    expect(await counts()).toMatchObject({ likes: 1, dislikes: 1 });
    await handle({ activity: act("ana", "Undo", { ...act("ana", "Like", videoUri()) }), recipient: null });
    expect(await counts()).toMatchObject({ likes: 1, dislikes: 1 });
    // Someone else cannot undo ana's rating.
    await handle({ activity: act("bob", "Undo", dislike), recipient: null });
    expect(await counts()).toMatchObject({ likes: 1, dislikes: 1 });
    await handle({ activity: act("ana", "Undo", dislike), recipient: null });
    expect(await counts()).toMatchObject({ likes: 1, dislikes: 0 });
  });

  test("a View adds one view, once per activity id", async () => {
    const before = (await counts()).views;
    const view = act("ana", "View", videoUri());
    await handle({ activity: view, recipient: null });
    await handle({ activity: view, recipient: null });
    await handle({ activity: act("ana", "View", `${ORIGIN}/videos/watch/00000000-0000-4000-8000-000000000000`), recipient: null });
    expect((await counts()).views).toBe(before + 1);
  });
});

describe("blocklist", () => {
  const FORM = { "content-type": "application/x-www-form-urlencoded" };
  const host = (origin: string) => new URL(origin).host;

  let admin: ReturnType<TestApp["client"]> | null = null;
  async function adminClient() {
    if (admin) return admin;
    const boss = await app.createUser("boss", { role: "admin" });
    admin = app.client("198.51.100.40");
    await admin.login(boss.username, boss.password);
    await admin.page("/admin/federation");
    return admin;
  }

  test("only administrators see the page, and its forms need the CSRF token", async () => {
    const cookUser = app.client("198.51.100.41");
    await cookUser.login("cook", "Correct-Horse-42");
    expect((await cookUser.page("/admin/federation")).status).toBe(403);
    expect((await cookUser.submit("/admin/federation/blocks", { target: "spam.example" })).status).toBe(403);
    const admin = await adminClient();
    const noToken = await admin.fetch("/admin/federation/blocks", { method: "POST", body: new URLSearchParams({ target: "spam.example" }), headers: FORM });
    expect(noToken.status).toBe(403);
    const invalid = await admin.submit("/admin/federation/blocks", { target: "not a host" });
    expect(invalid.status).toBe(400);
    expect((await app.db.sql`SELECT 1 FROM federation_blocks`).length).toBe(0);
  });

  test("a blocked server's activities are refused at the inbox (403) and dropped from the queue", async () => {
    const admin = await adminClient();
    expect((await admin.submit("/admin/federation/blocks", { target: host(evil) })).status).toBe(303);
    expect((await admin.page("/admin/federation")).html).toContain(host(evil));

    const { signOutbound } = await import("../../src/federation/signatures.ts");
    const note = createNote(evil, "eve", videoUri(), "spam spam");
    const request = new Request(`${ORIGIN}/inbox`, { method: "POST", body: JSON.stringify(note.activity), headers: { "content-type": "application/activity+json" } });
    const signed = await signOutbound(request, { keyId: `${evil}/users/eve#main-key`, privateKeyPem: keys.privateKeyPem });
    expect((await app.handle(signed)).status).toBe(403);
    await handle({ activity: note.activity, recipient: null });
    expect(await commentByApId(note.noteId)).toBeNull();
  });

  test("nothing is delivered to a blocked server", async () => {
    const { createDeliveryHandler } = await import("../../src/federation/delivery.ts");
    let sends = 0;
    const fetcher = { ...fetcherFor(app.config), send: async () => (sends++, new Response(null, { status: 202 })) };
    const deliver = createDeliveryHandler({ sql: app.db.sql, config: app.config, fetcher });
    const [cook] = await app.db.sql<{ id: number }[]>`SELECT id::int FROM actors WHERE handle = 'cook' AND domain IS NULL`;
    await deliver({ inbox: `${evil}/inbox`, activity: { id: `${ORIGIN}/x`, type: "Like" }, signerActorId: cook!.id });
    expect(sends).toBe(0);
    await deliver({ inbox: `${masto}/inbox`, activity: { id: `${ORIGIN}/y`, type: "Like" }, signerActorId: cook!.id });
    expect(sends).toBe(1);
  });

  test("a blocked account's comments read as removed; a blocked server's videos leave listings and pages", async () => {
    const admin = await adminClient();
    expect(await commentsHtml()).toContain("Agreed");
    expect((await admin.submit("/admin/federation/blocks", { target: `@bob@${host(masto)}` })).status).toBe(303);
    const html = await commentsHtml();
    expect(html).not.toContain("Agreed");
    expect(html).not.toContain("To the cook");

    // A video kept from the Mastodon-like server (its channel being ana's actor, for the test's sake).
    const [ana] = await app.db.sql<{ id: number }[]>`SELECT id::int FROM actors WHERE uri = ${`${masto}/users/ana`}`;
    const [channel] = await app.db.sql<{ id: number }[]>`INSERT INTO channels (actor_id, owner_id) VALUES (${ana!.id}, NULL) RETURNING id::int`;
    const remote = await seedVideo(app.db.sql, { channelId: channel!.id, name: "Remote gardening" });
    await app.db.sql`
      UPDATE videos SET ap_id = ${`${masto}/videos/watch/${remote.uuid}`}, origin_watch_url = ${`${masto}/w/1`},
        origin_master_url = ${`${masto}/master.m3u8`} WHERE id = ${remote.id}`;
    expect(await (await app.handle(new Request(`${ORIGIN}/`))).text()).toContain("Remote gardening");
    expect((await app.handle(new Request(`${ORIGIN}/w/${remote.shortId}`))).status).toBe(200);

    expect((await admin.submit("/admin/federation/blocks", { target: host(masto) })).status).toBe(303);
    expect(await (await app.handle(new Request(`${ORIGIN}/`))).text()).not.toContain("Remote gardening");
    expect(await (await app.handle(new Request(`${ORIGIN}/search?q=gardening`))).text()).not.toContain("Remote gardening");
    expect((await app.handle(new Request(`${ORIGIN}/w/${remote.shortId}`))).status).toBe(404);

    // Unblocking shows it again.
    const [row] = await app.db.sql<{ id: number }[]>`SELECT id::int FROM federation_blocks WHERE domain = ${host(masto)}`;
    expect((await admin.submit(`/admin/federation/blocks/${row!.id}/delete`, {})).status).toBe(303);
    expect((await app.handle(new Request(`${ORIGIN}/w/${remote.shortId}`))).status).toBe(200);
  });
});

describe("forwarded comments (signed by another server than the author's)", () => {
  test("are applied with the Note as its origin serves it, not as the forwarder sent it", async () => {
    const { activity, noteId } = createNote(masto, "carol", videoUri(), "<p>Original words</p>");
    served.set(noteId, { "@context": "https://www.w3.org/ns/activitystreams", ...activity.object });
    const tampered = { ...activity, object: { ...activity.object, content: "<p>Words put in her mouth</p>" } };
    await handle({ activity: tampered, recipient: null, forwardedBy: `${evil}/users/eve` });
    expect((await commentByApId(noteId))?.text).toBe("Original words");
  });

  test("are dropped when the origin does not serve the Note, or serves another object under its id", async () => {
    const missing = createNote(masto, "carol", videoUri(), "<p>Never said</p>");
    await handle({ activity: missing.activity, recipient: null, forwardedBy: `${evil}/users/eve` });
    expect(await commentByApId(missing.noteId)).toBeNull();

    const swapped = createNote(masto, "carol", videoUri(), "<p>Swapped</p>");
    served.set(swapped.noteId, { ...swapped.activity.object, id: `${masto}/users/carol/statuses/other` });
    await handle({ activity: swapped.activity, recipient: null, forwardedBy: `${evil}/users/eve` });
    expect(await commentByApId(swapped.noteId)).toBeNull();
  });

  test("a comment on our video is passed on as it came to the channel's other followers; a forwarded one is not", async () => {
    const other = fakeServer();
    const follow = { id: `${other}/follows/1`, type: "Follow", actor: `${other}/users/finn`, object: `${ORIGIN}/video-channels/cook_channel` };
    await handle({ activity: follow, recipient: "cook_channel" });
    sent.length = 0;
    const direct = createNote(masto, "erin", videoUri(), "<p>Pass me on</p>");
    await handle({ activity: direct.activity, recipient: null });
    const forwards = sent.filter((s) => s.queue === "ap-deliver");
    expect(forwards.map((s) => s.payload.inbox)).toEqual([`${other}/inbox`]);
    expect(forwards[0]!.payload.activity).toEqual(direct.activity);

    sent.length = 0;
    const relayed = createNote(masto, "erin", videoUri(), "<p>Relayed to us</p>");
    served.set(relayed.noteId, relayed.activity.object);
    await handle({ activity: relayed.activity, recipient: null, forwardedBy: `${evil}/users/eve` });
    expect(await commentByApId(relayed.noteId)).not.toBeNull();
    expect(sent.filter((s) => s.queue === "ap-deliver")).toEqual([]);
  });

  test("a forwarded Delete stands only when the origin no longer serves the Note", async () => {
    const { activity, noteId } = createNote(masto, "dora", videoUri(), "<p>Still here</p>");
    await handle({ activity, recipient: null });
    served.set(noteId, { "@context": "https://www.w3.org/ns/activitystreams", ...activity.object });
    const del = (n: number) => ({ id: `${masto}/users/dora/deletes/${n}`, type: "Delete", actor: `${masto}/users/dora`, object: noteId });
    await handle({ activity: del(1), recipient: null, forwardedBy: `${evil}/users/eve` });
    expect((await commentByApId(noteId))?.deletedAt).toBeNull();
    served.set(noteId, { id: noteId, type: "Tombstone" });
    await handle({ activity: del(2), recipient: null, forwardedBy: `${evil}/users/eve` });
    expect((await commentByApId(noteId))?.deletedAt).not.toBeNull();
  });
});
