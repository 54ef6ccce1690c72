/** Periodic clean-up: abandoned resumable uploads past their expiry lose their session row and .part file. */
import { rm } from "node:fs/promises";
import type { Sql } from "../db/client.ts";
import type { Layout } from "../storage/layout.ts";
import { takeExpiredUploadSessions } from "./upload-queries.ts";
import type { Queues } from "../queue/queues.ts";
import { listQueuedVideos } from "./queries.ts";
import { transcodeJobId } from "./upload.ts";

/** Removes expired upload sessions; returns how many. */
export async function removeExpiredUploads(deps: { sql: Sql; layout: Layout }): Promise<number> {
  const ids = await takeExpiredUploadSessions(deps.sql);
  await Promise.all(ids.map((id) => rm(deps.layout.uploadPart(id), { force: true })));
  return ids.length;
}

/**
 * Queues again every video still waiting for its first transcode. A crash between the upload's commit and
 * its enqueue would otherwise leave it waiting forever; for videos whose job exists this adds nothing.
 */
export async function requeueWaitingVideos(deps: { sql: Sql; queues: Queues }): Promise<number> {
  const waiting = await listQueuedVideos(deps.sql);
  for (const v of waiting) await deps.queues.add("transcode", { videoId: v.id }, { jobId: transcodeJobId(v.uuid) });
  return waiting.length;
}
