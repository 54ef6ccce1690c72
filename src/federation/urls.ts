/**
 * ActivityPub ids of this instance's actors, on PeerTube's URL scheme (/accounts/NAME for people and the
 * instance actor, /video-channels/NAME for channels) so PeerTube and Mastodon resolve them as they resolve PeerTube's.
 */

export type LocalActorKind = "person" | "group" | "application";

/**
 * PeerTube looks up another instance's application actor as `peertube@host` when it follows that instance, so the
 * instance actor takes this name (which accounts/validation.ts already reserves).
 */
export const INSTANCE_ACTOR_HANDLE = "peertube";

/** The actor's id, e.g. https://video.example.org/video-channels/cooking. */
export function localActorUri(publicUrl: string, kind: LocalActorKind, handle: string): string {
  return `${publicUrl}/${kind === "group" ? "video-channels" : "accounts"}/${encodeURIComponent(handle)}`;
}

/** The id of the key that signs for an actor; `#main-key` as Mastodon and PeerTube name theirs. */
export function localKeyId(actorUri: string): string {
  return `${actorUri}#main-key`;
}

/** The instance-wide inbox that receives one copy of an activity for every local recipient. */
export function sharedInboxUrl(publicUrl: string): string {
  return `${publicUrl}/inbox`;
}

/** The endpoints every local actor publishes beside its id. */
export function actorEndpoints(actorUri: string) {
  return {
    inbox: `${actorUri}/inbox`,
    outbox: `${actorUri}/outbox`,
    followers: `${actorUri}/followers`,
    following: `${actorUri}/following`,
  };
}

/**
 * The local actor an id names, or null when it is not one of ours. Only the path shape is checked here; whether
 * the actor exists is the database's question.
 */
export function parseLocalActorUri(publicUrl: string, uri: string): { kind: "account" | "channel"; handle: string } | null {
  if (!uri.startsWith(`${publicUrl}/`)) return null;
  const match = /^\/(accounts|video-channels)\/([^/?#]+)$/.exec(uri.slice(publicUrl.length));
  if (!match) return null;
  let handle: string;
  try {
    handle = decodeURIComponent(match[2]!);
  } catch {
    return null;
  }
  return { kind: match[1] === "accounts" ? "account" : "channel", handle };
}

/** Whether an Accept header asks for ActivityPub JSON rather than a page. */
export function wantsActivityJson(accept: string | null): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const type = part.split(";")[0]!.trim().toLowerCase();
    return type === "application/activity+json" || type === "application/ld+json";
  });
}

/** The media type ActivityPub objects are served with. */
export const ACTIVITY_JSON = "application/activity+json; charset=utf-8";
