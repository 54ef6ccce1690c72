/**
 * Outbound ratings and views of remote videos, as PeerTube sends them. A like or dislike by someone here goes to
 * the video's origin as `Like` or `Dislike` by their account, its removal as `Undo` of it; a view counted here goes
 * there as one `View` by the instance actor, so the origin's counters include this instance's audience. Local
 * videos send nothing: their counters are already here. The rating and view code calls these after its own write
 * has committed; a failure is logged and never fails the person's action.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Queues } from "../queue/queues.ts";
import type { Rating } from "../ratings/queries.ts";
import type { VideoRow } from "../videos/queries.ts";
import { remoteInboxOf } from "./comment-queries.ts";
import { enqueueDeliveries, type OutboundActivity } from "./delivery.ts";
import { ACTIVITY_CONTEXT, AS_PUBLIC } from "./objects.ts";
import { ensureInstanceActorRow, findLocalActorById } from "./queries.ts";
import { INSTANCE_ACTOR_HANDLE, localActorUri } from "./urls.ts";

export interface InteractionDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly queues: Queues;
}

const RATING_TYPE: Readonly<Record<Rating, "Like" | "Dislike">> = { like: "Like", dislike: "Dislike" };

/** A Like or Dislike of a video by an actor, public and copied to the actor's followers (PeerTube's audience). */
export function toRatingActivity(id: string, rating: Rating, actorUri: string, videoId: string): Record<string, unknown> {
  return { id, type: RATING_TYPE[rating], actor: actorUri, object: videoId, to: [AS_PUBLIC], cc: [`${actorUri}/followers`] };
}

/** The Undo of a rating: receivers match the rating by its actor, type and video, so the Like is embedded whole. */
export function toUndoRatingActivity(id: string, undone: Record<string, unknown>): Record<string, unknown> {
  const { to, cc } = undone;
  return { "@context": ACTIVITY_CONTEXT, id, type: "Undo", actor: undone.actor, object: undone, to, cc };
}

/** One view of a video, by the instance actor (PeerTube's `View` without the live-viewer `expires` and `result`). */
export function toViewActivity(id: string, actorUri: string, videoId: string): Record<string, unknown> {
  return { "@context": ACTIVITY_CONTEXT, id, type: "View", actor: actorUri, object: videoId, to: [AS_PUBLIC], cc: [`${actorUri}/followers`] };
}

/** Where an activity about a remote video goes: its channel's inbox (shared when it has one), on the origin. */
async function originInbox(sql: Sql, video: VideoRow): Promise<string | null> {
  return video.apId === null ? null : remoteInboxOf(sql, video.channelActorId);
}

/**
 * What a change of a local account's rating of a remote video sends: the new rating, or an Undo of the old one
 * when the rating is removed. Nothing when nothing changed or the video is local.
 */
export async function ratingDeliveries(
  deps: Pick<InteractionDeps, "sql" | "config">,
  raterActorId: number,
  video: VideoRow,
  change: { previous: Rating | null; next: Rating | null },
): Promise<OutboundActivity[]> {
  if (change.previous === change.next) return [];
  const inbox = await originInbox(deps.sql, video);
  const rater = inbox ? await findLocalActorById(deps.sql, raterActorId) : null;
  if (!inbox || !rater || !video.apId) return [];
  const actorUri = localActorUri(deps.config.publicUrl, rater.kind, rater.handle);
  // Fresh ids each time: a like, its undo and a like again are three activities, and receivers apply an id once.
  const idOf = (rating: Rating) => `${actorUri}/${rating}s/${video.uuid}/${randomUUID()}`;
  if (change.next !== null) {
    return [{ signerActorId: raterActorId, activity: { "@context": ACTIVITY_CONTEXT, ...toRatingActivity(idOf(change.next), change.next, actorUri, video.apId) }, inboxes: [inbox] }];
  }
  const undone = toRatingActivity(idOf(change.previous!), change.previous!, actorUri, video.apId);
  return [{ signerActorId: raterActorId, activity: toUndoRatingActivity(`${undone.id as string}/undo`, undone), inboxes: [inbox] }];
}

/** What one view of a remote video sends: a View to its origin, by the instance actor. */
export async function viewDeliveries(deps: Pick<InteractionDeps, "sql" | "config">, video: VideoRow): Promise<OutboundActivity[]> {
  const inbox = await originInbox(deps.sql, video);
  if (!inbox || !video.apId) return [];
  // Only the actor's id and address: the delivery worker loads the signing key.
  const actorId = await ensureInstanceActorRow(deps.sql, deps.config.instanceName);
  const actorUri = localActorUri(deps.config.publicUrl, "application", INSTANCE_ACTOR_HANDLE);
  return [{ signerActorId: actorId, activity: toViewActivity(`${actorUri}/views/videos/${video.uuid}/${randomUUID()}`, actorUri, video.apId), inboxes: [inbox] }];
}

/** Runs `build` and queues what it returns; never throws, as the person's rating or view is already saved. */
async function federateInteraction(deps: InteractionDeps, what: string, build: () => Promise<OutboundActivity[]>): Promise<void> {
  if (!deps.config.federation.enabled) return;
  try {
    await enqueueDeliveries(deps.queues, deps.config, await build());
  } catch (error) {
    console.error(`federation: could not federate ${what}: ${(error as Error).message}`);
  }
}

/** Queues the Like, Dislike or Undo a rating change of a remote video means for its origin. */
export function federateRating(deps: InteractionDeps, raterActorId: number, video: VideoRow, change: { previous: Rating | null; next: Rating | null }): Promise<void> {
  if (video.apId === null) return Promise.resolve();
  return federateInteraction(deps, `rating of video ${video.id}`, () => ratingDeliveries(deps, raterActorId, video, change));
}

/** Queues the View one counted view of a remote video means for its origin. */
export function federateView(deps: InteractionDeps, video: VideoRow): Promise<void> {
  if (video.apId === null) return Promise.resolve();
  return federateInteraction(deps, `view of video ${video.id}`, () => viewDeliveries(deps, video));
}
