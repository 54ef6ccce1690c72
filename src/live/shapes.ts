/** A live as the API, the watch page and the state events show it, built from rows (pure). */
import type { Config } from "../config.ts";
import { liveUrls } from "../storage/layout.ts";
import { swarmIdForLive } from "../p2p/swarm-ids.ts";
import type { LiveOwnerView, LiveWatchView } from "../../views/components/live.tsx";
import type { WatchView } from "../../views/pages/watch.tsx";
import type { LiveLatency, LiveRow, LiveState } from "./queries.ts";

/** PeerTube's LiveVideoLatencyMode: 1 default, 3 small latency. */
export function latencyModeId(mode: LiveLatency): 1 | 3 {
  return mode === "low" ? 3 : 1;
}

/** GET /api/v1/videos/live/:id, as PeerTube answers it (for the owner or an admin only). */
export function liveApiJson(config: Config, live: LiveRow) {
  return {
    rtmpUrl: config.live.rtmpPublicUrl,
    rtmpsUrl: null,
    streamKey: live.streamKey,
    saveReplay: live.saveReplay,
    permanentLive: live.permanent,
    latencyMode: latencyModeId(live.latencyMode),
  };
}

/** Where the current session's files are, when the live is on air. */
export interface LiveStatus {
  readonly state: LiveState;
  readonly session: string | null;
  readonly masterUrl: string | null;
  readonly hashesUrl: string | null;
  readonly replayUrl: string | null;
}

/** The state watch pages follow; a deleted live reads as ended. */
export function liveStatus(uuid: string, live: LiveRow | null): LiveStatus {
  if (!live) return { state: "ended", session: null, masterUrl: null, hashesUrl: null, replayUrl: null };
  const onAir = live.state === "live" && live.session !== null;
  const urls = onAir ? liveUrls(uuid, live.session!) : null;
  return {
    state: live.state,
    session: onAir ? live.session : null,
    masterUrl: urls?.master ?? null,
    hashesUrl: urls?.hashes ?? null,
    replayUrl: live.replayShortId ? `/w/${live.replayShortId}` : null,
  };
}

/** What the live area of the watch page shows, and where it learns of changes. */
export function liveWatchView(shortId: string, live: LiveRow, status: LiveStatus, viewers: number): LiveWatchView {
  return {
    state: status.state,
    session: status.session,
    permanent: live.permanent,
    saveReplay: live.saveReplay,
    latencyMode: live.latencyMode,
    viewers,
    replayUrl: status.replayUrl,
    eventsUrl: `/w/${shortId}/live/events`,
    fragmentUrl: `/w/${shortId}/live/player`,
  };
}

/** The player's view for a live on air: this session's playlist, hashes and swarm, no poster or download. */
export function livePlayerView(base: WatchView, status: LiveStatus, latency: LiveLatency): WatchView {
  // A live has no preview image or downloadable file.
  if (status.state !== "live" || !status.masterUrl || !status.session) return { ...base, posterUrl: "", downloadUrl: null };
  return {
    ...base,
    posterUrl: "",
    masterUrl: status.masterUrl,
    hashesUrl: status.hashesUrl ?? "",
    swarmId: swarmIdForLive(base.uuid, status.session),
    downloadUrl: null,
    duration: 0,
    live: latency,
  };
}

/** The owner's panel: where to stream, with which key. */
export function liveOwnerView(config: Config, shortId: string, live: LiveRow): LiveOwnerView {
  return {
    rtmpUrl: config.live.rtmpPublicUrl,
    streamKey: live.streamKey,
    regenerateUrl: `/w/${shortId}/live/key`,
    state: live.state,
    saveReplay: live.saveReplay,
    permanent: live.permanent,
    latencyMode: live.latencyMode,
  };
}
