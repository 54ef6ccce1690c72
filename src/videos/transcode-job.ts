/**
 * The `transcode` job: one ffmpeg pass from the kept original to the HLS ladder, then the video is published.
 * Safe to run again after a crash: outputs are built in the video's work folder and swapped in whole, and the
 * row is only updated, never inserted.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Job } from "bullmq";
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Layout } from "../storage/layout.ts";
import type { Queues } from "../queue/queues.ts";
import { federateVideo } from "../federation/videos.ts";
import { FfmpegError } from "../transcoding/ffmpeg.ts";
import { transcodeToHlsLadder, type VodOutput } from "../transcoding/vod.ts";
import { removeVideoFiles } from "./service.ts";
import { notifyTranscodeFailed, notifyVideoPublished } from "../notifications/service.ts";
import { offerVodToRunners } from "../runners/service.ts";
import * as q from "./queries.ts";

export interface TranscodeJobDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly layout: Layout;
  /** Where the federation of a newly published video is queued. */
  readonly queues: Queues;
  /** Tells remote runners that a job waits (set where runners may transcode). */
  readonly announceRunnerJobs?: () => void;
}

/** Progress is written at most this often: the page polls it, and every write is a row update. */
const PROGRESS_EVERY_MS = 1000;

/** Sums the sizes of the files a playlist set references, for the API's `size` fields and quotas. */
async function renditionSizes(output: VodOutput, hlsDir: string): Promise<q.Rendition[]> {
  const hashes = JSON.parse(await Bun.file(join(output.outputDir, output.segmentHashes)).text()) as Record<string, string>;
  const files = Object.keys(hashes);
  return Promise.all(
    output.renditions.map(async (r) => {
      const mine = files.filter((f) => f === r.initSegment || f.startsWith(`${r.name}-`));
      const sizes = await Promise.all(mine.map((f) => stat(join(hlsDir, f)).then((s) => s.size)));
      return {
        height: r.height ?? 0,
        width: r.width ?? 0,
        bandwidth: r.bandwidth,
        playlist: r.playlist,
        size: sizes.reduce((a, b) => a + b, 0),
      };
    }),
  );
}

/**
 * Marks a video published with the sizes of its ladder, now in place. False when the video was deleted while
 * it was transcoded: then its new files are removed too and nothing is published.
 */
export async function recordTranscodedOutput(deps: Pick<TranscodeJobDeps, "sql" | "layout">, video: q.VideoRow, output: VodOutput): Promise<boolean> {
  const renditions = await renditionSizes(output, join(output.outputDir, "hls"));
  const total = renditions.reduce((sum, r) => sum + r.size, 0);
  if (!(await q.findVideo(deps.sql, { id: video.id }))) {
    await removeVideoFiles(deps, video);
    return false;
  }
  await q.markPublished(deps.sql, video.id, renditions, total);
  return true;
}

/** Runs one transcode; a failure on the last attempt marks the video failed with ffmpeg's reason. */
export function createTranscodeHandler(deps: TranscodeJobDeps) {
  return async ({ videoId, local }: { videoId: number; local?: boolean }, job: Job): Promise<void> => {
    const video = await q.findVideo(deps.sql, { id: videoId });
    if (!video || !video.originalPath) return; // deleted while queued: nothing to do
    // With runners, the job is offered to them; in "both" mode the runner sweep queues it back here (`local`) when none takes it.
    if (deps.config.runners.mode !== "local" && !local) {
      await offerVodToRunners({ ...deps, announceJobs: deps.announceRunnerJobs ?? (() => {}) }, video);
      return;
    }
    await q.setVideoState(deps.sql, videoId, "transcoding", { progress: 0 });
    let lastWrite = 0;
    try {
      const output = await transcodeToHlsLadder({
        input: video.originalPath,
        outputDir: deps.layout.videoDir(video.uuid),
        workDir: deps.layout.transcodeWork(video.uuid),
        ladder: {
          resolutions: deps.config.videos.resolutions,
          segmentSeconds: deps.config.videos.segmentSeconds,
          preset: deps.config.videos.preset,
        },
        downloadMp4: true,
        onProgress: (percent) => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_EVERY_MS) return;
          lastWrite = now;
          void q.setVideoProgress(deps.sql, videoId, Math.min(99, Math.floor(percent)));
          void job.updateProgress(percent);
        },
      });
      if (!(await recordTranscodedOutput(deps, video, output))) return;
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const reason = error instanceof FfmpegError ? transcodeFailureReason(error) : (error as Error).message;
      await q.setVideoState(deps.sql, videoId, lastAttempt ? "failed" : "queued", { reason });
      // Only the final failure is news to the owner; earlier attempts are retried. Notifying never throws.
      if (lastAttempt) await notifyTranscodeFailed(deps.sql, videoId);
      throw error;
    }
    // Outside the try: the video is published whatever happens to its notifications and federation (they never throw).
    await notifyVideoPublished(deps.sql, videoId);
    await federateVideo(deps, videoId, "create");
  };
}

/** A sentence for the creator: ffmpeg's last meaningful line, without paths of this server. */
export function transcodeFailureReason(error: FfmpegError): string {
  if (error.reason === "timeout") return "Transcoding took too long and was stopped.";
  const line = [...error.stderrTail].reverse().find((l) => l.trim() && !/^\s*(Conversion failed|Exiting)/.test(l)) ?? "";
  const cleaned = line.replace(/\/[^\s:'"]+/g, "…").trim().slice(0, 300);
  return cleaned ? `Transcoding failed: ${cleaned}` : `Transcoding failed (ffmpeg exited with ${error.exitCode}).`;
}
