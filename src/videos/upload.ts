/**
 * Uploads: limits checked from the declared size before any byte is accepted, bytes streamed to a .part file,
 * then ffprobe validation; only a playable file becomes a video row and a transcoding job.
 * Resumable uploads follow PeerTube's protocol (start with POST, send chunks with PUT + Content-Range).
 */
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, extname } from "node:path";
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { UserRow } from "../accounts/queries.ts";
import type { Queues } from "../queue/queues.ts";
import type { Layout } from "../storage/layout.ts";
import type { ViewCounter } from "./views.ts";
import { HttpError, badRequest, forbidden } from "../http/errors.ts";
import { randomToken } from "../accounts/tokens.ts";
import { findChannelById } from "../channels/queries.ts";
import { ProbeError, probeMedia } from "../transcoding/probe.ts";
import { newVideoIds } from "./ids.ts";
import { formatBytes, parseVideoDetails, type VideoDetails } from "./metadata.ts";
import * as q from "./queries.ts";
import * as uq from "./upload-queries.ts";

export interface UploadDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly queues: Queues;
  readonly layout: Layout;
  readonly views: ViewCounter;
}

/** Unfinished uploads are kept a day, like PeerTube's. */
const UPLOAD_SESSION_HOURS = 24;

/** Refuses an upload of `size` bytes that would break the file size limit or the user's quotas. */
export async function assertWithinLimits(deps: UploadDeps, user: UserRow, size: number): Promise<void> {
  const max = deps.config.videos.maxUploadBytes;
  if (!Number.isFinite(size) || size <= 0) throw badRequest("The upload must say how large the file is (a positive size).");
  if (size > max) throw new HttpError(413, `This file is ${formatBytes(size)}; the largest file accepted here is ${formatBytes(max)}.`, "max_file_size_reached");
  const usage = await q.quotaUsage(deps.sql, user.id);
  const pending = await uq.pendingUploadBytes(deps.sql, user.id);
  if (usage.quota >= 0 && usage.total + pending + size > usage.quota) {
    throw new HttpError(
      413,
      `This ${formatBytes(size)} file would exceed your video quota: you use ${formatBytes(usage.total + pending)} of ${formatBytes(usage.quota)}.`,
      "quota_reached",
    );
  }
  if (usage.dailyQuota >= 0 && usage.daily + pending + size > usage.dailyQuota) {
    throw new HttpError(
      413,
      `This ${formatBytes(size)} file would exceed your daily quota: you uploaded ${formatBytes(usage.daily + pending)} of ${formatBytes(usage.dailyQuota)} in the last 24 hours.`,
      "quota_reached",
    );
  }
}

/** Checks the fields and that the channel belongs to the uploader. */
export async function checkUploadDetails(deps: UploadDeps, user: UserRow, raw: Record<string, unknown>): Promise<{ channelId: number; details: VideoDetails }> {
  const { details, problems } = parseVideoDetails(raw);
  const channelId = Number(raw.channelId);
  const channel = Number.isInteger(channelId) && channelId > 0 ? await findChannelById(deps.sql, channelId) : null;
  if (!channel) problems.channelId = "Choose one of your channels.";
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  if (channel!.ownerId !== user.id) throw forbidden("You can only upload to your own channels.");
  return { channelId, details };
}

/** Starts a resumable upload; returns its id. Nothing is written to disk until bytes arrive. */
export async function startResumableUpload(
  deps: UploadDeps,
  user: UserRow,
  raw: Record<string, unknown>,
  size: number,
): Promise<string> {
  const { channelId } = await checkUploadDetails(deps, user, raw);
  await assertWithinLimits(deps, user, size);
  const id = randomToken();
  const filename = typeof raw.filename === "string" && raw.filename ? raw.filename.slice(0, 200) : "video";
  await uq.insertUploadSession(deps.sql, {
    id,
    userId: user.id,
    channelId,
    size,
    filename,
    metadata: raw,
    expiresAt: new Date(Date.now() + UPLOAD_SESSION_HOURS * 3_600_000),
  });
  return id;
}

/** Parses `Content-Range: bytes START-END/TOTAL`, or `bytes * /TOTAL` (a status query with no body). */
export function parseContentRange(header: string | null): { start: number; end: number; total: number } | { query: true; total: number } | null {
  if (!header) return null;
  const query = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (query) return { query: true, total: Number(query[1]) };
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!m) return null;
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return start <= end && end < total ? { start, end, total } : null;
}

/** One job id per video: adding it again while the job exists is a no-op, which makes re-queueing safe. */
export function transcodeJobId(uuid: string): string {
  return `transcode-${uuid}`;
}

export type ChunkResult = { done: false; received: number } | { done: true; video: q.VideoRow };

/** Appends one chunk at the offset the server already holds; a chunk at another offset just learns where to resume. */
export async function receiveChunk(
  deps: UploadDeps,
  user: UserRow,
  uploadId: string,
  contentRange: string | null,
  body: ReadableStream<Uint8Array> | null,
): Promise<ChunkResult> {
  const session = await uq.findUploadSession(deps.sql, uploadId);
  if (!session || session.userId !== user.id) throw new HttpError(404, "This upload does not exist or has expired; start it again.");
  const part = deps.layout.uploadPart(uploadId);
  const held = await stat(part).then((s) => s.size, () => 0);
  const range = parseContentRange(contentRange);
  if (!range) throw badRequest("Send chunks with a Content-Range header like `bytes 0-1048575/52428800`.");
  if (range.total !== session.size) throw badRequest(`This upload was declared as ${session.size} bytes, not ${range.total}.`);
  if ("query" in range || range.start !== held) return { done: false, received: held };
  await mkdir(dirname(part), { recursive: true });
  const received = await appendBody(part, body, range.end - range.start + 1);
  await uq.setUploadReceived(deps.sql, uploadId, held + received);
  if (held + received < session.size) return { done: false, received: held + received };
  return { done: true, video: await finishResumable(deps, user, session, part) };
}

/** Streams a request body into a file, refusing more bytes than announced (the declared size is a hard limit). */
async function appendBody(path: string, body: ReadableStream<Uint8Array> | null, expected: number): Promise<number> {
  const file = await open(path, "a");
  let written = 0;
  try {
    if (!body) return 0;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (written + chunk.byteLength > expected) {
        await file.write(chunk.subarray(0, expected - written));
        written = expected;
        throw new HttpError(413, `This chunk sent more bytes than its Content-Range announced (${expected}).`);
      }
      await file.write(chunk);
      written += chunk.byteLength;
    }
    return written;
  } finally {
    await file.close();
  }
}

async function finishResumable(deps: UploadDeps, user: UserRow, session: uq.UploadSession, part: string): Promise<q.VideoRow> {
  try {
    return await createVideoFromFile(deps, user, part, session.metadata, session.filename, { uploadSessionId: session.id });
  } catch (error) {
    // Every byte arrived and was refused: the session is over, and its size no longer counts against the quota.
    await uq.deleteUploadSession(deps.sql, session.id);
    throw error;
  } finally {
    await rm(part, { force: true });
  }
}

export async function cancelUpload(deps: UploadDeps, user: UserRow, uploadId: string): Promise<void> {
  const session = await uq.findUploadSession(deps.sql, uploadId);
  if (!session || session.userId !== user.id) throw new HttpError(404, "This upload does not exist or has expired.");
  await uq.deleteUploadSession(deps.sql, uploadId);
  await rm(deps.layout.uploadPart(uploadId), { force: true });
}

/**
 * Validates a complete file and turns it into a queued video. The file is moved under originals/ only after
 * ffprobe accepts it; the row and the job are created together, so a crash leaves neither half.
 */
export async function createVideoFromFile(
  deps: UploadDeps,
  user: UserRow,
  path: string,
  raw: Record<string, unknown>,
  filename: string,
  options: { uploadSessionId?: string } = {},
): Promise<q.VideoRow> {
  const { channelId, details } = await checkUploadDetails(deps, user, raw);
  const size = (await stat(path)).size;
  // A resumable upload was checked when it started (its declared size counted as pending) and could not exceed it.
  if (!options.uploadSessionId) await assertWithinLimits(deps, user, size);
  let probe;
  try {
    probe = await probeMedia(path, { maxDurationSeconds: deps.config.videos.maxDurationSeconds });
  } catch (error) {
    if (error instanceof ProbeError) throw new HttpError(422, error.message, error.code);
    throw error;
  }
  const ids = newVideoIds();
  const extension = (extname(filename).toLowerCase().match(/^\.[a-z0-9]{1,5}$/) ?? [".bin"])[0];
  const original = deps.layout.original(ids.uuid, extension);
  await mkdir(dirname(original), { recursive: true });
  await rename(path, original);
  let id: number | null = null;
  try {
    id = await deps.sql.begin(async (tx) => {
      if (options.uploadSessionId) await uq.deleteUploadSession(tx, options.uploadSessionId);
      return q.insertVideo(tx, {
        ...ids,
        ...details,
        channelId,
        originalPath: original,
        originalSize: size,
        originalFilename: filename.slice(0, 200),
        duration: probe.durationSeconds,
        width: probe.video?.width ?? 0,
        height: probe.video?.height ?? 0,
        fps: probe.video?.fps ?? 0,
        audioOnly: probe.video === null,
      });
    });
    // Only after the commit: a worker that took the job earlier would not find the row yet.
    await deps.queues.add("transcode", { videoId: id }, { jobId: transcodeJobId(ids.uuid) });
    return (await q.findVideo(deps.sql, { id }))!;
  } catch (error) {
    // Redis refused the job: undo the row too, so nothing waits for a transcode that will never come.
    if (id !== null) await q.deleteVideoRow(deps.sql, id);
    await rm(original, { force: true });
    throw error;
  }
}
