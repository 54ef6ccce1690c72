/** Watch, edit, delete and status pages; view counting; oEmbed. A real transcode runs in-process. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Job } from "bullmq";
import { createTestApp, ORIGIN, type TestApp, type TestClient } from "../helpers/app.ts";
import { makeClip } from "../helpers/media.ts";
import { createTranscodeHandler } from "../../src/videos/transcode-job.ts";

let t: TestApp;
let owner: TestClient;
let other: TestClient;
let publicVideo: { id: number; shortUUID: string; uuid: string };
let privateVideo: { id: number; shortUUID: string; uuid: string };

async function uploadAs(client: TestClient, name: string, privacy: number, channelId: number) {
  const form = new FormData();
  form.set("name", name);
  form.set("channelId", String(channelId));
  form.set("privacy", String(privacy));
  form.set("description", "Hello **world** <script>alert(1)</script>");
  form.set("videofile", Bun.file(clip), "clip.mp4");
  const res = await client.fetch("/api/v1/videos/upload", { method: "POST", body: form, headers: { "x-csrf-token": client.csrf } });
  expect(res.status).toBe(200);
  const { video } = await res.json();
  // The worker pool is not running in this in-process app: run the job handler the way a worker would.
  const job = { attemptsMade: 0, opts: { attempts: 3 }, updateProgress: async () => {} } as unknown as Job;
  await createTranscodeHandler({ ...t.deps, config: t.config })({ videoId: video.id }, job);
  return video;
}

let clip: string;
beforeAll(async () => {
  t = await createTestApp({ TUBELET_RESOLUTIONS: "144,240", TUBELET_X264_PRESET: "ultrafast" });
  clip = await makeClip({ seconds: 3 });
  const o = await t.createUser("director");
  const x = await t.createUser("critic");
  owner = t.client("198.51.100.30");
  other = t.client("198.51.100.31");
  await owner.login(o.username, o.password);
  await other.login(x.username, x.password);
  await owner.page("/videos/upload");
  const channelId = (await t.db.sql`SELECT id::int FROM channels LIMIT 1`)[0]!.id as number;
  publicVideo = await uploadAs(owner, "Public film", 1, channelId);
  privateVideo = await uploadAs(owner, "Private film", 3, channelId);
});
afterAll(() => t.close());

describe("watch page", () => {
  test("shows the player, escaped title and rendered Markdown, with Open Graph and oEmbed tags", async () => {
    const res = await t.client().page(`/w/${publicVideo.shortUUID}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain(`data-src="/static/videos/${publicVideo.uuid}/hls/master.m3u8"`);
    expect(res.html).toContain("<strong>world</strong>");
    // Attribute values (meta description) only need quotes escaped; in the page's text, tags must be inert.
    expect(res.html).toContain('<div class="description"><p>Hello <strong>world</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p></div>');
    expect(res.html.replace(/"[^"]*"/g, '""')).not.toContain("<script>alert(1)</script>");
    expect(res.html).toContain('<meta property="og:title" content="Public film"/>');
    expect(res.html).toContain(`href="http://localhost:9000/services/oembed?url=${encodeURIComponent(`http://localhost:9000/w/${publicVideo.shortUUID}`)}"`);
  });

  test("private videos are for their owner only", async () => {
    expect((await owner.page(`/w/${privateVideo.shortUUID}`)).status).toBe(200);
    expect((await other.page(`/w/${privateVideo.shortUUID}`)).status).toBe(404);
    expect((await t.client().page(`/w/${privateVideo.shortUUID}`)).status).toBe(404);
    expect((await t.client().fetch(`/api/v1/videos/${privateVideo.id}`)).status).toBe(404);
  });

  test("unknown and malformed ids are 404", async () => {
    expect((await t.client().page("/w/notAnId!")).status).toBe(404);
    expect((await t.client().page("/w/99999")).status).toBe(404);
  });

  test("the home and channel pages list public videos only; the owner sees private ones with a badge", async () => {
    const home = await t.client().page("/");
    expect(home.html).toContain("Public film");
    expect(home.html).not.toContain("Private film");
    const visitor = await other.page("/c/director_channel");
    expect(visitor.html).not.toContain("Private film");
    const mine = await owner.page("/c/director_channel");
    expect(mine.html).toContain("Private film");
    expect(mine.html).toContain('<span class="badge">Private</span>');
  });

  test("oEmbed describes public videos and refuses others", async () => {
    const url = `http://localhost:9000/w/${publicVideo.shortUUID}`;
    const res = await t.client().fetch(`/services/oembed?url=${encodeURIComponent(url)}`);
    expect(await res.json()).toMatchObject({ type: "video", title: "Public film", provider_name: "Tubelet" });
    const hidden = await t.client().fetch(`/services/oembed?url=${encodeURIComponent(`http://localhost:9000/w/${privateVideo.shortUUID}`)}`);
    expect(hidden.status).toBe(404);
  });
});

describe("status over Server-Sent Events", () => {
  test("the owner gets the final state; others are refused", async () => {
    const res = await owner.fetch(`/w/${publicVideo.shortUUID}/events`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe('event: status\ndata: {"state":"published","progress":100,"reason":null}\n\n');
    expect((await other.fetch(`/w/${publicVideo.shortUUID}/events`)).status).toBe(403);
  });
});

describe("views", () => {
  test("one view per viewer per window, buffered then flushed to PostgreSQL", async () => {
    const beacon = (client: TestClient) => client.fetch(`/api/v1/videos/${publicVideo.id}/views`, { method: "POST" });
    expect((await beacon(t.client("203.0.113.80"))).status).toBe(204);
    expect((await beacon(t.client("203.0.113.80"))).status).toBe(204); // same viewer again: not counted
    expect((await beacon(t.client("203.0.113.81"))).status).toBe(204);
    expect((await beacon(owner)).status).toBe(204);
    expect((await t.db.sql`SELECT views::int FROM videos WHERE id = ${publicVideo.id}`)[0]!.views).toBe(0);
    expect(await t.deps.views.flush()).toBe(3);
    expect((await t.db.sql`SELECT views::int FROM videos WHERE id = ${publicVideo.id}`)[0]!.views).toBe(3);
    expect(await t.deps.views.flush()).toBe(0);
    // A private video cannot be counted by someone who cannot see it.
    expect((await t.client().fetch(`/api/v1/videos/${privateVideo.id}/views`, { method: "POST" })).status).toBe(404);
  });
});

describe("edit and delete pages", () => {
  test("only the owner can edit; bad fields are reported", async () => {
    expect((await other.page(`/w/${publicVideo.shortUUID}/edit`)).status).toBe(403);
    expect((await other.submit(`/w/${publicVideo.shortUUID}/edit`, { name: "Hijack" })).status).toBe(403);
    await owner.page(`/w/${publicVideo.shortUUID}/edit`);
    const bad = await owner.submit(`/w/${publicVideo.shortUUID}/edit`, { name: "x", privacy: "1" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("A title has 3 to 120 characters.");
    const ok = await owner.submit(`/w/${publicVideo.shortUUID}/edit`, { name: "Public film, director's cut", privacy: "1", tags: "a1, b2", commentsEnabled: "on" });
    expect(ok.status).toBe(303);
    const row = (await t.db.sql`SELECT name, tags, comments_enabled, download_enabled FROM videos WHERE id = ${publicVideo.id}`)[0]!;
    expect(row).toMatchObject({ name: "Public film, director's cut", tags: ["a1", "b2"], commentsEnabled: true, downloadEnabled: false });
  });

  test("delete by a stranger is refused; by the owner it removes the row and every file", async () => {
    expect((await other.submit(`/w/${privateVideo.shortUUID}/delete`, {})).status).toBe(404);
    expect((await other.submit(`/w/${publicVideo.shortUUID}/delete`, {})).status).toBe(403);
    const res = await owner.submit(`/w/${publicVideo.shortUUID}/delete`, {});
    expect(res.status).toBe(303);
    expect((await t.client().page(`/w/${publicVideo.shortUUID}`)).status).toBe(404);
    expect(await Bun.file(`${t.config.dataDir}/videos/${publicVideo.uuid}/hls/master.m3u8`).exists()).toBe(false);
    const originals = await Array.fromAsync(new Bun.Glob("*").scan(`${t.config.dataDir}/originals`));
    expect(originals).toHaveLength(1); // the private video's
  });

  test("retry is only for failed videos", async () => {
    await owner.page(`/w/${privateVideo.shortUUID}`);
    expect((await owner.submit(`/w/${privateVideo.shortUUID}/retry`, {})).status).toBe(409);
  });
});

test("ORIGIN is the configured public URL", () => expect(ORIGIN).toBe(t.config.publicUrl));

describe("a failed transcode", () => {
  test("is marked failed with a reason the creator sees, and can be retried", async () => {
    const channelId = (await t.db.sql`SELECT id::int FROM channels LIMIT 1`)[0]!.id as number;
    const form = new FormData();
    form.set("name", "Doomed film");
    form.set("channelId", String(channelId));
    form.set("videofile", Bun.file(clip), "clip.mp4");
    await owner.page("/videos/upload");
    const { video } = await (await owner.fetch("/api/v1/videos/upload", { method: "POST", body: form, headers: { "x-csrf-token": owner.csrf } })).json();
    const original = (await t.db.sql`SELECT original_path FROM videos WHERE id = ${video.id}`)[0]!.originalPath as string;
    const saved = await Bun.file(original).arrayBuffer();
    await Bun.write(original, "garbage that ffmpeg cannot decode");
    const handler = createTranscodeHandler({ ...t.deps, config: t.config });
    const lastAttempt = { attemptsMade: 2, opts: { attempts: 3 }, updateProgress: async () => {} } as unknown as Job;
    await expect(handler({ videoId: video.id }, lastAttempt)).rejects.toThrow();
    const page = await owner.page(`/w/${video.shortUUID}`);
    expect(page.html).toContain("Processing failed");
    expect(page.html).toContain('<p class="error">This file is not a video or audio file we can read.</p>');
    expect(page.html).not.toContain(t.config.dataDir); // no server paths in the reason
    expect(page.html).toContain(`action="/w/${video.shortUUID}/retry"`);
    expect(await Array.fromAsync(new Bun.Glob("*").scan(`${t.config.dataDir}/tmp/transcode`))).toEqual([]);

    await Bun.write(original, saved);
    expect((await owner.submit(`/w/${video.shortUUID}/retry`, {})).status).toBe(303);
    expect((await t.db.sql`SELECT state FROM videos WHERE id = ${video.id}`)[0]!.state).toBe("queued");
    await handler({ videoId: video.id }, { attemptsMade: 0, opts: { attempts: 3 }, updateProgress: async () => {} } as unknown as Job);
    expect((await t.db.sql`SELECT state FROM videos WHERE id = ${video.id}`)[0]!.state).toBe("published");
  });
});

describe("search", () => {
  test("finds public videos and channels by every word, case-insensitively, never private ones", async () => {
    const res = await t.client().page("/search?q=PRIVATE%20film");
    expect(res.status).toBe(200);
    expect(res.html).not.toContain("Private film");
    const found = await t.client().page("/search?q=FILM%20doomed");
    expect(found.html).toContain("Doomed film");
    const channels = await t.client().page("/search?q=director");
    expect(channels.html).toContain('href="/c/director_channel"');
    const none = await t.client().page("/search?q=%25%25");
    expect(none.html).toContain("Nothing matches every word.");
    const empty = await t.client().page("/search");
    expect(empty.html).toContain("Type words from a title");
  });
});

describe("embed", () => {
  test("the embed page holds only the player and may be framed by other sites; hidden videos are not embeddable", async () => {
    const { shortId } = (await t.db.sql`SELECT short_id FROM videos WHERE name = 'Doomed film'`)[0]! as { shortId: string };
    const res = await t.client().page(`/videos/embed/${shortId}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('id="player"');
    expect(res.html).not.toContain('class="header"');
    expect(res.response.headers.get("x-frame-options")).toBeNull();
    expect(res.response.headers.get("content-security-policy")).toContain("frame-ancestors *");
    // Every other page still refuses to be framed.
    const watch = await t.client().page(`/w/${shortId}`);
    expect(watch.response.headers.get("x-frame-options")).toBe("DENY");
    expect(watch.response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect((await t.client().page(`/videos/embed/${privateVideo.shortUUID}`)).status).toBe(404);
  });
});
