/**
 * Finding an actor of another instance from what a person types: a handle (`@name@host`, looked up with
 * WebFinger) or the URL of its actor document. Fetched through the safe fetcher and cached like any remote actor.
 */
import { refreshRemoteActor, type FederationDeps } from "./actors.ts";
import type { RemoteActorRow } from "./queries.ts";

/** `@name@host` or `name@host` (host may carry a port), or null. */
export function parseRemoteHandle(text: string): { name: string; host: string } | null {
  const match = /^@?([^@\s/]+)@([a-z0-9.-]+(?::\d{1,5})?)$/i.exec(text.trim());
  return match ? { name: match[1]!, host: match[2]!.toLowerCase() } : null;
}

/** The `self` link of a WebFinger answer that points at an ActivityPub actor. */
export function actorUriFromWebfinger(jrd: unknown): string | null {
  const links = (jrd as { links?: unknown } | null)?.links;
  if (!Array.isArray(links)) return null;
  const self = links.find(
    (l) => l && typeof l === "object" && l.rel === "self" && typeof l.href === "string" &&
      (l.type === "application/activity+json" || String(l.type).startsWith("application/ld+json")),
  );
  return self ? (self.href as string) : null;
}

/**
 * The remote actor a handle or URL names, fetched now. WebFinger is asked over https, and over http too when the
 * instance federates on a private network (tests, LANs). Errors of the remote propagate.
 */
export async function lookUpRemoteActor(deps: FederationDeps, query: string): Promise<RemoteActorRow> {
  const handle = parseRemoteHandle(query);
  if (!handle) return refreshRemoteActor(deps, new URL(query.trim()).href);
  const schemes = deps.config.federation.allowPrivate ? ["https", "http"] : ["https"];
  let lastError: unknown = new Error(`no WebFinger answer for ${query}`);
  for (const scheme of schemes) {
    const resource = encodeURIComponent(`acct:${handle.name}@${handle.host}`);
    try {
      const { json } = await deps.fetcher.getJson(`${scheme}://${handle.host}/.well-known/webfinger?resource=${resource}`);
      const uri = actorUriFromWebfinger(json);
      if (!uri) throw new Error(`${handle.host} names no ActivityPub actor for ${query}`);
      return await refreshRemoteActor(deps, uri);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
