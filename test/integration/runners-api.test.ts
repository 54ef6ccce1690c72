/**
 * The runner API in-process on a real database, Redis and ffmpeg: who may do what (registration, runner and job
 * tokens), results the instance refuses (and the job offered again), five failures marking the video failed,
 * unregistering, and the administrators' routes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestApp, apiClient, type TestApp } from "../helpers/app.ts";
import { makeClip } from "../helpers/media.ts";
import { waitFor } from "../helpers/processes.ts";
import { offerVodToRunners, sweepRunnerJobs } from "../../src/runners/service.ts";
import { startJobWorkers } from "../../src/server.ts";
import { Queue } from "bullmq";
import { connectionFromUrl } from "../../src/queue/queues.ts";
import { transcodeToHlsLadder } from "../../src/transcoding/vod.ts";
import { findVideo } from "../../src/videos/queries.ts";

let t: TestApp;
let adminToken: string;
let userToken: string;
let registrationToken: string;
let clip: string;

function client() {
  return apiClient(t, "198.51.100.9");
}

const json = (body: unknown) => ({ method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

async function post(path: string, body: unknown): Promise<Response> {
  return client().api(`/api/v1/runners${path}`, json(body));
}

async function register(name: string): Promise<string> {
  const res = await post("/register", { registrationToken, name });
  expect(res.status).toBe(200);
  return (await res.json()).runnerToken;
}

/** Uploads the clip and offers its transcode to runners; returns the video and its job's uuid. */
async function offeredVideo(name: string): Promise<{ id: number; uuid: string; jobUuid: string }> {
  const form = new FormData();
  form.set("name", name);
  const me = await (await client().api("/api/v1/users/me", { token: adminToken })).json();
  form.set("channelId", String(me.videoChannels[0].id));
  form.set("videofile", Bun.file(clip), "clip.mp4");
  const res = await client().api("/api/v1/videos/upload", { method: "POST", body: form, token: adminToken });
  expect(res.status).toBe(200);
  const { id, uuid } = (await res.json()).video;
  await offerVodToRunners({ ...t.deps, announceJobs: () => {} }, { id, uuid });
  const [job] = await t.deps.sql<{ uuid: string }[]>`SELECT uuid::text FROM runner_jobs WHERE video_id = ${id}`;
  return { id, uuid, jobUuid: job!.uuid };
}

async function accept(runnerToken: string, jobUuid: string): Promise<string> {
  const res = await post(`/jobs/${jobUuid}/accept`, { runnerToken });
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.job.uuid).toBe(jobUuid);
  return body.job.jobToken;
}

/** A real ladder of the clip, made the way a runner makes it; returns the folder. */
async function ladder(dir: string): Promise<string> {
  const out = join(dir, "out");
  await transcodeToHlsLadder({ input: clip, outputDir: out, workDir: join(dir, "work"), ladder: { resolutions: [144, 240], segmentSeconds: 2, preset: "ultrafast" } });
  return out;
}

async function success(runnerToken: string, jobToken: string, jobUuid: string, root: string, skip: (name: string) => boolean = () => false, extra: [string, Blob][] = []) {
  const form = new FormData();
  form.set("runnerToken", runnerToken);
  form.set("jobToken", jobToken);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries.filter((x) => x.isFile())) {
    const name = join(e.parentPath, e.name).slice(root.length + 1);
    if (name.endsWith("segments-sha256.json") || skip(name)) continue;
    form.append("payload[files]", Bun.file(join(root, name)), name);
  }
  for (const [name, blob] of extra) form.append("payload[files]", blob, name);
  return client().api(`/api/v1/runners/jobs/${jobUuid}/success`, { method: "POST", body: form });
}

async function jobRow(uuid: string) {
  const [row] = await t.deps.sql<{ state: string; failures: number; errors: string[] }[]>`SELECT state, failures, errors FROM runner_jobs WHERE uuid = ${uuid}`;
  return row!;
}

beforeAll(async () => {
  t = await createTestApp({ TUBELET_RESOLUTIONS: "144,240", TUBELET_SEGMENT_SECONDS: "2", TUBELET_X264_PRESET: "ultrafast", TUBELET_TRANSCODING_MODE: "runners" });
  const admin = await t.createUser("boss", { role: "admin" });
  const user = await t.createUser("pleb");
  adminToken = await client().apiToken(admin.username, admin.password);
  userToken = await client().apiToken(user.username, user.password);
  clip = await makeClip({ seconds: 3, width: 320, height: 240 });
}, 60_000);

afterAll(async () => {
  await t.close();
});

describe("runner API", () => {
  test("only administrators generate, list and delete registration tokens", async () => {
    const generate = (token?: string) => client().api("/api/v1/runners/registration-tokens/generate", { method: "POST", token });
    expect((await generate()).status).toBe(401);
    expect((await generate(userToken)).status).toBe(403);
    expect((await client().api("/api/v1/runners/registration-tokens", { token: userToken })).status).toBe(403);
    expect((await generate(adminToken)).status).toBe(204);
    expect((await generate(adminToken)).status).toBe(204);
    const list = await (await client().api("/api/v1/runners/registration-tokens", { token: adminToken })).json();
    expect(list.total).toBe(2);
    registrationToken = list.data[0].registrationToken;
    expect(registrationToken).toMatch(/^ptrrt-/);
    const spare = list.data[1];
    const deleted = await client().api(`/api/v1/runners/registration-tokens/${spare.id}`, { method: "DELETE", token: adminToken });
    expect(deleted.status).toBe(204);
    const refused = await post("/register", { registrationToken: spare.registrationToken, name: "late" });
    expect(refused.status).toBe(404);
  });

  test("a wrong registration token, a wrong runner token and another runner's job token are refused", async () => {
    const wrongRegistration = await post("/register", { registrationToken: "ptrrt-not-a-token", name: "intruder" });
    expect(wrongRegistration.status).toBe(404);
    expect((await wrongRegistration.json()).detail).toBe("Registration token is invalid.");
    const alice = await register("alice");
    const bob = await register("bob");
    expect((await post("/register", { registrationToken, name: "alice" })).status).toBe(400);

    const wrongRunner = await post("/jobs/request", { runnerToken: "ptrt-guess" });
    expect(wrongRunner.status).toBe(404);
    expect((await wrongRunner.json()).code).toBe("unknown_runner_token");

    const video = await offeredVideo("Guarded");
    const available = await (await post("/jobs/request", { runnerToken: alice })).json();
    expect(available.availableJobs.map((j: { uuid: string; type: string }) => [j.uuid, j.type])).toContainEqual([video.jobUuid, "vod-hls-transcoding"]);
    const jobToken = await accept(alice, video.jobUuid);
    // Gone for everyone else.
    expect((await post(`/jobs/${video.jobUuid}/accept`, { runnerToken: bob })).status).toBe(409);
    // Bob holding Alice's job token gets nowhere, nor does Alice with a made-up job token.
    for (const body of [{ runnerToken: bob, jobToken }, { runnerToken: alice, jobToken: "ptrjt-guess" }]) {
      expect((await post(`/jobs/${video.jobUuid}/update`, { ...body, progress: 50 })).status).toBe(404);
      expect((await post(`/jobs/${video.jobUuid}/files/videos/${video.uuid}/max-quality`, body)).status).toBe(404);
      expect((await post(`/jobs/${video.jobUuid}/error`, { ...body, message: "sabotage" })).status).toBe(404);
    }
    expect((await jobRow(video.jobUuid)).state).toBe("processing");
    // Alice downloads the original, byte for byte.
    const file = await post(`/jobs/${video.jobUuid}/files/videos/${video.uuid}/max-quality`, { runnerToken: alice, jobToken });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(await Bun.file(clip).arrayBuffer()))).toBe(true);
    expect((await post(`/jobs/${video.jobUuid}/update`, { runnerToken: alice, jobToken, progress: 40 })).status).toBe(204);
    expect((await findVideo(t.deps.sql, { id: video.id }))!.progress).toBe(40);
    // Aborting hands the job back without counting a failure.
    expect((await post(`/jobs/${video.jobUuid}/abort`, { runnerToken: alice, jobToken, reason: "stopping" })).status).toBe(204);
    expect(await jobRow(video.jobUuid)).toMatchObject({ state: "pending", failures: 0 });
    // Unregistering revokes the runner token.
    expect((await post("/unregister", { runnerToken: bob })).status).toBe(204);
    expect((await post("/jobs/request", { runnerToken: bob })).status).toBe(404);
  }, 60_000);

  test("corrupt or incomplete results are rejected and the job offered again; a valid one publishes the video", async () => {
    const runner = await register("carol");
    const video = await offeredVideo("Checked");
    const dir = join(t.config.dataDir, "runner-test");
    const out = await ladder(dir);
    const segment = (await readdir(join(out, "hls"))).find((f) => f.startsWith("240p-") && f.endsWith(".m4s"))!;
    const cases: [string, (root: string) => Promise<Response>, string][] = [
      ["truncated segment", async (root) => {
        const copy = join(dir, "cut");
        await rm(copy, { recursive: true, force: true });
        await Bun.$`cp -r ${root} ${copy}`.quiet();
        const path = join(copy, "hls", segment);
        await truncate(path, Math.floor(Bun.file(path).size / 2));
        return success(runner, await accept(runner, video.jobUuid), video.jobUuid, copy);
      }, "truncated"],
      ["missing playlist", async (root) => success(runner, await accept(runner, video.jobUuid), video.jobUuid, root, (n) => n === "hls/240p.m3u8"), "lacks hls/240p.m3u8"],
      ["forged hash map and a path outside the folder", async (root) => success(runner, await accept(runner, video.jobUuid), video.jobUuid, root, () => false, [["../../evil.sh", new Blob(["x"])]]), "unexpected file"],
    ];
    for (const [index, [what, send, reason]] of cases.entries()) {
      const res = await send(out);
      expect(res.status, what).toBe(400);
      expect((await res.json()).detail).toContain(reason);
      expect(await jobRow(video.jobUuid), what).toMatchObject({ state: "pending", failures: index + 1 });
    }
    expect(await readdir(join(t.config.dataDir, "videos")).catch(() => [])).toEqual([]);
    // A runner cannot slip in its own hash map either.
    await writeFile(join(dir, "forged.json"), "{}");
    const forged = await success(runner, await accept(runner, video.jobUuid), video.jobUuid, out, () => false, [["hls/segments-sha256.json", Bun.file(join(dir, "forged.json"))]]);
    expect(forged.status).toBe(400);

    const ok = await success(runner, await accept(runner, video.jobUuid), video.jobUuid, out);
    expect(ok.status).toBe(204);
    expect(await jobRow(video.jobUuid)).toMatchObject({ state: "completed", failures: 4 });
    const row = (await findVideo(t.deps.sql, { id: video.id }))!;
    expect(row.state).toBe("published");
    const hlsDir = join(t.config.dataDir, "videos", video.uuid, "hls");
    const hashes = JSON.parse(await Bun.file(join(hlsDir, "segments-sha256.json")).text()) as Record<string, string>;
    const bytes = await Bun.file(join(hlsDir, segment)).arrayBuffer();
    expect(hashes[segment]).toBe(new Bun.CryptoHasher("sha256").update(bytes).digest("hex"));
    expect(await readdir(join(t.config.dataDir, "tmp", "transcode")).catch(() => [])).toEqual([]);
  }, 120_000);

  test("a job that fails five times is marked failed with the reasons", async () => {
    const runner = await register("dave");
    const video = await offeredVideo("Doomed");
    for (let attempt = 1; attempt <= 5; attempt++) {
      const jobToken = await accept(runner, video.jobUuid);
      expect((await post(`/jobs/${video.jobUuid}/error`, { runnerToken: runner, jobToken, message: `ffmpeg broke (${attempt})` })).status).toBe(204);
    }
    const job = await jobRow(video.jobUuid);
    expect(job.state).toBe("errored");
    expect(job.errors).toEqual([1, 2, 3, 4, 5].map((n) => `runner "dave": ffmpeg broke (${n})`));
    expect((await post(`/jobs/${video.jobUuid}/accept`, { runnerToken: runner })).status).toBe(409);
    const row = (await findVideo(t.deps.sql, { id: video.id }))!;
    expect(row.state).toBe("failed");
    expect(row.stateReason).toContain("failed 5 times");
    expect(row.stateReason).toContain("ffmpeg broke (5)");
  }, 60_000);

  test("administrators list runners and jobs, cancel and delete; others are refused", async () => {
    expect((await client().api("/api/v1/runners", { token: userToken })).status).toBe(403);
    expect((await client().api("/api/v1/runners/jobs")).status).toBe(401);
    const runners = await (await client().api("/api/v1/runners", { token: adminToken })).json();
    expect(runners.data.map((r: { name: string }) => r.name).sort()).toEqual(["alice", "carol", "dave"]);
    const video = await offeredVideo("Cancelled");
    expect((await client().api(`/api/v1/runners/jobs/${video.jobUuid}/cancel`, { method: "POST", token: userToken })).status).toBe(403);
    expect((await client().api(`/api/v1/runners/jobs/${video.jobUuid}/cancel`, { method: "POST", token: adminToken })).status).toBe(204);
    const runner = await register("erin");
    expect((await post(`/jobs/${video.jobUuid}/accept`, { runnerToken: runner })).status).toBe(409);
    expect(await findVideo(t.deps.sql, { id: video.id })).toMatchObject({ state: "failed", stateReason: "Transcoding was cancelled by an administrator." });
    const jobs = await (await client().api("/api/v1/runners/jobs", { token: adminToken })).json();
    expect(jobs.data.find((j: { uuid: string }) => j.uuid === video.jobUuid).state).toEqual({ id: 6, label: "Cancelled" });
    expect((await client().api(`/api/v1/runners/jobs/${video.jobUuid}`, { method: "DELETE", token: adminToken })).status).toBe(204);
    const all = await (await client().api("/api/v1/runners", { token: adminToken })).json();
    const erinId = all.data.find((r: { name: string }) => r.name === "erin").id;
    expect((await client().api(`/api/v1/runners/${erinId}`, { method: "DELETE", token: adminToken })).status).toBe(204);
    expect((await post("/jobs/request", { runnerToken: runner })).status).toBe(404);
  }, 60_000);

  test("deleting an open job marks its video failed; removing a runner puts its job's video back in the queue", async () => {
    const deleted = await offeredVideo("Deleted while waiting");
    expect((await client().api(`/api/v1/runners/jobs/${deleted.jobUuid}`, { method: "DELETE", token: adminToken })).status).toBe(204);
    expect(await findVideo(t.deps.sql, { id: deleted.id })).toMatchObject({ state: "failed", stateReason: "Transcoding was cancelled by an administrator." });
    expect((await client().api("/api/v1/runners/jobs/not-a-uuid", { method: "DELETE", token: adminToken })).status).toBe(404);

    const held = await offeredVideo("Held by a removed runner");
    const runner = await register("frank");
    await accept(runner, held.jobUuid);
    expect(await findVideo(t.deps.sql, { id: held.id })).toMatchObject({ state: "transcoding" });
    const all = await (await client().api("/api/v1/runners", { token: adminToken })).json();
    const frankId = all.data.find((r: { name: string }) => r.name === "frank").id;
    expect((await client().api(`/api/v1/runners/${frankId}`, { method: "DELETE", token: adminToken })).status).toBe(204);
    expect(await jobRow(held.jobUuid)).toMatchObject({ state: "pending" });
    expect(await findVideo(t.deps.sql, { id: held.id })).toMatchObject({ state: "queued" });
    await t.deps.sql`DELETE FROM runner_jobs WHERE uuid = ${held.jobUuid}`;
  }, 60_000);

  test("in \"both\" mode jobs no runner takes in time go to local workers; a silent runner loses its job", async () => {
    const inBoth = (fallbackSeconds: number) => ({ ...t.deps, announceJobs: () => {}, config: { ...t.config, runners: { mode: "both" as const, fallbackSeconds, jobTimeoutSeconds: 120 } } });
    const runner = await register("frank");
    const unclaimed = await offeredVideo("Nobody wants it");
    const held = await offeredVideo("Held then dropped");
    await accept(runner, held.jobUuid);
    // Before the timeouts nothing moves.
    await sweepRunnerJobs(inBoth(30), new Date(Date.now() + 10_000));
    expect((await jobRow(unclaimed.jobUuid)).state).toBe("pending");
    expect((await jobRow(held.jobUuid)).state).toBe("processing");
    // The runner has been silent past the job timeout: the job is offered again, one failure recorded.
    await sweepRunnerJobs(inBoth(1000), new Date(Date.now() + 200_000));
    expect(await jobRow(held.jobUuid)).toMatchObject({ state: "pending", failures: 1, errors: ['runner "frank" stopped answering for 120 s'] });
    expect((await jobRow(unclaimed.jobUuid)).state).toBe("pending");
    // Past the fallback time both go to local workers, which publish them.
    await sweepRunnerJobs(inBoth(30), new Date(Date.now() + 60_000));
    for (const v of [unclaimed, held]) expect((await jobRow(v.jobUuid)).state).toBe("cancelled");
    const workers = startJobWorkers(inBoth(30));
    try {
      for (const v of [unclaimed, held]) {
        await waitFor(`a local worker to publish ${v.uuid}`, async () => (await findVideo(t.deps.sql, { id: v.id }))?.state === "published", { timeoutMs: 60_000, intervalMs: 200 });
      }
    } finally {
      await workers.close();
    }
  }, 120_000);

  test("switched back to local, jobs still waiting for a runner go to local workers at once", async () => {
    const video = await offeredVideo("Switched back");
    await sweepRunnerJobs({ ...t.deps, announceJobs: () => {}, config: { ...t.config, runners: { ...t.config.runners, mode: "local" } } });
    expect((await jobRow(video.jobUuid)).state).toBe("cancelled");
    const queue = new Queue("transcode", { connection: connectionFromUrl(t.config.redisUrl), prefix: `${t.config.redisPrefix}bull` });
    try {
      expect((await queue.getJob(`transcode-local-${video.jobUuid}`))?.data).toEqual({ videoId: video.id, local: true });
    } finally {
      await queue.close();
    }
  });
});
