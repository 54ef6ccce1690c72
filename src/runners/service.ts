/**
 * Remote runners on the instance side: registration, the job life cycle (offer, accept, progress, result,
 * error, abort), and the sweep that takes jobs back from silent runners. Tokens are random and only their
 * SHA-256 reaches the database; a job token only works together with the runner token of the runner that
 * accepted the job.
 */
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Layout } from "../storage/layout.ts";
import type { Queues } from "../queue/queues.ts";
import { randomToken } from "../accounts/tokens.ts";
import { HttpError, badRequest, notFound } from "../http/errors.ts";
import { notifyTranscodeFailed, notifyVideoPublished } from "../notifications/service.ts";
import { federateVideo } from "../federation/videos.ts";
import * as vq from "../videos/queries.ts";
import * as q from "./queries.ts";

/** PeerTube marks a job failed after this many failed attempts; so do we. */
export const MAX_JOB_FAILURES = 5;
export const RUNNER_JOB_TYPES: readonly q.RunnerJobType[] = ["vod-hls-transcoding", "live-rtmp-hls-transcoding"];

export interface RunnersDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly layout: Layout;
  readonly queues: Queues;
  /** Tells connected runners that jobs are waiting (published to every web process). */
  readonly announceJobs: () => void;
}

/** SHA-256 hex of a token: what the database keeps. */
export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

/** A fresh registration token, stored as issued: administrators read it back from their page. */
export async function generateRegistrationToken(sql: Sql): Promise<{ id: number; registrationToken: string }> {
  const registrationToken = `ptrrt-${randomToken()}`;
  return { id: await q.insertRegistrationToken(sql, registrationToken), registrationToken };
}

/** Registers a runner with a valid registration token; its runner token is returned once and never stored. */
export async function registerRunner(
  deps: Pick<RunnersDeps, "sql">,
  body: { registrationToken?: unknown; name?: unknown; description?: unknown },
  ip: string,
): Promise<{ id: number; runnerToken: string }> {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name || name.length > 100) throw badRequest("A runner needs a name of 1 to 100 characters.");
  const registrationTokenId = typeof body.registrationToken === "string" ? await q.findRegistrationToken(deps.sql, body.registrationToken) : null;
  if (!registrationTokenId) throw new HttpError(404, "Registration token is invalid.");
  const description = typeof body.description === "string" ? body.description.slice(0, 1000) : null;
  const runnerToken = `ptrt-${randomToken()}`;
  const id = await q.insertRunner(deps.sql, { name, description, tokenHash: hashToken(runnerToken), registrationTokenId, ip });
  if (id === null) throw badRequest("This runner name already exists on this instance.");
  return { id, runnerToken };
}

/** The runner a runner token belongs to, or PeerTube's 404 `unknown_runner_token`. */
export async function authenticateRunner(sql: Sql, runnerToken: unknown, ip: string): Promise<q.RunnerRow> {
  const runner = typeof runnerToken === "string" && runnerToken ? await q.touchRunnerByTokenHash(sql, hashToken(runnerToken), ip) : null;
  if (!runner) throw new HttpError(404, "Unknown runner token.", "unknown_runner_token");
  return runner;
}

/** Pending jobs of the types the runner handles, oldest first. */
export async function availableJobs(sql: Sql, jobTypes: unknown): Promise<{ uuid: string; type: q.RunnerJobType; payload: Record<string, unknown> }[]> {
  const wanted = Array.isArray(jobTypes) ? RUNNER_JOB_TYPES.filter((t) => jobTypes.includes(t)) : RUNNER_JOB_TYPES;
  if (!wanted.length) return [];
  const rows = await q.listPendingJobs(sql, wanted, 10);
  return rows.map((j) => ({ uuid: j.uuid, type: j.type, payload: j.payload }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Gives a pending job to the runner with a fresh job token; 409 when another runner took it or it is gone. */
export async function acceptRunnerJob(deps: Pick<RunnersDeps, "sql">, runner: q.RunnerRow, uuid: string): Promise<{ job: q.RunnerJobRow; jobToken: string }> {
  if (!UUID.test(uuid)) throw notFound("Unknown runner job.");
  const jobToken = `ptrjt-${randomToken()}`;
  const job = await q.acceptJob(deps.sql, uuid, runner.id, hashToken(jobToken));
  if (!job) {
    if (!(await q.findJob(deps.sql, uuid))) throw notFound("Unknown runner job.");
    throw new HttpError(409, "This job is no longer pending: another runner took it, or it was cancelled.");
  }
  if (job.videoId !== null && job.type === "vod-hls-transcoding") await vq.setVideoState(deps.sql, job.videoId, "transcoding", { progress: 0 });
  return { job, jobToken };
}

/** The job this runner holds with this job token, still processing; 404 for anything else (another runner's job included). */
export async function jobOfRunner(sql: Sql, runner: q.RunnerRow, uuid: string, jobToken: unknown): Promise<q.RunnerJobRow> {
  const job = UUID.test(uuid) && typeof jobToken === "string" && jobToken ? await q.findJobOfRunner(sql, uuid, runner.id, hashToken(jobToken)) : null;
  if (!job) throw notFound("Unknown runner job.");
  if (job.state !== "processing") throw new HttpError(400, 'Job is not in "processing" state.', "runner_job_not_in_processing_state");
  return job;
}

/** Progress from the runner; also proves it is alive. */
export async function updateRunnerJob(sql: Sql, job: q.RunnerJobRow, progress: unknown): Promise<void> {
  const value = typeof progress === "number" && Number.isFinite(progress) ? Math.max(0, Math.min(99, Math.floor(progress))) : null;
  if (progress !== undefined && progress !== null && value === null) throw badRequest("progress must be a number from 0 to 100.");
  await q.touchJob(sql, job.id, value);
  if (value !== null && job.videoId !== null && job.type === "vod-hls-transcoding") await vq.setVideoProgress(sql, job.videoId, value);
}

/**
 * Records a failed attempt (runner error, rejected result, silence): the job is offered again, or after
 * MAX_JOB_FAILURES the video is marked failed with the reasons.
 */
export async function failRunnerJob(
  deps: RunnersDeps,
  job: Pick<q.RunnerJobRow, "id" | "videoId" | "type">,
  holder: { runnerId: number } | { silentBefore: Date },
  reason: string,
): Promise<void> {
  // A live cannot be replayed to another runner: its job fails at once, and the live's own state is the ingest's business.
  const live = job.type === "live-rtmp-hls-transcoding";
  const result = await q.failJob(deps.sql, job.id, holder, reason.slice(0, 500), live ? 1 : MAX_JOB_FAILURES);
  if (!result || job.videoId === null || live) return;
  if (result.state === "errored") {
    const last = result.errors.at(-1) ?? reason;
    await vq.setVideoState(deps.sql, job.videoId, "failed", { reason: `Transcoding failed ${result.failures} times on remote runners; last: ${last}`.slice(0, 1000) });
    await notifyTranscodeFailed(deps.sql, job.videoId);
    return;
  }
  await vq.setVideoState(deps.sql, job.videoId, "queued");
  deps.announceJobs();
}

/** The runner gives the job back (shutting down, say); it is offered again at once and does not count as a failure. */
export async function abortRunnerJob(deps: RunnersDeps, runner: q.RunnerRow, job: q.RunnerJobRow): Promise<void> {
  if (await q.abortJob(deps.sql, job.id, runner.id)) {
    if (job.videoId !== null) await vq.setVideoState(deps.sql, job.videoId, "queued");
    deps.announceJobs();
  }
}

/** After a result was installed: the job is completed, then the video published, its followers told. */
export async function completeVodJob(deps: RunnersDeps, runner: q.RunnerRow, job: q.RunnerJobRow): Promise<boolean> {
  if (!(await q.completeJob(deps.sql, job.id, runner.id))) return false;
  if (job.videoId !== null) {
    await notifyVideoPublished(deps.sql, job.videoId);
    await federateVideo(deps, job.videoId, "create");
  }
  return true;
}

/**
 * Cancels an open job (administrators). Its video is marked failed, so its owner sees why and can try again;
 * the runner holding it learns at its next report. False when the job was not open.
 */
export async function cancelRunnerJob(sql: Sql, uuid: string): Promise<boolean> {
  if (!UUID.test(uuid)) return false;
  const job = await q.cancelJob(sql, uuid);
  if (!job) return false;
  if (job.videoId !== null && job.type === "vod-hls-transcoding") {
    await vq.setVideoState(sql, job.videoId, "failed", { reason: "Transcoding was cancelled by an administrator." });
  }
  return true;
}

/**
 * Deletes a job (administrators). An open one is cancelled first, so its video is marked failed with the reason
 * rather than left waiting for a job that no longer exists. False when there is no such job.
 */
export async function deleteRunnerJob(sql: Sql, uuid: string): Promise<boolean> {
  if (!UUID.test(uuid)) return false;
  await cancelRunnerJob(sql, uuid);
  return q.deleteJob(sql, uuid);
}

/** The payload of a VOD job: where to download the source and which ladder to make (Tubelet's one-pass ladder). */
export function vodJobPayload(config: Config, jobUuid: string, videoUuid: string): Record<string, unknown> {
  return {
    input: { videoFileUrl: `${config.publicUrl}/api/v1/runners/jobs/${jobUuid}/files/videos/${videoUuid}/max-quality` },
    output: {
      resolutions: config.videos.resolutions,
      segmentSeconds: config.videos.segmentSeconds,
      preset: config.videos.preset,
      downloadMp4: true,
    },
  };
}

/** Offers a video's transcode to runners (once: an open job for the video makes this a no-op). */
export async function offerVodToRunners(deps: RunnersDeps, video: Pick<vq.VideoRow, "id" | "uuid">): Promise<void> {
  const uuid = crypto.randomUUID();
  const inserted = await q.insertJob(deps.sql, { uuid, type: "vod-hls-transcoding", videoId: video.id, payload: vodJobPayload(deps.config, uuid, video.uuid) });
  if (inserted) {
    await vq.setVideoState(deps.sql, video.id, "queued");
    deps.announceJobs();
  }
}

/**
 * One pass of the supervisor: jobs whose runner went silent are offered again (a failed attempt); in "both"
 * mode jobs nobody accepted within the fallback time go to local workers, in "local" mode any still waiting.
 */
export async function sweepRunnerJobs(deps: RunnersDeps, now = new Date()): Promise<void> {
  const silentBefore = new Date(now.getTime() - deps.config.runners.jobTimeoutSeconds * 1000);
  for (const job of await q.listSilentJobs(deps.sql, silentBefore)) {
    const who = job.runnerName ? `runner "${job.runnerName}"` : "the runner";
    await failRunnerJob(deps, job, { silentBefore }, `${who} stopped answering for ${deps.config.runners.jobTimeoutSeconds} s`);
  }
  if (deps.config.runners.mode === "runners") return;
  // In "local" mode (the instance was switched back from runners) jobs still waiting go to local workers at once.
  const fallbackSeconds = deps.config.runners.mode === "both" ? deps.config.runners.fallbackSeconds : 0;
  const unclaimedBefore = new Date(now.getTime() - fallbackSeconds * 1000);
  for (const job of await q.takeUnclaimedJobs(deps.sql, unclaimedBefore)) {
    if (job.videoId !== null) await deps.queues.add("transcode", { videoId: job.videoId, local: true }, { jobId: `transcode-local-${job.uuid}` });
  }
}

/** Runs the sweep every few seconds; returns a stop function. */
export function startRunnerSupervisor(deps: RunnersDeps): () => void {
  const everyMs = Math.max(1000, Math.min(10_000, (Math.min(deps.config.runners.jobTimeoutSeconds, deps.config.runners.fallbackSeconds) * 1000) / 2));
  const timer = setInterval(() => {
    sweepRunnerJobs(deps).catch((error) => console.error(`runner sweep: ${(error as Error).message}`));
  }, everyMs);
  return () => clearInterval(timer);
}

/** A job as the API shows it, in PeerTube's shape (state as id and label). */
export function runnerJobJson(job: q.RunnerJobRow) {
  const states: Record<q.RunnerJobState, [number, string]> = {
    pending: [1, "Pending"], processing: [2, "Processing"], completed: [3, "Completed"], errored: [4, "Errored"], cancelled: [6, "Cancelled"],
  };
  const [id, label] = states[job.state];
  return {
    uuid: job.uuid,
    type: job.type,
    state: { id, label },
    payload: job.payload,
    progress: job.progress,
    failures: job.failures,
    error: job.errors.at(-1) ?? null,
    runner: job.runnerId !== null ? { id: job.runnerId, name: job.runnerName } : null,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
