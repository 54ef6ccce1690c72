/**
 * The whole VOD path with real parts: a server process with its worker pool, PostgreSQL, Redis and ffmpeg.
 * Upload → one-pass ladder → published → files served; and a server killed mid-transcode finishes after restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, uniqueName, type TestDatabase } from "../helpers/db.ts";
import { makeClip } from "../helpers/media.ts";
import { freePort, startService, waitFor, waitForHttp, type Service } from "../helpers/processes.ts";
import { bearerApi, logInOverApi, serverProcessEnv, uploadFile, videoState as stateOf, type Api } from "../helpers/server-process.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
let db: TestDatabase;
let dataDir: string;
let port: number;
let base: string;
let server: Service | undefined;
let token: string;
let channelId: number;
const redisPrefix = uniqueName("vod");

function env(): Record<string, string | undefined> {
  return serverProcessEnv({ databaseUrl: db.url, base, dataDir, redisPrefix }, {
    // The prefix above is stable across restarts, so the restarted server finds the crashed one's queue.
    TUBELET_RESOLUTIONS: "144,240,360",
    // A crashed worker's job is offered again once its lock lapses; short here so the test stays quick.
    TUBELET_JOB_LOCK_SECONDS: "3",
  });
}

async function startTubelet(): Promise<Service> {
  const service = startService(["bun", MAIN, "serve"], { env: env() });
  await waitForHttp(`${base}/`, service);
  return service;
}

// `base` and `token` are set in beforeAll, hence the late binding.
const api: Api = (path, init) => bearerApi(base, () => token)(path, init);
const upload = (file: string, name: string) => uploadFile(api, channelId, file, name);
const videoState = (id: number) => stateOf(api, id);

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "tubelet-vod-"));
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startTubelet();
  const admin = startService(["bun", MAIN, "admin", "create-user", "--username", "maker", "--email", "maker@example.org", "--password", "Correct-Horse-42"], { env: env() });
  expect(await admin.exited).toBe(0);
  ({ token, channelId } = await logInOverApi(api, "maker", "Correct-Horse-42"));
});

afterAll(async () => {
  await server?.stop();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("video on demand", () => {
  test("an uploaded clip is transcoded in one pass and published with its ladder and hash map", async () => {
    const video = await upload(await makeClip({ seconds: 4, width: 640, height: 360 }), "Pipeline clip");
    const published = await waitFor("the video to be published", async () => {
      const v = await videoState(video.id);
      if (v.state.id === 7) throw new Error(`transcoding failed: ${v.state.reason}`);
      return v.state.id === 1 ? v : null;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(published.state.progress).toBe(100);

    const full = await (await fetch(`${base}/api/v1/videos/${video.shortUUID}`)).json();
    expect(full.streamingPlaylists[0].files.map((f: { resolution: { id: number } }) => f.resolution.id)).toEqual([144, 240, 360]);
    const master = await fetch(full.streamingPlaylists[0].playlistUrl);
    expect(master.status).toBe(200);
    expect(master.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
    const text = await master.text();
    expect(text.match(/#EXT-X-STREAM-INF:[^\n]*RESOLUTION=\d+x\d+[^\n]*/g)).toHaveLength(3);

    const hashes = (await (await fetch(full.streamingPlaylists[0].segmentsSha256Url)).json()) as Record<string, string>;
    const [first, hex] = Object.entries(hashes).find(([name]) => name.endsWith(".m4s"))!;
    const segment = new Uint8Array(await (await fetch(`${base}/static/videos/${video.uuid}/hls/${first}`)).arrayBuffer());
    expect(new Bun.CryptoHasher("sha256").update(segment).digest("hex")).toBe(hex);
    expect(await readdir(join(dataDir, "tmp", "transcode"))).toEqual([]);

    // The public list now shows it.
    const list = await (await fetch(`${base}/api/v1/videos`)).json();
    expect(list.data.map((v: { uuid: string }) => v.uuid)).toContain(video.uuid);
  }, 90_000);

  test("a server killed in the middle of a transcode finishes the job after restart, once", async () => {
    const video = await upload(await makeClip({ seconds: 60, width: 1280, height: 720 }), "Crash clip");
    // Segments in the work folder mean ffmpeg is half-way: the moment a crash hurts most.
    const work = join(dataDir, "tmp", "transcode", video.uuid, "hls");
    await waitFor("ffmpeg to have written some segments", async () => (await readdir(work).catch(() => [])).some((f) => f.endsWith(".m4s")), {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    expect((await videoState(video.id)).state.id).toBe(2);
    server!.proc.kill("SIGKILL");
    await server!.exited;
    // ffmpeg outlives a SIGKILLed parent only until its next progress write hits the closed pipe.
    await waitFor("the orphaned ffmpeg to exit", () => Bun.spawnSync(["pgrep", "-f", `${dataDir}/originals/${video.uuid}`]).exitCode === 1, {
      timeoutMs: 10_000,
    });

    server = await startTubelet();
    await waitFor("the video to be published after the restart", async () => {
      const v = await videoState(video.id);
      if (v.state.id === 7) throw new Error(`transcoding failed: ${v.state.reason}`);
      return v.state.id === 1;
    }, { timeoutMs: 120_000, intervalMs: 250 });

    const rows = await db.sql`SELECT count(*)::int AS n FROM videos WHERE name = 'Crash clip'`;
    expect(rows[0]!.n).toBe(1);
    expect((await readdir(join(dataDir, "videos"))).sort()).toHaveLength(2);
    expect(await readdir(join(dataDir, "tmp", "transcode"))).toEqual([]);
    const full = await (await fetch(`${base}/api/v1/videos/${video.id}`)).json();
    expect((await fetch(full.streamingPlaylists[0].playlistUrl)).status).toBe(200);
  }, 200_000);
});
