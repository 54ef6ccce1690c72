/**
 * Discovery documents: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1. Pure builders; the routes
 * look the actor or the counts up and hand them in.
 */

export const JRD_JSON = "application/jrd+json; charset=utf-8";
export const NODEINFO_21_PROFILE = "http://nodeinfo.diaspora.software/ns/schema/2.1";
/** PeerTube finds another instance's application actor through this NodeInfo link when it follows the instance. */
export const APPLICATION_ACTOR_REL = "https://www.w3.org/ns/activitystreams#Application";

/**
 * The local handle a WebFinger `resource` names: `acct:name@host` (the host must be ours) or the actor's own
 * id, `https://host/accounts/name` or `https://host/video-channels/name`. Null when it names nothing of ours.
 */
export function webfingerHandle(resource: string, publicUrl: string, publicHost: string): string | null {
  const acct = /^(?:acct:)?@?([^@\s/]+)@([^@\s/]+)$/i.exec(resource.trim());
  if (acct) return acct[2]!.toLowerCase() === publicHost.toLowerCase() ? acct[1]!.toLowerCase() : null;
  const path = resource.startsWith(`${publicUrl}/`) ? resource.slice(publicUrl.length) : null;
  const match = path === null ? null : /^\/(?:accounts|video-channels|a|c)\/([^/?#]+)$/.exec(path);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!).toLowerCase();
  } catch {
    return null;
  }
}

/** The JRD for one actor: its ActivityPub id, its page, and where a remote user goes to follow it from here. */
export function toWebfinger(o: { handle: string; publicHost: string; publicUrl: string; actorUri: string; pageUrl: string }) {
  return {
    subject: `acct:${o.handle}@${o.publicHost}`,
    aliases: [o.actorUri, o.pageUrl],
    links: [
      { rel: "self", type: "application/activity+json", href: o.actorUri },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: o.pageUrl },
      // Remote follow: another server's user is sent to our search, which is where remote lookups land.
      { rel: "http://ostatus.org/schema/1.0/subscribe", template: `${o.publicUrl}/search?q={uri}` },
    ],
  };
}

/** host-meta points older clients (and Mastodon's fallback) at WebFinger. */
export function toHostMeta(publicUrl: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n' +
    `  <Link rel="lrdd" type="application/xrd+xml" template="${publicUrl}/.well-known/webfinger?resource={uri}"/>\n` +
    "</XRD>\n"
  );
}

/** /.well-known/nodeinfo: where the NodeInfo document is, and the instance actor. */
export function toNodeInfoLinks(publicUrl: string, instanceActorUri: string) {
  return {
    links: [
      { rel: NODEINFO_21_PROFILE, href: `${publicUrl}/nodeinfo/2.1.json` },
      { rel: APPLICATION_ACTOR_REL, href: instanceActorUri },
    ],
  };
}

export interface NodeUsage {
  readonly users: number;
  readonly activeMonth: number;
  readonly activeHalfyear: number;
  readonly localPosts: number;
}

/** NodeInfo 2.1: software, protocols, registrations and usage counts, as fediverse crawlers read them. */
export function toNodeInfo(o: { version: string; openRegistrations: boolean; nodeName: string; usage: NodeUsage }) {
  return {
    version: "2.1",
    software: { name: "tubelet", version: o.version },
    protocols: ["activitypub"],
    services: { inbound: [], outbound: ["atom1.0", "rss2.0"] },
    openRegistrations: o.openRegistrations,
    usage: {
      users: { total: o.usage.users, activeMonth: o.usage.activeMonth, activeHalfyear: o.usage.activeHalfyear },
      localPosts: o.usage.localPosts,
    },
    metadata: { nodeName: o.nodeName },
  };
}
