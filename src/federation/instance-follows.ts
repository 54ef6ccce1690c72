/**
 * The instance following other instances: an administrator names a server (its host) or an actor (its URL), we
 * find the actor, and our instance actor sends it a Follow. Once accepted, what that instance announces (its
 * public videos, from PeerTube and Tubelet alike) is stored here.
 */
import { instanceActor, refreshRemoteActor } from "./actors.ts";
import { isActorBlocked } from "./block-queries.ts";
import { followRemoteActor, unfollowRemoteActor } from "./follows.ts";
import { lookUpRemoteActor } from "./lookup.ts";
import { listInstanceFollowing } from "./follow-queries.ts";
import type { RemoteActorRow } from "./queries.ts";
import type { FederationDeps } from "./actors.ts";
import type { Queues } from "../queue/queues.ts";
import { INSTANCE_ACTOR_HANDLE } from "./urls.ts";

type Deps = FederationDeps & { readonly queues: Queues };

/** What the administrator typed: a host (with its port when not default), or the URL of an actor. */
export type InstanceTarget = { readonly kind: "host"; readonly host: string } | { readonly kind: "url"; readonly url: string };

/** Reads the follow form's field; null when it is neither a host name nor an http(s) URL. */
export function parseInstanceTarget(raw: string): InstanceTarget | null {
  const text = raw.trim();
  if (/^https?:\/\/\S+$/i.test(text)) {
    try {
      const url = new URL(text);
      return url.pathname === "/" && !url.search ? { kind: "host", host: url.host } : { kind: "url", url: url.href };
    } catch {
      return null;
    }
  }
  const host = text.toLowerCase().replace(/\.$/, "");
  const named = /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/.test(host);
  // A bare word ("localhost") is no server of the federation, but an IP with a port is one on a LAN.
  return named && (host.includes(".") || host.includes(":")) ? { kind: "host", host } : null;
}

/** Why an instance cannot be followed, as a message key and its parameters for the page. */
export class InstanceFollowError extends Error {
  constructor(
    readonly key: "self" | "blocked" | "notFound",
    readonly params: Readonly<Record<string, string>>,
  ) {
    super(`${key}: ${JSON.stringify(params)}`);
  }
}

function hostOf(target: InstanceTarget): string {
  return target.kind === "host" ? target.host : new URL(target.url).host.toLowerCase();
}

/**
 * The actor a target names. A host is asked for PeerTube's instance actor (`/accounts/peertube`, the name ours
 * uses too), then WebFinger `acct:peertube@HOST`; the error says what each answered (once, when all failed alike).
 */
async function findActor(deps: Deps, target: InstanceTarget): Promise<RemoteActorRow> {
  if (target.kind === "url") {
    try {
      return await refreshRemoteActor(deps, target.url);
    } catch (error) {
      throw new InstanceFollowError("notFound", { target: target.url, reason: (error as Error).message });
    }
  }
  const schemes = deps.config.federation.allowPrivate ? ["https", "http"] : ["https"];
  const reasons: string[] = [];
  for (const scheme of schemes) {
    try {
      return await refreshRemoteActor(deps, `${scheme}://${target.host}/accounts/${INSTANCE_ACTOR_HANDLE}`);
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  try {
    return await lookUpRemoteActor(deps, `${INSTANCE_ACTOR_HANDLE}@${target.host}`);
  } catch (error) {
    reasons.push((error as Error).message);
  }
  // An unreachable host fails the same way each time: say it once.
  throw new InstanceFollowError("notFound", { target: target.host, reason: [...new Set(reasons)].join("; ") });
}

/** Our instance actor follows the instance (or actor) named; returns the actor asked. */
export async function followInstance(deps: Deps, target: InstanceTarget): Promise<RemoteActorRow> {
  const host = hostOf(target);
  if (host === deps.config.publicHost.toLowerCase()) throw new InstanceFollowError("self", { target: host });
  if (await isActorBlocked(deps.sql, `https://${host}/`)) throw new InstanceFollowError("blocked", { target: host });
  const actor = await findActor(deps, target);
  if (actor.domain.toLowerCase() === deps.config.publicHost.toLowerCase()) throw new InstanceFollowError("self", { target: host });
  if (await isActorBlocked(deps.sql, actor.uri)) throw new InstanceFollowError("blocked", { target: actor.uri });
  const self = await instanceActor(deps.sql, deps.config);
  await followRemoteActor(deps, self.id, actor.uri);
  return actor;
}

/** Our instance actor stops following a remote actor (an Undo goes to it); false when it did not follow it. */
export async function unfollowInstance(deps: Deps, actorId: number): Promise<boolean> {
  const self = await instanceActor(deps.sql, deps.config);
  const followed = (await listInstanceFollowing(deps.sql, self.id)).find((f) => f.actorId === actorId);
  if (!followed) return false;
  await unfollowRemoteActor(deps, self.id, followed.uri);
  return true;
}
