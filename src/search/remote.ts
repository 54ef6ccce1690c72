/**
 * Looking up a video or channel on another instance from the search box (a handle such as
 * `@name@host` or a URL). Federation implements it; until then it finds nothing and the results page says
 * that searching other instances is not available, instead of showing an empty local search as if it had looked.
 */
import type { ChannelRow } from "../channels/queries.ts";
import type { VideoListRow } from "../videos/queries.ts";

/** What a remote lookup brought in, stored locally so it can be listed like local rows. */
export interface RemoteSearchResult {
  readonly videos: readonly VideoListRow[];
  readonly channels: readonly ChannelRow[];
}

/** The remote video or channel that `query` names, or null when it cannot be looked up (always, for now). */
export async function resolveRemoteSearch(query: string): Promise<RemoteSearchResult | null> {
  void query;
  return null;
}
