/** Creating notifications; each respects the recipient's per-type settings and never reveals what they may not see. */
import type { Db as Sql } from "../db/client.ts";
import type { UserRow } from "../accounts/queries.ts";
import { badRequest, notFound } from "../http/errors.ts";
import type { NotificationView } from "../../views/pages/notifications.tsx";
import * as q from "./queries.ts";

/**
 * Notifying is a side effect of something that already happened (a comment, a finished job): a failure
 * here is logged and must never undo or fail that. Call these after your transaction has committed.
 */
async function safely(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.error(`notifications (${what}): ${(error as Error).message}`);
  }
}

/** A comment was posted: tells the video's owner and, for a reply, the author of the comment answered. */
export async function notifyCommentPosted(sql: Sql, commentId: number): Promise<void> {
  await safely(`comment ${commentId}`, async () => {
    const comment = await q.findCommentFacts(sql, commentId);
    if (!comment || comment.deleted) return;
    const video = await q.findVideoFacts(sql, comment.videoId);
    if (!video) return;
    const base = { videoId: video.id, commentId: comment.id, actorId: comment.authorActorId };
    const author = comment.authorUserId;
    const answered = comment.parentDeleted ? null : comment.parentAuthorUserId;
    // Nobody hears about their own words; a private video's replies only reach people who can open it.
    const toldOfReply = answered !== null && answered !== author && (video.privacy !== 3 || answered === video.ownerId);
    if (toldOfReply) {
      await q.insertNotifications(sql, { ...base, type: "comment_reply", recipients: q.oneUser(sql, answered) });
    }
    // An owner answered on their own video gets the reply notification alone, not both.
    if (video.ownerId !== author && !(toldOfReply && answered === video.ownerId)) {
      await q.insertNotifications(sql, { ...base, type: "video_comment", recipients: q.oneUser(sql, video.ownerId) });
    }
  });
}

/** A video finished transcoding: tells its owner, and the channel's subscribers when the video is public. */
export async function notifyVideoPublished(sql: Sql, videoId: number): Promise<void> {
  await safely(`video ${videoId} published`, async () => {
    const video = await q.findVideoFacts(sql, videoId);
    if (!video || video.state !== "published") return;
    const base = { videoId: video.id, commentId: null, actorId: video.channelActorId };
    await q.insertNotifications(sql, { ...base, type: "transcode_finished", recipients: q.oneUser(sql, video.ownerId) });
    // Unlisted and private videos are never announced: subscribers must not learn they exist.
    if (video.privacy !== 1) return;
    await q.insertNotifications(sql, {
      ...base,
      type: "new_video",
      // The owner already heard "your video is published"; a subscription to their own channel adds nothing.
      recipients: q.channelSubscribers(sql, video.channelActorId, video.ownerId),
    });
  });
}

/** Transcoding failed: tells the video's owner. */
export async function notifyTranscodeFailed(sql: Sql, videoId: number): Promise<void> {
  await safely(`video ${videoId} failed`, async () => {
    const video = await q.findVideoFacts(sql, videoId);
    if (!video) return;
    await q.insertNotifications(sql, {
      type: "transcode_failed",
      recipients: q.oneUser(sql, video.ownerId),
      videoId: video.id,
      commentId: null,
      actorId: video.channelActorId,
    });
  });
}

/** A person's per-type choices, every type present: a type never mentioned is on. */
export function settingsOf(stored: Readonly<Record<string, unknown>> | null | undefined): Record<q.NotificationType, boolean> {
  return Object.fromEntries(q.NOTIFICATION_TYPES.map((type) => [type, stored?.[type] !== false])) as Record<q.NotificationType, boolean>;
}

/** The settings form: a checked box sends `type=on`; an unchecked one sends nothing, which turns the type off. */
export function settingsFromForm(body: unknown): Record<q.NotificationType, boolean> {
  const fields = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(q.NOTIFICATION_TYPES.map((type) => [type, fields[type] === "on"])) as Record<q.NotificationType, boolean>;
}

/** PeerTube's setting names for our types; their values are bit masks where 1 means "in the web interface". */
export const PEERTUBE_SETTING_NAMES: Readonly<Record<q.NotificationType, string>> = {
  new_video: "newVideoFromSubscription",
  video_comment: "newCommentOnMyVideo",
  comment_reply: "commentMention",
  transcode_finished: "myVideoPublished",
  // PeerTube has no such notification; the name follows its pattern.
  transcode_failed: "myVideoTranscodingFailed",
};

/**
 * The API's settings body over the current settings: our type names with booleans, or PeerTube's names
 * with its bit masks. Types not mentioned keep their value; a body naming no known type is refused.
 */
export function settingsFromJson(body: unknown, current: Readonly<Record<q.NotificationType, boolean>>): Record<q.NotificationType, boolean> {
  const fields = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const next = { ...current };
  let known = 0;
  const problems: Record<string, string> = {};
  for (const type of q.NOTIFICATION_TYPES) {
    for (const name of [type, PEERTUBE_SETTING_NAMES[type]]) {
      const value = fields[name];
      if (value === undefined) continue;
      known++;
      if (typeof value === "boolean") next[type] = value;
      else if (typeof value === "number" && Number.isInteger(value) && value >= 0) next[type] = (value & 1) === 1;
      else problems[name] = "Use true or false (or PeerTube's 0 to 3).";
    }
  }
  if (Object.keys(problems).length > 0) throw badRequest("Some notification settings have values we cannot read.", problems);
  if (known === 0) throw badRequest(`Name at least one notification type: ${q.NOTIFICATION_TYPES.join(", ")}.`);
  return next;
}

/** A row as the page shows it: what happened, to which video, by whom, and where the link leads. */
export function toNotificationView(row: q.NotificationRow): NotificationView {
  const video = row.videoShortId ? `/w/${row.videoShortId}` : null;
  // The comments feature gives each comment the anchor #comment-<id> on the watch page.
  const href = video && row.commentId ? `${video}#comment-${row.commentId}` : video;
  const actorName = row.type === "new_video" ? row.channelDisplayName : row.actorDisplayName;
  return {
    id: row.id,
    type: row.type,
    unread: row.readAt === null,
    createdAt: row.createdAt,
    href,
    videoName: row.videoName ?? "",
    actorName,
    excerpt: row.commentExcerpt || null,
    commentDeleted: row.commentId !== null && row.commentDeleted,
  };
}

/** One of the person's notifications, marked read; someone else's is a 404, as if it did not exist. */
export async function markOneRead(sql: Sql, user: UserRow, id: number): Promise<q.NotificationRow> {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound("There is no such notification.");
  await q.markRead(sql, user.id, [id]);
  const row = await q.findNotification(sql, user.id, id);
  if (!row) throw notFound("There is no such notification.");
  return row;
}

/** The API's `{ ids }`: up to 100 positive integers. */
export function parseNotificationIds(body: unknown): number[] {
  const ids = (body as { ids?: unknown } | null | undefined)?.ids;
  const valid = Array.isArray(ids) && ids.length > 0 && ids.length <= 100 && ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0);
  if (!valid) throw badRequest("Send `ids`: a list of 1 to 100 notification ids.", { ids: "A list of 1 to 100 notification ids." });
  return ids as number[];
}
