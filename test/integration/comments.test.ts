import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, ORIGIN, type TestApp, TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let t: TestApp;
let owner: TestClient;
let alice: TestClient;
let bob: TestClient;
let admin: TestClient;
let visitor: TestClient;
let video: SeededVideo;
let privateVideo: SeededVideo;
const ids = { first: 0, bobReply: 0, aliceReply: 0 };

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** An htmx form post, as the page's forms send it. */
function hx(client: TestClient, path: string, fields: Record<string, string> = {}, csrf = client.csrf): Promise<Response> {
  const body = new URLSearchParams(csrf ? { _csrf: csrf, ...fields } : fields);
  return client.fetch(path, { method: "POST", body, headers: { ...FORM, "hx-request": "true" } });
}

function hxGet(client: TestClient, path: string): Promise<Response> {
  return client.fetch(path, { headers: { "hx-request": "true" } });
}

/** JSON API call with the session and the CSRF header, as the page's own scripts would make it. */
function api(client: TestClient, method: string, path: string, json?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "x-csrf-token": client.csrf };
  if (json !== undefined) headers["content-type"] = "application/json";
  return client.fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

const commentId = (html: string) => Number(/id="comment-(\d+)"/.exec(html)?.[1]);

async function newClient(name: string, ip: string, role?: "admin"): Promise<TestClient> {
  const u = await t.createUser(name, { role });
  const client = t.client(ip);
  await client.login(u.username, u.password);
  await client.page("/");
  return client;
}

beforeAll(async () => {
  t = await createTestApp();
  [owner, alice, bob, admin] = await Promise.all([
    newClient("owner", "198.51.100.20"),
    newClient("alice", "198.51.100.21"),
    newClient("bob", "198.51.100.22"),
    newClient("boss", "198.51.100.23", "admin"),
  ]);
  visitor = t.client("198.51.100.24");
  await visitor.page("/");
  const [row] = await t.db.sql<{ id: number }[]>`SELECT u.id::int FROM users u JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'owner'`;
  const channelId = await defaultChannelId(t.db.sql, row!.id);
  video = await seedVideo(t.db.sql, { channelId, name: "Talk about it" });
  privateVideo = await seedVideo(t.db.sql, { channelId, name: "Only mine", privacy: 3 });
}, 30_000);
afterAll(() => t.close(), 30_000);

describe("reading", () => {
  test("the watch page loads the comments after the page, from their own URL", async () => {
    const page = await visitor.page(`/w/${video.shortId}`);
    expect(page.html).toContain(`hx-get="/w/${video.shortId}/comments"`);
    // Loaded when scrolled into view, or at once when the link points at one comment.
    expect(page.html).toContain(`hx-trigger="revealed, load[location.hash.startsWith('#comment-')]"`);
    expect(page.html).toContain("0 comments");
    const body = await (await hxGet(visitor, `/w/${video.shortId}/comments`)).text();
    expect(body).toContain("No comments yet");
    expect(body).toContain(`/login?next=${encodeURIComponent(`/w/${video.shortId}#comments`)}`);
  });

  test("a private video's comments are not readable by others (404), only by its owner", async () => {
    await t.db.sql`INSERT INTO comments (video_id, actor_id, text) SELECT ${privateVideo.id}, actor_id, 'note to self' FROM users LIMIT 1`;
    for (const client of [alice, visitor]) {
      expect((await hxGet(client, `/w/${privateVideo.shortId}/comments`)).status).toBe(404);
      expect((await client.fetch(`/api/v1/videos/${privateVideo.uuid}/comment-threads`)).status).toBe(404);
    }
    expect((await hx(alice, `/w/${privateVideo.shortId}/comments`, { text: "peek" })).status).toBe(404);
    const mine = await hxGet(owner, `/w/${privateVideo.shortId}/comments`);
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain("note to self");
  });
});

describe("posting", () => {
  test("a comment comes back as its thread fragment with the new count", async () => {
    const res = await hx(alice, `/w/${video.shortId}/comments`, { text: "First! **great** video" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('class="comment-thread"');
    expect(html).toContain("<strong>great</strong>");
    expect(html).toMatch(/<span id="comment-count" hx-swap-oob="true">1 comment<\/span>/);
    expect(html).toContain('href="/a/alice"');
    ids.first = commentId(html);
    expect((await visitor.page(`/w/${video.shortId}`)).html).toContain("1 comment");
  });

  test("replies, and replies to replies, join their thread oldest first", async () => {
    let res = await hx(bob, `/w/${video.shortId}/comments/${ids.first}/replies`, { text: "Agreed" });
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).toStartWith("<li><article");
    expect(html).toContain("2 comments");
    ids.bobReply = commentId(html);
    res = await hx(alice, `/w/${video.shortId}/comments/${ids.bobReply}/replies`, { text: "Thanks bob" });
    html = await res.text();
    expect(html).toContain("in reply to @bob");
    expect(html).toContain("3 comments");
    ids.aliceReply = commentId(html);
    const [row] = await t.db.sql`SELECT parent_id::int, thread_id::int FROM comments WHERE id = ${ids.aliceReply}`;
    expect(row).toEqual({ parentId: ids.bobReply, threadId: ids.first });
    const body = await (await hxGet(visitor, `/w/${video.shortId}/comments`)).text();
    expect(body.indexOf("Agreed")).toBeGreaterThan(body.indexOf("First!"));
    expect(body.indexOf("Thanks bob")).toBeGreaterThan(body.indexOf("Agreed"));
  });

  test("the reply form is fetched inline and posts into the thread", async () => {
    const html = await (await hxGet(bob, `/w/${video.shortId}/comments/${ids.aliceReply}/reply`)).text();
    expect(html).toContain(`hx-post="/w/${video.shortId}/comments/${ids.aliceReply}/replies"`);
    expect(html).toContain(`hx-target="#replies-${ids.first}"`);
  });

  test("a plain form post without htmx goes back to the comments", async () => {
    const res = await bob.submit(`/w/${video.shortId}/comments`, { text: "No script here" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/w/${video.shortId}#comments`);
  });

  test("threads come newest first, a page at a time", async () => {
    const paged = await seedVideo(t.db.sql, { channelId: (await t.db.sql`SELECT channel_id::int FROM videos WHERE id = ${video.id}`)[0]!.channelId, name: "Busy" });
    await t.db.sql`
      INSERT INTO comments (video_id, actor_id, text)
      SELECT ${paged.id}, (SELECT actor_id FROM users LIMIT 1), 'thread ' || n FROM generate_series(1, 25) n`;
    const first = await (await hxGet(visitor, `/w/${paged.shortId}/comments`)).text();
    expect(first).toContain("thread 25");
    expect(first).toContain("thread 6");
    expect(first).not.toContain("thread 5<");
    expect(first.indexOf("thread 25")).toBeLessThan(first.indexOf("thread 24"));
    const more = /hx-get="([^"]+\?before=\d+)"/.exec(first)?.[1];
    expect(more).toBeDefined();
    const next = await (await hxGet(visitor, more!.replaceAll("&amp;", "&"))).text();
    expect(next).toContain("thread 5<");
    expect(next).toContain("thread 1<");
    expect(next).not.toContain("thread 6<");
    expect(next).not.toContain("?before=");
  });
});

describe("editing and deleting", () => {
  test("only the author may edit; the comment is marked edited", async () => {
    expect((await hxGet(bob, `/w/${video.shortId}/comments/${ids.first}/edit`)).status).toBe(403);
    const refused = await hx(bob, `/w/${video.shortId}/comments/${ids.first}/edit`, { text: "hijacked" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("You can only edit your own comments.");
    expect((await hx(owner, `/w/${video.shortId}/comments/${ids.first}/edit`, { text: "owner edit" })).status).toBe(403);
    const form = await (await hxGet(alice, `/w/${video.shortId}/comments/${ids.first}/edit`)).text();
    expect(form).toContain("comment-edit-form");
    expect(form).toContain("First! **great** video</textarea>");
    const res = await hx(alice, `/w/${video.shortId}/comments/${ids.first}/edit`, { text: "First! (fixed)" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("First! (fixed)");
    expect(html).toContain("(edited)");
  });

  test("others cannot delete; visitors must log in", async () => {
    const res = await hx(bob, `/w/${video.shortId}/comments/${ids.first}/delete`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Only the comment&#x27;s author, the video&#x27;s owner or an administrator can delete it.");
    expect((await hx(visitor, `/w/${video.shortId}/comments/${ids.first}/delete`)).status).toBe(401);
    expect((await hx(visitor, `/w/${video.shortId}/comments`, { text: "hi" })).status).toBe(401);
  });

  test("a deleted thread start keeps its replies readable", async () => {
    const res = await hx(alice, `/w/${video.shortId}/comments/${ids.first}/delete`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("This comment was deleted");
    expect(html).not.toContain("First!");
    expect(html).toContain("3 comments"); // bob's, alice's reply and bob's plain post remain
    const [row] = await t.db.sql`SELECT text, deleted_at FROM comments WHERE id = ${ids.first}`;
    expect(row!.text).toBe("");
    expect(row!.deletedAt).toBeInstanceOf(Date);
    const body = await (await hxGet(visitor, `/w/${video.shortId}/comments`)).text();
    expect(body).toContain("This comment was deleted");
    expect(body).toContain("Agreed");
    expect(body).toContain("Thanks bob");
    // Nobody can answer or edit what is gone.
    expect((await hx(bob, `/w/${video.shortId}/comments/${ids.first}/replies`, { text: "late" })).status).toBe(409);
    expect((await hx(alice, `/w/${video.shortId}/comments/${ids.first}/edit`, { text: "back" })).status).toBe(404);
  });

  test("the video's owner and administrators may delete any comment on it", async () => {
    const byOwner = await hx(owner, `/w/${video.shortId}/comments/${ids.bobReply}/delete`);
    expect(byOwner.status).toBe(200);
    expect(await byOwner.text()).toContain("This comment was deleted");
    const byAdmin = await hx(admin, `/w/${video.shortId}/comments/${ids.aliceReply}/delete`);
    expect(byAdmin.status).toBe(200);
    const body = await (await hxGet(owner, `/w/${video.shortId}/comments`)).text();
    expect(body).toContain("No script here");
    expect(body.match(/This comment was deleted/g)?.length).toBe(3);
  });
});

describe("comments off", () => {
  test("the owner switches comments off; new comments and replies are refused with a message", async () => {
    const [still] = await t.db.sql<{ id: number }[]>`SELECT id::int FROM comments WHERE video_id = ${video.id} AND deleted_at IS NULL LIMIT 1`;
    const open = still!.id;
    expect((await hx(alice, `/w/${video.shortId}/comments/enabled`, { enabled: "false" })).status).toBe(403);
    const res = await hx(owner, `/w/${video.shortId}/comments/enabled`, { enabled: "false" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Comments are turned off for this video.");
    expect(html).toContain("Turn on comments");
    expect(html).not.toContain("comment-form");
    const refused = await hx(alice, `/w/${video.shortId}/comments`, { text: "still here?" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Comments are turned off for this video, so new comments and replies are not accepted.");
    expect((await hx(alice, `/w/${video.shortId}/comments/${open}/replies`, { text: "reply?" })).status).toBe(403);
    expect((await hx(owner, `/w/${video.shortId}/comments`, { text: "even me" })).status).toBe(403);
    const viaApi = await api(alice, "POST", `/api/v1/videos/${video.shortId}/comment-threads`, { text: "api?" });
    expect(viaApi.status).toBe(403);
    expect((await viaApi.json()).detail).toContain("Comments are turned off");
    const seen = await (await hxGet(visitor, `/w/${video.shortId}/comments`)).text();
    expect(seen).toContain("Comments are turned off for this video.");
    expect(seen).not.toContain("Reply</button>");
    const on = await hx(owner, `/w/${video.shortId}/comments/enabled`, { enabled: "true" });
    expect(await on.text()).toContain("Turn off comments");
    expect((await hx(alice, `/w/${video.shortId}/comments`, { text: "back on" })).status).toBe(200);
  });
});

describe("refusals", () => {
  test("HTML in a comment is inert and links are marked nofollow", async () => {
    const res = await hx(bob, `/w/${video.shortId}/comments`, {
      text: '<script>alert(1)</script> <img src=x onerror="alert(2)"> [site](https://example.org/a) and https://example.net/b',
    });
    const html = await res.text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('<a href="https://example.org/a" rel="nofollow noopener ugc">site</a>');
    expect(html).toContain('<a href="https://example.net/b" rel="nofollow noopener ugc">');
  });

  test("empty and oversize text are refused with a message", async () => {
    const carol = await newClient("carol", "198.51.100.30");
    let res = await hx(carol, `/w/${video.shortId}/comments`, { text: "  \n " });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Write something before posting.");
    res = await hx(carol, `/w/${video.shortId}/comments`, { text: "x".repeat(10_001) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("A comment can be at most 10,000 characters; this one has 10,001.");
    const apiRes = await api(carol, "POST", `/api/v1/videos/${video.shortId}/comment-threads`, { text: "" });
    expect(apiRes.status).toBe(400);
    expect((await apiRes.json())["invalid-params"].text.msg).toBe("Write something before posting.");
    // Ten thousand characters of any script fit, even where each takes several bytes.
    expect((await hx(carol, `/w/${video.shortId}/comments`, { text: "あ".repeat(10_000) })).status).toBe(200);
  }, 30_000);

  test("posting too fast gives 429 with a message, per person and per address", async () => {
    const dave = await newClient("dave", "198.51.100.40");
    for (let i = 0; i < 10; i++) expect((await hx(dave, `/w/${video.shortId}/comments`, { text: `spam ${i}` })).status).toBe(200);
    const res = await hx(dave, `/w/${video.shortId}/comments`, { text: "one more" });
    expect(res.status).toBe(429);
    expect(await res.text()).toMatch(/You are commenting too fast\. Try again in \d+ seconds?\./);
    // Three more people behind one address: the address runs out after thirty.
    const shared = await Promise.all(["erin", "frank", "grace", "heidi"].map((name) => newClient(name, "198.51.100.41")));
    let statuses: number[] = [];
    for (const client of shared.slice(0, 3)) {
      for (let i = 0; i < 10; i++) statuses.push((await hx(client, `/w/${video.shortId}/comments`, { text: `hello ${i}` })).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    statuses = [(await hx(shared[3]!, `/w/${video.shortId}/comments`, { text: "my first" })).status];
    expect(statuses).toEqual([429]);
  }, 30_000);

  test("a post without the CSRF token is refused (403) and stores nothing", async () => {
    const [before] = await t.db.sql`SELECT count(*)::int AS n FROM comments`;
    const res = await hx(alice, `/w/${video.shortId}/comments`, { text: "forged" }, "");
    expect(res.status).toBe(403);
    expect((await hx(alice, `/w/${video.shortId}/comments/${ids.first}/delete`, {}, "")).status).toBe(403);
    expect((await hx(owner, `/w/${video.shortId}/comments/enabled`, { enabled: "false" }, "")).status).toBe(403);
    const [after] = await t.db.sql`SELECT count(*)::int AS n FROM comments`;
    expect(after!.n).toBe(before!.n);
    // The API refuses a session without its CSRF header too.
    const noHeader = await alice.fetch(`/api/v1/videos/${video.shortId}/comment-threads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "forged" }),
    });
    expect(noHeader.status).toBe(401);
  });
});

describe("API", () => {
  test("threads, a thread's tree, post, reply and delete in PeerTube's shapes", async () => {
    const apiVideo = await seedVideo(t.db.sql, { channelId: (await t.db.sql`SELECT channel_id::int FROM videos WHERE id = ${video.id}`)[0]!.channelId, name: "API talk" });
    const posted = await api(alice, "POST", `/api/v1/videos/${apiVideo.uuid}/comment-threads`, { text: "Via the API" });
    expect(posted.status).toBe(200);
    const { comment } = await posted.json();
    expect(comment).toMatchObject({
      text: "Via the API",
      threadId: comment.id,
      inReplyToCommentId: null,
      videoId: apiVideo.id,
      isDeleted: false,
      deletedAt: null,
      totalReplies: 0,
      totalRepliesFromVideoAuthor: 0,
      account: { name: "alice", displayName: "alice", host: "localhost:9000", url: `${ORIGIN}/a/alice` },
    });
    expect(comment.url).toBe(`${ORIGIN}/w/${apiVideo.shortId}#comment-${comment.id}`);
    const reply = (await (await api(owner, "POST", `/api/v1/videos/${apiVideo.id}/comments/${comment.id}`, { text: "Owner answers" })).json()).comment;
    expect(reply).toMatchObject({ threadId: comment.id, inReplyToCommentId: comment.id, account: { name: "owner" } });
    const nested = (await (await api(bob, "POST", `/api/v1/videos/${apiVideo.shortId}/comments/${reply.id}`, { text: "Nested" })).json()).comment;
    await api(bob, "POST", `/api/v1/videos/${apiVideo.shortId}/comment-threads`, { text: "Second thread" });

    const list = await (await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads`)).json();
    expect(list.total).toBe(2);
    expect(list.totalNotDeletedComments).toBe(4);
    expect(list.data.map((c: { text: string }) => c.text)).toEqual(["Second thread", "Via the API"]);
    expect(list.data[1]).toMatchObject({ totalReplies: 2, totalRepliesFromVideoAuthor: 1 });
    const oldest = await (await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads?sort=createdAt&count=1`)).json();
    expect(oldest.data.map((c: { text: string }) => c.text)).toEqual(["Via the API"]);
    const busiest = await (await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads?sort=-totalReplies`)).json();
    expect(busiest.data.map((c: { text: string }) => c.text)).toEqual(["Via the API", "Second thread"]);

    expect((await api(bob, "DELETE", `/api/v1/videos/${apiVideo.uuid}/comments/${comment.id}`)).status).toBe(403);
    expect((await api(alice, "DELETE", `/api/v1/videos/${apiVideo.uuid}/comments/${comment.id}`)).status).toBe(204);
    const tree = await (await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads/${comment.id}`)).json();
    expect(tree.comment).toMatchObject({ id: comment.id, isDeleted: true, text: "", account: null });
    expect(tree.comment.deletedAt).toBeString();
    expect(tree.children).toHaveLength(1);
    expect(tree.children[0].comment).toMatchObject({ id: reply.id, text: "Owner answers" });
    expect(tree.children[0].children[0]).toEqual({ comment: expect.objectContaining({ id: nested.id, text: "Nested" }), children: [] });
    const after = await (await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads`)).json();
    expect(after).toMatchObject({ total: 2, totalNotDeletedComments: 3 });

    expect((await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads/${reply.id}`)).status).toBe(404);
    expect((await visitor.fetch(`/api/v1/videos/${apiVideo.uuid}/comment-threads`, { method: "POST" })).status).toBe(401);
  });

  test("a bearer token works for posting", async () => {
    const { client_id, client_secret } = await (await t.handle(new Request(`${ORIGIN}/api/v1/oauth-clients/local`))).json();
    const grant = await t.handle(
      new Request(`${ORIGIN}/api/v1/users/token`, {
        method: "POST",
        headers: FORM,
        body: new URLSearchParams({ client_id, client_secret, grant_type: "password", username: "bob", password: "Correct-Horse-42" }),
      }),
    );
    const { access_token } = await grant.json();
    const res = await t.handle(
      new Request(`${ORIGIN}/api/v1/videos/${video.uuid}/comment-threads`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", "x-forwarded-for": "198.51.100.90" },
        body: JSON.stringify({ text: "from an app" }),
      }),
    );
    expect(res.status).toBe(200);
    expect((await res.json()).comment.account.name).toBe("bob");
  }, 30_000);
});
