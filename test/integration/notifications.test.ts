import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";
import { notifyCommentPosted, notifyTranscodeFailed, notifyVideoPublished } from "../../src/notifications/service.ts";
import { createTranscodeHandler } from "../../src/videos/transcode-job.ts";
import { createUnreadStreams } from "../../src/notifications/live.ts";
import { readEvents } from "../helpers/sse.ts";

interface Person {
  id: number;
  actorId: number;
  client: TestClient;
}

let t: TestApp;
let alice: Person; // owns alice_channel
let bob: Person; // subscribed to alice_channel
let carol: Person; // comments
let aliceChannel: number;
let aliceVideo: { id: number; shortId: string };

async function person(name: string, ip: string): Promise<Person> {
  const u = await t.createUser(name);
  const client = t.client(ip);
  await client.login(u.username, u.password);
  const [row] = await t.deps.sql<{ actorId: number }[]>`SELECT actor_id::int FROM users WHERE id = ${u.id}`;
  return { id: u.id, actorId: row!.actorId, client };
}

beforeAll(async () => {
  t = await createTestApp();
  [alice, bob, carol] = await Promise.all([person("alice", "198.51.100.30"), person("bob", "198.51.100.31"), person("carol", "198.51.100.32")]);
  aliceChannel = await defaultChannelId(t.deps.sql, alice.id);
  aliceVideo = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Alice talks" });
  await bob.client.fetch("/c/alice_channel/subscribe", { method: "POST", headers: { "hx-request": "true", "x-csrf-token": bob.client.csrf } });
});
afterAll(() => t.close());

/** A comment row as the comments feature would store it (that feature is built separately). */
async function comment(videoId: number, author: Person, text: string, parentId: number | null = null): Promise<number> {
  const [row] = await t.deps.sql<{ id: number }[]>`
    INSERT INTO comments (video_id, actor_id, parent_id, thread_id, text)
    VALUES (${videoId}, ${author.actorId}, ${parentId}, (SELECT coalesce(thread_id, id) FROM comments WHERE id = ${parentId}), ${text})
    RETURNING id::int`;
  return row!.id;
}

interface Listed {
  id: number;
  type: number;
  kind: string;
  read: boolean;
  video?: { shortUUID: string; name: string };
  comment?: { id: number; text: string; video: { shortUUID: string }; account: { name: string } };
}

function api(p: Person, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("x-csrf-token", p.client.csrf);
  if (init.body) headers.set("content-type", "application/json");
  return p.client.fetch(path, { ...init, headers });
}

async function listed(p: Person): Promise<{ total: number; data: Listed[] }> {
  const res = await api(p, "/api/v1/users/me/notifications?count=100");
  expect(res.status).toBe(200);
  return res.json();
}

const kinds = async (p: Person) => (await listed(p)).data.map((n) => n.kind);

async function clear(...people: Person[]) {
  for (const p of people) await t.deps.sql`DELETE FROM notifications WHERE user_id = ${p.id}`;
}

describe("new videos", () => {
  test("a private or unlisted video never reaches subscribers; the owner hears it is ready", async () => {
    await clear(alice, bob);
    const secret = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Secret plans", privacy: 3 });
    const unlisted = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Just for friends", privacy: 2 });
    await notifyVideoPublished(t.deps.sql, secret.id);
    await notifyVideoPublished(t.deps.sql, unlisted.id);
    expect(await kinds(bob)).toEqual([]);
    expect(await kinds(alice)).toEqual(["transcode_finished", "transcode_finished"]);
  });

  test("a public video reaches subscribers once, and not its owner as a new video", async () => {
    await clear(alice, bob, carol);
    // The owner following their own channel still gets only "published".
    await t.deps.sql`INSERT INTO subscriptions (subscriber_id, channel_id) SELECT ${alice.actorId}, actor_id FROM channels WHERE id = ${aliceChannel}`;
    const video = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Hello everyone" });
    await notifyVideoPublished(t.deps.sql, video.id);
    await notifyVideoPublished(t.deps.sql, video.id); // a retried job changes nothing
    const got = await listed(bob);
    expect(got.total).toBe(1);
    expect(got.data[0]).toMatchObject({ kind: "new_video", type: 1, read: false, video: { shortUUID: video.shortId, name: "Hello everyone" } });
    expect(await kinds(alice)).toEqual(["transcode_finished"]);
    expect(await kinds(carol)).toEqual([]);
    await t.deps.sql`DELETE FROM subscriptions WHERE subscriber_id = ${alice.actorId}`;
  });

  test("the page links each notification to its video", async () => {
    const page = await bob.client.page("/my/notifications");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<li class="notification unread"/);
    expect(page.html).toContain("Hello everyone");
    expect(page.html).toMatch(/href="\/w\/[\w-]+"/);
    expect(page.html).toContain('id="bell-count" class="bell-count"');
  });
});

describe("comments", () => {
  test("a comment on your video notifies you; your own does not", async () => {
    await clear(alice, bob, carol);
    const byCarol = await comment(aliceVideo.id, carol, "Great <b>video</b>!");
    await notifyCommentPosted(t.deps.sql, byCarol);
    const own = await comment(aliceVideo.id, alice, "Thanks for watching, all");
    await notifyCommentPosted(t.deps.sql, own);
    const got = await listed(alice);
    expect(got.data.map((n) => n.kind)).toEqual(["video_comment"]);
    expect(got.data[0]!.comment).toMatchObject({ id: byCarol, text: "Great <b>video</b>!", account: { name: "carol" }, video: { shortUUID: aliceVideo.shortId } });
    const page = await alice.client.page("/my/notifications");
    expect(page.html).toContain(`href="/w/${aliceVideo.shortId}#comment-${byCarol}"`);
    expect(page.html).toContain("Great &lt;b&gt;video&lt;/b&gt;!");
    expect(page.html).not.toContain("<b>video</b>");
  });

  test("a reply notifies the author of the comment answered, once, and never the replier", async () => {
    await clear(alice, bob, carol);
    const byCarol = await comment(aliceVideo.id, carol, "Question?");
    const aliceAnswers = await comment(aliceVideo.id, alice, "Answer.", byCarol);
    await notifyCommentPosted(t.deps.sql, aliceAnswers);
    await notifyCommentPosted(t.deps.sql, aliceAnswers);
    expect(await kinds(carol)).toEqual(["comment_reply"]);
    expect(await kinds(alice)).toEqual([]);
    // Bob answers Alice on her own video: she hears it as a reply, not twice.
    const bobAnswers = await comment(aliceVideo.id, bob, "Me too.", aliceAnswers);
    await notifyCommentPosted(t.deps.sql, bobAnswers);
    expect(await kinds(alice)).toEqual(["comment_reply"]);
    // Carol answers herself: only Alice, as the video's owner, hears of it.
    const carolAgain = await comment(aliceVideo.id, carol, "Never mind.", byCarol);
    await notifyCommentPosted(t.deps.sql, carolAgain);
    expect(await kinds(carol)).toEqual(["comment_reply"]);
    expect(await kinds(alice)).toEqual(["video_comment", "comment_reply"]);
  });

  test("replies on a private video do not reach people who cannot open it", async () => {
    await clear(alice, bob, carol);
    const video = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Was public once" });
    const byCarol = await comment(video.id, carol, "Nice");
    await t.deps.sql`UPDATE videos SET privacy = 3 WHERE id = ${video.id}`;
    await notifyCommentPosted(t.deps.sql, await comment(video.id, alice, "Thanks", byCarol));
    expect(await kinds(carol)).toEqual([]);
  });
});

describe("settings", () => {
  test("turning a type off on the settings page stops it; saving needs no reload", async () => {
    await clear(bob);
    const page = await bob.client.page("/my/notifications/settings");
    expect(page.html).toMatch(/name="new_video" value="on" checked/);
    const form = new URLSearchParams({ comment_reply: "on", video_comment: "on", transcode_finished: "on", transcode_failed: "on" });
    const res = await bob.client.fetch("/my/notifications/settings", {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true", "x-csrf-token": bob.client.csrf },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<html");
    expect(html).toContain("Saved.");
    expect(html).not.toMatch(/name="new_video" value="on" checked/);
    const video = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Unheard of" });
    await notifyVideoPublished(t.deps.sql, video.id);
    expect(await kinds(bob)).toEqual([]);
  });

  test("the API takes our names or PeerTube's", async () => {
    await clear(alice, carol);
    let res = await api(carol, "/api/v1/users/me/notification-settings", { method: "PUT", body: JSON.stringify({ commentMention: 0 }) });
    expect(res.status).toBe(204);
    await notifyCommentPosted(t.deps.sql, await comment(aliceVideo.id, alice, "Hush", await comment(aliceVideo.id, carol, "Hi")));
    expect(await kinds(carol)).toEqual([]);
    res = await api(carol, "/api/v1/users/me/notification-settings", { method: "PUT", body: JSON.stringify({ comment_reply: true }) });
    expect(res.status).toBe(204);
    await notifyCommentPosted(t.deps.sql, await comment(aliceVideo.id, alice, "Hello again", await comment(aliceVideo.id, carol, "Hi again")));
    expect(await kinds(carol)).toEqual(["comment_reply"]);
    res = await api(carol, "/api/v1/users/me/notification-settings", { method: "PUT", body: JSON.stringify({ nothing: true }) });
    expect(res.status).toBe(400);
    res = await api(carol, "/api/v1/users/me/notification-settings", { method: "PUT", body: JSON.stringify({ new_video: "maybe" }) });
    expect(res.status).toBe(400);
  });

  test("saving settings without the CSRF token is refused", async () => {
    const res = await bob.client.fetch("/my/notifications/settings", {
      method: "POST",
      body: new URLSearchParams({ new_video: "on" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(403);
  });
});

describe("reading", () => {
  async function threeForAlice(): Promise<number[]> {
    await clear(alice);
    for (const text of ["one", "two", "three"]) await notifyCommentPosted(t.deps.sql, await comment(aliceVideo.id, carol, text));
    return (await listed(alice)).data.map((n) => n.id);
  }

  test("mark one read in place, then all", async () => {
    const [newest] = await threeForAlice();
    let page = await alice.client.page("/my/notifications");
    expect(page.html).toContain('aria-label="3 unread notifications"');
    const res = await alice.client.fetch(`/my/notifications/${newest}/read`, { method: "POST", headers: { "hx-request": "true", "x-csrf-token": alice.client.csrf } });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expect(fragment).toStartWith(`<li class="notification" id="notification-${newest}"`);
    expect(fragment).not.toContain("/read");
    page = await alice.client.page("/my/notifications");
    expect(page.html).toContain('aria-label="2 unread notifications"');
    const all = await alice.client.fetch("/my/notifications/read-all", { method: "POST", headers: { "hx-request": "true", "x-csrf-token": alice.client.csrf } });
    const list = await all.text();
    expect(list).toStartWith('<div id="notification-list">');
    expect(list).not.toContain("notification unread");
    expect((await listed(alice)).data.every((n) => n.read)).toBe(true);
    // Without JavaScript, the forms post and come back to the page.
    const plain = await alice.client.submit("/my/notifications/read-all", {});
    expect(plain.status).toBe(303);
  });

  test("the API marks some or all read", async () => {
    const ids = await threeForAlice();
    expect((await api(alice, "/api/v1/users/me/notifications/read", { method: "POST", body: JSON.stringify({ ids: ids.slice(0, 2) }) })).status).toBe(204);
    expect((await (await api(alice, "/api/v1/users/me/notifications?unread=true")).json()).total).toBe(1);
    expect((await api(alice, "/api/v1/users/me/notifications/read", { method: "POST", body: JSON.stringify({ ids: ["x"] }) })).status).toBe(400);
    expect((await api(alice, "/api/v1/users/me/notifications/read-all", { method: "POST" })).status).toBe(204);
    expect((await (await api(alice, "/api/v1/users/me/notifications?unread=true")).json()).total).toBe(0);
  });

  test("pages load more with htmx", async () => {
    await clear(alice);
    for (let i = 0; i < 22; i++) await notifyCommentPosted(t.deps.sql, await comment(aliceVideo.id, carol, `number ${i}`));
    const page = await alice.client.page("/my/notifications");
    expect(page.html).toContain('hx-get="/my/notifications?start=20"');
    const more = await (await alice.client.fetch("/my/notifications?start=20", { headers: { "hx-request": "true" } })).text();
    expect(more).toStartWith("<li");
    expect(more).toContain("number 0");
    expect(more).not.toContain("hx-get=");
  });

  test("another user can neither read nor mark your notifications", async () => {
    const ids = await threeForAlice();
    expect((await listed(carol)).data.map((n) => n.id)).not.toContain(ids[0]);
    const res = await carol.client.fetch(`/my/notifications/${ids[0]}/read`, { method: "POST", headers: { "hx-request": "true", "x-csrf-token": carol.client.csrf } });
    expect(res.status).toBe(404);
    expect((await api(carol, "/api/v1/users/me/notifications/read", { method: "POST", body: JSON.stringify({ ids }) })).status).toBe(204);
    expect((await api(carol, "/api/v1/users/me/notifications/read-all", { method: "POST" })).status).toBe(204);
    expect((await listed(alice)).data.filter((n) => !n.read).length).toBe(3);
  });

  test("visitors are sent to log in; the API wants credentials", async () => {
    const visitor = t.client();
    const res = await visitor.fetch("/my/notifications");
    expect(res.status).toBe(303);
    expect((await visitor.fetch("/api/v1/users/me/notifications")).status).toBe(401);
    expect((await visitor.fetch("/my/notifications/events")).status).toBe(303);
  });
});

/** Reads a Server-Sent Events stream; `until` waits, with a deadline, for an unread count that passes a test. */
async function openEvents(p: Person) {
  const res = await p.client.fetch("/my/notifications/events");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/event-stream");
  const reader = readEvents<{ count: number; label: string }>(res.body!, "unread");
  return { events: reader.events, until: (check: (count: number) => boolean, ms?: number) => reader.until((e) => check(e.count), ms), close: reader.close };
}

describe("live unread count", () => {
  test("the stream sends the count at once and each new one when a notification is created or read", async () => {
    await clear(alice);
    const stream = await openEvents(alice);
    try {
      expect((await stream.until((n) => n === 0)).label).toBe("0 unread notifications");
      await notifyCommentPosted(t.deps.sql, await comment(aliceVideo.id, carol, "Live!"));
      expect((await stream.until((n) => n === 1)).label).toBe("1 unread notification");
      await api(alice, "/api/v1/users/me/notifications/read-all", { method: "POST" });
      await stream.until((n) => n === 0 && stream.events.length >= 3);
      expect(stream.events.map((e) => e.count)).toEqual([0, 1, 0]);
    } finally {
      await stream.close();
    }
  });

  test("one person's streams are bounded, and a closed stream frees its place", async () => {
    const streams = [];
    for (let i = 0; i < 5; i++) streams.push(await openEvents(bob));
    const refused = await bob.client.fetch("/my/notifications/events");
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("close one");
    // Someone else is not affected.
    const carols = await openEvents(carol);
    await carols.close();
    await streams.pop()!.close();
    const again = await openEvents(bob);
    await again.until(() => true);
    for (const s of [...streams, again]) await s.close();
  });

  test("idle streams get keep-alive comments; a disconnect or closing the hub ends them", async () => {
    const hub = createUnreadStreams(t.deps.sql, { heartbeatMs: 20 });
    const gone = new AbortController();
    await hub.open(carol.id, String, gone.signal);
    const reader = (await hub.open(carol.id, String, new AbortController().signal)).getReader();
    expect(hub.openCount()).toBe(2);
    gone.abort(); // what Bun does when the browser goes away
    expect(hub.openCount()).toBe(1);
    const decoder = new TextDecoder();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes(": keep-alive\n\n") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain("event: unread");
    expect(text).toContain(": keep-alive\n\n");
    await hub.close();
    expect(hub.openCount()).toBe(0);
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});

describe("transcoding", () => {
  test("a failed transcode notifies the owner once, on the final attempt only", async () => {
    await clear(alice);
    const dir = await mkdtemp(join(tmpdir(), "tubelet-notify-"));
    try {
      const junk = join(dir, "junk.mp4");
      await writeFile(junk, "this is not a video");
      const video = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Broken upload" });
      await t.deps.sql`UPDATE videos SET state = 'queued', original_path = ${junk} WHERE id = ${video.id}`;
      const run = createTranscodeHandler(t.deps);
      const job = (attemptsMade: number) => ({ attemptsMade, opts: { attempts: 2 }, updateProgress: async () => {} }) as unknown as Job;
      await expect(run({ videoId: video.id }, job(0))).rejects.toThrow();
      expect(await kinds(alice)).toEqual([]);
      await run({ videoId: video.id }, job(1)).catch(() => {});
      await run({ videoId: video.id }, job(1)).catch(() => {}); // a stalled final attempt run twice
      const got = await listed(alice);
      expect(got.data.map((n) => n.kind)).toEqual(["transcode_failed"]);
      expect(got.data[0]!.video?.name).toBe("Broken upload");
      const [row] = await t.deps.sql<{ state: string }[]>`SELECT state FROM videos WHERE id = ${video.id}`;
      expect(row!.state).toBe("failed");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("notifying a missing video does nothing and never throws", async () => {
    await notifyTranscodeFailed(t.deps.sql, 987654);
    await notifyVideoPublished(t.deps.sql, 987654);
    await notifyCommentPosted(t.deps.sql, 987654);
  });
});
