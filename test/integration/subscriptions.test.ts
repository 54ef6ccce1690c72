import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo } from "../helpers/videos.ts";

let t: TestApp;
let alice: TestClient; // owns alice_channel
let bob: TestClient; // subscribes
let carol: TestClient; // owns carol_channel
let bobId: number;
let aliceVideo: { shortId: string };

beforeAll(async () => {
  t = await createTestApp();
  const [a, b, c] = await Promise.all([t.createUser("alice"), t.createUser("bob"), t.createUser("carol")]);
  bobId = b.id;
  alice = t.client("198.51.100.20");
  bob = t.client("198.51.100.21");
  carol = t.client("198.51.100.22");
  await alice.login(a.username, a.password);
  await bob.login(b.username, b.password);
  await carol.login(c.username, c.password);
  const aliceChannel = await defaultChannelId(t.deps.sql, a.id);
  const carolChannel = await defaultChannelId(t.deps.sql, c.id);
  const hour = 3_600_000;
  aliceVideo = await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Alice public one", publishedAt: new Date(Date.now() - 3 * hour) });
  await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Alice unlisted one", privacy: 2 });
  await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Alice private one", privacy: 3 });
  await seedVideo(t.deps.sql, { channelId: aliceChannel, name: "Alice sensitive one", sensitive: true, publishedAt: new Date(Date.now() - 2 * hour) });
  await seedVideo(t.deps.sql, { channelId: carolChannel, name: "Carol public one", publishedAt: new Date(Date.now() - hour) });
});
afterAll(() => t.close());

/** An htmx click on the button: the fragment comes back. */
function click(client: TestClient, path: string, csrf = client.csrf) {
  return client.fetch(path, { method: "POST", headers: { "hx-request": "true", "x-csrf-token": csrf } });
}

/** A call of the REST API from the web page's own scripts: session cookie plus the CSRF header. */
function api(client: TestClient, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("x-csrf-token", client.csrf);
  if (init.body) headers.set("content-type", "application/json");
  return client.fetch(path, { ...init, headers });
}

describe("subscribe button", () => {
  test("the watch and channel pages show it with the count", async () => {
    const watch = await bob.page(`/w/${aliceVideo.shortId}`);
    expect(watch.html).toContain('action="/c/alice_channel/subscribe"');
    expect(watch.html).toContain("0 subscribers");
    const channel = await bob.page("/c/alice_channel");
    expect(channel.html).toContain('hx-post="/c/alice_channel/subscribe"');
  });

  test("subscribing and unsubscribing toggle the fragment in place, with the count", async () => {
    await bob.page("/c/alice_channel");
    let res = await click(bob, "/c/alice_channel/subscribe");
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).not.toContain("<html");
    expect(html).toContain('action="/c/alice_channel/unsubscribe"');
    expect(html).toContain('aria-pressed="true"');
    expect(html).toContain("1 subscriber<");
    // Twice is the same as once.
    html = await (await click(bob, "/c/alice_channel/subscribe")).text();
    expect(html).toContain("1 subscriber<");
    html = await (await click(carol, "/c/alice_channel/subscribe")).text();
    expect(html).toContain("2 subscribers");
    res = await click(carol, "/c/alice_channel/unsubscribe");
    html = await res.text();
    expect(html).toContain('action="/c/alice_channel/subscribe"');
    expect(html).toContain("1 subscriber<");
    expect((await t.client().page("/c/alice_channel")).html).toContain("1 subscriber<");
  });

  test("without JavaScript the form posts and comes back to the page it was on", async () => {
    const res = await carol.submit("/c/alice_channel/subscribe", { next: `/w/${aliceVideo.shortId}` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/w/${aliceVideo.shortId}`);
    const off = await carol.submit("/c/alice_channel/unsubscribe", { next: "https://evil.example/" });
    expect(off.headers.get("location")).toBe("/c/alice_channel");
  });

  test("visitors get a link to log in, and posting needs a login", async () => {
    const visitor = t.client();
    const page = await visitor.page(`/w/${aliceVideo.shortId}`);
    expect(page.html).toContain(`href="/login?next=${encodeURIComponent(`/w/${aliceVideo.shortId}`)}"`);
    expect(page.html).not.toContain("/c/alice_channel/subscribe");
    const res = await click(visitor, "/c/alice_channel/subscribe");
    expect(res.status).toBe(401);
  });

  test("a POST without the CSRF token is refused and changes nothing", async () => {
    const res = await carol.fetch("/c/alice_channel/subscribe", { method: "POST", headers: { "hx-request": "true" } });
    expect(res.status).toBe(403);
    const [row] = await t.deps.sql`SELECT count(*)::int AS n FROM subscriptions s JOIN channels c ON c.actor_id = s.channel_id
      JOIN users u ON u.actor_id = s.subscriber_id JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'carol'`;
    expect(row!.n).toBe(0);
  });

  test("an unknown channel is a 404", async () => {
    const res = await click(bob, "/c/no_such_channel/subscribe");
    expect(res.status).toBe(404);
  });

  test("owners may subscribe to their own channel, as on PeerTube", async () => {
    await alice.page("/c/alice_channel");
    const html = await (await click(alice, "/c/alice_channel/subscribe")).text();
    expect(html).toContain('action="/c/alice_channel/unsubscribe"');
    await click(alice, "/c/alice_channel/unsubscribe");
  });
});

describe("subscriptions page", () => {
  test("lists public, published videos of followed channels only, newest first, and the channels", async () => {
    const page = await bob.page("/my/subscriptions");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Alice public one");
    expect(page.html).toContain("Alice sensitive one");
    expect(page.html).not.toContain("Alice unlisted one");
    expect(page.html).not.toContain("Alice private one");
    expect(page.html).not.toContain("Carol public one");
    expect(page.html.indexOf("Alice sensitive one")).toBeLessThan(page.html.indexOf("Alice public one"));
    expect(page.html).toContain('href="/c/alice_channel"');
    expect(page.html).toContain('action="/c/alice_channel/unsubscribe"');
  });

  test("applies the viewer's listing preferences", async () => {
    await t.deps.sql`UPDATE users SET sensitive_policy = 'hide' WHERE id = ${bobId}`;
    const page = await bob.page("/my/subscriptions");
    expect(page.html).not.toContain("Alice sensitive one");
    expect(page.html).toContain("Alice public one");
    await t.deps.sql`UPDATE users SET sensitive_policy = 'blur' WHERE id = ${bobId}`;
  });

  test("loads more with htmx, as a fragment", async () => {
    const dave = await t.createUser("dave");
    const channelId = await defaultChannelId(t.deps.sql, dave.id);
    for (let i = 0; i < 26; i++) {
      await seedVideo(t.deps.sql, { channelId, name: `Dave number ${String(i).padStart(2, "0")}`, publishedAt: new Date(Date.now() - i * 60_000) });
    }
    await click(bob, "/c/dave_channel/subscribe");
    const first = await bob.page("/my/subscriptions");
    expect(first.html).toContain('hx-get="/my/subscriptions?start=24"');
    expect(first.html).toContain("Dave number 00");
    expect(first.html).not.toContain("Dave number 24");
    const more = await bob.fetch("/my/subscriptions?start=24", { headers: { "hx-request": "true" } });
    const html = await more.text();
    expect(html).not.toContain("<html");
    expect(html).toContain("Dave number 24");
    expect(html).toContain("Alice public one");
    expect(html).not.toContain("hx-get=");
    await click(bob, "/c/dave_channel/unsubscribe");
  });

  test("unsubscribing removes that channel's videos from the feed", async () => {
    await click(bob, "/c/carol_channel/subscribe");
    let page = await bob.page("/my/subscriptions");
    expect(page.html).toContain("Carol public one");
    expect(page.html).toContain("Alice public one");
    await click(bob, "/c/alice_channel/unsubscribe");
    page = await bob.page("/my/subscriptions");
    expect(page.html).not.toContain("Alice public one");
    expect(page.html).not.toContain('href="/c/alice_channel"');
    expect(page.html).toContain("Carol public one");
    await click(bob, "/c/carol_channel/unsubscribe");
    await click(bob, "/c/alice_channel/subscribe");
  });

  test("needs a login", async () => {
    const res = await t.client().fetch("/my/subscriptions");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toStartWith("/login");
  });
});

describe("subscriptions API", () => {
  test("subscribes by handle or handle@host, lists, checks and unsubscribes", async () => {
    await carol.page("/");
    expect((await api(carol, "/api/v1/users/me/subscriptions", { method: "POST", body: JSON.stringify({ uri: "alice_channel@localhost:9000" }) })).status).toBe(204);
    expect((await api(carol, "/api/v1/users/me/subscriptions", { method: "POST", body: JSON.stringify({ uri: "dave_channel" }) })).status).toBe(204);
    const list = await (await api(carol, "/api/v1/users/me/subscriptions")).json();
    expect(list.total).toBe(2);
    expect(list.data.map((c: { name: string }) => c.name).sort()).toEqual(["alice_channel", "dave_channel"]);
    expect(list.data.find((c: { name: string }) => c.name === "alice_channel").followersCount).toBe(2);

    const exist = await (await api(carol, "/api/v1/users/me/subscriptions/exist?uris=alice_channel@localhost:9000,carol_channel&uris=dave_channel")).json();
    expect(exist).toEqual({ "alice_channel@localhost:9000": true, carol_channel: false, dave_channel: true });

    const videos = await (await api(carol, "/api/v1/users/me/subscriptions/videos?count=100")).json();
    const names = videos.data.map((v: { name: string }) => v.name);
    expect(names).toContain("Alice public one");
    expect(names).not.toContain("Alice private one");
    expect(names).not.toContain("Alice unlisted one");
    expect(videos.total).toBe(28);

    expect((await api(carol, "/api/v1/users/me/subscriptions/dave_channel", { method: "DELETE" })).status).toBe(204);
    expect((await api(carol, "/api/v1/users/me/subscriptions/dave_channel", { method: "DELETE" })).status).toBe(404);
    expect((await (await api(carol, "/api/v1/users/me/subscriptions")).json()).total).toBe(1);
    await api(carol, "/api/v1/users/me/subscriptions/alice_channel", { method: "DELETE" });
  });

  test("bad uris get a clear 400; unknown channels a 404", async () => {
    let res = await api(carol, "/api/v1/users/me/subscriptions", { method: "POST", body: JSON.stringify({}) });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain("uri");
    res = await api(carol, "/api/v1/users/me/subscriptions", { method: "POST", body: JSON.stringify({ uri: "someone@elsewhere.example" }) });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain("other instances");
    res = await api(carol, "/api/v1/users/me/subscriptions", { method: "POST", body: JSON.stringify({ uri: "ghost_channel" }) });
    expect(res.status).toBe(404);
  });

  test("needs a token, or the session with its CSRF header", async () => {
    expect((await t.client().fetch("/api/v1/users/me/subscriptions")).status).toBe(401);
    const res = await carol.fetch("/api/v1/users/me/subscriptions", {
      method: "POST",
      body: JSON.stringify({ uri: "alice_channel" }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(401);
  });
});
