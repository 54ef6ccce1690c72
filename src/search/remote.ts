/**
 * Looking up a channel or account on another instance from the search box (a handle such as `@name@host` or a
 * URL): WebFinger, then the actor document, cached as a remote actor. The results page shows it with a Subscribe
 * button that sends a Follow. Null when federation is off or the lookup failed, and the page says so.
 */
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { ChannelRow } from "../channels/queries.ts";
import type { VideoListRow } from "../videos/queries.ts";
import { fetcherFor } from "../federation/actors.ts";
import { lookUpRemoteActor } from "../federation/lookup.ts";
import { ensureRemoteChannel } from "../federation/video-queries.ts";

/** A remote actor as the results page shows it. */
export interface RemoteActorView {
  readonly uri: string;
  readonly kind: "person" | "group" | "application";
  readonly handle: string;
  readonly host: string;
  readonly displayName: string;
  readonly description: string;
  /** Its page on its own instance. */
  readonly url: string;
  /** The actors table's id, for follow states. */
  readonly actorId: number;
}

/** What a remote lookup brought in, stored locally so it can be listed like local rows. */
export interface RemoteSearchResult {
  readonly videos: readonly VideoListRow[];
  readonly channels: readonly ChannelRow[];
  readonly remoteActor?: RemoteActorView;
}

/** The remote channel or account that `query` names, or null when it cannot be looked up. */
export async function resolveRemoteSearch(deps: { sql: Sql; config: Config }, query: string): Promise<RemoteSearchResult | null> {
  if (!deps.config.federation.enabled) return null;
  try {
    const actor = await lookUpRemoteActor({ ...deps, fetcher: fetcherFor(deps.config) }, query);
    // A channel gets its channel row now, so its videos have somewhere to go once followed.
    if (actor.kind === "group") await ensureRemoteChannel(deps.sql, actor.id, null);
    const remoteActor: RemoteActorView = {
      uri: actor.uri, kind: actor.kind, handle: actor.handle, host: actor.domain, displayName: actor.displayName,
      description: actor.description, url: actor.url ?? actor.uri, actorId: actor.id,
    };
    return { videos: [], channels: [], remoteActor };
  } catch (error) {
    console.error(`search: could not look up ${JSON.stringify(query)}: ${(error as Error).message}`);
    return null;
  }
}
