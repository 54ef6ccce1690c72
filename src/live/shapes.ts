/** A live as the API, the watch page and the state events show it, built from rows (pure). */
import type { Config } from "../config.ts";
import { absoluteUrl } from "../http/urls.ts";
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
  // Between the publish and its first segment there is nothing to play yet: viewers keep waiting.
  const onAir = live.state === "live" && live.session !== null && live.playableAt !== null;
  const urls = onAir ? liveUrls(uuid, live.session!) : null;
  return {
    state: live.state === "live" && !onAir ? "waiting" : live.state,
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
    p2pSettings: liveP2pSettings(latency, base.p2pSettings ?? {}),
  };
}

/** Half of the lead a new segment has over the playhead in either mode (see liveP2pSettings). */
const LIVE_HIGH_DEMAND_SECONDS: Record<LiveLatency, number> = { low: 0.5, normal: 0.5 };

/**
 * P2P Media Loader settings for a live. A live player stays a fixed distance behind the edge (2 s in low mode,
 * 5 s in normal; public/player/config.ts), so a new segment is at most that far ahead of the playhead when it
 * is listed, and its start (what the window is measured against) a segment closer: 1 s ahead in both modes. The
 * VOD high-demand window (4 s) would send every new segment straight to HTTP; 0.5 s leaves half of that lead for a
 * peer that already has the segment, and P2P Media Loader's random HTTP loads make sure some viewer does. Waiting
 * for peers before the first request would only delay a live's start.
 */
export function liveP2pSettings(latency: LiveLatency, base: Readonly<Record<string, number>>): Record<string, number> {
  return { ...base, highDemandTimeWindow: LIVE_HIGH_DEMAND_SECONDS[latency], httpDownloadInitialTimeoutMs: 0 };
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

/** PeerTube's live states: 4 waiting for the stream, 5 ended; a live on air is "published". */
const LIVE_API_STATES = {
  waiting: { id: 4, label: "Waiting for livestream" },
  live: { id: 1, label: "Published" },
  ended: { id: 5, label: "Livestream ended" },
} as const;

/**
 * A live's video JSON, as PeerTube gives it: its live state, and while on air one streaming playlist (the
 * session's master and hash map) instead of the VOD ladder; a live has no thumbnail, preview or files.
 */
export function liveVideoJson<T extends { state: object; streamingPlaylists: unknown[] }>(config: Config, json: T, status: LiveStatus): T {
  const playlists =
    status.state === "live" && status.masterUrl && status.hashesUrl
      ? [{ id: 0, type: 1, playlistUrl: absoluteUrl(config, status.masterUrl), segmentsSha256Url: absoluteUrl(config, status.hashesUrl), redundancies: [], files: [] }]
      : [];
  return {
    ...json,
    isLive: true,
    state: { ...LIVE_API_STATES[status.state], progress: 0, reason: null },
    thumbnailPath: null,
    previewPath: null,
    streamingPlaylists: playlists,
    files: [],
  };
}
