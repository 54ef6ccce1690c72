/** P2P consent (cookie and profile), the players' statistics beacon and the admin statistics page. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Job } from "bullmq";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { makeClip } from "../helpers/media.ts";
import { createTranscodeHandler } from "../../src/videos/transcode-job.ts";

let t: TestApp;
let viewer: TestClient;
let video: { id: number; shortUUID: string };

beforeAll(async () => {
  t = await createTestApp({ TUBELET_RESOLUTIONS: "144", TUBELET_X264_PRESET: "ultrafast", TUBELET_P2P: "ask" });
  const owner = await t.createUser("sharer");
  const c = t.client("198.51.100.60");
  await c.login(owner.username, owner.password);
  await c.page("/videos/upload");
  const channelId = (await t.db.sql`SELECT id::int FROM channels LIMIT 1`)[0]!.id as number;
  const form = new FormData();
  form.set("name", "Shared film");
  form.set("channelId", String(channelId));
  form.set("videofile", Bun.file(await makeClip({ seconds: 2 })), "clip.mp4");
  video = (await (await c.fetch("/api/v1/videos/upload", { method: "POST", body: form, headers: { "x-csrf-token": c.csrf } })).json()).video;
  const job = { attemptsMade: 0, opts: { attempts: 3 }, updateProgress: async () => {} } as unknown as Job;
  await createTranscodeHandler({ ...t.deps, config: t.config })({ videoId: video.id }, job);
  const v = await t.createUser("watcher");
  viewer = t.client("198.51.100.61");
  await viewer.login(v.username, v.password);
});
afterAll(() => t.close());

describe("consent", () => {
  test("an anonymous choice is kept in a long-lived HttpOnly cookie and the settings page reflects it", async () => {
    const anon = t.client("198.51.100.62");
    await anon.page("/settings");
    const res = await anon.submit("/p2p/consent", { choice: "on", next: `/w/${video.shortUUID}` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/w/${video.shortUUID}`);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("tubelet_p2p="))!;
    expect(cookie).toMatch(/^tubelet_p2p=on; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax$/);
    const settings = await anon.page("/settings");
    expect(settings.html).toMatch(/value="on" checked/);
    expect(settings.html).toContain("Saved in this browser.");
  });

  test("a logged-in person's choice goes to the profile, so it follows them to another browser", async () => {
    await viewer.page("/settings");
    expect((await viewer.submit("/p2p/consent", { choice: "off", next: "/settings?saved=1" })).status).toBe(303);
    expect((await t.db.sql`SELECT p2p_preference FROM users u JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'watcher'`)[0]!.p2pPreference).toBe("off");
    const elsewhere = t.client("198.51.100.63");
    await elsewhere.login("watcher", "Correct-Horse-42");
    expect((await elsewhere.page("/settings")).html).toMatch(/value="off" checked/);
  });

  test("anything but on or off is refused; the redirect stays on this site", async () => {
    await viewer.page("/settings");
    expect((await viewer.submit("/p2p/consent", { choice: "maybe" })).status).toBe(400);
    const res = await viewer.submit("/p2p/consent", { choice: "on", next: "https://evil.example/" });
    expect(res.headers.get("location")).toBe("/");
  });

  test("consent is a form like any other: no CSRF token, no change", async () => {
    const res = await viewer.fetch("/p2p/consent", { method: "POST", body: new URLSearchParams({ choice: "off" }), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(403);
  });
});

describe("statistics", () => {
  const report = (client: TestClient, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    client.fetch(`/api/v1/videos/${video.id}/p2p-stats`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers });

  test("reports are checked, rate-limited per address, buffered and added per video and per day", async () => {
    const anon = t.client("203.0.113.90");
    expect((await report(anon, { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 500, peers: 2 })).status).toBe(204);
    // sendBeacon posts text/plain.
    expect((await report(anon, JSON.stringify({ httpBytes: 0, p2pBytes: 1000, uploadedBytes: 0 }), { "content-type": "text/plain" })).status).toBe(204);
    expect((await report(anon, { httpBytes: -1, p2pBytes: 0, uploadedBytes: 0 })).status).toBe(400);
    expect((await report(anon, { httpBytes: 1e12, p2pBytes: 0, uploadedBytes: 0 })).status).toBe(400);
    expect((await report(anon, "not json", { "content-type": "text/plain" })).status).toBe(400);
    for (let i = 0; i < 10; i++) await report(anon, { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 });
    expect((await report(anon, { httpBytes: 1, p2pBytes: 0, uploadedBytes: 0 })).status).toBe(429);

    await t.deps.p2pStats.flush();
    const row = (await t.db.sql`SELECT http_bytes::int, p2p_bytes::int, uploaded_bytes::int FROM videos WHERE id = ${video.id}`)[0]!;
    expect(row).toEqual({ httpBytes: 1000, p2pBytes: 4000, uploadedBytes: 500 });
    const day = (await t.db.sql`SELECT p2p_bytes::int FROM p2p_daily WHERE day = current_date`)[0]!;
    expect(day.p2pBytes).toBe(4000);
  });

  test("reports for unknown videos are refused", async () => {
    const res = await t.client("203.0.113.91").fetch("/api/v1/videos/999999/p2p-stats", { method: "POST", body: JSON.stringify({ httpBytes: 1, p2pBytes: 1, uploadedBytes: 1 }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(404);
  });

  test("the admin page shows the P2P share; others are refused", async () => {
    expect((await viewer.page("/admin/p2p")).status).toBe(403);
    const admin = await t.createUser("p2p_admin", { role: "admin" });
    const a = t.client("198.51.100.64");
    await a.login(admin.username, admin.password);
    const page = await a.page("/admin/p2p");
    expect(page.status).toBe(200);
    expect(page.html).toContain("Shared film");
    expect(page.html).toContain("<td>80%</td>");
  });
});

describe("the watch page follows the choice", () => {
  const bundles = (html: string) => ({ p2p: html.includes("player-p2p"), http: html.includes("player-http"), ask: html.includes("Help share this video?") });

  test("ask: the HTTP player and the question until the viewer answers", async () => {
    const anon = t.client("203.0.113.70");
    expect(bundles((await anon.page(`/w/${video.shortUUID}`)).html)).toEqual({ p2p: false, http: true, ask: true });
    await anon.submit("/p2p/consent", { choice: "on", next: `/w/${video.shortUUID}` });
    expect(bundles((await anon.page(`/w/${video.shortUUID}`)).html)).toEqual({ p2p: true, http: false, ask: false });
    await anon.submit("/p2p/consent", { choice: "off" });
    expect(bundles((await anon.page(`/w/${video.shortUUID}`)).html)).toEqual({ p2p: false, http: true, ask: false });
  });

  test("the P2P player gets the swarm, the tracker, the hash map and the tuned settings", async () => {
    const anon = t.client("203.0.113.71");
    await anon.page("/settings");
    await anon.submit("/p2p/consent", { choice: "on" });
    const { html } = await anon.page(`/w/${video.shortUUID}`);
    const uuid = (await t.db.sql`SELECT uuid::text FROM videos WHERE id = ${video.id}`)[0]!.uuid as string;
    expect(html).toContain(`data-swarm-id="tubelet:${uuid}"`);
    expect(html).toContain('data-trackers="[&#34;ws://localhost:9000/tracker/socket&#34;]"');
    expect(html).toContain(`data-hashes="/static/videos/${uuid}/hls/segments-sha256.json"`);
    expect(html).toContain("&#34;highDemandTimeWindow&#34;:4");
    expect(html).toContain("&#34;httpDownloadTimeWindow&#34;:20");
  });

  test("an instance with P2P off never offers it", async () => {
    const off = await createTestApp({ TUBELET_P2P: "off" });
    try {
      const u = await off.createUser("nop2p");
      const c = off.client();
      await c.login(u.username, u.password);
      await off.db.sql`INSERT INTO videos (uuid, short_id, channel_id, name, privacy, state, renditions)
        SELECT gen_random_uuid(), 'offVideoShortKd1234567', c.id, 'Off video', 1, 'published', '[]' FROM channels c LIMIT 1`;
      await c.page("/settings");
      await c.submit("/p2p/consent", { choice: "on" });
      expect(bundles((await c.page("/w/offVideoShortKd1234567")).html)).toEqual({ p2p: false, http: true, ask: false });
      expect((await c.page("/settings")).html).toContain("This instance does not use peer-to-peer");
    } finally {
      await off.close();
    }
  });
});
