/** PeerTube's JSON shape for notifications, built from our rows. */
import type { Config } from "../config.ts";
import type { NotificationRow, NotificationType } from "./queries.ts";

/**
 * PeerTube's numeric types: 1 new video from a subscription, 2 comment on my video, 6 my video published,
 * 11 comment mention (its closest kind to a reply). It has no "transcoding failed"; 1001 stays clear of its range.
 */
export const PEERTUBE_TYPE_IDS: Readonly<Record<NotificationType, number>> = {
  new_video: 1,
  video_comment: 2,
  transcode_finished: 6,
  comment_reply: 11,
  transcode_failed: 1001,
};

/** One notification as PeerTube clients read it, plus `kind`, our own name for its type. */
export function notificationJson(config: Config, n: NotificationRow) {
  const video = n.videoId
    ? {
        id: n.videoId,
        uuid: n.videoUuid,
        shortUUID: n.videoShortId,
        name: n.videoName,
        channel: { name: n.channelHandle, displayName: n.channelDisplayName, host: n.channelDomain ?? config.publicHost },
      }
    : undefined;
  const comment =
    n.commentId && video
      ? {
          id: n.commentId,
          text: n.commentDeleted ? "" : n.commentExcerpt,
          isDeleted: n.commentDeleted,
          video: { id: video.id, uuid: video.uuid, shortUUID: video.shortUUID, name: video.name },
          // A federated comment's author lives on their own server.
          account: { name: n.actorHandle, displayName: n.actorDisplayName, host: n.actorDomain ?? config.publicHost },
        }
      : undefined;
  return {
    id: n.id,
    type: PEERTUBE_TYPE_IDS[n.type],
    kind: n.type,
    read: n.readAt !== null,
    // Comment notifications carry the video inside `comment`, as PeerTube's do.
    ...(comment ? { comment } : video ? { video } : {}),
    createdAt: n.createdAt,
    updatedAt: n.readAt ?? n.createdAt,
  };
}
