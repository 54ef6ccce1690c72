import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let t: TestApp;
let owner: TestClient;
let alice: TestClient;
let bob: TestClient;
let visitor: TestClient;
let channelId: number;

function rate(client: TestClient, video: SeededVideo, rating: string, csrf = client.csrf): Promise<Response> {
  const body = new URLSearchParams(csrf ? { _csrf: csrf, rating } : { rating });
  return client.fetch(`/w/${video.shortId}/rate`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" } });
}

function api(client: TestClient, method: string, path: string, json?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "x-csrf-token": client.csrf };
  if (json !== undefined) headers["content-type"] = "application/json";
  return client.fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
}

/** The counters on the video row and the counts from the rating rows: they must always agree. */
async function counts(video: SeededVideo) {
  const [row] = await t.db.sql<{ likes: number; dislikes: number; rowLikes: number; rowDislikes: number }[]>`
    SELECT v.likes, v.dislikes,
      (SELECT count(*)::int FROM video_rates r WHERE r.video_id = v.id AND r.rating = 'like') AS row_likes,
      (SELECT count(*)::int FROM video_rates r WHERE r.video_id = v.id AND r.rating = 'dislike') AS row_dislikes
    FROM videos v WHERE v.id = ${video.id}`;
  expect(row!.likes).toBe(row!.rowLikes);
  expect(row!.dislikes).toBe(row!.rowDislikes);
  return { likes: row!.likes, dislikes: row!.dislikes };
}

const pressed = (html: string, which: "like" | "dislike") => new RegExp(`id="rate-${which}-[^"]+"[^>]*aria-pressed="true"`).test(html);

async function newClient(name: string, ip: string): Promise<TestClient> {
  const u = await t.createUser(name);
  const client = t.client(ip);
  await client.login(u.username, u.password);
  await client.page("/");
  return client;
}

beforeAll(async () => {
  t = await createTestApp();
  [owner, alice, bob] = await Promise.all([newClient("owner", "198.51.100.60"), newClient("alice", "198.51.100.61"), newClient("bob", "198.51.100.62")]);
  visitor = t.client("198.51.100.63");
  await visitor.page("/");
  const [row] = await t.db.sql<{ id: number }[]>`SELECT u.id::int FROM users u JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'owner'`;
  channelId = await defaultChannelId(t.db.sql, row!.id);
}, 30_000);
afterAll(() => t.close(), 30_000);

describe("rating on the watch page", () => {
  test("visitors see the counts and a way to log in, and cannot rate", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "Popular" });
    await t.db.sql`UPDATE videos SET likes = 1234, dislikes = 5 WHERE id = ${video.id}`;
    const page = await visitor.page(`/w/${video.shortId}`);
    expect(page.html).toContain("1,234");
    expect(page.html).toContain(`href="/login?next=${encodeURIComponent(`/w/${video.shortId}`)}"`);
    expect(page.html).toContain('aria-label="Like (1,234 likes). Log in to rate this video"');
    expect((await rate(visitor, video, "like")).status).toBe(401);
    // Counts follow the reader's language.
    const ja = await visitor.fetch(`/w/${video.shortId}`, { headers: { "accept-language": "ja" } });
    expect(await ja.text()).toContain("高く評価（1,234 件）");
  });

  test("like, like again to remove, dislike to switch: fragment and counters stay exact", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "Rate me" });
    let res = await rate(alice, video, "like");
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).toStartWith('<form class="rate"');
    expect(pressed(html, "like")).toBe(true);
    expect(pressed(html, "dislike")).toBe(false);
    expect(html).toContain('aria-label="Like (1 like)"');
    // The pressed button now offers to take the like back.
    expect(html).toMatch(/name="rating" value="none" aria-pressed="true"/);
    expect(await counts(video)).toEqual({ likes: 1, dislikes: 0 });

    html = await (await rate(alice, video, "dislike")).text();
    expect(pressed(html, "dislike")).toBe(true);
    expect(pressed(html, "like")).toBe(false);
    expect(await counts(video)).toEqual({ likes: 0, dislikes: 1 });

    await rate(bob, video, "dislike");
    await rate(owner, video, "like");
    expect(await counts(video)).toEqual({ likes: 1, dislikes: 2 });
    html = await (await rate(alice, video, "none")).text();
    expect(html).toContain('aria-label="Dislike (1 dislike)"');
    expect(await counts(video)).toEqual({ likes: 1, dislikes: 1 });
    // Sending the state already held changes nothing.
    await rate(bob, video, "dislike");
    expect(await counts(video)).toEqual({ likes: 1, dislikes: 1 });

    const page = await bob.page(`/w/${video.shortId}`);
    expect(pressed(page.html, "dislike")).toBe(true);
  });

  test("many requests at once from the same person (and others) keep the counters equal to the rows", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "Clicked a lot" });
    const choices = ["like", "dislike", "none", "like", "like", "dislike"];
    const requests = Array.from({ length: 36 }, (_, i) => [alice, bob, owner][i % 3]!).map((client, i) => rate(client, video, choices[i % choices.length]!));
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const final = await counts(video);
    expect(final.likes + final.dislikes).toBeLessThanOrEqual(3);
    // One person, one row.
    const [rows] = await t.db.sql`SELECT count(*)::int AS n, count(DISTINCT actor_id)::int AS actors FROM video_rates WHERE video_id = ${video.id}`;
    expect(rows!.n).toBe(rows!.actors);
  });

  test("a plain form post goes back to the video", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "No script" });
    const res = await alice.submit(`/w/${video.shortId}/rate`, { rating: "like" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/w/${video.shortId}`);
    expect(await counts(video)).toEqual({ likes: 1, dislikes: 0 });
  });

  test("bad input, a missing CSRF token and hidden videos are refused", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "Guarded" });
    const bad = await rate(alice, video, "love");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose like, dislike or none.");
    expect((await rate(alice, video, "like", "")).status).toBe(403);
    const hidden = await seedVideo(t.db.sql, { channelId, name: "Private", privacy: 3 });
    expect((await rate(alice, hidden, "like")).status).toBe(404);
    expect((await api(alice, "PUT", `/api/v1/videos/${hidden.uuid}/rate`, { rating: "like" })).status).toBe(404);
    expect((await rate(owner, hidden, "like")).status).toBe(200);
    expect(await counts(video)).toEqual({ likes: 0, dislikes: 0 });
  });
});

describe("API", () => {
  test("PUT rate answers 204 and the rating reads back; visitors get 401", async () => {
    const video = await seedVideo(t.db.sql, { channelId, name: "API rating" });
    expect((await api(alice, "PUT", `/api/v1/videos/${video.uuid}/rate`, { rating: "like" })).status).toBe(204);
    expect(await (await alice.fetch(`/api/v1/users/me/videos/${video.id}/rating`)).json()).toEqual({ videoId: video.id, rating: "like" });
    expect((await api(alice, "PUT", `/api/v1/videos/${video.shortId}/rate`, { rating: "dislike" })).status).toBe(204);
    expect(await counts(video)).toEqual({ likes: 0, dislikes: 1 });
    expect((await api(alice, "PUT", `/api/v1/videos/${video.id}/rate`, { rating: "none" })).status).toBe(204);
    expect(await (await alice.fetch(`/api/v1/users/me/videos/${video.uuid}/rating`)).json()).toEqual({ videoId: video.id, rating: "none" });
    const bad = await api(alice, "PUT", `/api/v1/videos/${video.id}/rate`, { rating: "meh" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toBe("Choose like, dislike or none.");
    expect((await visitor.fetch(`/api/v1/videos/${video.id}/rate`, { method: "PUT", body: JSON.stringify({ rating: "like" }), headers: { "content-type": "application/json" } })).status).toBe(401);
    expect((await visitor.fetch(`/api/v1/users/me/videos/${video.id}/rating`)).status).toBe(401);
    expect(await counts(video)).toEqual({ likes: 0, dislikes: 0 });
  });
});
