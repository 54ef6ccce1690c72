/**
 * One handler per inbound activity type, registered in INBOX_HANDLERS. Each gets the verified sender and runs
 * inside the transaction that marks the activity seen; what it wants sent comes back as OutboundActivity values,
 * queued only once that transaction has committed.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { OutboundActivity } from "./delivery.ts";
import { parseEmbeddedActivity, toFollowAnswer, type ParsedActivity } from "./objects.ts";
import * as q from "./queries.ts";
import { onAnnounceVideo, onCreateVideo, onDeleteVideo, onUpdateVideo, type PreparedVideo } from "./inbox-videos.ts";
import { carriesNote, onCreateNote, onDeleteNoteIfKept, onUpdateNote } from "./inbox-comments.ts";
import { onLike, onDislike, onUndoRating, onView, isRatingActivity } from "./inbox-ratings.ts";
import { localActorUri, parseLocalActorUri } from "./urls.ts";
import { carriesCacheFile } from "../redundancy/cache-file.ts";
import { onCacheFile, onUndoCacheFile, undoesCacheFile, type PreparedCacheFile } from "../redundancy/origin.ts";

export interface InboxContext {
  readonly sql: Db;
  readonly publicUrl: string;
  /** Whether http: ids are accepted (federation on a private network: tests, LANs). */
  readonly allowHttp: boolean;
  /** Whether Follows of the instance actor wait for an administrator (TUBELET_FEDERATION_MANUAL_APPROVAL). */
  readonly manualApproval?: boolean;
  readonly activity: ParsedActivity;
  /** The actor whose key signed the request (checked against `activity.actor` before queueing). */
  readonly sender: q.RemoteActorRow;
  /** The Video a Create, Update or Announce carries, read and checked before the transaction (null: none). */
  readonly video?: PreparedVideo | null;
  /** The activity as received, for forwarding it unchanged (a Linked Data signature it carries stays valid). */
  readonly raw?: Record<string, unknown>;
  /** The CacheFile (a mirror of one of our videos) a Create or Update carries, checked before the transaction. */
  readonly cacheFile?: PreparedCacheFile | null;
}

export type InboxHandler = (ctx: InboxContext) => Promise<readonly OutboundActivity[]>;

const NOTHING: readonly OutboundActivity[] = [];

/** The local actor an activity's object names, if it exists and is of the kind that id shape stands for. */
async function localTarget(ctx: InboxContext, uri: string | null): Promise<q.LocalActorRow | null> {
  const parsed = uri ? parseLocalActorUri(ctx.publicUrl, uri) : null;
  if (!parsed) return null;
  const row = await q.findLocalActorByHandle(ctx.sql, parsed.handle);
  if (!row) return null;
  return (parsed.kind === "channel") === (row.kind === "group") ? row : null;
}

/**
 * Follow: a remote actor follows one of our channels, accounts or the instance. Accepted at once and answered
 * with an Accept, except a new Follow of the instance under manual approval: it stays pending, and an
 * administrator answers it later. A repeated Follow replaces the earlier one.
 */
export const onFollow: InboxHandler = async (ctx) => {
  const target = await localTarget(ctx, ctx.activity.objectId);
  if (!target) return NOTHING;
  // A follower already accepted that follows again (a lost Accept, a restart) is answered again, not made to wait.
  const waits = ctx.manualApproval === true && target.kind === "application" &&
    (await q.followState(ctx.sql, ctx.sender.id, target.id)) !== "accepted";
  const state = waits ? "pending" : "accepted";
  await q.upsertFollow(ctx.sql, { followerId: ctx.sender.id, followedId: target.id, state, activityId: ctx.activity.id });
  if (waits) return NOTHING;
  const targetUri = localActorUri(ctx.publicUrl, target.kind, target.handle);
  // Unique per answer: a later refollow is a new Follow, and the follower drops an Accept id it has seen.
  const accept = toFollowAnswer("Accept", `${targetUri}/accepts/${randomUUID()}`, targetUri, ctx.activity);
  return [{ signerActorId: target.id, activity: accept, inboxes: [ctx.sender.sharedInboxUrl ?? ctx.sender.inboxUrl] }];
};

/** The Follow id an Accept, Reject or Undo refers to, whether the Follow came embedded or as its id. */
function referredFollowId(ctx: InboxContext): string | null {
  const embedded = parseEmbeddedActivity(ctx.activity.object);
  if (embedded && embedded.type !== "Follow") return null;
  return embedded?.id ?? ctx.activity.objectId;
}

/** Accept of our Follow: only the actor we asked can accept it. */
export const onAccept: InboxHandler = async (ctx) => {
  const followId = referredFollowId(ctx);
  if (followId) await q.acceptFollow(ctx.sql, followId, ctx.sender.id);
  return NOTHING;
};

/** Reject of our Follow (or a later removal of a follower): the follow is gone. */
export const onReject: InboxHandler = async (ctx) => {
  const followId = referredFollowId(ctx);
  if (followId) await q.deleteFollowByActivity(ctx.sql, followId, { followedId: ctx.sender.id });
  return NOTHING;
};

/** Undo of a Follow, a Like or a Dislike: the sender takes it back. An actor can only undo its own activities. */
export const onUndo: InboxHandler = async (ctx) => {
  if (undoesCacheFile(ctx.activity)) return onUndoCacheFile(ctx);
  const embedded = parseEmbeddedActivity(ctx.activity.object);
  if (embedded && isRatingActivity(embedded.type)) return onUndoRating(ctx);
  if (embedded && (embedded.type !== "Follow" || embedded.actor !== ctx.sender.uri)) return NOTHING;
  const followId = embedded?.id ?? ctx.activity.objectId;
  if (followId) await q.deleteFollowByActivity(ctx.sql, followId, { followerId: ctx.sender.id });
  return NOTHING;
};

/** Create: a Note is a comment, a CacheFile a mirror of one of our videos, anything else may be a Video. */
export const onCreate: InboxHandler = (ctx) =>
  carriesNote(ctx.activity.object) ? onCreateNote(ctx) : carriesCacheFile(ctx.activity.object) ? onCacheFile(ctx) : onCreateVideo(ctx);

/** Update: of a comment, of a mirror (a renewed CacheFile) or of a video. */
export const onUpdate: InboxHandler = (ctx) =>
  carriesNote(ctx.activity.object) ? onUpdateNote(ctx) : carriesCacheFile(ctx.activity.object) ? onCacheFile(ctx) : onUpdateVideo(ctx);

/** Delete: of a comment kept here (Delete carries a bare id, so the stored comments are asked first), else of a video. */
export const onDelete: InboxHandler = async (ctx) => (await onDeleteNoteIfKept(ctx)) ?? onDeleteVideo(ctx);

/** Activity type → handler. Types missing here are acknowledged and ignored. */
export const INBOX_HANDLERS: Readonly<Record<string, InboxHandler>> = {
  Follow: onFollow,
  Accept: onAccept,
  Reject: onReject,
  Undo: onUndo,
  Create: onCreate,
  Update: onUpdate,
  Announce: onAnnounceVideo,
  Delete: onDelete,
  Like: onLike,
  Dislike: onDislike,
  View: onView,
};
