/**
 * Inbound ratings and views. PeerTube sends `Like` and `Dislike` of a video id (Mastodon sends `Like` when a
 * status showing the video is favourited) and `Undo` of them; each remote actor holds at most one rating per video,
 * as local accounts do, so a repeated Like counts once. `View` adds one view (each activity id is applied once).
 */
import { addHourlyViews, addViews } from "../videos/queries.ts";
import { applyRating, type Rating } from "../ratings/queries.ts";
import type { InboxContext, InboxHandler } from "./inbox-handlers.ts";
import * as cq from "./comment-queries.ts";
import { parseEmbeddedActivity } from "./objects.ts";
import { parseLocalVideoUri } from "./note-objects.ts";

const NOTHING = [] as const;

const RATING_OF: Readonly<Record<string, Rating>> = { Like: "like", Dislike: "dislike" };

/** Whether an activity type is a rating (the Undo handler hands those here). */
export function isRatingActivity(type: string): boolean {
  return type in RATING_OF;
}

/** The video an id names: a local public video, or a remote video kept here. */
async function ratedVideo(ctx: InboxContext, id: string | null): Promise<cq.CommentableVideo | null> {
  if (!id) return null;
  const uuid = parseLocalVideoUri(ctx.publicUrl, id);
  return uuid ? cq.findLocalCommentableVideo(ctx.sql, uuid) : cq.findRemoteCommentableVideo(ctx.sql, id);
}

function rate(rating: Rating): InboxHandler {
  return async (ctx) => {
    const video = await ratedVideo(ctx, ctx.activity.objectId);
    if (video) await applyRating(ctx.sql, ctx.sender.id, video.id, rating);
    return NOTHING;
  };
}

/** Like of a video: the sender likes it (replacing a dislike). */
export const onLike: InboxHandler = rate("like");

/** Dislike of a video (PeerTube's own activity type). */
export const onDislike: InboxHandler = rate("dislike");

/** Undo of the sender's own Like or Dislike: removes that rating, and only that one. */
export const onUndoRating: InboxHandler = async (ctx) => {
  const undone = parseEmbeddedActivity(ctx.activity.object);
  if (!undone || undone.actor !== ctx.sender.uri) return NOTHING;
  const rating = RATING_OF[undone.type];
  const video = rating ? await ratedVideo(ctx, undone.objectId) : null;
  if (video && rating) await applyRating(ctx.sql, ctx.sender.id, video.id, null, { onlyIf: rating });
  return NOTHING;
};

/**
 * View of a video: one more view. For a local video from anyone (the ap_inbox_seen table applies each View once);
 * for a remote copy only from its origin, whose count it is.
 */
export const onView: InboxHandler = async (ctx) => {
  const video = await ratedVideo(ctx, ctx.activity.objectId);
  if (!video) return NOTHING;
  if (video.apId !== null && new URL(video.apId).origin !== new URL(ctx.sender.uri).origin) return NOTHING;
  const one = new Map([[video.id, 1]]);
  await addViews(ctx.sql, one);
  await addHourlyViews(ctx.sql, one);
  return NOTHING;
};
