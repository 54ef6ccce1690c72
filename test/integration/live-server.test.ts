/**
 * The whole live pipeline in a running server: a real ffmpeg publisher (the test card) over RTMP → ffmpeg live
 * HLS → hash map → watch page → end → replay published through the VOD path; refusals before media; and a server
 * killed mid-live, whose live is ended (and its replay made) when the server starts again.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type Config } from "../../src/config.ts";
import { startServer, type Running } from "../../src/server.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { findUserById, type UserRow } from "../../src/accounts/queries.ts";
import { createLive } from "../../src/live/service.ts";
import { findLiveByVideoId } from "../../src/live/queries.ts";
import { runTestcard, testcardArgs } from "../../src/live/testcard.ts";
import { createLayout } from "../../src/storage/layout.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "../helpers/db.ts";
import { defaultChannelId } from "../helpers/videos.ts";
import { freePort, run, startService, waitFor, waitForHttp } from "../helpers/processes.ts";

setDefaultTimeout(90_000);

const ROOT = join(import.meta.dir, "..", "..");
/** Small and slow enough for a 2-core CI machine to encode in real time next to the server's own ffmpeg. */
const CARD = { width: 426, height: 240, fps: 15 } as const;

let db: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let config: Config;
let user: UserRow;
let channelId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "tubelet-live-server-"));
  env = {
    DATABASE_URL: db.url,
    TUBELET_HOST: "127.0.0.1",
    TUBELET_PORT: "0",
    TUBELET_RTMP_HOST: "127.0.0.1",
    TUBELET_RTMP_PORT: String(await freePort()),
    TUBELET_DATA_DIR: dataDir,
    TUBELET_REDIS_PREFIX: `${uniqueName("live")}:`,
    TUBELET_LIVE_RESOLUTIONS: "144,240",
    TUBELET_X264_PRESET: "ultrafast",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  };
  config = parseConfig(env);
  const made = await registerUser({ sql: db.sql, config }, { username: "streamer", email: "streamer@example.org", password: "streaming-is-fun-42" }, { bypassSignupMode: true });
  user = (await findUserById(db.sql, made.id))!;
  channelId = await defaultChannelId(db.sql, user.id);
}, 30_000);

afterAll(async () => {
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
}, 30_000);

const rtmpUrl = () => `rtmp://127.0.0.1:${config.live.rtmpPort}/live`;
const sha256 = async (path: string) => createHash("sha256").update(await Bun.file(path).bytes()).digest("hex");

async function newLive(fields: Record<string, unknown>) {
  const { video, live } = await createLive({ sql: db.sql, config }, user, { name: "Test card live", channelId, privacy: 1, ...fields });
  return { video, live };
}

/** The session folder of a live on air, once its master playlist and `segments` segments exist. */
async function waitForSegments(videoId: number, uuid: string, segments: number): Promise<{ dir: string; session: string }> {
  return waitFor(`${segments} live segments of ${uuid}`, async () => {
    const live = await findLiveByVideoId(db.sql, videoId);
    if (live?.state !== "live" || !live.session) return null;
    const dir = createLayout(dataDir).liveSessionDir(uuid, live.session);
    const files = await readdir(dir).catch(() => [] as string[]);
    return files.includes("master.m3u8") && files.filter((f) => f.endsWith(".ts")).length >= segments ? { dir, session: live.session } : null;
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

async function liveState(videoId: number) {
  return (await findLiveByVideoId(db.sql, videoId))!;
}

describe("a running server", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(config);
    expect(server.rtmpPort).toBe(config.live.rtmpPort);
  });
  afterAll(() => server?.stop(), 30_000);

  test("a publisher goes live: playlists and valid segments appear, the hash map matches, the page plays it; stopping ends it and publishes the replay", async () => {
    const { video } = await newLive({ saveReplay: true, latencyMode: 3 });
    const publishing = runTestcard({ url: rtmpUrl(), key: (await liveState(video.id)).streamKey, durationSeconds: 7, ...CARD });
    const { dir, session } = await waitForSegments(video.id, video.uuid, 3);

    const master = await Bun.file(join(dir, "master.m3u8")).text();
    expect(master).toContain("#EXT-X-STREAM-INF");
    const media = await Bun.file(join(dir, "240p.m3u8")).text();
    expect(media).toContain("#EXT-X-PROGRAM-DATE-TIME");
    expect(media).toContain("#EXT-X-TARGETDURATION:1");
    const map = await waitFor("the hash map to list segments", async () => {
      const text = await Bun.file(join(dir, "segments-sha256.json")).text().catch(() => "{}");
      const parsed = JSON.parse(text) as Record<string, string>;
      return Object.keys(parsed).length >= 2 ? parsed : null;
    });
    for (const [name, hash] of Object.entries(map).slice(0, 4)) expect({ name, hash: await sha256(join(dir, name)) }).toEqual({ name, hash });
    const segment = join(dir, Object.keys(map).find((name) => name.startsWith("240p-"))!);
    const probe = await run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,height", "-of", "csv=p=0", segment]);
    // MPEG-TS lists its streams once per program too.
    expect([...new Set(probe.stdout.split("\n").filter(Boolean))].sort()).toEqual(["aac", "h264,240"]);

    const page = await (await fetch(`${server.url}/w/${video.shortId}`)).text();
    expect(page).toContain('data-live="low"');
    expect(page).toContain(`/static/live/${video.uuid}/${session}/master.m3u8`);
    const playlist = await fetch(`${server.url}/static/live/${video.uuid}/${session}/240p.m3u8`);
    expect(playlist.headers.get("cache-control")).toBe("no-cache");
    await playlist.body?.cancel();

    expect(await publishing).toBe(0);
    await waitFor("the live to end", async () => (await liveState(video.id)).state === "ended", { timeoutMs: 10_000 });
    const replayId = await waitFor("the replay video", async () => (await liveState(video.id)).replayVideoId, { timeoutMs: 20_000 });
    await waitFor("the replay to be published", async () => {
      const [row] = await db.sql<{ state: string; duration: number }[]>`SELECT state, duration FROM videos WHERE id = ${replayId}`;
      return row?.state === "published" ? row : null;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const [replay] = await db.sql<{ duration: number; isLive: boolean }[]>`SELECT duration, is_live FROM videos WHERE id = ${replayId}`;
    expect(replay!.isLive).toBe(false);
    expect(replay!.duration).toBeGreaterThan(4);
    expect(replay!.duration).toBeLessThan(9);
    // The live's segments went into the replay; nothing of the session is left behind.
    expect(await readdir(dir).catch(() => "gone")).toBe("gone");
  });

  test("a publisher killed mid-stream: the live ends within seconds and its replay is published", async () => {
    const { video } = await newLive({ saveReplay: true, latencyMode: 3 });
    const key = (await liveState(video.id)).streamKey;
    const publisher = Bun.spawn(["ffmpeg", ...testcardArgs({ url: rtmpUrl(), key, ...CARD })], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    await waitForSegments(video.id, video.uuid, 3);
    publisher.kill("SIGKILL"); // no FCUnpublish, no clean FLV end: the socket just drops
    await publisher.exited;
    const killedAt = Date.now();
    await waitFor("the live to end after its publisher died", async () => (await liveState(video.id)).state === "ended", { timeoutMs: 10_000, intervalMs: 100 });
    expect(Date.now() - killedAt).toBeLessThan(5000);
    const replayId = await waitFor("the replay video", async () => (await liveState(video.id)).replayVideoId, { timeoutMs: 20_000 });
    await waitFor("the replay to be published", async () => {
      const [row] = await db.sql<{ state: string }[]>`SELECT state FROM videos WHERE id = ${replayId}`;
      return row?.state === "published";
    }, { timeoutMs: 60_000, intervalMs: 500 });
  });

  test("a wrong key, and a second publisher on a key already live, are refused before any media", async () => {
    const errors: string[] = [];
    const wrong = await runTestcard({ url: rtmpUrl(), key: "not-a-key-of-this-instance-at-all-000", durationSeconds: 3, ...CARD, onStderr: (t) => errors.push(t) });
    expect(wrong).not.toBe(0);
    expect(errors.join("")).not.toContain("Broken pipe"); // refused at publish, not cut off mid-stream

    const { video } = await newLive({ permanentLive: true });
    const key = (await liveState(video.id)).streamKey;
    const stop = new AbortController();
    const first = runTestcard({ url: rtmpUrl(), key, ...CARD, signal: stop.signal });
    const { dir } = await waitForSegments(video.id, video.uuid, 1);
    const before = (await readdir(dir)).length;
    expect(await runTestcard({ url: rtmpUrl(), key, durationSeconds: 3, ...CARD })).not.toBe(0);
    expect((await liveState(video.id)).state).toBe("live");
    stop.abort();
    await first;
    // A permanent live waits for its publisher again, with the same key.
    await waitFor("the permanent live to wait again", async () => (await liveState(video.id)).state === "waiting", { timeoutMs: 10_000 });
    expect(before).toBeGreaterThan(0);
    expect((await liveState(video.id)).streamKey).toBe(key);
  });
});

describe("a server killed mid-live", () => {
  test("at the next start the live is ended and its replay made from the segments on disk", async () => {
    const { video } = await newLive({ saveReplay: true });
    const port = await freePort();
    const crashed = startService(["bun", join(ROOT, "src", "main.ts"), "serve"], {
      cwd: ROOT,
      env: { ...process.env, ...env, TUBELET_PORT: String(port) } as Record<string, string>,
    });
    await waitForHttp(`http://127.0.0.1:${port}/`, crashed, { timeoutMs: 30_000 });
    const stop = new AbortController();
    const publishing = runTestcard({ url: rtmpUrl(), key: (await liveState(video.id)).streamKey, ...CARD, signal: stop.signal });
    await waitForSegments(video.id, video.uuid, 2); // normal mode: two 4 s segments
    crashed.proc.kill("SIGKILL");
    await crashed.exited;
    stop.abort();
    await publishing;
    expect((await liveState(video.id)).state).toBe("live"); // nobody told the database

    const restarted = await startServer(config);
    try {
      expect((await liveState(video.id)).state).toBe("ended");
      const replayId = await waitFor("the replay of the cut-off live", async () => (await liveState(video.id)).replayVideoId, { timeoutMs: 20_000 });
      const [row] = await db.sql<{ isLive: boolean; channelId: number }[]>`SELECT is_live, channel_id::int AS channel_id FROM videos WHERE id = ${replayId}`;
      expect(row).toEqual({ isLive: false, channelId });
    } finally {
      await restarted.stop();
    }
  });
});
