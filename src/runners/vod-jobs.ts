/** The instance's side of a VOD job: the source a runner downloads, and the ladder it uploads back. */
import type { Layout } from "../storage/layout.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { DEFAULT_LADDER, type LadderConfig } from "../transcoding/ladder.ts";
import { probeMedia } from "../transcoding/probe.ts";
import { recordTranscodedOutput } from "../videos/transcode-job.ts";
import * as vq from "../videos/queries.ts";
import type * as q from "./queries.ts";
import { completeVodJob, failRunnerJob, type RunnersDeps } from "./service.ts";
import { ResultError, installVodResult, type ResultFile } from "./vod-result.ts";

/** Multipart field holding each result file; its file name is the path inside the video folder (`hls/360p-0001.m4s`). */
export const RESULT_FILE_FIELD = "payload[files]";

/** The job's video with its kept original, or 404 when the video is gone or not this job's. */
async function sourceOf(deps: Pick<RunnersDeps, "sql">, job: q.RunnerJobRow, videoUuid?: string): Promise<vq.VideoRow & { originalPath: string }> {
  const video = job.videoId !== null ? await vq.findVideo(deps.sql, { id: job.videoId }) : null;
  if (!video || !video.originalPath || (videoUuid !== undefined && video.uuid !== videoUuid)) throw notFound("This job has no such video file.");
  return video as vq.VideoRow & { originalPath: string };
}

/** The original upload, streamed to the runner that holds the job. */
export async function vodSourceFile(deps: Pick<RunnersDeps, "sql">, job: q.RunnerJobRow, videoUuid: string): Promise<Response> {
  const video = await sourceOf(deps, job, videoUuid);
  return new Response(Bun.file(video.originalPath), { headers: { "content-type": "application/octet-stream" } });
}

/** The ladder the job asked for, from the payload this instance wrote (never from the runner). */
export function jobLadder(job: q.RunnerJobRow): LadderConfig {
  const output = (job.payload.output ?? {}) as Partial<Pick<LadderConfig, "resolutions" | "segmentSeconds" | "preset">>;
  return { ...DEFAULT_LADDER, resolutions: output.resolutions ?? DEFAULT_LADDER.resolutions, segmentSeconds: output.segmentSeconds ?? DEFAULT_LADDER.segmentSeconds, preset: output.preset ?? DEFAULT_LADDER.preset };
}

/** Reads the result files out of a success upload; 400 when there are none. */
export async function resultFiles(form: FormData): Promise<ResultFile[]> {
  const files: ResultFile[] = [];
  for (const value of form.getAll(RESULT_FILE_FIELD)) {
    if (typeof value === "string") throw badRequest(`${RESULT_FILE_FIELD} must be files.`);
    files.push({ name: (value as File).name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  if (!files.length) throw badRequest(`A success upload carries the ladder's files as ${RESULT_FILE_FIELD}.`);
  return files;
}

/**
 * Validates and installs a runner's ladder, then publishes the video. A rejected result counts as a failed
 * attempt (the job is offered again) and answers 400 with the reason.
 */
export async function acceptVodResult(deps: RunnersDeps & { layout: Layout }, runner: q.RunnerRow, job: q.RunnerJobRow, files: ResultFile[]): Promise<void> {
  const video = await sourceOf(deps, job);
  try {
    const probe = await probeMedia(video.originalPath, { checkTruncation: false });
    const output = await installVodResult({
      files,
      probe,
      ladder: jobLadder(job),
      workDir: `${deps.layout.transcodeWork(video.uuid)}.runner-${job.uuid}`,
      outputDir: deps.layout.videoDir(video.uuid),
    });
    if (!(await recordTranscodedOutput(deps, video, output))) return;
  } catch (error) {
    if (!(error instanceof ResultError)) throw error;
    await failRunnerJob(deps, job, { runnerId: runner.id }, `rejected result: ${error.message}`);
    throw badRequest(`The result was rejected: ${error.message}`);
  }
  await completeVodJob(deps, runner, job);
}
