/**
 * The player's configuration, read from the data attributes the watch page renders on `<video id="player">`.
 * Pure: a dataset in, plain values out, so the parsing is tested without a browser.
 */

export type LiveLatency = "low" | "normal";

export interface PlayerConfig {
  /** Master playlist URL. */
  readonly src: string;
  readonly videoId: string;
  /** Set on a live's player: how far behind the live edge to play. */
  readonly live?: LiveLatency;
  /** Mirror folders holding the same files as the master playlist's folder (redundancy). */
  readonly mirrors?: readonly string[];
  /** URL of the SHA-256 map of the segments, which mirrors' bytes are checked against. */
  readonly hashesUrl?: string;
}

export interface P2PConfig extends PlayerConfig {
  /** The swarm peers of this video meet in; the server decides its scheme. */
  readonly swarmId: string;
  /** ws(s) URLs of WebTorrent trackers. */
  readonly trackers: readonly string[];
  readonly stunServers: readonly string[];
  readonly hashesUrl: string;
  /** Instance-tuned P2P Media Loader settings, only the keys the core knows. */
  readonly settings: Readonly<Partial<Record<CoreNumberSetting, number>>>;
}

/**
 * Numeric settings of P2P Media Loader 2.x's core (StreamConfig and segmentMemoryStorageLimit) that an
 * instance may tune. Anything else in data-p2p-settings (a v1 name such as cachedSegmentsCount, a typo)
 * is dropped rather than handed to the core, which would keep it around silently.
 */
export const CORE_NUMBER_SETTINGS = [
  "highDemandTimeWindow",
  "httpDownloadTimeWindow",
  "p2pDownloadTimeWindow",
  "httpDownloadInitialTimeoutMs",
  "simultaneousHttpDownloads",
  "simultaneousP2PDownloads",
  "webRtcMaxMessageSize",
  "p2pNotReceivingBytesTimeoutMs",
  "p2pInactiveLoaderDestroyTimeoutMs",
  "httpNotReceivingBytesTimeoutMs",
  "httpErrorRetries",
  "p2pErrorRetries",
  "segmentMemoryStorageLimit",
] as const;

export type CoreNumberSetting = (typeof CORE_NUMBER_SETTINGS)[number];

type Dataset = Readonly<Record<string, string | undefined>>;

/** The attributes every player needs. */
export function readPlayerConfig(dataset: Dataset): PlayerConfig {
  const live = dataset.live === "low" || dataset.live === "normal" ? dataset.live : undefined;
  const mirrors = stringList(dataset.mirrors).filter((m) => /^https?:\/\//.test(m));
  return {
    src: dataset.src ?? "",
    videoId: dataset.videoId ?? "",
    ...(live ? { live } : {}),
    ...(mirrors.length ? { mirrors } : {}),
    ...(dataset.hashes ? { hashesUrl: dataset.hashes } : {}),
  };
}

/**
 * hls.js settings for a live, by latency mode. Latency is about encoder delay (0.4 s measured from the publisher's
 * frame to the segment on disk, beyond the segment's own length) + the newest segment's age when the player sees it
 * + the distance kept behind the live edge, so that distance is the knob: low mode (1 s segments) keeps 2 s, normal
 * mode (4 s segments) keeps 5 s. A stall pushes playback further back; hls.js then plays slightly faster while it
 * has buffer, and past `liveMaxLatencyDuration` jumps back to the distance rather than stay late for the rest of the
 * live: a low-latency viewer would rather skip a second than watch four seconds late.
 */
export function liveHlsConfig(mode: LiveLatency | undefined): Record<string, number> {
  if (mode === "low") return { liveSyncDuration: 2, liveMaxLatencyDuration: 3.5, maxLiveSyncPlaybackRate: 1.25, backBufferLength: 30 };
  if (mode === "normal") return { liveSyncDuration: 5, liveMaxLatencyDuration: 9, maxLiveSyncPlaybackRate: 1.1, backBufferLength: 60 };
  return {};
}

/** Everything the P2P player needs; malformed JSON attributes count as empty. */
export function readP2PConfig(dataset: Dataset): P2PConfig {
  return {
    ...readPlayerConfig(dataset),
    swarmId: dataset.swarmId ?? "",
    trackers: stringList(dataset.trackers),
    stunServers: stringList(dataset.stun),
    hashesUrl: dataset.hashes ?? "",
    settings: knownSettings(parseJson(dataset.p2pSettings)),
  };
}

/** Keeps the known core settings that hold finite, non-negative numbers. */
export function knownSettings(value: unknown): Partial<Record<CoreNumberSetting, number>> {
  const settings: Partial<Record<CoreNumberSetting, number>> = {};
  if (!value || typeof value !== "object" || Array.isArray(value)) return settings;
  const record = value as Record<string, unknown>;
  for (const key of CORE_NUMBER_SETTINGS) {
    const v = record[key];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) settings[key] = v;
  }
  return settings;
}

/**
 * The core configuration: the instance's settings, its trackers and STUN servers (an empty list means
 * no STUN at all, never the library's default Google and Twilio servers), the swarm id and the hook
 * that checks peers' segments. Top-level keys apply to the main and the secondary (audio) stream alike.
 */
export function coreConfig(config: P2PConfig, validateP2PSegment: (url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer) => Promise<boolean>) {
  const sources = 1 + (config.mirrors?.length ?? 0);
  return {
    ...config.settings,
    // Each retry of a failed HTTP download goes to the next source (redundancy): enough retries to try them all.
    ...(sources > 1 ? { httpErrorRetries: Math.max(config.settings.httpErrorRetries ?? 3, sources + 1) } : {}),
    swarmId: config.swarmId || undefined,
    announceTrackers: [...config.trackers],
    rtcConfig: { iceServers: config.stunServers.map((urls) => ({ urls })) },
    validateP2PSegment,
  };
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringList(text: string | undefined): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}
