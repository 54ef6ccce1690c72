/**
 * Remote runners with real parts: a server process in "runners" mode, `tubelet runner` child processes on
 * loopback, PostgreSQL, Redis and ffmpeg. An upload is transcoded by a runner end to end; two runners share a
 * queue; a runner killed mid-job loses the job to another runner after the timeout.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, uniqueName, type TestDatabase } from "../helpers/db.ts";
import { makeClip } from "../helpers/media.ts";
import { freePort, startService, waitFor, waitForHttp, type Service } from "../helpers/processes.ts";
import { bearerApi, logInOverApi, serverProcessEnv, uploadFile, videoState, type Api } from "../helpers/server-process.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
let db: TestDatabase;
let dataDir: string;
let runnerDir: string;
let base: string;
let server: Service | undefined;
let token: string;
let channelId: number;
let registrationToken: string;
const runners: Service[] = [];
const redisPrefix = uniqueName("runners");

function env(): Record<string, string | undefined> {
  return serverProcessEnv({ databaseUrl: db.url, base, dataDir, redisPrefix }, {
    TUBELET_RESOLUTIONS: "144,240",
    TUBELET_TRANSCODING_MODE: "runners",
    // A runner silent this long loses its job: short so the killed-runner test stays quick, yet eight heartbeats
    // long so a busy machine does not make a live runner look dead.
    TUBELET_RUNNER_JOB_TIMEOUT_SECONDS: "8",
  });
}

// `base` and `token` are set in beforeAll, hence the late binding.
const api: Api = (path, init) => bearerApi(base, () => token)(path, init);
const upload = (file: string, name: string) => uploadFile(api, channelId, file, name);

function startRunner(name: string): Service {
  const runner = startService(
    ["bun", MAIN, "runner", "--url", base, "--token", registrationToken, "--name", name, "--state", join(runnerDir, `${name}.json`),
      "--work-dir", join(runnerDir, name), "--heartbeat-seconds", "1", "--poll-seconds", "2"],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
  );
  runners.push(runner);
  return runner;
}

async function waitPublished(id: number, timeoutMs = 90_000) {
  return waitFor(`video ${id} to be published`, async () => {
    const v = await videoState(api, id);
    if (v.state.id === 7) throw new Error(`transcoding failed: ${v.state.reason}`);
    return v.state.id === 1 ? v : null;
  }, { timeoutMs, intervalMs: 250 });
}

interface JobJson { uuid: string; state: { label: string }; failures: number; error: string | null; runner: { name: string } | null; payload: { input: { videoFileUrl: string } } }

async function jobs(): Promise<JobJson[]> {
  return (await (await api("/api/v1/runners/jobs")).json()).data;
}

async function jobFor(videoUuid: string): Promise<JobJson | undefined> {
  return (await jobs()).find((j) => j.payload.input.videoFileUrl.includes(videoUuid));
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "tubelet-runners-"));
  runnerDir = await mkdtemp(join(tmpdir(), "tubelet-runner-state-"));
  base = `http://127.0.0.1:${await freePort()}`;
  server = startService(["bun", MAIN, "serve"], { env: env() });
  // A busy machine can take more than the default 20 s to start a server from source.
  await waitForHttp(`${base}/`, server, { timeoutMs: 45_000 });
  const admin = startService(["bun", MAIN, "admin", "create-user", "--username", "boss", "--email", "boss@example.org", "--password", "Correct-Horse-42", "--admin"], { env: env() });
  expect(await admin.exited).toBe(0);
  ({ token, channelId } = await logInOverApi(api, "boss", "Correct-Horse-42"));
  // The administrator's command prints a registration token that runners can use.
  const generated = startService(["bun", MAIN, "admin", "generate-runner-token"], { env: env() });
  expect(await generated.exited).toBe(0);
  registrationToken = generated.output().trim().split("\n").pop()!;
  expect(registrationToken).toMatch(/^ptrrt-[\w-]{43}$/);
}, 60_000);

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await server?.stop();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(runnerDir, { recursive: true, force: true });
});

describe("remote runners", () => {
  test("a runner process transcodes an uploaded video end to end; the instance serves its ladder and its own hash map", async () => {
    const runner = startRunner("solo");
    const video = await upload(await makeClip({ seconds: 3, width: 320, height: 240 }), "Runner clip");
    await waitPublished(video.id);
    const job = (await jobFor(video.uuid))!;
    expect(job.state.label).toBe("Completed");
    expect(job.runner?.name).toBe("solo");

    const full = await (await api(`/api/v1/videos/${video.shortUUID}`)).json();
    expect(full.streamingPlaylists[0].files.map((f: { resolution: { id: number } }) => f.resolution.id)).toEqual([144, 240]);
    const master = await (await fetch(full.streamingPlaylists[0].playlistUrl)).text();
    expect(master.match(/#EXT-X-STREAM-INF:[^\n]*RESOLUTION=\d+x\d+/g)).toHaveLength(2);
    const hashes = (await (await fetch(full.streamingPlaylists[0].segmentsSha256Url)).json()) as Record<string, string>;
    const [first, hex] = Object.entries(hashes).find(([name]) => name.endsWith(".m4s"))!;
    const segment = new Uint8Array(await (await fetch(`${base}/static/videos/${video.uuid}/hls/${first}`)).arrayBuffer());
    expect(new Bun.CryptoHasher("sha256").update(segment).digest("hex")).toBe(hex);
    // Nothing left in the instance's scratch space or the runner's.
    expect(await readdir(join(dataDir, "tmp", "transcode")).catch(() => [])).toEqual([]);
    await waitFor("the runner's work folder to be emptied", async () => (await readdir(join(runnerDir, "solo")).catch(() => [])).length === 0);
    // Stopped with SIGTERM, it exits cleanly; restarted, it reuses its runner token (no second registration).
    await runner.stop();
    expect(await runner.exited).toBe(0);
    const again = startRunner("solo");
    await waitFor("the restarted runner to call in", () => again.output().includes("working for"));
    const list = (await (await api("/api/v1/runners")).json()) as { data: { name: string }[] };
    expect(list.data.filter((r) => r.name === "solo")).toHaveLength(1);
    await again.stop();
  }, 120_000);

  test("the runner socket tells registered runners that jobs wait, and refuses unknown tokens", async () => {
    const wsUrl = `${base.replace("http", "ws")}/api/v1/runners/socket`;
    const refused = new WebSocket(wsUrl, { headers: { "x-runner-token": "ptrt-guess" } } as never);
    const outcome = await new Promise<string>((resolve) => {
      refused.onopen = () => resolve("open");
      refused.onerror = () => resolve("refused");
    });
    expect(outcome).toBe("refused");
    const { runnerToken } = JSON.parse(await Bun.file(join(runnerDir, "solo.json")).text()) as { runnerToken: string };
    const socket = new WebSocket(wsUrl, { headers: { "x-runner-token": runnerToken } } as never);
    const messages: string[] = [];
    socket.onmessage = (event) => messages.push(String(event.data));
    await waitFor("the greeting sent on connection", () => messages.length === 1);
    const video = await upload(await makeClip({ seconds: 1, width: 160, height: 120 }), "Announced clip");
    await waitFor("an announcement of the new job", () => messages.length >= 2);
    expect(messages.every((m) => m === '{"type":"available-jobs"}')).toBe(true);
    socket.close();
    // No runner runs now: the job waits, pending, for the next test's runners.
    expect((await jobFor(video.uuid))?.state.label).toBe("Pending");
  }, 60_000);

  test("two runners share a queue of jobs", async () => {
    startRunner("left");
    startRunner("right");
    await waitFor("both runners to register", async () => {
      const list = (await (await api("/api/v1/runners")).json()) as { data: { name: string }[] };
      return ["left", "right"].every((n) => list.data.some((r) => r.name === n));
    }, { timeoutMs: 30_000 });
    const clip = await makeClip({ seconds: 4, width: 320, height: 240 });
    const videos = await Promise.all([1, 2, 3, 4].map((n) => upload(clip, `Shared ${n}`)));
    for (const v of videos) await waitPublished(v.id, 120_000);
    const done = await Promise.all(videos.map((v) => jobFor(v.uuid)));
    const names = new Set(done.map((j) => j!.runner!.name));
    expect(names).toEqual(new Set(["left", "right"]));
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  }, 180_000);

  test("a runner killed mid-job loses the job, and another runner does it", async () => {
    const doomed = startRunner("doomed");
    const video = await upload(await makeClip({ seconds: 20, width: 640, height: 360 }), "Killed clip");
    // Segments in the runner's work folder mean ffmpeg is half-way through the job.
    const job = await waitFor("the doomed runner to take the job", async () => {
      const j = await jobFor(video.uuid);
      return j?.state.label === "Processing" ? j : null;
    }, { timeoutMs: 30_000, intervalMs: 50 });
    const work = join(runnerDir, "doomed", job.uuid, "work", "hls");
    await waitFor("ffmpeg to have written a segment", async () => (await readdir(work).catch(() => [])).some((f) => f.endsWith(".m4s")), {
      timeoutMs: 60_000, intervalMs: 20,
    });
    doomed.proc.kill("SIGKILL");
    await doomed.exited;
    startRunner("rescuer");
    await waitPublished(video.id, 120_000);
    const finished = (await jobFor(video.uuid))!;
    expect(finished.runner?.name).toBe("rescuer");
    expect(finished.failures).toBe(1);
    expect(finished.error).toContain('runner "doomed" stopped answering');
  }, 180_000);
});
