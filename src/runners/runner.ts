/**
 * `tubelet runner`: registers once with an instance (the runner token is kept in a small state file), then
 * takes jobs: it listens on the instance's runner socket for "jobs are waiting" and also asks every
 * `pollSeconds`, accepts up to `concurrency` jobs, and for a VOD job downloads the source, makes the same
 * one-pass HLS ladder as local workers (transcodeToHlsLadder) and uploads it. Progress reports double as
 * heartbeats; a runner that stops sending them loses its job to another runner after the instance's timeout.
 */
import { mkdir, readFile, readdir, rm, writeFile, rename } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { tmpdir } from "node:os";
import { transcodeToHlsLadder } from "../transcoding/vod.ts";
import { SEGMENT_HASHES_FILE } from "../transcoding/hashes.ts";
import { FfmpegError } from "../transcoding/ffmpeg.ts";
import { runLiveJob } from "./live-runner.ts";
import { RUNNER_SOCKET_PATH, RUNNER_TOKEN_HEADER, RunnerApiError, createRunnerClient, type AcceptedJob, type JobTokens, type RunnerClient } from "./client.ts";

export interface RunnerOptions {
  readonly url: string;
  /** A registration token (first start) — ignored once the state file holds a runner token for this instance. */
  readonly registrationToken: string;
  readonly name: string;
  readonly concurrency: number;
  readonly stateFile: string;
  /** Scratch folder for downloads and outputs. */
  readonly workDir?: string;
  readonly pollSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly signal: AbortSignal;
  readonly log?: (line: string) => void;
}

interface RunnerState {
  readonly origin: string;
  readonly name: string;
  readonly runnerToken: string;
}

/** Reads the runner token kept for this instance, or registers and keeps a new one (file mode 0600). */
export async function loadOrRegister(client: RunnerClient, options: Pick<RunnerOptions, "stateFile" | "registrationToken" | "name">): Promise<RunnerState> {
  const saved = await readFile(options.stateFile, "utf8").then((text) => JSON.parse(text) as RunnerState, () => null);
  if (saved && saved.origin === client.origin && typeof saved.runnerToken === "string") return saved;
  const { runnerToken } = await client.register(options.registrationToken, options.name);
  const state: RunnerState = { origin: client.origin, name: options.name, runnerToken };
  await mkdir(dirname(options.stateFile), { recursive: true });
  const temporary = `${options.stateFile}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, options.stateFile);
  return state;
}

/** Every file below a folder, as paths relative to it. */
async function filesBelow(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Milliseconds a job spent in each step, for the log (and the runners benchmark, which reads it). */
interface StepTimes {
  download: number;
  transcode: number;
  upload: number;
}

/** One VOD job: download, transcode, upload; the hash map is left out (the instance computes its own). */
async function runVodJob(client: RunnerClient, tokens: JobTokens, job: AcceptedJob, workRoot: string, report: (p: number) => void, signal: AbortSignal): Promise<StepTimes> {
  const input = (job.payload.input ?? {}) as { videoFileUrl?: string };
  const output = (job.payload.output ?? {}) as { resolutions?: number[]; segmentSeconds?: number; preset?: string; downloadMp4?: boolean };
  if (!input.videoFileUrl) throw new Error("the job names no input file");
  const dir = join(workRoot, job.uuid);
  await mkdir(dir, { recursive: true });
  const source = join(dir, "source");
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const spent = now - mark;
    mark = now;
    return spent;
  };
  await client.download(tokens, input.videoFileUrl, source);
  const download = lap();
  const result = await transcodeToHlsLadder({
    input: source,
    outputDir: join(dir, "out"),
    workDir: join(dir, "work"),
    ladder: { resolutions: output.resolutions, segmentSeconds: output.segmentSeconds, preset: output.preset },
    downloadMp4: output.downloadMp4 ?? false,
    onProgress: report,
    signal,
  });
  const transcode = lap();
  const files = (await filesBelow(result.outputDir)).filter((name) => !name.endsWith(SEGMENT_HASHES_FILE));
  await client.success(tokens, job.uuid, files.map((name) => ({ name, path: join(result.outputDir, name) })));
  return { download, transcode, upload: lap() };
}

/** Runs one accepted job to its end, reporting progress every heartbeat; never throws. */
async function processJob(client: RunnerClient, runnerToken: string, job: AcceptedJob, options: RunnerOptions, workRoot: string): Promise<void> {
  const log = options.log ?? console.log;
  const tokens = { runnerToken, jobToken: job.jobToken };
  const stop = new AbortController();
  const onShutdown = () => stop.abort();
  options.signal.addEventListener("abort", onShutdown, { once: true });
  let progress = 0;
  const heartbeat = setInterval(() => {
    client.update(tokens, job.uuid, progress).catch((error: Error) => {
      // The job was taken back (timeout, cancel): stop working on it.
      if (error instanceof RunnerApiError && (error.status === 404 || error.status === 400)) stop.abort();
    });
  }, (options.heartbeatSeconds ?? 5) * 1000);
  const started = performance.now();
  try {
    if (job.type === "live-rtmp-hls-transcoding") {
      await runLiveJob(client, tokens, job, workRoot, stop.signal);
      await client.success(tokens, job.uuid, []);
      log(`tubelet runner: live job ${job.uuid} ended after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    if (job.type !== "vod-hls-transcoding") throw new Error(`this runner does not handle ${job.type} jobs`);
    const times = await runVodJob(client, tokens, job, workRoot, (p) => { progress = p; }, stop.signal);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    log(`tubelet runner: job ${job.uuid} done in ${s(performance.now() - started)} (download ${s(times.download)}, transcode ${s(times.transcode)}, upload ${s(times.upload)})`);
  } catch (error) {
    const message = error instanceof FfmpegError ? `${error.message} ${error.stderrTail.slice(-3).join(" ")}` : (error as Error).message;
    if (options.signal.aborted) {
      await client.abort(tokens, job.uuid, "the runner is shutting down").catch(() => undefined);
    } else if (!stop.signal.aborted) {
      log(`tubelet runner: job ${job.uuid} failed: ${message}`);
      await client.error(tokens, job.uuid, message).catch(() => undefined);
    }
  } finally {
    clearInterval(heartbeat);
    options.signal.removeEventListener("abort", onShutdown);
    await rm(join(workRoot, job.uuid), { recursive: true, force: true });
  }
}

/** Opens the runner socket; every message wakes the loop. Reconnects while the runner runs. */
function listenForJobs(client: RunnerClient, runnerToken: string, signal: AbortSignal, wake: () => void): void {
  const socketUrl = `${client.origin.replace(/^http/, "ws")}${RUNNER_SOCKET_PATH}`;
  const connect = () => {
    if (signal.aborted) return;
    // Bun's WebSocket takes headers: the token travels in one, never in the URL.
    const ws = new WebSocket(socketUrl, { headers: { [RUNNER_TOKEN_HEADER]: runnerToken } } as never);
    ws.onmessage = () => wake();
    ws.onclose = () => {
      if (!signal.aborted) setTimeout(connect, 5000);
    };
    signal.addEventListener("abort", () => ws.close(), { once: true });
  };
  connect();
}

/** The runner's main loop; resolves once `signal` aborts and running jobs have been handed back. */
export async function runRunner(options: RunnerOptions): Promise<void> {
  const log = options.log ?? console.log;
  const client = createRunnerClient(options.url);
  const state = await loadOrRegister(client, options);
  log(`tubelet runner: "${state.name}" working for ${client.origin} (${options.concurrency} at a time)`);
  const workRoot = options.workDir ?? join(tmpdir(), `tubelet-runner-${process.pid}`);
  const running = new Set<Promise<void>>();
  let wakeUp: () => void = () => {};
  const wake = () => wakeUp();
  listenForJobs(client, state.runnerToken, options.signal, wake);
  options.signal.addEventListener("abort", wake, { once: true });
  while (!options.signal.aborted) {
    await takeJobs(client, state.runnerToken, options, workRoot, running, wake).catch((error: Error) => log(`tubelet runner: ${error.message}`));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, (options.pollSeconds ?? 10) * 1000);
      wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }
  await Promise.all(running);
  await rm(workRoot, { recursive: true, force: true });
}

/** Accepts jobs while slots are free; a job another runner took first (409) is skipped. */
async function takeJobs(client: RunnerClient, runnerToken: string, options: RunnerOptions, workRoot: string, running: Set<Promise<void>>, wake: () => void): Promise<void> {
  if (running.size >= options.concurrency) return;
  for (const available of await client.requestJobs(runnerToken)) {
    if (running.size >= options.concurrency || options.signal.aborted) return;
    let job: AcceptedJob;
    try {
      job = await client.accept(runnerToken, available.uuid);
    } catch (error) {
      if (error instanceof RunnerApiError && (error.status === 409 || error.status === 404)) continue;
      throw error;
    }
    (options.log ?? console.log)(`tubelet runner: accepted job ${job.uuid} (${job.type})`);
    const task: Promise<void> = processJob(client, runnerToken, job, options, workRoot).finally(() => {
      running.delete(task);
      wake();
    });
    running.add(task);
  }
}
