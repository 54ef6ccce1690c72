/**
 * Inbound activities: the inbox POST is verified (HTTP signature, Digest, Date, key owner = actor) and queued;
 * the `ap-inbox` worker applies it once, whatever the number of deliveries, through the handler of its type.
 */
import { createHash } from "node:crypto";
import type { Queues, JobPayloads } from "../queue/queues.ts";
import { actorKeyCache, contextLoader, fetchAsInstance, keyDocumentLoader, resolveRemoteActor, type FederationDeps } from "./actors.ts";
import { RemoteStatusError } from "./fetcher.ts";
import { carriesNote } from "./inbox-comments.ts";
import { enqueueDeliveries, type OutboundActivity } from "./delivery.ts";
import { INBOX_HANDLERS } from "./inbox-handlers.ts";
import { InvalidObjectError, parseActivity, type ParsedActivity } from "./objects.ts";
import { keyBelongsToActor, verifyInboxSignature } from "./signatures.ts";
import { markInboxSeen } from "./queries.ts";
import { isActorBlocked } from "./block-queries.ts";
import { prepareVideoActivity } from "./inbox-videos.ts";
import { prepareCacheFileActivity } from "../redundancy/origin.ts";

export interface InboxAnswer {
  readonly status: 202 | 400 | 401 | 403 | 413;
  readonly message: string;
}

/** The body, when it is at most `limit` bytes whatever Content-Length claimed; null when it is longer. */
async function readBody(request: Request, limit: number): Promise<ArrayBuffer | null> {
  const bytes = await request.arrayBuffer();
  return bytes.byteLength > limit ? null : bytes;
}

/** The actor an activity says it is from, read without trusting it; null when the body is not one. */
function claimedActor(body: ArrayBuffer): string | null {
  try {
    const actor = (JSON.parse(new TextDecoder().decode(body)) as { actor?: unknown } | null)?.actor;
    const id = typeof actor === "object" && actor !== null ? (actor as { id?: unknown }).id : actor;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}

/**
 * Activities a third party may forward, as PeerTube forwards them: the Create or Update of a comment (a Note), and
 * a Delete (of a comment: whatever else it names is not kept here from anyone but its origin).
 */
export function isForwardable(activity: ParsedActivity): boolean {
  return ((activity.type === "Create" || activity.type === "Update") && carriesNote(activity.object)) || activity.type === "Delete";
}

/**
 * A forwarded activity checked against what the object's origin serves now, since the forwarder's signature vouches
 * for nothing the author said: a Create or Update gets the Note as its origin serves it, a Delete stands only when
 * the origin no longer has the object (gone, or a Tombstone). Null when the origin says otherwise. Network trouble
 * propagates, so the job is retried.
 */
async function withObjectFromOrigin(deps: FederationDeps, activity: ParsedActivity): Promise<ParsedActivity | null> {
  if (!activity.objectId || !isForwardable(activity)) return null;
  const deleting = activity.type === "Delete";
  try {
    const { json } = await fetchAsInstance(deps, activity.objectId);
    const fresh = json as { id?: unknown; type?: unknown } | null;
    if (fresh?.id !== activity.objectId) return null;
    if (deleting) return fresh.type === "Tombstone" ? activity : null;
    return fresh.type === "Note" ? { ...activity, object: json } : null;
  } catch (error) {
    if (error instanceof RemoteStatusError && (error.status === 404 || error.status === 410)) return deleting ? activity : null;
    throw error;
  }
}

/** Verifies an inbox POST and queues its activity; the answer is the HTTP status to send and why. */
export async function receiveInboxPost(
  deps: FederationDeps & { queues: Queues },
  request: Request,
  recipient: string | null,
): Promise<InboxAnswer> {
  const limit = deps.config.federation.maxInboxBytes;
  const body = await readBody(request, limit);
  if (!body) return { status: 413, message: `activities over ${limit} bytes are refused` };
  // Blocked servers and actors are turned away before any key is fetched from them: verifying would cost a
  // request to the very server we refuse to talk to. A sender lying about its actor gains nothing but a 403.
  const claimed = claimedActor(body);
  if (claimed && (await isActorBlocked(deps.sql, claimed))) return { status: 403, message: "this server or actor is blocked here" };
  // Verification reads the body again; it gets its own copy of the bytes already read.
  const copy = new Request(request.url, { method: "POST", headers: request.headers, body });
  const verified = await verifyInboxSignature(copy, {
    documentLoader: keyDocumentLoader(deps),
    contextLoader: contextLoader(deps),
    keyCache: actorKeyCache(deps.sql),
    windowSeconds: deps.config.federation.signatureWindowSeconds,
  });
  if (!verified.ok) return { status: 401, message: verified.reason };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { status: 400, message: "the body is not JSON" };
  }
  let activity;
  try {
    activity = parseActivity(json);
  } catch (error) {
    if (error instanceof InvalidObjectError) return { status: 400, message: error.message };
    throw error;
  }
  // Someone else's activity is taken only as a forwarded comment, whose Note the worker reads again from its origin.
  const forwarded = !keyBelongsToActor(verified, activity.actor);
  if (forwarded && !isForwardable(activity)) return { status: 401, message: `the key ${verified.keyId} does not speak for ${activity.actor}` };
  if (forwarded && (await isActorBlocked(deps.sql, verified.ownerId))) return { status: 403, message: "this server or actor is blocked here" };
  // An actor names its own activities; one claiming another server's id could shadow that server's activity.
  if (new URL(activity.id).origin !== new URL(activity.actor).origin) return { status: 400, message: "the activity id is on another origin than its actor" };
  // The job id folds repeated deliveries that arrive while the first is still queued; ap_inbox_seen covers later ones.
  const jobId = `in-${createHash("sha256").update(activity.id).digest("hex")}`;
  const payload = { activity: json as Record<string, unknown>, recipient, ...(forwarded ? { forwardedBy: verified.ownerId } : {}) };
  await deps.queues.add("ap-inbox", payload, { jobId });
  return { status: 202, message: "accepted" };
}

/** The `ap-inbox` worker: marks the activity seen and applies it in one transaction, then sends what it asks. */
export function createInboxHandler(deps: FederationDeps & { queues: Queues }) {
  return async (payload: JobPayloads["ap-inbox"]): Promise<void> => {
    const received = parseActivity(payload.activity);
    // Blocked since it was queued: dropped.
    if (await isActorBlocked(deps.sql, received.actor)) return;
    const activity = payload.forwardedBy ? await withObjectFromOrigin(deps, received) : received;
    if (!activity) return;
    const handler = INBOX_HANDLERS[activity.type];
    // Fetched (and cached) at verification; resolved before the transaction so no network wait holds it open.
    const sender = await resolveRemoteActor(deps, activity.actor);
    // Announced videos, their channels and accounts are fetched now, for the same reason.
    const video = handler ? await prepareVideoActivity(deps, activity) : null;
    // A mirror's CacheFile is checked against our segments now: fetching from the mirror takes time.
    const cacheFile = handler ? await prepareCacheFileActivity(deps, activity, sender) : null;
    const outbound = await deps.sql.begin(async (tx): Promise<readonly OutboundActivity[]> => {
      if (!(await markInboxSeen(tx, activity.id))) return [];
      if (!handler) return [];
      // Only what came from its author is passed on as it came: a forwarded body may have been altered on the way.
      const raw = payload.forwardedBy ? undefined : payload.activity;
      return handler({ sql: tx, publicUrl: deps.config.publicUrl, allowHttp: deps.config.federation.allowPrivate, manualApproval: deps.config.federation.manualApproval, activity, sender, video, cacheFile, raw });
    });
    await enqueueDeliveries(deps.queues, deps.config, outbound);
  };
}
