/**
 * Following remote actors from here (a pending follow and a Follow delivery; the remote's Accept settles it), and
 * answering remote followers later: an administrator accepts a pending follower or removes one (a Reject).
 */
import { randomUUID } from "node:crypto";
import type { Queues } from "../queue/queues.ts";
import { resolveRemoteActor, type FederationDeps } from "./actors.ts";
import { enqueueDeliveries } from "./delivery.ts";
import * as fq from "./follow-queries.ts";
import { toFollowActivity, toFollowAnswer, toUndoActivity } from "./objects.ts";
import * as q from "./queries.ts";
import { localActorUri } from "./urls.ts";

type Deps = FederationDeps & { readonly queues: Queues };

async function localUri(deps: Deps, actorId: number): Promise<string> {
  const row = await q.findLocalActorById(deps.sql, actorId);
  if (!row) throw new Error(`actor ${actorId} is not a local actor`);
  return localActorUri(deps.config.publicUrl, row.kind, row.handle);
}

/** Local actor `followerId` follows the remote actor `targetUri`; returns the Follow's id. */
export async function followRemoteActor(deps: Deps, followerId: number, targetUri: string): Promise<string> {
  const target = await resolveRemoteActor(deps, targetUri);
  const followerUri = await localUri(deps, followerId);
  const id = `${followerUri}/follows/${randomUUID()}`;
  await q.upsertFollow(deps.sql, { followerId, followedId: target.id, state: "pending", activityId: id });
  await enqueueDeliveries(deps.queues, deps.config, [
    { signerActorId: followerId, activity: toFollowActivity(id, followerUri, target.uri), inboxes: [target.inboxUrl] },
  ]);
  return id;
}

/** Stops following: the follow row goes now, and the remote hears an Undo of the Follow. */
export async function unfollowRemoteActor(deps: Deps, followerId: number, targetUri: string): Promise<void> {
  const target = await q.findRemoteActorByUri(deps.sql, targetUri);
  if (!target) return;
  const followId = await q.followActivityIdBetween(deps.sql, followerId, target.id);
  if (!(await q.deleteFollowBetween(deps.sql, followerId, target.id)) || !followId) return;
  const followerUri = await localUri(deps, followerId);
  const follow = toFollowActivity(followId, followerUri, target.uri);
  const undo = toUndoActivity(`${followerUri}/follows/${randomUUID()}/undo`, followerUri, follow);
  await enqueueDeliveries(deps.queues, deps.config, [{ signerActorId: followerId, activity: undo, inboxes: [target.inboxUrl] }]);
}

/**
 * Answers a remote follower of a local actor after the fact, as the followed actor. Accept: a pending follow
 * becomes accepted. Reject: the follow goes, pending or accepted (an administrator removing a follower), and the
 * follower hears it so its side goes too. False when there was nothing to answer.
 */
export async function answerRemoteFollower(
  deps: Deps,
  followerId: number,
  followedId: number,
  answer: "Accept" | "Reject",
): Promise<boolean> {
  const follow = await fq.findRemoteFollower(deps.sql, followerId, followedId);
  if (!follow) return false;
  const changed = answer === "Accept"
    ? await fq.acceptPendingFollow(deps.sql, followerId, followedId)
    : await q.deleteFollowBetween(deps.sql, followerId, followedId);
  // A follow made before federation kept its Follow's id has nothing to refer to; the row change stands alone.
  if (!changed || !follow.activityId || !follow.followerInbox) return changed;
  const followedUri = localActorUri(deps.config.publicUrl, follow.followedKind, follow.followedHandle);
  const received = { id: follow.activityId, type: "Follow", actor: follow.followerUri, objectId: followedUri, object: followedUri };
  const activity = toFollowAnswer(answer, `${followedUri}/${answer === "Accept" ? "accepts" : "rejects"}/${randomUUID()}`, followedUri, received);
  await enqueueDeliveries(deps.queues, deps.config, [{ signerActorId: followedId, activity, inboxes: [follow.followerInbox] }]);
  return true;
}
