/**
 * ActivityPub documents as plain JSON: builders for what this instance publishes and parsers for what it
 * receives. No database, no network; tests hold them against fixtures of PeerTube and Mastodon JSON.
 */
import { actorEndpoints, localKeyId, sharedInboxUrl, type LocalActorKind } from "./urls.ts";

export const AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

const BASE_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"] as const;

/**
 * Actors carry PeerTube's extra terms (the `pt:` and schema.org namespaces) so PeerTube reads `support` and
 * `postingRestrictedToMods` on our channels as it reads them on its own.
 */
export const ACTOR_CONTEXT = [
  ...BASE_CONTEXT,
  {
    RsaSignature2017: "https://w3id.org/security#RsaSignature2017",
    pt: "https://joinpeertube.org/ns#",
    sc: "http://schema.org/",
    support: { "@type": "sc:Text", "@id": "pt:support" },
    lemmy: "https://join-lemmy.org/ns#",
    postingRestrictedToMods: "lemmy:postingRestrictedToMods",
  },
];

/** Activities and collections need only the two base vocabularies. */
export const ACTIVITY_CONTEXT = [...BASE_CONTEXT];

const ACTOR_TYPES: Record<LocalActorKind, string> = { person: "Person", group: "Group", application: "Application" };

export interface LocalActorDocument {
  readonly uri: string;
  readonly kind: LocalActorKind;
  readonly handle: string;
  readonly displayName: string;
  readonly description: string;
  readonly publicKeyPem: string;
  readonly createdAt: Date;
  /** Where browsers see the actor (the profile or channel page). */
  readonly pageUrl: string;
  /** Absolute URL of the avatar, when there is one. */
  readonly avatarUrl?: string | null;
  /** Channels: the owner's actor id, and the support text. */
  readonly ownerUri?: string;
  readonly support?: string;
}

/** The actor document served at its id: Person (account), Group (channel) or Application (the instance). */
export function toActorObject(actor: LocalActorDocument, publicUrl: string): Record<string, unknown> {
  const endpoints = actorEndpoints(actor.uri);
  const document: Record<string, unknown> = {
    "@context": ACTOR_CONTEXT,
    type: ACTOR_TYPES[actor.kind],
    id: actor.uri,
    following: endpoints.following,
    followers: endpoints.followers,
    inbox: endpoints.inbox,
    outbox: endpoints.outbox,
    preferredUsername: actor.handle,
    url: actor.pageUrl,
    name: actor.displayName,
    endpoints: { sharedInbox: sharedInboxUrl(publicUrl) },
    publicKey: { id: localKeyId(actor.uri), owner: actor.uri, publicKeyPem: actor.publicKeyPem },
    published: actor.createdAt.toISOString(),
    summary: actor.description || null,
  };
  if (actor.avatarUrl) {
    document.icon = [{ type: "Image", mediaType: imageTypeOf(actor.avatarUrl), url: actor.avatarUrl }];
  }
  if (actor.kind === "group") {
    document.support = actor.support || null;
    // Only the channel's owner publishes in it; Lemmy-style readers then do not offer to post to the group.
    document.postingRestrictedToMods = true;
    if (actor.ownerUri) document.attributedTo = [{ type: "Person", id: actor.ownerUri }];
  }
  return document;
}

function imageTypeOf(url: string): string {
  if (/\.png$/i.test(url)) return "image/png";
  if (/\.webp$/i.test(url)) return "image/webp";
  return "image/jpeg";
}

/** The top of a paged collection: its size and a link to page 1 (PeerTube's shape for followers and outboxes). */
export function toOrderedCollection(id: string, totalItems: number): Record<string, unknown> {
  return { "@context": ACTIVITY_CONTEXT, id, type: "OrderedCollection", totalItems, first: `${id}?page=1` };
}

/** One page of a collection; `next` only when more items follow. */
export function toOrderedCollectionPage(
  id: string,
  page: number,
  totalItems: number,
  items: readonly unknown[],
  pageSize: number,
): Record<string, unknown> {
  const document: Record<string, unknown> = {
    "@context": ACTIVITY_CONTEXT,
    id: `${id}?page=${page}`,
    type: "OrderedCollectionPage",
    partOf: id,
    totalItems,
    orderedItems: items,
  };
  if (page > 1) document.prev = `${id}?page=${page - 1}`;
  if (page * pageSize < totalItems) document.next = `${id}?page=${page + 1}`;
  return document;
}

/** A Follow from `actor` to `object`. */
export function toFollowActivity(id: string, actor: string, object: string): Record<string, unknown> {
  return { "@context": ACTIVITY_CONTEXT, id, type: "Follow", actor, object };
}

/** The answer to a Follow: the followed actor accepts (or rejects) it, embedding the Follow it answers. */
export function toFollowAnswer(type: "Accept" | "Reject", id: string, actor: string, follow: ParsedActivity): Record<string, unknown> {
  return {
    "@context": ACTIVITY_CONTEXT,
    id,
    type,
    actor,
    object: { id: follow.id, type: "Follow", actor: follow.actor, object: follow.objectId },
  };
}

/** Takes back an earlier activity of the same actor (an Undo of a Follow unfollows). */
export function toUndoActivity(id: string, actor: string, undone: Record<string, unknown>): Record<string, unknown> {
  const { "@context": _, ...object } = undone;
  return { "@context": ACTIVITY_CONTEXT, id, type: "Undo", actor, object };
}

/** A document that does not have the shape we need; the message says which field. */
export class InvalidObjectError extends Error {
  override name = "InvalidObjectError";
}

export interface ParsedActivity {
  readonly id: string;
  readonly type: string;
  /** The actor's id (an embedded actor object is reduced to its id). */
  readonly actor: string;
  /** The object's id, whether it came as a string or embedded. */
  readonly objectId: string | null;
  /** The object as sent (embedded object or id), for handlers that need more than its id. */
  readonly object: unknown;
}

/** Reads the envelope every activity must have: id, type, actor (and object when present). */
export function parseActivity(json: unknown): ParsedActivity {
  if (!isRecord(json)) throw new InvalidObjectError("an activity must be a JSON object");
  const id = httpUrl(json.id, "id");
  const type = json.type;
  if (typeof type !== "string" || type === "") throw new InvalidObjectError("the activity has no type");
  const actor = httpUrl(idOf(json.actor), "actor");
  const objectId = idOf(json.object);
  return { id, type, actor, objectId: typeof objectId === "string" ? objectId : null, object: json.object };
}

/** The embedded object of an activity as its own activity (Undo and Accept carry the Follow they refer to). */
export function parseEmbeddedActivity(object: unknown): ParsedActivity | null {
  if (!isRecord(object)) return null;
  try {
    return parseActivity(object);
  } catch {
    return null;
  }
}

export type RemoteActorKind = "person" | "group" | "application";

/** What the actors table keeps of a remote actor. */
export interface RemoteActor {
  readonly uri: string;
  readonly kind: RemoteActorKind;
  readonly handle: string;
  readonly domain: string;
  readonly displayName: string;
  readonly description: string;
  readonly inboxUrl: string;
  readonly sharedInboxUrl: string | null;
  readonly outboxUrl: string | null;
  readonly followersUrl: string | null;
  readonly followingUrl: string | null;
  readonly url: string | null;
  readonly publicKeyPem: string;
  readonly keyId: string;
}

/** ActivityStreams actor types; Service and Organization (bots, relays, some instances) count as applications. */
const REMOTE_KINDS: Record<string, RemoteActorKind> = {
  Person: "person",
  Group: "group",
  Application: "application",
  Service: "application",
  Organization: "application",
};

/**
 * Reads a remote actor document (Mastodon Person, PeerTube Person/Group/Application, ...). `fetchedFrom` is where it
 * was fetched: an actor may only describe itself, so its id must be on that origin.
 */
export function parseActorObject(json: unknown, fetchedFrom: string): RemoteActor {
  if (!isRecord(json)) throw new InvalidObjectError("an actor must be a JSON object");
  const uri = httpUrl(json.id, "id");
  if (new URL(uri).origin !== new URL(fetchedFrom).origin) throw new InvalidObjectError(`actor ${uri} was served by another origin`);
  const kind = typeof json.type === "string" ? REMOTE_KINDS[json.type] : undefined;
  if (!kind) throw new InvalidObjectError(`actor type ${JSON.stringify(json.type)} is not one we follow`);
  const username = json.preferredUsername;
  if (typeof username !== "string" || !/^[^\s@/]{1,50}$/.test(username)) throw new InvalidObjectError("the actor has no usable preferredUsername");
  const key = (Array.isArray(json.publicKey) ? json.publicKey : [json.publicKey]).find(
    (k): k is Record<string, unknown> => isRecord(k) && typeof k.publicKeyPem === "string" && (k.owner === undefined || k.owner === uri),
  );
  if (!key) throw new InvalidObjectError("the actor publishes no public key of its own");
  const endpoints = isRecord(json.endpoints) ? json.endpoints : {};
  const handle = username.toLowerCase();
  return {
    uri,
    kind,
    handle,
    domain: new URL(uri).host,
    displayName: clip(typeof json.name === "string" && json.name.trim() ? json.name.trim() : username, 120),
    description: clip(typeof json.summary === "string" ? stripTags(json.summary) : "", 1000),
    inboxUrl: httpUrl(json.inbox, "inbox"),
    sharedInboxUrl: optionalUrl(endpoints.sharedInbox),
    outboxUrl: optionalUrl(json.outbox),
    followersUrl: optionalUrl(json.followers),
    followingUrl: optionalUrl(json.following),
    url: optionalUrl(typeof json.url === "string" ? json.url : idOf(Array.isArray(json.url) ? json.url[0] : json.url, "href")),
    publicKeyPem: key.publicKeyPem as string,
    keyId: httpUrl(key.id, "publicKey.id"),
  };
}

/** Summaries are HTML on Mastodon; we keep their text. */
function stripTags(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&")
    .trim();
}

function clip(text: string, max: number): string {
  return [...text].slice(0, max).join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An id given directly or as an embedded object's `id` (or `href` for links). */
function idOf(value: unknown, field = "id"): unknown {
  return isRecord(value) ? value[field] : value;
}

function httpUrl(value: unknown, field: string): string {
  const url = optionalUrl(value);
  if (!url) throw new InvalidObjectError(`${field} must be an http(s) URL`);
  return url;
}

function optionalUrl(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? value : null;
  } catch {
    return null;
  }
}
