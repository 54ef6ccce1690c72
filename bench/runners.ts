/**
 * Remote runners: ten 30 s 720p30 uploads transcoded (a) by the instance's own worker, (b) by one `tubelet runner`,
 * (c) by two runners, all on this machine, so the runners share its cores with each other and the instance.
 * Prints the wall time from the first upload to the last video published, and for runner jobs the protocol
 * overhead per job: time from accept to completion not spent transcoding (download of the source, upload of the
 * ladder, validation and installation on the instance), plus the time from an offer to an idle runner's accept.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { withCleanup, type Cleanup } from "./lib/cleanup.ts";
import { tail, warnIfMachineBusy } from "./lib/process.ts";
import { median, ms, printTable, ratio } from "./lib/table.ts";
import { makeBenchClip } from "./lib/transcode-media.ts";
import { startUploadTarget, tubeletCommand, uploadVideo, waitUntilPublished, type UploadTarget } from "./lib/transcode-server.ts";
import { createInstance, type BenchInstance } from "./lib/tubelet.ts";
import { waitFor } from "../test/helpers/processes.ts";

const CLIP = { seconds: 30, width: 1280, height: 720, fps: 30 } as const;
const VIDEOS = 10;

interface Scenario {
  readonly label: string;
  readonly runners: number;
}

interface JobTiming {
  readonly uuid: string;
  /** Accept to completion, from the instance's rows. */
  readonly heldMs: number;
  /** Offer to accept. */
  readonly waitMs: number;
  readonly downloadMs: number;
  readonly transcodeMs: number;
  readonly uploadMs: number;
}

interface Outcome {
  readonly scenario: Scenario;
  readonly wallMs: number;
  readonly jobs: readonly JobTiming[];
}

const DONE_LINE = /job ([0-9a-f-]{36}) done in [\d.]+ s \(download ([\d.]+) s, transcode ([\d.]+) s, upload ([\d.]+) s\)/g;

/** Starts `count` runners against the instance, with a registration token made by the admin command. */
async function startRunners(cleanup: Cleanup, instance: BenchInstance, target: UploadTarget, count: number): Promise<() => string> {
  const command = tubeletCommand(instance.dataDir);
  const env = { ...process.env, ...instance.env(Number(new URL(target.base).port)) };
  const generate = Bun.spawn([...command.argv, "admin", "generate-runner-token"], { cwd: command.cwd, env, stdout: "pipe", stderr: "pipe" });
  const token = (await new Response(generate.stdout).text()).trim().split("\n").pop()!;
  if ((await generate.exited) !== 0 || !token.startsWith("ptrrt-")) throw new Error(`generate-runner-token failed: ${await new Response(generate.stderr).text()}`);
  const outputs: (() => string)[] = [];
  for (let i = 0; i < count; i++) {
    const stateDir = await mkdtemp(join(tmpdir(), "tubelet-bench-runner-"));
    cleanup.defer(`remove ${stateDir}`, () => rm(stateDir, { recursive: true, force: true }));
    const child = Bun.spawn(
      [...command.argv, "runner", "--url", target.base, "--token", token, "--name", `bench-${i + 1}`, "--state", join(stateDir, "state.json"), "--work-dir", join(stateDir, "work")],
      { cwd: command.cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdout: "pipe", stderr: "pipe" },
    );
    // Both pipes are drained: a runner writing to a full pipe nobody reads would block. Its stdout is kept whole,
    // since every job's timing line is read from it afterwards.
    const [out, err] = [tail(child.stdout, Number.POSITIVE_INFINITY), tail(child.stderr)];
    outputs.push(() => [out(), err()].filter(Boolean).join("\n"));
    cleanup.defer(`stop runner ${i + 1}`, async () => {
      child.kill("SIGTERM");
      await child.exited;
    });
  }
  // Registered and listening before the clock starts: the socket greeting is what they wait for.
  const output = () => outputs.map((o) => o()).join("\n");
  await waitFor("the runners to register", async () => (await instance.db.sql`SELECT count(*)::int AS n FROM runners`)[0]!.n >= count, {
    timeoutMs: 30_000,
    intervalMs: 100,
  }).catch((error: Error) => {
    throw new Error(`${error.message}:\n${output()}`);
  });
  return output;
}

async function runScenario(cleanup: Cleanup, clip: string, scenario: Scenario): Promise<Outcome> {
  const instance = await createInstance(cleanup, { migrated: false });
  const target = await startUploadTarget(cleanup, instance, { TUBELET_TRANSCODING_MODE: scenario.runners ? "runners" : "local" });
  const runnerOutput = scenario.runners ? await startRunners(cleanup, instance, target, scenario.runners) : () => "";
  const started = performance.now();
  const videos = [];
  for (let i = 0; i < VIDEOS; i++) videos.push(await uploadVideo(target, clip, `Bench ${i + 1}`));
  let last = started;
  for (const v of videos) last = Math.max(last, await waitUntilPublished(target, v.id, { intervalMs: 200, timeoutMs: 3_600_000 }));
  const wallMs = last - started;
  if (!scenario.runners) return { scenario, wallMs, jobs: [] };
  const rows = await instance.db.sql<{ uuid: string; heldMs: number; waitMs: number }[]>`
    SELECT uuid::text, extract(epoch FROM finished_at - started_at) * 1000 AS "heldMs", extract(epoch FROM started_at - created_at) * 1000 AS "waitMs"
    FROM runner_jobs WHERE state = 'completed'`;
  const steps = new Map([...runnerOutput().matchAll(DONE_LINE)].map((m) => [m[1]!, m.slice(2, 5).map((x) => Number(x) * 1000)]));
  const jobs = rows.flatMap((r) => {
    const s = steps.get(r.uuid);
    return s ? [{ uuid: r.uuid, heldMs: Number(r.heldMs), waitMs: Number(r.waitMs), downloadMs: s[0]!, transcodeMs: s[1]!, uploadMs: s[2]! }] : [];
  });
  return { scenario, wallMs, jobs };
}

export async function run(): Promise<void> {
  await warnIfMachineBusy();
  await withCleanup(async (cleanup) => {
    const dir = await mkdtemp(join(tmpdir(), "tubelet-bench-runners-"));
    cleanup.defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const clip = await makeBenchClip(cleanup, dir, CLIP);
    const outcomes: Outcome[] = [];
    for (const scenario of [{ label: "local worker", runners: 0 }, { label: "one runner", runners: 1 }, { label: "two runners", runners: 2 }]) {
      console.error(`runners bench: ${scenario.label}…`);
      outcomes.push(await runScenario(cleanup, clip, scenario));
    }
    const local = outcomes[0]!.wallMs;
    console.log(`\nRemote runners: ${VIDEOS} uploads of a ${CLIP.seconds} s ${CLIP.width}x${CLIP.height}p${CLIP.fps} clip, default ladder (up to 720p), one machine with ${cpus().length} cores shared by the instance and every runner.\n`);
    printTable(
      ["case", "wall (s)", "per video (s)", "vs local"],
      outcomes.map((o) => [o.scenario.label, (o.wallMs / 1000).toFixed(1), (o.wallMs / VIDEOS / 1000).toFixed(1), ratio(o.wallMs / local)]),
    );
    const jobs = outcomes.flatMap((o) => o.jobs);
    const overhead = jobs.map((j) => j.heldMs - j.transcodeMs);
    console.log(`\nProtocol overhead per runner job (${jobs.length} jobs; ms, median / max):\n`);
    const row = (label: string, values: number[]) => [label, ms(median(values)), ms(Math.max(...values))];
    printTable(["step", "median", "max"], [
      row("accept → completed, minus transcoding", overhead),
      row("  download of the source", jobs.map((j) => j.downloadMs)),
      row("  upload + validation + install", jobs.map((j) => j.uploadMs)),
      row("transcoding on the runner (ffmpeg + hashing)", jobs.map((j) => j.transcodeMs)),
      row("offer → accept (queue wait included)", jobs.map((j) => j.waitMs)),
    ]);
    console.log(`\nOverhead share of a job: ${((median(overhead) / median(jobs.map((j) => j.heldMs))) * 100).toFixed(1)}% (median).`);
  });
}
