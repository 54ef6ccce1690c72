/**
 * Inbound videos: Create, Update and Announce of a Video from an actor followed here store it as a remote video;
 * Delete removes it. The network part (fetching an announced video, its channel and account) runs before the
 * inbox transaction in prepareVideoActivity; the handlers only read and write the database.
 *
 * Origin rule (PeerTube's too): an instance speaks only for its own videos. The Video's id, its channel and the
 * actor that sent the activity share one origin, and an Update or Delete only ever touches the video stored under
 * that id; a Delete from any other origin is ignored.
 */
import { fetchAsInstance, resolveRemoteActor, type FederationDeps } from "./actors.ts";
import type { InboxContext, InboxHandler } from "./inbox-handlers.ts";
import { InvalidObjectError, type ParsedActivity } from "./objects.ts";
import type { RemoteActorRow } from "./queries.ts";
import { parseVideoObject, PEERTUBE_STATE_PUBLISHED, type ParsedVideo } from "./video-objects.ts";
import * as vq from "./video-queries.ts";

/** A video an activity carries, read and checked, with its channel and account as cached remote actors. */
export interface PreparedVideo {
  readonly video: ParsedVideo;
  readonly channel: RemoteActorRow;
  readonly account: RemoteActorRow | null;
}

/** Activity types whose object may be a Video that has to be read before the handler runs. */
export const VIDEO_CARRYING_TYPES: ReadonlySet<string> = new Set(["Create", "Update", "Announce"]);

function originOf(url: string): string {
  return new URL(url).origin;
}

/** The object of a Create, Update or Announce as JSON: embedded, or fetched from its id when only the id came. */
async function videoJsonOf(deps: FederationDeps, activity: ParsedActivity): Promise<unknown> {
  const embedded = activity.object;
  // An Announce is a pointer: whatever it embeds, the video is read from its own origin.
  if (typeof embedded === "object" && embedded !== null && activity.type !== "Announce") return embedded;
  if (!activity.objectId) return null;
  const { url, json } = await fetchAsInstance(deps, activity.objectId);
  const id = (json as { id?: unknown } | null)?.id;
  if (typeof id !== "string" || originOf(id) !== originOf(url)) throw new InvalidObjectError(`${url} served an object of another origin`);
  return json;
}

/**
 * Reads the Video an activity carries, and fetches (or takes from the cache) its channel and account. Null when
 * the activity is about something else (a Note, an actor), the video is not one we can play, or the sender may
 * not speak for it. Network errors propagate, so the inbox job is retried.
 */
export async function prepareVideoActivity(deps: FederationDeps, activity: ParsedActivity): Promise<PreparedVideo | null> {
  if (!VIDEO_CARRYING_TYPES.has(activity.type)) return null;
  const objectType = (activity.object as { type?: unknown } | null)?.type;
  if (typeof activity.object === "object" && activity.object !== null && objectType !== "Video") return null;
  let video: ParsedVideo;
  try {
    const json = await videoJsonOf(deps, activity);
    if ((json as { type?: unknown } | null)?.type !== "Video") return null;
    video = parseVideoObject(json, { allowHttp: deps.config.federation.allowPrivate });
  } catch (error) {
    if (error instanceof InvalidObjectError) return null;
    throw error;
  }
  // Create and Update carry the object itself: only its origin may send it. An Announce may come from a follower
  // instance sharing it, since the video was read from its origin above.
  if (activity.type !== "Announce" && originOf(activity.actor) !== originOf(video.id)) return null;
  const channelUri = video.channelUri ?? (await findGroupAmong(deps, video));
  if (!channelUri || originOf(channelUri) !== originOf(video.id)) return null;
  const channel = await resolveRemoteActor(deps, channelUri);
  if (channel.kind !== "group") return null;
  const account = video.accountUri ? await resolveRemoteActor(deps, video.accountUri).catch(() => null) : null;
  return { video, channel, account };
}

/** Bare-id attributedTo (no types): the Group among the actors on the video's origin. */
async function findGroupAmong(deps: FederationDeps, video: ParsedVideo): Promise<string | null> {
  for (const uri of video.attributedTo) {
    if (originOf(uri) !== originOf(video.id)) continue;
    const actor = await resolveRemoteActor(deps, uri).catch(() => null);
    if (actor?.kind === "group") return actor.uri;
  }
  return null;
}

const NOTHING = [] as const;

/** Stores (or refreshes) the prepared video when someone here follows its channel, its account or its instance. */
async function storeFollowedVideo(ctx: InboxContext): Promise<void> {
  const prepared = ctx.video;
  if (!prepared || prepared.video.state !== PEERTUBE_STATE_PUBLISHED) return;
  const { video, channel, account } = prepared;
  const candidates = [channel.id, ctx.sender.id, ...(account ? [account.id] : [])];
  if (!(await vq.isFollowedLocally(ctx.sql, candidates, channel.domain))) return;
  const existing = await vq.findRemoteVideoByApId(ctx.sql, video.id);
  // A stored video moves only between channels of its own origin (checked in prepare); anything else is ignored.
  if (existing && originOf(existing.channelActorUri) !== originOf(video.id)) return;
  const channelId = await vq.ensureRemoteChannel(ctx.sql, channel.id, account?.id ?? null);
  await vq.upsertRemoteVideo(ctx.sql, channelId, video);
}

/** Create of a Video: a new video of a followed channel. */
export const onCreateVideo: InboxHandler = async (ctx) => {
  await storeFollowedVideo(ctx);
  return NOTHING;
};

/** Update of a Video: refreshes the copy (or stores it, when the video was made public since). */
export const onUpdateVideo: InboxHandler = onCreateVideo;

/** Announce of a Video: a followed channel or instance shares it (PeerTube channels announce their own videos). */
export const onAnnounceVideo: InboxHandler = onCreateVideo;

/** Delete of a Video: only from the video's origin; a Delete from anywhere else changes nothing. */
export const onDeleteVideo: InboxHandler = async (ctx) => {
  const id = ctx.activity.objectId;
  if (!id) return NOTHING;
  const stored = await vq.findRemoteVideoByApId(ctx.sql, id);
  if (!stored) return NOTHING;
  const sender = originOf(ctx.sender.uri);
  if (sender !== originOf(stored.apId) || sender !== originOf(stored.channelActorUri)) return NOTHING;
  await vq.deleteRemoteVideo(ctx.sql, stored.id);
  return NOTHING;
};
