/**
 * Inbound comments: a public Note answering one of the videos or comments kept here is stored as a comment, by
 * its author (a remote actor, cached); Update changes its text, Delete removes it as local deletes do (the row
 * stays so that replies keep their place).
 *
 * Who may speak: a Note is taken only from its own author (attributedTo is the sender), its edits only from that
 * author, and its Delete only from its origin (the author, or a moderator of the author's server).
 *
 * On a video of this instance, a new, edited or deleted remote comment is forwarded, unchanged, to the followers of the
 * video's channel and account (as PeerTube does), so every instance holding the video sees it; receivers read
 * the Note again from its origin before trusting it. The video's owner, and the author of a local comment it
 * answers, are notified as for local comments.
 */
import { notifyCommentPosted } from "../notifications/service.ts";
import type { OutboundActivity } from "./delivery.ts";
import type { InboxContext, InboxHandler } from "./inbox-handlers.ts";
import * as cq from "./comment-queries.ts";
import { InvalidObjectError } from "./objects.ts";
import { parseLocalCommentUri, parseLocalVideoUri, parseNoteObject, type ParsedNote } from "./note-objects.ts";
import { remoteFollowerInboxes } from "./video-queries.ts";

const NOTHING = [] as const;

/** Whether an activity's embedded object is a Note (the handlers for Create, Update and Delete dispatch on it). */
export function carriesNote(object: unknown): boolean {
  return typeof object === "object" && object !== null && (object as { type?: unknown }).type === "Note";
}

/** The embedded Note of the activity, read; null when it is not one we can keep or not by the sender. */
function noteOf(ctx: InboxContext): ParsedNote | null {
  try {
    const note = parseNoteObject(ctx.activity.object, { allowHttp: ctx.allowHttp });
    return note.authorUri === ctx.sender.uri ? note : null;
  } catch (error) {
    if (error instanceof InvalidObjectError) return null;
    throw error;
  }
}

/** Where a new comment goes: its video and, for a reply, the comment it answers and that comment's thread. */
interface Placement {
  readonly video: cq.CommentableVideo;
  readonly parentId: number | null;
  readonly threadId: number | null;
}

/** The video or comment `inReplyTo` names, when it is kept here, public and open to comments. */
async function placementOf(ctx: InboxContext, inReplyTo: string): Promise<Placement | null> {
  const localVideo = parseLocalVideoUri(ctx.publicUrl, inReplyTo);
  if (localVideo) {
    const video = await cq.findLocalCommentableVideo(ctx.sql, localVideo);
    return video ? { video, parentId: null, threadId: null } : null;
  }
  const remoteVideo = await cq.findRemoteCommentableVideo(ctx.sql, inReplyTo);
  if (remoteVideo) return { video: remoteVideo, parentId: null, threadId: null };
  const local = parseLocalCommentUri(ctx.publicUrl, inReplyTo);
  const parent = local ? await cq.findCommentById(ctx.sql, local.commentId) : await cq.findCommentByApId(ctx.sql, inReplyTo);
  if (!parent || parent.deleted || (local && parent.apId !== null)) return null;
  const video = await cq.findCommentableVideoById(ctx.sql, parent.videoId);
  if (!video || (local && video.uuid !== local.videoUuid)) return null;
  return { video, parentId: parent.id, threadId: parent.threadId ?? parent.id };
}

/** Create of a Note: a comment on a video kept here, or a reply to a comment kept here. Anything else is ignored. */
export const onCreateNote: InboxHandler = async (ctx) => {
  const note = noteOf(ctx);
  if (!note) return NOTHING;
  const placement = await placementOf(ctx, note.inReplyTo);
  if (!placement || !placement.video.commentsEnabled) return NOTHING;
  const id = await cq.insertRemoteComment(ctx.sql, {
    apId: note.id,
    videoId: placement.video.id,
    actorId: ctx.sender.id,
    parentId: placement.parentId,
    threadId: placement.threadId,
    text: note.text,
    published: note.published,
  });
  if (id === null) return NOTHING; // kept already: told and forwarded then
  // In the transaction that stores the comment, so a retried job neither loses nor repeats the notification.
  await notifyCommentPosted(ctx.sql, id);
  return forwardToVideoFollowers(ctx, placement.video);
};

/** Update of a Note: its author edits a comment kept here (forwarded like the comment was). */
export const onUpdateNote: InboxHandler = async (ctx) => {
  const note = noteOf(ctx);
  if (!note || !(await cq.updateRemoteCommentText(ctx.sql, note.id, ctx.sender.id, note.text))) return NOTHING;
  const stored = await cq.findCommentByApId(ctx.sql, note.id);
  const video = stored ? await cq.findCommentableVideoById(ctx.sql, stored.videoId) : null;
  return video ? forwardToVideoFollowers(ctx, video) : NOTHING;
};

/**
 * The activity, unchanged, for the remote followers of a local video's channel and account, except the sender's
 * own server (which has it). Signed by the channel: receivers see a signer other than the author and read the
 * Note from its origin (PeerTube checks the author's Linked Data signature instead, when there is one).
 */
async function forwardToVideoFollowers(ctx: InboxContext, video: cq.CommentableVideo): Promise<readonly OutboundActivity[]> {
  if (video.apId !== null || !ctx.raw) return NOTHING;
  const senderInboxes = new Set([ctx.sender.sharedInboxUrl, ctx.sender.inboxUrl]);
  const local = [video.channelActorId, ...(video.ownerActorId ? [video.ownerActorId] : [])];
  const inboxes = (await remoteFollowerInboxes(ctx.sql, local)).filter((inbox) => !senderInboxes.has(inbox));
  return inboxes.length ? [{ signerActorId: video.channelActorId, activity: ctx.raw, inboxes }] : NOTHING;
}

/**
 * Delete of a Note kept here: only from the comment's origin; from anywhere else it changes nothing. On a video of
 * ours the Delete is forwarded like the comment was. Null when no such comment is kept (it may be a video's Delete).
 */
export async function onDeleteNoteIfKept(ctx: InboxContext): Promise<readonly OutboundActivity[] | null> {
  const id = ctx.activity.objectId;
  const stored = id ? await cq.findCommentByApId(ctx.sql, id) : null;
  if (!stored || !stored.apId) return null;
  if (new URL(stored.apId).origin !== new URL(ctx.sender.uri).origin) return NOTHING;
  if (!(await cq.markRemoteCommentDeleted(ctx.sql, stored.apId))) return NOTHING;
  const video = await cq.findCommentableVideoById(ctx.sql, stored.videoId);
  return video ? forwardToVideoFollowers(ctx, video) : NOTHING;
}
