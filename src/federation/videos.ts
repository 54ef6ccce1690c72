/**
 * Outbound video federation: when a public video is published, edited or deleted, the followers of its channel,
 * of its account and of the instance hear a Create (with the channel's and the instance's Announce), an Update or
 * a Delete. The video code calls federateVideo after its own write has committed; a failure here is logged and
 * never fails the user's action.
 */
import { randomUUID } from "node:crypto";
import type { Db as Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Queues } from "../queue/queues.ts";
import { findVideo, type VideoRow } from "../videos/queries.ts";
import { enqueueDeliveries, type OutboundActivity } from "./delivery.ts";
import { ensureInstanceActorRow, findLocalActorByHandle } from "./queries.ts";
import { INSTANCE_ACTOR_HANDLE, localActorUri } from "./urls.ts";
import { localVideoUri, toAnnounceActivity, toDeleteActivity, toVideoActivity, toVideoObject } from "./video-objects.ts";
import { remoteFollowerInboxes } from "./video-queries.ts";

/** What video federation needs: the database, the config (public URL, whether federation is on) and the queues. */
export interface VideoFederationDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly queues: Queues;
}

export type VideoFederationAction = "create" | "update" | "delete";

/** Only public, published, local videos ever go out; unlisted and private ones stay on this instance. */
export function isFederatedPublicly(video: Pick<VideoRow, "privacy" | "state" | "apId">): boolean {
  return video.privacy === 1 && video.state === "published" && video.apId === null;
}

/** The Create of a video as its account publishes it; the outbox lists it under a stable id. */
export function createActivityFor(video: VideoRow, config: Config, activityId?: string): Record<string, unknown> {
  const object = toVideoObject(video, config);
  const accountUri = localActorUri(config.publicUrl, "person", video.ownerHandle);
  return toVideoActivity("Create", activityId ?? `${object.id as string}/activity`, accountUri, object);
}

/**
 * The deliveries one change of a video makes. `wasPublic` says whether followers had it before an edit: a video
 * made public is new to them (Create), one made unlisted or private is gone for them (Delete). Unknown counts as
 * public after an edit, so a Delete is sent rather than a private video left on other instances; a deleted video
 * was public when its row (read before the delete) says so.
 */
export async function videoDeliveries(
  deps: Pick<VideoFederationDeps, "sql" | "config">,
  video: VideoRow,
  action: VideoFederationAction,
  options: { wasPublic?: boolean } = {},
): Promise<OutboundActivity[]> {
  if (video.apId !== null) return []; // a remote video is its origin's to federate
  const { config } = deps;
  const account = await findLocalActorByHandle(deps.sql, video.ownerHandle);
  if (!account) return [];
  const channelUri = localActorUri(config.publicUrl, "group", video.channelHandle);
  const accountUri = localActorUri(config.publicUrl, "person", video.ownerHandle);
  const videoUri = localVideoUri(config.publicUrl, video.uuid);
  // Instances following ours hear of every public video, as PeerTube's instance actor shares each one.
  const instanceId = await ensureInstanceActorRow(deps.sql, config.instanceName);
  const instanceUri = localActorUri(config.publicUrl, "application", INSTANCE_ACTOR_HANDLE);
  const cc = [`${channelUri}/followers`, `${accountUri}/followers`, `${instanceUri}/followers`];
  const everyone = await remoteFollowerInboxes(deps.sql, [video.channelActorId, account.id, instanceId]);
  const channelFollowers = await remoteFollowerInboxes(deps.sql, [video.channelActorId]);
  const instanceFollowers = await remoteFollowerInboxes(deps.sql, [instanceId]);
  if (everyone.length === 0) return [];

  const publicNow = action !== "delete" && isFederatedPublicly(video);
  const wasPublic = options.wasPublic ?? (action === "delete" ? isFederatedPublicly(video) : true);
  const kind = action === "delete" ? (wasPublic ? "delete" : null)
    : publicNow ? (action === "create" || !wasPublic ? "create" : "update")
    : action === "update" && wasPublic ? "delete" : null;
  if (kind === null) return [];
  if (kind === "delete") {
    const activity = toDeleteActivity(`${videoUri}/delete/${randomUUID()}`, accountUri, videoUri, cc);
    return [{ signerActorId: account.id, activity, inboxes: everyone }];
  }
  if (kind === "update") {
    const activity = toVideoActivity("Update", `${videoUri}/updates/${randomUUID()}`, accountUri, toVideoObject(video, config));
    return [{ signerActorId: account.id, activity, inboxes: everyone }];
  }
  // A fresh id for every Create sent: a video made private and public again must be news again to receivers
  // that remember the activity ids they have seen.
  const create = createActivityFor(video, config, `${videoUri}/activity/${randomUUID()}`);
  const announce = toAnnounceActivity(`${channelUri}/announces/${randomUUID()}`, channelUri, videoUri, [`${channelUri}/followers`]);
  const shared = toAnnounceActivity(`${instanceUri}/announces/${randomUUID()}`, instanceUri, videoUri, [`${instanceUri}/followers`]);
  return [
    { signerActorId: account.id, activity: create, inboxes: everyone },
    ...(channelFollowers.length ? [{ signerActorId: video.channelActorId, activity: announce, inboxes: channelFollowers }] : []),
    ...(instanceFollowers.length ? [{ signerActorId: instanceId, activity: shared, inboxes: instanceFollowers }] : []),
  ];
}

/**
 * Queues what a change of a video means for other instances: one delivery job per inbox. `video` is the id, or
 * for a delete the row as it was (it is gone by now). Never throws: federation trouble is logged, and the
 * creator's publish, edit or delete has already happened.
 */
export async function federateVideo(
  deps: VideoFederationDeps,
  video: number | VideoRow,
  action: VideoFederationAction,
  options: { wasPublic?: boolean } = {},
): Promise<void> {
  if (!deps.config.federation.enabled) return;
  try {
    const row = typeof video === "number" ? await findVideo(deps.sql, { id: video }) : video;
    if (!row) return;
    await enqueueDeliveries(deps.queues, deps.config, await videoDeliveries(deps, row, action, options));
  } catch (error) {
    const id = typeof video === "number" ? video : video.id;
    console.error(`federation: could not federate ${action} of video ${id}: ${(error as Error).message}`);
  }
}
