/** Who may see, edit and delete a video; deleting removes rows and every file. */
import { isVideoBlocked } from "../federation/block-queries.ts";
import { rm } from "node:fs/promises";
import type { UserRow } from "../accounts/queries.ts";
import { HttpError, badRequest, forbidden, notFound } from "../http/errors.ts";
import type { UploadDeps } from "./upload.ts";
import { classifyVideoId } from "./ids.ts";
import { parseVideoDetails } from "./metadata.ts";
import * as q from "./queries.ts";
import { notifyVideoPublished } from "../notifications/service.ts";
import { federateVideo, isFederatedPublicly } from "../federation/videos.ts";

export type VideosDeps = UploadDeps;

export function canManage(video: q.VideoRow, user: UserRow | null): boolean {
  return !!user && (user.id === video.ownerId || user.role === "admin");
}

/**
 * The video if this viewer may see it: public and unlisted videos once published; private ones and
 * videos still processing only for their owner and administrators.
 */
export async function findVisibleVideo(deps: Pick<VideosDeps, "sql">, rawId: string, user: UserRow | null): Promise<q.VideoRow | null> {
  const key = classifyVideoId(rawId);
  const video = key ? await q.findVideo(deps.sql, key) : null;
  if (!video) return null;
  if (canManage(video, user)) return video;
  if (video.privacy === 3 || video.state !== "published") return null;
  // A remote video from a blocked server or account is hidden everywhere, its page included.
  if (video.apId !== null && (await isVideoBlocked(deps.sql, video.id))) return null;
  return video;
}

/** The video if the user may change it; 404 when it does not exist or is hidden from them, else 403. */
export async function videoForChange(deps: Pick<VideosDeps, "sql">, user: UserRow, rawId: string): Promise<q.VideoRow> {
  const key = classifyVideoId(rawId);
  const video = key ? await q.findVideo(deps.sql, key) : null;
  if (!video) throw notFound("Video not found");
  if (!canManage(video, user)) {
    if (video.privacy === 3) throw notFound("Video not found");
    throw forbidden("Only the video's owner or an administrator can change it.");
  }
  return video;
}

/** Applies the fields present in `raw` over the current details. */
export async function editVideo(deps: VideosDeps, user: UserRow, rawId: string, raw: Record<string, unknown>): Promise<q.VideoRow> {
  const video = await videoForChange(deps, user, rawId);
  const merged = {
    name: video.name,
    description: video.description,
    privacy: video.privacy,
    category: video.category ?? "",
    language: video.language ?? "",
    tags: video.tags,
    commentsEnabled: video.commentsEnabled,
    downloadEnabled: video.downloadEnabled,
    nsfw: raw.nsfw ?? raw.sensitive ?? video.sensitive,
    ...Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== undefined && k !== "nsfw" && k !== "sensitive")),
  };
  const { details, problems } = parseVideoDetails(merged);
  if (Object.keys(problems).length > 0) throw badRequest("Please correct the highlighted fields.", problems);
  await q.updateVideoDetails(deps.sql, video.id, details);
  // Subscribers hear of a video when it first becomes public (at most once: notifications are per video and type).
  if (video.state === "published" && video.privacy !== 1 && details.privacy === 1) await notifyVideoPublished(deps.sql, video.id);
  // Followers on other instances: an Update, or a Create / Delete when the edit made it public / took it away.
  await federateVideo(deps, video.id, "update", { wasPublic: isFederatedPublicly(video) });
  return (await q.findVideo(deps.sql, { id: video.id }))!;
}

/** Removes the row first (so nobody is served a half-deleted video), then the files. */
export async function deleteVideo(deps: VideosDeps, user: UserRow, rawId: string): Promise<void> {
  const video = await videoForChange(deps, user, rawId);
  await q.deleteVideoRow(deps.sql, video.id);
  await federateVideo(deps, video, "delete");
  await removeVideoFiles(deps, video);
}

export async function removeVideoFiles(deps: Pick<VideosDeps, "layout">, video: Pick<q.VideoRow, "uuid" | "originalPath">): Promise<void> {
  await Promise.all([
    rm(deps.layout.videoDir(video.uuid), { recursive: true, force: true }),
    rm(deps.layout.transcodeWork(video.uuid), { recursive: true, force: true }),
    // A live's sessions; an ingest still writing there finds its row gone and stops (endLiveSession tolerates it).
    rm(deps.layout.liveDir(video.uuid), { recursive: true, force: true }),
    video.originalPath ? rm(video.originalPath, { force: true }) : Promise.resolve(),
  ]);
}

/** Queues a failed video for another transcode from its kept original. */
export async function retryTranscode(deps: VideosDeps, user: UserRow, rawId: string): Promise<q.VideoRow> {
  const video = await videoForChange(deps, user, rawId);
  if (video.state !== "failed") throw new HttpError(409, "Only a video whose processing failed can be tried again.");
  await q.setVideoState(deps.sql, video.id, "queued");
  // A new job id: the failed job keeps its id (and its reasons) until BullMQ cleans it up.
  await deps.queues.add("transcode", { videoId: video.id }, { jobId: `transcode-${video.uuid}-retry-${Date.now()}` });
  return video;
}
