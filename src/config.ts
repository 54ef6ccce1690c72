/** Instance configuration: parsed once from the environment into a typed, frozen object. */

export type SignupMode = "open" | "closed" | "approval";

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Public origin without a trailing slash, e.g. https://video.example.org */
  readonly publicUrl: string;
  /** Host name (with port when not default) used in handles and federation. */
  readonly publicHost: string;
  readonly secureCookies: boolean;
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key, so several instances (or test runs) can share one Redis. */
  readonly redisPrefix: string;
  readonly signup: SignupMode;
  readonly instanceName: string;
  /** Failed logins allowed per window, per IP and per account. */
  readonly loginLimit: { readonly perIp: number; readonly perAccount: number; readonly windowSeconds: number };
  /** Largest request body accepted by page and API routes, in bytes (uploads have their own limits). */
  readonly maxBodyBytes: number;
  readonly maxAvatarBytes: number;
  /** Behind a reverse proxy (Caddy): take the client address from the last X-Forwarded-For hop. */
  readonly trustProxy: boolean;
  /** How long a public listing (home, browse, search) may be reused for other visitors, in ms; 0 turns reuse off. */
  readonly listingCacheMs: number;
  readonly videos: VideoConfig;
  readonly p2p: P2pConfig;
  readonly live: LiveConfig;
  readonly federation: FederationConfig;
  readonly runners: RunnersConfig;
  readonly redundancy: RedundancyConfig;
}

/** Remote transcoding runners (`tubelet runner`): who transcodes, and when a silent runner loses its job. */
export interface RunnersConfig {
  /** local: this instance's workers only; runners: remote runners only; both: runners first, local after `fallbackSeconds`. */
  readonly mode: "local" | "runners" | "both";
  /** In "both" mode, a job no runner accepted within this time goes to a local worker. */
  readonly fallbackSeconds: number;
  /** A runner silent for this long on a job it accepted loses it; the job is offered again. */
  readonly jobTimeoutSeconds: number;
}

/** ActivityPub federation: discovery, actors, signed inboxes and outbound delivery. */
export interface FederationConfig {
  /** false: no ActivityPub routes, no discovery, no delivery; the instance stands alone. */
  readonly enabled: boolean;
  /** Let outbound fetches and deliveries reach private, loopback and link-local addresses (tests, LAN setups). */
  readonly allowPrivate: boolean;
  /** Tries per outbound delivery before it is dropped. */
  readonly deliveryAttempts: number;
  /** First retry delay of a delivery; each next one doubles. */
  readonly deliveryBackoffMs: number;
  /** Largest activity an inbox accepts, in bytes. */
  readonly maxInboxBytes: number;
  /** Largest remote document (actor, key) read, in bytes, and the time allowed to fetch it. */
  readonly maxFetchBytes: number;
  readonly fetchTimeoutMs: number;
  /** Accepted distance, each way, between a signed request's Date and our clock. */
  readonly signatureWindowSeconds: number;
  /** Consecutive delivery failures after which a host is paused, the first pause, and the longest one. */
  readonly hostPauseAfter: number;
  readonly hostPauseMs: number;
  readonly hostPauseMaxMs: number;
  /** Follows of the instance actor wait for an administrator's Accept or Reject instead of being accepted at once. */
  readonly manualApproval: boolean;
}

export interface VideoConfig {
  /** Largest file one upload may declare or send. */
  readonly maxUploadBytes: number;
  /** Longest accepted video, in seconds. */
  readonly maxDurationSeconds: number;
  /** Quotas given to new accounts, in bytes; -1 means none. */
  readonly defaultQuota: number;
  readonly defaultDailyQuota: number;
  /** Ladder rungs (heights); only those up to the source's are made. */
  readonly resolutions: readonly number[];
  readonly segmentSeconds: number;
  readonly transcodeConcurrency: number;
  /** x264 preset: slower is smaller and better, faster keeps a 2-core box responsive. */
  readonly preset: string;
  /** How long a job's lock lives without renewal; after a crash the job runs again once it lapses. */
  readonly jobLockSeconds: number;
}

/** Live streaming: the RTMP listener publishers push to, and what lives may cost the instance. */
export interface LiveConfig {
  /** false: nobody can create a live or publish (admins turn lives off); existing lives stay viewable. */
  readonly enabled: boolean;
  /** RTMP listen port; 0 turns the RTMP listener off. */
  readonly rtmpPort: number;
  /** RTMP listen address: loopback by default, like TUBELET_HOST; 0.0.0.0 on a server publishers reach directly. */
  readonly rtmpHost: string;
  /** What publishers (OBS) are told to push to, e.g. rtmp://video.example.org:1935/live; no trailing slash. */
  readonly rtmpPublicUrl: string;
  /** Lives one user may have on air at once. */
  readonly maxPerUser: number;
  /** Lives on air at once on the whole instance. */
  readonly maxInstance: number;
  /** A publish longer than this is cut. */
  readonly maxSeconds: number;
  /** Live ladder rungs (heights); only those up to the source's are made. */
  readonly resolutions: readonly number[];
  /** Also offer the source as sent (no re-encode) when its codecs are H.264 and AAC. */
  readonly passthrough: boolean;
}

/** Peer-to-peer delivery: the WebTorrent tracker served at /tracker/socket. */
export interface P2pConfig {
  /** Instance default for viewers who have not chosen: off (never), ask (notice first), on (on, with a notice). */
  readonly defaultMode: "off" | "ask" | "on";
  /** STUN servers for WebRTC; empty means peers only meet on networks that need none (a LAN, one NAT). */
  readonly stunServers: readonly string[];
  /** P2P Media Loader core settings handed to players (see player defaults in parseP2pConfig). */
  readonly player: Readonly<Record<string, number>>;
  readonly tracker: TrackerConfig;
}

export interface TrackerConfig {
  /** Tracker WebSockets open at once, all addresses together; more are refused with 503. */
  readonly maxConnections: number;
  /** Tracker WebSockets open at once from one address; more are refused with 429. */
  readonly maxConnectionsPerIp: number;
  /** A socket with no frame either way for this long is closed (Bun checks every 4 s, so up to 4 s sooner). */
  readonly idleSeconds: number;
  /** Largest tracker message accepted; a bigger one closes that socket (code 1009). */
  readonly maxMessageBytes: number;
  /** Announces one address may make for one swarm per window, and for all swarms together. */
  readonly announcesPerSwarm: number;
  readonly announcesPerIp: number;
  readonly announceWindowSeconds: number;
}

/** A configuration problem an operator can act on: which variable, what is wrong, an example. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
    example: string,
  ) {
    super(`${variable}: ${problem} (example: ${variable}=${example})`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, example: string): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a whole number`, example);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`, example);
  return value;
}

function url(env: Env, name: string, fallback: string, protocols: string[], example: string): URL {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL`, example);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `protocol must be ${protocols.join(" or ")}, got "${parsed.protocol}"`, example);
  }
  return parsed;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = (env[name] ?? "").trim();
  if (raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(", ")}`, allowed[0]!);
  }
  return raw as T;
}

/** Reads the TUBELET_* variables plus DATABASE_URL and REDIS_URL; throws ConfigError on the first bad one. */
export function parseConfig(env: Env): Config {
  const port = integer(env, "TUBELET_PORT", 9000, 0, 65535, "9000");
  const host = (env.TUBELET_HOST || "127.0.0.1").trim();
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError("TUBELET_HOST", `"${host}" is not a host name or address`, "127.0.0.1");
  const publicUrl = url(env, "TUBELET_PUBLIC_URL", "http://localhost:9000", ["http:", "https:"], "https://video.example.org");
  if (publicUrl.pathname !== "/" || publicUrl.search || publicUrl.hash) {
    throw new ConfigError("TUBELET_PUBLIC_URL", "must be an origin with no path, query or fragment", "https://video.example.org");
  }
  const database = url(env, "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tubelet", ["postgres:", "postgresql:"], "postgres://postgres@127.0.0.1:5432/tubelet");
  if (database.pathname.length < 2) throw new ConfigError("DATABASE_URL", "names no database", "postgres://postgres@127.0.0.1:5432/tubelet");
  const redis = url(env, "REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"], "redis://127.0.0.1:6379");
  const dataDir = (env.TUBELET_DATA_DIR || "./data").trim();
  const instanceName = (env.TUBELET_INSTANCE_NAME || "Tubelet").trim().slice(0, 60);

  return Object.freeze({
    port,
    host,
    publicUrl: publicUrl.origin,
    publicHost: publicUrl.host,
    secureCookies: publicUrl.protocol === "https:",
    dataDir,
    databaseUrl: database.href,
    redisUrl: redis.href,
    redisPrefix: (env.TUBELET_REDIS_PREFIX || "tubelet:").trim(),
    signup: oneOf<SignupMode>(env, "TUBELET_SIGNUP", "open", ["open", "closed", "approval"]),
    instanceName,
    loginLimit: Object.freeze({
      perIp: integer(env, "TUBELET_LOGIN_LIMIT_PER_IP", 20, 1, 100_000, "20"),
      perAccount: integer(env, "TUBELET_LOGIN_LIMIT_PER_ACCOUNT", 5, 1, 100_000, "5"),
      windowSeconds: integer(env, "TUBELET_LOGIN_LIMIT_WINDOW", 900, 1, 86_400, "900"),
    }),
    maxBodyBytes: integer(env, "TUBELET_MAX_BODY_BYTES", 1_048_576, 1024, 1 << 30, "1048576"),
    maxAvatarBytes: integer(env, "TUBELET_MAX_AVATAR_BYTES", 4 * 1_048_576, 1024, 1 << 30, "4194304"),
    trustProxy: oneOf(env, "TUBELET_TRUST_PROXY", "false", ["false", "true"]) === "true",
    listingCacheMs: integer(env, "TUBELET_LISTING_CACHE_MS", 1000, 0, 60_000, "1000"),
    videos: parseVideoConfig(env),
    p2p: parseP2pConfig(env),
    live: parseLiveConfig(env, publicUrl),
    federation: parseFederationConfig(env),
    runners: Object.freeze({
      mode: oneOf(env, "TUBELET_TRANSCODING_MODE", "local", ["local", "runners", "both"]),
      fallbackSeconds: integer(env, "TUBELET_RUNNER_FALLBACK_SECONDS", 30, 1, 86_400, "30"),
      jobTimeoutSeconds: integer(env, "TUBELET_RUNNER_JOB_TIMEOUT_SECONDS", 120, 2, 86_400, "120"),
    }),
    redundancy: parseRedundancyConfig(env),
  });
}

const RUNGS = [144, 240, 360, 480, 720, 1080, 1440, 2160];
const PRESETS = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"] as const;

function parseVideoConfig(env: Env): VideoConfig {
  const rawResolutions = (env.TUBELET_RESOLUTIONS || RUNGS.join(",")).split(",").map((r) => r.trim());
  const resolutions = rawResolutions.map(Number);
  if (resolutions.some((r) => !RUNGS.includes(r))) {
    throw new ConfigError("TUBELET_RESOLUTIONS", `each value must be one of ${RUNGS.join(", ")}`, "240,480,720,1080");
  }
  return Object.freeze({
    maxUploadBytes: integer(env, "TUBELET_MAX_UPLOAD_BYTES", 8 * 1024 ** 3, 1024, 2 ** 50, "8589934592"),
    maxDurationSeconds: integer(env, "TUBELET_MAX_DURATION", 6 * 3600, 1, 7 * 86_400, "21600"),
    defaultQuota: integerOrUnlimited(env, "TUBELET_USER_QUOTA", "107374182400"),
    defaultDailyQuota: integerOrUnlimited(env, "TUBELET_USER_QUOTA_DAILY", "10737418240"),
    resolutions: Object.freeze([...new Set(resolutions)].sort((a, b) => a - b)),
    segmentSeconds: integer(env, "TUBELET_SEGMENT_SECONDS", 4, 1, 30, "4"),
    transcodeConcurrency: integer(env, "TUBELET_TRANSCODE_CONCURRENCY", 1, 1, 64, "1"),
    preset: oneOf(env, "TUBELET_X264_PRESET", "veryfast", PRESETS),
    jobLockSeconds: integer(env, "TUBELET_JOB_LOCK_SECONDS", 30, 2, 3600, "30"),
  });
}

function integerOrUnlimited(env: Env, name: string, example: string): number {
  return (env[name] ?? "").trim() === "-1" ? -1 : integer(env, name, -1, 0, 2 ** 50, example);
}

/**
 * Tracker limits. Defaults follow PeerTube's (15 announces per address and swarm, 30 per address, per 5 minutes).
 * The idle limit is Bun's: 8..960 s. Below 240 s the tracker also shortens the announce interval it gives
 * clients, so that a quiet but healthy viewer always speaks before its socket times out.
 */
function parseP2pConfig(env: Env): P2pConfig {
  const stunServers = (env.TUBELET_STUN_SERVERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (stunServers.some((s) => !/^stuns?:[\w.-]+(:\d+)?$/.test(s))) {
    throw new ConfigError("TUBELET_STUN_SERVERS", "each entry must look like stun:host:port", "stun:stun.example.org:3478");
  }
  return Object.freeze({
    defaultMode: oneOf(env, "TUBELET_P2P", "ask", ["off", "ask", "on"]),
    stunServers: Object.freeze(stunServers),
    player: Object.freeze({
      // Defaults chosen with `bun run bench p2p` (three viewers of a 60 s video, 4 s segments). On loopback,
      // P2P Media Loader's own defaults (15 s window, no initial delay) reached 0.62-0.72 of the possible
      // offload; any window of 4-15 s with the 1.5 s initial delay reached the limit. With the origin's
      // segments squeezed through one link of 1.5× the bitrate, the window decides: 15 s offloaded 0.28 of the
      // limit with 28 stalls, 8 s 0.17 with 24, 4 s 0.73 with 9, and 4 s with a 20 s HTTP window 0.84 with 5.
      // Segments due within the high-demand window are fetched over HTTP, cancelling a peer download.
      highDemandTimeWindow: integer(env, "TUBELET_P2P_HIGH_DEMAND_SECONDS", 4, 1, 120, "4"),
      // Segments that no peer has yet and are due within this window may be fetched over HTTP ahead of need,
      // to spread the first copy; further ahead, only from peers. The library's 3000 s lets every viewer
      // pull far-off segments from a busy origin while the ones being played wait behind them.
      httpDownloadTimeWindow: integer(env, "TUBELET_P2P_HTTP_WINDOW_SECONDS", 20, 1, 100_000, "20"),
      p2pDownloadTimeWindow: integer(env, "TUBELET_P2P_P2P_WINDOW_SECONDS", 6000, 1, 100_000, "6000"),
      // Before its first HTTP request a new viewer waits this long for peers to offer what it needs.
      httpDownloadInitialTimeoutMs: integer(env, "TUBELET_P2P_HTTP_INITIAL_DELAY_MS", 1500, 0, 60_000, "1500"),
      // The library's default: with the origin limited, 1, 3 and 5 measured within one run's noise of each
      // other (0.84-0.93 of the limit, 4-5 stalls).
      simultaneousP2PDownloads: integer(env, "TUBELET_P2P_SIMULTANEOUS_DOWNLOADS", 3, 1, 20, "3"),
      // Segments kept in memory to serve other viewers. The library takes up to 4 GiB per tab on desktop; 256 MiB
      // still holds about 14 minutes of a 2.5 Mbit/s 720p rendition behind the playhead, and viewers who
      // arrive together, the ones who can share, need only the last few segments.
      segmentMemoryStorageLimit: integer(env, "TUBELET_P2P_CACHE_MB", 256, 16, 4096, "256"),
    }),
    tracker: Object.freeze({
      maxConnections: integer(env, "TUBELET_TRACKER_MAX_CONNECTIONS", 10_000, 1, 1_000_000, "10000"),
      maxConnectionsPerIp: integer(env, "TUBELET_TRACKER_MAX_PER_IP", 32, 1, 1_000_000, "32"),
      idleSeconds: integer(env, "TUBELET_TRACKER_IDLE_SECONDS", 300, 8, 960, "300"),
      maxMessageBytes: integer(env, "TUBELET_TRACKER_MAX_MESSAGE_BYTES", 16_384, 1024, 1_048_576, "16384"),
      announcesPerSwarm: integer(env, "TUBELET_TRACKER_ANNOUNCES_PER_SWARM", 15, 1, 1_000_000_000, "15"),
      announcesPerIp: integer(env, "TUBELET_TRACKER_ANNOUNCES_PER_IP", 30, 1, 1_000_000_000, "30"),
      announceWindowSeconds: integer(env, "TUBELET_TRACKER_ANNOUNCE_WINDOW_SECONDS", 300, 1, 86_400, "300"),
    }),
  });
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, fallback ? "true" : "false", fallback ? ["true", "false"] : ["false", "true"]) === "true";
}

/**
 * Live settings. The RTMP listener binds to loopback by default, as the web port does: publishers on other
 * machines need TUBELET_RTMP_HOST=0.0.0.0 (a VPS without a proxy in front) and the port open in the firewall.
 */
function parseLiveConfig(env: Env, publicUrl: URL): LiveConfig {
  const rtmpPort = integer(env, "TUBELET_RTMP_PORT", 1935, 0, 65535, "1935");
  const rtmpHost = (env.TUBELET_RTMP_HOST || "127.0.0.1").trim();
  if (!/^[\w.:-]+$/.test(rtmpHost)) throw new ConfigError("TUBELET_RTMP_HOST", `"${rtmpHost}" is not a host name or address`, "0.0.0.0");
  // OBS is told the public host name; the port is left out when it is RTMP's default.
  const fallback = `rtmp://${publicUrl.hostname}${rtmpPort === 1935 || rtmpPort === 0 ? "" : `:${rtmpPort}`}/live`;
  const publicRtmp = url(env, "TUBELET_RTMP_PUBLIC_URL", fallback, ["rtmp:", "rtmps:"], "rtmp://video.example.org:1935/live");
  if (publicRtmp.search || publicRtmp.hash) {
    throw new ConfigError("TUBELET_RTMP_PUBLIC_URL", "must have no query or fragment", "rtmp://video.example.org:1935/live");
  }
  const rawResolutions = (env.TUBELET_LIVE_RESOLUTIONS || "360,720").split(",").map((r) => r.trim());
  const resolutions = rawResolutions.map(Number);
  if (resolutions.some((r) => !RUNGS.includes(r))) {
    throw new ConfigError("TUBELET_LIVE_RESOLUTIONS", `each value must be one of ${RUNGS.join(", ")}`, "360,720");
  }
  return Object.freeze({
    enabled: boolean(env, "TUBELET_LIVE_ALLOW", true),
    rtmpPort,
    rtmpHost,
    rtmpPublicUrl: publicRtmp.href.replace(/\/+$/, ""),
    maxPerUser: integer(env, "TUBELET_LIVE_MAX_PER_USER", 1, 1, 1000, "1"),
    maxInstance: integer(env, "TUBELET_LIVE_MAX_INSTANCE", 10, 1, 100_000, "10"),
    maxSeconds: integer(env, "TUBELET_LIVE_MAX_SECONDS", 6 * 3600, 60, 7 * 86_400, "21600"),
    resolutions: Object.freeze([...new Set(resolutions)].sort((a, b) => a - b)),
    passthrough: boolean(env, "TUBELET_LIVE_PASSTHROUGH", false),
  });
}

/**
 * Federation settings. Eight delivery attempts from 30 s doubling reach about an hour of retries, enough to ride
 * out a restart or a short outage of the receiving server without keeping dead inboxes in the queue for days.
 */
function parseFederationConfig(env: Env): FederationConfig {
  return Object.freeze({
    enabled: boolean(env, "TUBELET_FEDERATION", true),
    allowPrivate: boolean(env, "TUBELET_FEDERATION_ALLOW_PRIVATE", false),
    deliveryAttempts: integer(env, "TUBELET_FEDERATION_DELIVERY_ATTEMPTS", 8, 1, 100, "8"),
    deliveryBackoffMs: integer(env, "TUBELET_FEDERATION_DELIVERY_BACKOFF_MS", 30_000, 100, 86_400_000, "30000"),
    maxInboxBytes: integer(env, "TUBELET_FEDERATION_MAX_INBOX_BYTES", 524_288, 1024, 16 * 1_048_576, "524288"),
    maxFetchBytes: integer(env, "TUBELET_FEDERATION_MAX_FETCH_BYTES", 1_048_576, 1024, 64 * 1_048_576, "1048576"),
    fetchTimeoutMs: integer(env, "TUBELET_FEDERATION_FETCH_TIMEOUT_MS", 10_000, 100, 120_000, "10000"),
    signatureWindowSeconds: integer(env, "TUBELET_FEDERATION_SIGNATURE_WINDOW", 3600, 30, 86_400, "3600"),
    hostPauseAfter: integer(env, "TUBELET_FEDERATION_HOST_PAUSE_AFTER", 10, 1, 1000, "10"),
    hostPauseMs: integer(env, "TUBELET_FEDERATION_HOST_PAUSE_MS", 60_000, 100, 86_400_000, "60000"),
    hostPauseMaxMs: integer(env, "TUBELET_FEDERATION_HOST_PAUSE_MAX_MS", 21_600_000, 100, 7 * 86_400_000, "21600000"),
    manualApproval: boolean(env, "TUBELET_FEDERATION_MANUAL_APPROVAL", false),
  });
}

/** One mirroring strategy: how much disk its mirrors may take (0 turns it off) and how long each is kept at least. */
export interface RedundancyStrategyConfig {
  readonly sizeBytes: number;
  readonly minLifetimeHours: number;
}

/**
 * Redundancy: mirroring the videos of followed instances, and who may mirror ours. These are the defaults; the
 * administrators may change all but the interval on /admin/redundancy.
 */
export interface RedundancyConfig {
  readonly enabled: boolean;
  /** How often the mirroring job runs: chooses, downloads, renews, evicts, and re-checks others' mirrors of ours. */
  readonly intervalSeconds: number;
  readonly maxItems: number;
  readonly acceptFrom: "nobody" | "anybody" | "followings";
  readonly mostViewed: RedundancyStrategyConfig;
  readonly trending: RedundancyStrategyConfig;
  readonly recentlyAdded: RedundancyStrategyConfig & { readonly minViews: number };
}

function parseRedundancyStrategy(env: Env, name: string, sizeBytes: number): RedundancyStrategyConfig {
  return Object.freeze({
    sizeBytes: integer(env, `TUBELET_REDUNDANCY_${name}_BYTES`, sizeBytes, 0, 2 ** 50, "10737418240"),
    minLifetimeHours: integer(env, `TUBELET_REDUNDANCY_${name}_MIN_HOURS`, 24, 0, 24 * 365, "24"),
  });
}

/** Redundancy is off until an administrator turns it on; accepting others' mirrors is PeerTube's default (anybody). */
function parseRedundancyConfig(env: Env): RedundancyConfig {
  return Object.freeze({
    enabled: boolean(env, "TUBELET_REDUNDANCY", false),
    intervalSeconds: integer(env, "TUBELET_REDUNDANCY_INTERVAL_SECONDS", 3600, 1, 7 * 86_400, "3600"),
    maxItems: integer(env, "TUBELET_REDUNDANCY_MAX_ITEMS", 100, 0, 1_000_000, "100"),
    acceptFrom: oneOf(env, "TUBELET_REDUNDANCY_ACCEPT_FROM", "anybody", ["nobody", "anybody", "followings"]),
    mostViewed: parseRedundancyStrategy(env, "MOST_VIEWED", 10 * 1024 ** 3),
    trending: parseRedundancyStrategy(env, "TRENDING", 0),
    recentlyAdded: Object.freeze({
      ...parseRedundancyStrategy(env, "RECENTLY_ADDED", 0),
      minViews: integer(env, "TUBELET_REDUNDANCY_RECENTLY_ADDED_MIN_VIEWS", 10, 0, 1_000_000_000, "10"),
    }),
  });
}
