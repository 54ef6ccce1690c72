/**
 * Outbound comments: a comment written here is a Note by its author's account. On a remote video it goes to the
 * video's origin (its channel's inbox), on a local one to the followers of the video's channel and account; in
 * both cases also to the author's followers and to the remote authors of the comments it answers. The comment
 * code calls federateComment after its write has committed; a failure is logged and never fails the user's action.
 */
import { randomUUID } from "node:crypto";
import type { Db as Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Queues } from "../queue/queues.ts";
import * as cq from "./comment-queries.ts";
import { signerFor } from "./actors.ts";
import { enqueueDeliveries, type OutboundActivity } from "./delivery.ts";
import { signActivityLd } from "./signatures.ts";
import { localCommentUri, toNoteActivity, toNoteDeleteActivity, toNoteObject } from "./note-objects.ts";
import { ACTIVITY_CONTEXT } from "./objects.ts";
import { localActorUri } from "./urls.ts";
import { localVideoUri } from "./video-objects.ts";
import { remoteFollowerInboxes } from "./video-queries.ts";

export type CommentFederationAction = "create" | "update" | "delete";

/** The ActivityPub id of a comment kept here: its own for a remote comment, derived for a local one. */
function commentUri(publicUrl: string, c: { apId: string | null; videoUuid: string; id: number }): string {
  return c.apId ?? localCommentUri(publicUrl, c.videoUuid, c.id);
}

/** The Note of a local comment: inReplyTo the comment answered (or the video), mentioning the authors above it. */
function noteOfComment(config: Config, row: cq.OutboundCommentRow, ancestors: readonly cq.CommentIdentity[]): Record<string, unknown> {
  const parent = ancestors[0];
  const mentions = ancestors
    .filter((a) => a.authorHandle !== null)
    .map((a) => {
      const href = a.authorUri ?? localActorUri(config.publicUrl, "person", a.authorHandle!);
      return { href, name: `@${a.authorHandle}@${a.authorDomain ?? config.publicHost}` };
    })
    .filter((m, i, all) => all.findIndex((o) => o.href === m.href) === i);
  return toNoteObject({
    uri: localCommentUri(config.publicUrl, row.videoUuid, row.id),
    inReplyTo: parent ? commentUri(config.publicUrl, parent) : row.videoApId ?? localVideoUri(config.publicUrl, row.videoUuid),
    authorUri: localActorUri(config.publicUrl, "person", row.authorHandle),
    text: row.text,
    published: row.createdAt,
    updated: row.updatedAt,
    mentions,
  });
}

/**
 * The ActivityPub document of a local comment (by a local author, on a public video): its Note, or a Tombstone
 * once deleted, as PeerTube serves them. Null when there is no such comment to show.
 */
export async function localCommentDocument(deps: { sql: Sql; config: Config }, commentId: number): Promise<Record<string, unknown> | null> {
  const row = await cq.findOutboundComment(deps.sql, commentId);
  if (!row || row.authorDomain !== null || row.videoPrivacy !== 1) return null;
  const uri = localCommentUri(deps.config.publicUrl, row.videoUuid, row.id);
  if (row.deleted) return { "@context": ACTIVITY_CONTEXT, id: uri, type: "Tombstone", formerType: "Note", deleted: row.updatedAt.toISOString() };
  return { "@context": ACTIVITY_CONTEXT, ...noteOfComment(deps.config, row, await cq.commentAncestors(deps.sql, row.id)) };
}

/** The deliveries one change of a local comment makes (none for remote authors or videos that are not public). */
export async function commentDeliveries(
  deps: { sql: Sql; config: Config },
  commentId: number,
  action: CommentFederationAction,
): Promise<OutboundActivity[]> {
  const { sql, config } = deps;
  const row = await cq.findOutboundComment(sql, commentId);
  if (!row || row.authorDomain !== null || row.videoPrivacy !== 1) return [];
  const authorUri = localActorUri(config.publicUrl, "person", row.authorHandle);
  const uri = localCommentUri(config.publicUrl, row.videoUuid, row.id);
  const ancestors = await cq.commentAncestors(sql, row.id);

  const audience = row.videoApId !== null
    ? [await cq.remoteInboxOf(sql, row.videoChannelActorId)]
    : await remoteFollowerInboxes(sql, [row.videoChannelActorId, ...(row.videoOwnerActorId ? [row.videoOwnerActorId] : [])]);
  const inboxes = [
    ...audience,
    ...(await remoteFollowerInboxes(sql, [row.authorActorId])),
    ...ancestors.map((a) => (a.authorDomain !== null ? a.authorInbox : null)),
  ].filter((inbox): inbox is string => typeof inbox === "string");
  if (inboxes.length === 0) return [];

  let activity: Record<string, unknown>;
  if (action === "delete") {
    activity = toNoteDeleteActivity(`${uri}/delete`, authorUri, uri);
  } else {
    if (row.deleted) return [];
    const activityId = action === "create" ? `${uri}/activity` : `${uri}/updates/${randomUUID()}`;
    activity = toNoteActivity(action === "create" ? "Create" : "Update", activityId, noteOfComment(config, row, ancestors));
  }
  // Signed by the author inside, so the video's origin can forward it to its followers as it is.
  const signed = await signActivityLd(activity, await signerFor(sql, config, row.authorActorId));
  return [{ signerActorId: row.authorActorId, activity: signed, inboxes }];
}

/** Queues what a change of a local comment means for other servers. Never throws: the comment is already saved. */
export async function federateComment(
  deps: { sql: Sql; config: Config; queues: Queues },
  commentId: number,
  action: CommentFederationAction,
): Promise<void> {
  if (!deps.config.federation.enabled) return;
  try {
    await enqueueDeliveries(deps.queues, deps.config, await commentDeliveries(deps, commentId, action));
  } catch (error) {
    console.error(`federation: could not federate ${action} of comment ${commentId}: ${(error as Error).message}`);
  }
}
