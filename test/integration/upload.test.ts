import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Queue } from "bullmq";
import { connectionFromUrl } from "../../src/queue/queues.ts";
import { createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";
import { makeClip } from "../helpers/media.ts";

let t: TestApp;
let tokens: Record<string, string> = {};
let channelIds: Record<string, number> = {};
let clip: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  t = await createTestApp({ TUBELET_MAX_UPLOAD_BYTES: "5000000" });
  const { client_id, client_secret } = await (await call("/api/v1/oauth-clients/local")).json();
  for (const name of ["uploader", "stranger"]) {
    await t.createUser(name);
    const res = await call("/api/v1/users/token", {
      method: "POST",
      body: new URLSearchParams({ client_id, client_secret, grant_type: "password", username: name, password: "Correct-Horse-42" }),
    });
    tokens[name] = (await res.json()).access_token;
    const me = await (await call("/api/v1/users/me", { token: tokens[name] })).json();
    channelIds[name] = me.videoChannels[0].id;
  }
  clip = new Uint8Array(await Bun.file(await makeClip()).arrayBuffer());
});
afterAll(() => t.close());

function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  return t.handle(new Request(ORIGIN + path, { ...init, headers }));
}

async function start(size: number, fields: Record<string, unknown> = {}, who = "uploader") {
  return call("/api/v1/videos/upload-resumable", {
    method: "POST",
    token: tokens[who],
    body: JSON.stringify({ name: "My clip", channelId: channelIds[who], filename: "clip.mp4", privacy: 1, ...fields }),
    headers: { "content-type": "application/json", "x-upload-content-length": String(size) },
  });
}

function put(location: string, bytes: Uint8Array<ArrayBuffer>, range: string, who = "uploader") {
  return call(location, { method: "PUT", token: tokens[who], body: bytes, headers: { "content-range": range, "content-type": "application/octet-stream" } });
}

const files = async (sub: string) => readdir(join(t.config.dataDir, sub)).catch(() => [] as string[]);
const videoCount = async () => (await t.db.sql`SELECT count(*)::int AS n FROM videos`)[0]!.n as number;

describe("resumable upload", () => {
  test("an interrupted upload resumes from the last byte the server stored", async () => {
    const size = clip.byteLength;
    const started = await start(size);
    expect(started.status).toBe(201);
    const location = started.headers.get("location")!;
    expect(location).toMatch(/^\/api\/v1\/videos\/upload-resumable\?upload_id=[\w-]+$/);

    // The first chunk announces 1000 bytes but the connection "drops" after 600.
    const first = await put(location, clip.slice(0, 600), `bytes 0-999/${size}`);
    expect(first.status).toBe(308);
    expect(first.headers.get("range")).toBe("bytes=0-599");

    // The client asks where to resume, then sends the rest.
    const status = await call(location, { method: "PUT", token: tokens.uploader, headers: { "content-range": `bytes */${size}` } });
    expect(status.status).toBe(308);
    expect(status.headers.get("range")).toBe("bytes=0-599");
    const done = await put(location, clip.slice(600), `bytes 600-${size - 1}/${size}`);
    expect(done.status).toBe(200);
    const { video } = await done.json();
    expect(video.shortUUID).toMatch(/^[1-9a-km-zA-HJ-NP-Z]{22}$/);

    const row = (await t.db.sql`SELECT state, original_size::int AS size, duration FROM videos WHERE id = ${video.id}`)[0]!;
    expect(row).toMatchObject({ state: "queued", size });
    expect(row.duration).toBeGreaterThan(1.5);
    expect(await files("tmp/uploads")).toEqual([]);
    expect(await files("originals")).toHaveLength(1);

    const queue = new Queue("transcode", { connection: connectionFromUrl(t.config.redisUrl), prefix: `${t.config.redisPrefix}bull` });
    const job = await queue.getJob(`transcode-${video.uuid}`);
    await queue.close();
    expect(job?.data).toEqual({ videoId: video.id });

    const api = await (await call(`/api/v1/videos/${video.shortUUID}`, { token: tokens.uploader })).json();
    expect(api).toMatchObject({ name: "My clip", state: { id: 2, label: "To transcode" }, streamingPlaylists: [] });
  });

  test("a file that is not a video is refused with a reason and nothing is kept", async () => {
    const before = await videoCount();
    const junk = new TextEncoder().encode("this is a text file, not a video ".repeat(40));
    const location = (await start(junk.byteLength)).headers.get("location")!;
    const res = await put(location, junk, `bytes 0-${junk.byteLength - 1}/${junk.byteLength}`);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toBe("This file is not a video or audio file we can read.");
    expect(await videoCount()).toBe(before);
    expect(await files("tmp/uploads")).toEqual([]);
    expect(await files("originals")).toHaveLength(1);
  });

  test("a truncated video is refused", async () => {
    const half = clip.slice(0, Math.floor(clip.byteLength / 2));
    const location = (await start(half.byteLength)).headers.get("location")!;
    const res = await put(location, half, `bytes 0-${half.byteLength - 1}/${half.byteLength}`);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toContain("incomplete or damaged");
  });

  test("a file over the size limit is refused before any byte is sent", async () => {
    const res = await start(6_000_000);
    expect(res.status).toBe(413);
    expect((await res.json()).detail).toBe("This file is 5.7 MB; the largest file accepted here is 4.8 MB.");
  });

  test("quotas are checked from the declared size, counting uploads in progress", async () => {
    await t.db.sql`UPDATE users SET video_quota = ${clip.byteLength * 2 + 100} WHERE id = (SELECT u.id FROM users u JOIN actors a ON a.id = u.actor_id WHERE a.handle = 'uploader')`;
    // One video is stored already; one more upload fits, a second started in parallel does not.
    expect((await start(clip.byteLength)).status).toBe(201);
    const refused = await start(clip.byteLength);
    expect(refused.status).toBe(413);
    expect((await refused.json()).detail).toMatch(/would exceed your video quota: you use .* of .*\./);
    await t.db.sql`UPDATE users SET video_quota = -1`;
  });

  test("chunks must match the declared size, and more bytes than announced are refused", async () => {
    const location = (await start(clip.byteLength)).headers.get("location")!;
    expect((await put(location, clip.slice(0, 10), "bytes 0-9/999")).status).toBe(400);
    expect((await put(location, clip.slice(0, 10), "nonsense")).status).toBe(400);
    const over = await put(location, clip.slice(0, 100), `bytes 0-49/${clip.byteLength}`);
    expect(over.status).toBe(413);
  });

  test("another user cannot continue or cancel my upload, nor upload to my channel", async () => {
    const location = (await start(clip.byteLength)).headers.get("location")!;
    expect((await put(location, clip.slice(0, 10), `bytes 0-9/${clip.byteLength}`, "stranger")).status).toBe(404);
    expect((await call(location, { method: "DELETE", token: tokens.stranger })).status).toBe(404);
    const foreign = await start(clip.byteLength, { channelId: channelIds.uploader }, "stranger");
    expect(foreign.status).toBe(403);
    expect((await call(location, { method: "DELETE", token: tokens.uploader })).status).toBe(204);
  });

  test("bad metadata is reported by field", async () => {
    const res = await start(clip.byteLength, { name: "x", privacy: 9, tags: ["ok", "a"] });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(Object.keys(body["invalid-params"]).sort()).toEqual(["name", "privacy", "tags"]);
  });

  test("uploads need a login", async () => {
    const res = await call("/api/v1/videos/upload-resumable", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
  });
});

describe("one-shot upload, edit and delete", () => {
  test("multipart upload, then owner-only edit and delete removing every file", async () => {
    const form = new FormData();
    form.set("name", "One shot");
    form.set("channelId", String(channelIds.uploader));
    form.set("privacy", "2");
    form.set("videofile", new Blob([clip], { type: "video/mp4" }), "one.mp4");
    const res = await call("/api/v1/videos/upload", { method: "POST", token: tokens.uploader, body: form });
    expect(res.status).toBe(200);
    const { video } = await res.json();

    const json = { "content-type": "application/json" };
    expect((await call(`/api/v1/videos/${video.uuid}`, { method: "PUT", token: tokens.stranger, body: JSON.stringify({ name: "Stolen" }), headers: json })).status).toBe(403);
    expect((await call(`/api/v1/videos/${video.uuid}`, { method: "DELETE", token: tokens.stranger })).status).toBe(403);
    expect((await call(`/api/v1/videos/${video.uuid}`, { method: "PUT", token: tokens.uploader, body: JSON.stringify({ name: "Renamed clip", tags: ["cats", "tests"] }), headers: json })).status).toBe(204);
    const got = await (await call(`/api/v1/videos/${video.id}`, { token: tokens.uploader })).json();
    expect(got).toMatchObject({ name: "Renamed clip", tags: ["cats", "tests"], privacy: { id: 2 } });
    // Not yet published: hidden from others.
    expect((await call(`/api/v1/videos/${video.id}`, { token: tokens.stranger })).status).toBe(404);

    const originalsBefore = (await files("originals")).length;
    expect((await call(`/api/v1/videos/${video.uuid}`, { method: "DELETE", token: tokens.uploader })).status).toBe(204);
    expect((await call(`/api/v1/videos/${video.uuid}`, { token: tokens.uploader })).status).toBe(404);
    expect((await files("originals")).length).toBe(originalsBefore - 1);
  });
});

describe("abandoned uploads", () => {
  test("expired sessions are removed with their partial file", async () => {
    const { removeExpiredUploads } = await import("../../src/videos/housekeeping.ts");
    const location = (await start(clip.byteLength)).headers.get("location")!;
    expect((await put(location, clip.slice(0, 100), `bytes 0-99/${clip.byteLength}`)).status).toBe(308);
    const id = new URL(ORIGIN + location).searchParams.get("upload_id")!;
    expect(await Bun.file(t.deps.layout.uploadPart(id)).exists()).toBe(true);
    await t.db.sql`UPDATE upload_sessions SET expires_at = now() - interval '1 minute' WHERE id = ${id}`;
    expect(await removeExpiredUploads(t.deps)).toBe(1);
    expect(await Bun.file(t.deps.layout.uploadPart(id)).exists()).toBe(false);
    expect((await put(location, clip.slice(100, 200), `bytes 100-199/${clip.byteLength}`)).status).toBe(404);
  });
});

describe("stranded videos", () => {
  test("a queued video whose job was lost gets it back at start-up, and requeueing is idempotent", async () => {
    const { requeueWaitingVideos } = await import("../../src/videos/housekeeping.ts");
    const location = (await start(clip.byteLength)).headers.get("location")!;
    const { video } = await (await put(location, clip, `bytes 0-${clip.byteLength - 1}/${clip.byteLength}`)).json();
    const queue = new Queue("transcode", { connection: connectionFromUrl(t.config.redisUrl), prefix: `${t.config.redisPrefix}bull` });
    try {
      // As if the process had died between the commit and the enqueue.
      await (await queue.getJob(`transcode-${video.uuid}`))!.remove();
      expect(await queue.getJob(`transcode-${video.uuid}`)).toBeUndefined();
      expect(await requeueWaitingVideos(t.deps)).toBeGreaterThanOrEqual(1);
      expect((await queue.getJob(`transcode-${video.uuid}`))?.data).toEqual({ videoId: video.id });
      const before = await queue.getJobCounts("wait");
      await requeueWaitingVideos(t.deps);
      expect(await queue.getJobCounts("wait")).toEqual(before);
    } finally {
      await queue.close();
    }
  });
});
