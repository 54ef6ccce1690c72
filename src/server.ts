/** Builds the app from feature plugins and serves it with one Bun.serve. */
import { Elysia } from "elysia";
import { html } from "@elysiajs/html";
import type { Config } from "./config.ts";
import { ConfigError } from "./config.ts";
import { checkDatabase, createSql } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { MIGRATIONS } from "./db/migrations.ts";
import { checkRedis, createRedis } from "./queue/redis.ts";
import { loadAssets } from "./http/assets.ts";
import { contextPlugin, type AppDeps } from "./http/context.ts";
import { errorHandler } from "./http/error-handler.tsx";
import { HttpError } from "./http/errors.ts";
import { createRateLimiter } from "./http/rate-limit.ts";
import { createVisitorPages } from "./http/visitor-pages.ts";
import { createMicroCache } from "./http/micro-cache.ts";
import { staticRoutes } from "./http/static-routes.ts";
import { homeRoutes } from "./home/routes.tsx";
import { accountRoutes } from "./accounts/routes.tsx";
import { channelRoutes } from "./channels/routes.tsx";
import { channelApiRoutes } from "./channels/api.ts";
import { apiRoutes } from "./api/routes.ts";
import { videoApiRoutes } from "./videos/api.ts";
import { videoRoutes } from "./videos/routes.tsx";
import { createViewCounter } from "./videos/views.ts";
import { removeExpiredUploads, requeueWaitingVideos } from "./videos/housekeeping.ts";
import { searchRoutes } from "./search/routes.tsx";
import { createQueues, startWorkers, type WorkerPool } from "./queue/queues.ts";
import { createTranscodeHandler } from "./videos/transcode-job.ts";
import { createLayout } from "./storage/layout.ts";
import { createTracker, type TrackerSocket } from "./p2p/tracker.ts";
import { createP2PStats } from "./p2p/stats.ts";
import { p2pRoutes } from "./p2p/routes.tsx";
import { browseRoutes } from "./browse/routes.tsx";
import { commentRoutes } from "./comments/routes.tsx";
import { ratingRoutes } from "./ratings/routes.tsx";
import { subscriptionRoutes } from "./subscriptions/routes.tsx";
import { notificationRoutes } from "./notifications/routes.tsx";
import { playlistRoutes } from "./playlists/routes.tsx";
import { feedRoutes } from "./feeds/routes.ts";
import { settingsRoutes } from "./settings/routes.tsx";
import { liveRoutes } from "./live/routes.tsx";
import { startLive, type RunningLive } from "./live/start.ts";
import { federationRoutes } from "./federation/routes.ts";
import { fetcherFor, instanceActor } from "./federation/actors.ts";
import { createInboxHandler } from "./federation/inbox.ts";
import { createDeliveryHandler } from "./federation/delivery.ts";
import { runnerApiRoutes } from "./runners/api.ts";
import { runnerAdminRoutes } from "./runners/admin-routes.tsx";
import { createRunnerSocketHub, runnerAnnouncer, type RunnerSocket } from "./runners/socket.ts";
import { startRunnerSupervisor } from "./runners/service.ts";
import { createLiveFeeds, type LiveFeeds } from "./runners/live-feeds.ts";
import { startRedundancySchedule } from "./redundancy/service.ts";
import { redundancyRoutes } from "./redundancy/routes.tsx";

/**
 * The Content-Security-Policy of every page. Alpine evaluates x- attributes with new Function, hence 'unsafe-eval';
 * no inline scripts are allowed. Players fetch playlists, segments and hash maps from other origins (a followed
 * instance's videos play from its origin, mirrors serve copies) and announce to trackers on other hosts, and cards
 * show remote thumbnails: so images, media and connections may go to any https/wss origin (plain http/ws too where
 * federation may reach private addresses, i.e. tests and LANs). Scripts, styles, fonts and frames stay our own.
 */
export function contentPolicy(config: Config): string {
  const remote = config.federation.allowPrivate ? "https: http:" : "https:";
  const sockets = config.federation.allowPrivate ? "wss: ws:" : "wss:";
  return (
    `default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: ${remote}; ` +
    `media-src 'self' blob: ${remote}; connect-src 'self' ${remote} ${sockets}; worker-src 'self' blob:; font-src 'self' data:; ` +
    "base-uri 'self'; form-action 'self'"
  );
}

/** Headers of every response; the embed page is the one page other sites may put in a frame. */
function securityHeaders(config: Config, embed: boolean): Record<string, string> {
  const common = { "x-content-type-options": "nosniff", "referrer-policy": "strict-origin-when-cross-origin" };
  if (embed) return { "content-security-policy": `${contentPolicy(config)}; frame-ancestors *`, ...common };
  return { "content-security-policy": `${contentPolicy(config)}; frame-ancestors 'none'`, ...common, "x-frame-options": "DENY" };
}

const EMBED_PREFIX = "/videos/embed/";

/** The shared inbox and every actor's inbox. */
const INBOX_PATH = /^\/(?:(?:accounts|video-channels)\/[^/]+\/)?inbox$/;

/** A runner's uploads: a VOD ladder (which may outweigh the original several times), or a live's segments. */
const RUNNER_RESULT_PATH = /^\/api\/v1\/runners\/jobs\/[^/]+\/(?:success|update)$/;
const runnerResultLimit = (config: Config) => 2 * config.videos.maxUploadBytes + 1_048_576;

/** The largest body a path accepts: uploads and avatars have their own limits, everything else a small one. */
export function bodyLimitFor(pathname: string, config: Config): number {
  if (pathname === "/api/v1/videos/upload" || pathname === "/api/v1/videos/upload-resumable") {
    return config.videos.maxUploadBytes + 1_048_576; // room for the multipart envelope and fields
  }
  if (pathname.endsWith("/avatar") || pathname.endsWith("/avatar/pick")) return config.maxAvatarBytes + 65_536;
  if (INBOX_PATH.test(pathname)) return config.federation.maxInboxBytes;
  if (RUNNER_RESULT_PATH.test(pathname)) return runnerResultLimit(config);
  return config.maxBodyBytes;
}

/** Refuses oversized bodies from their declared length, before any byte is read. */
function bodyLimit(config: Config) {
  const pageHeaders = securityHeaders(config, false);
  const embedHeaders = securityHeaders(config, true);
  return new Elysia({ name: "body-limit" }).onRequest(({ request, set }) => {
    const length = Number(request.headers.get("content-length") ?? 0);
    const pathname = new URL(request.url).pathname;
    const limit = bodyLimitFor(pathname, config);
    // Without a declared length only Bun's global cap (sized for uploads) would apply; small routes insist on one.
    if (request.headers.has("transfer-encoding") && !request.headers.has("content-length") && limit <= config.maxBodyBytes) {
      throw new HttpError(411, "Send this request with a Content-Length header.");
    }
    if (length > limit) {
      throw new HttpError(413, `The request body is ${length} bytes; the limit here is ${limit} bytes.`);
    }
    Object.assign(set.headers, pathname.startsWith(EMBED_PREFIX) ? embedHeaders : pageHeaders);
  });
}

/** The whole HTTP application; `app.handle(request)` serves it without a port, which the tests use. */
export function createApp(deps: AppDeps, liveFeeds: LiveFeeds = createLiveFeeds()) {
  const context = contextPlugin(deps);
  const runners = { ...deps, announceJobs: runnerAnnouncer(deps.redis, deps.config.redisPrefix), liveFeeds };
  return new Elysia()
    .use(html({ autoDoctype: false, contentType: "text/html; charset=utf-8" }))
    .use(errorHandler(deps))
    .use(bodyLimit(deps.config))
    .use(staticRoutes(deps))
    // Before the page routes: it answers ActivityPub clients on /a/:name and /c/:name.
    .use(federationRoutes(context, deps))
    .use(homeRoutes(context))
    .use(accountRoutes(context))
    .use(channelRoutes(context))
    .use(videoRoutes(context, deps))
    .use(liveRoutes(context))
    .use(searchRoutes(context))
    .use(p2pRoutes(context))
    .use(browseRoutes(context))
    .use(commentRoutes(context))
    .use(ratingRoutes(context))
    .use(subscriptionRoutes(context))
    .use(notificationRoutes(context))
    .use(playlistRoutes(context))
    .use(feedRoutes(context))
    .use(settingsRoutes(context))
    .use(redundancyRoutes(context))
    .use(channelApiRoutes(context))
    .use(videoApiRoutes(context, deps))
    .use(runnerApiRoutes(context, runners))
    .use(runnerAdminRoutes(context, runners))
    .use(apiRoutes(context));
}

export interface Running {
  readonly url: string;
  /** Where publishers connect, when this process listens for RTMP. */
  readonly rtmpPort: number | null;
  stop(): Promise<void>;
}

export type Role = "web" | "worker" | "all";

const VIEW_FLUSH_MS = 5000;
/** Longer than the 25 s between keep-alives of every event stream. */
const SSE_IDLE_SECONDS = 60;
/** Distinct listings (page × filters × preferences) kept at once; each holds at most a page of rows. */
export const LISTING_CACHE_ENTRIES = 1000;
const HOUSEKEEPING_MS = 10 * 60_000;

/** Inbound activities and deliveries are mostly network waits, so several run at once per process. */
const FEDERATION_CONCURRENCY = 8;

/** Starts the in-process job workers: transcoding, and federation's inbox and delivery queues. */
export function startJobWorkers(deps: Pick<AppDeps, "sql" | "config" | "layout" | "queues" | "redis">): WorkerPool {
  const { config } = deps;
  const federation = { sql: deps.sql, config, queues: deps.queues, fetcher: fetcherFor(config) };
  return startWorkers(
    config.redisUrl,
    config.redisPrefix,
    {
      transcode: { handler: createTranscodeHandler({ ...deps, announceRunnerJobs: runnerAnnouncer(deps.redis, config.redisPrefix) }), concurrency: config.videos.transcodeConcurrency },
      ...(config.federation.enabled
        ? {
            "ap-inbox": { handler: createInboxHandler(federation), concurrency: FEDERATION_CONCURRENCY },
            "ap-deliver": { handler: createDeliveryHandler(federation), concurrency: FEDERATION_CONCURRENCY },
          }
        : {}),
    },
    config.videos.jobLockSeconds,
  );
}

/** Connects to PostgreSQL and Redis, migrates, and starts listening; every failure names its setting. */
export async function startServer(config: Config, role: Role = "all"): Promise<Running> {
  const sql = createSql(config.databaseUrl);
  const redis = createRedis(config.redisUrl);
  try {
    await checkDatabase(sql, config.databaseUrl);
    await checkRedis(redis, config.redisUrl);
    await migrate(sql, MIGRATIONS);
    // The instance actor and its keys exist before the first request needs them to sign.
    if (config.federation.enabled) await instanceActor(sql, config);
  } catch (error) {
    await sql.end({ timeout: 1 });
    redis.disconnect();
    throw error;
  }
  const limiter = createRateLimiter(redis, config.redisPrefix);
  const listings = createMicroCache<unknown>({ ttlMs: config.listingCacheMs, maxEntries: LISTING_CACHE_ENTRIES });
  const layout = createLayout(config.dataDir);
  // The tracker shares the web port; a worker-only process has none, and no page to tell about swarms.
  const tracker = role === "worker" ? null : createTracker({ sql, layout, config });
  const deps: AppDeps = {
    config,
    sql,
    redis,
    limiter,
    assets: await loadAssets({ brotli: true }),
    queues: createQueues(config.redisUrl, config.redisPrefix),
    layout,
    views: createViewCounter(redis, sql, config.redisPrefix),
    p2pStats: createP2PStats(redis, sql, limiter, config.redisPrefix),
    listings,
    visitorPages: createVisitorPages(listings),
    swarmPeers: (uuid) => tracker?.peersOf(uuid) ?? 0,
  };
  const workers = role === "web" ? null : startJobWorkers(deps);
  if (workers) await requeueWaitingVideos(deps);
  // Silent runners lose their jobs and, in "both" mode, unclaimed jobs go to local workers.
  const stopSupervisor = workers ? startRunnerSupervisor({ ...deps, announceJobs: runnerAnnouncer(redis, config.redisPrefix) }) : null;
  // Mirroring and the checks of others' mirrors run where jobs run.
  const stopRedundancy = workers && config.federation.enabled ? startRedundancySchedule({ ...deps, fetcher: fetcherFor(config) }) : null;
  // Buffered view counts reach PostgreSQL every few seconds; a crash loses at most this window's views.
  const flush = () => Promise.all([deps.views.flush(), deps.p2pStats.flush()]);
  const flusher = setInterval(() => flush().catch((e) => console.error(`counter flush: ${e.message}`)), VIEW_FLUSH_MS);
  const housekeeping = setInterval(() => removeExpiredUploads(deps).catch((e) => console.error(`housekeeping: ${e.message}`)), HOUSEKEEPING_MS);
  const closeAll = async () => {
    clearInterval(flusher);
    clearInterval(housekeeping);
    stopSupervisor?.();
    await stopRedundancy?.();
    await flush().catch(() => 0);
    await workers?.close();
    await deps.queues.close();
    await sql.end({ timeout: 2 });
    redis.disconnect();
  };
  if (role === "worker" || !tracker) return { url: "", rtmpPort: null, stop: closeAll };
  const liveFeeds = createLiveFeeds();
  let live: RunningLive;
  try {
    // In "runners" mode lives are transcoded on runners too; the feeds carry their FLV to the runner that took the job.
    const runnerDeps = { ...deps, announceJobs: runnerAnnouncer(redis, config.redisPrefix) };
    const startOnRunner = config.runners.mode === "runners" ? (l: Parameters<LiveFeeds["start"]>[1]) => liveFeeds.start(runnerDeps, l) : undefined;
    live = await startLive(deps, { listen: true, startOnRunner });
  } catch (error) {
    await closeAll();
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") throw new ConfigError("TUBELET_RTMP_PORT", `port ${config.live.rtmpPort} on ${config.live.rtmpHost} is already in use`, "1936");
    if (code === "EADDRNOTAVAIL") throw new ConfigError("TUBELET_RTMP_HOST", `${config.live.rtmpHost} is not an address of this machine`, "127.0.0.1");
    throw error;
  }
  const app = createApp(deps, liveFeeds).compile();
  const runnerSockets = await createRunnerSocketHub({ sql, redis, redisPrefix: config.redisPrefix });
  let server: ReturnType<typeof Bun.serve<TrackerSocket | RunnerSocket>>;
  try {
    server = Bun.serve({
      port: config.port,
      hostname: config.host,
      // Server-Sent Events (the bell, upload progress) send a keep-alive at least every 25 s; Bun's default of 10 s
      // would cut them between two.
      idleTimeout: SSE_IDLE_SECONDS,
      maxRequestBodySize: Math.max(config.maxBodyBytes, config.maxAvatarBytes + 65_536, runnerResultLimit(config)),
      // The tracker's WebSocket shares the port; every other request goes to the app.
      fetch: (request, bunServer) => {
        const answer = tracker.tryUpgrade(request, bunServer as never);
        if (answer !== null) return answer;
        const runner = runnerSockets.tryUpgrade(request, bunServer as never, bunServer.requestIP(request)?.address ?? "unknown");
        return runner === null ? app.handle(request) : runner;
      },
      websocket: runnerSockets.combine(tracker.websocket),
    });
    // Elysia reads the client address through `server.requestIP`; it only knows the server it started itself.
    app.server = server;
  } catch (error) {
    await live.stop();
    await runnerSockets.close();
    await closeAll();
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") throw new ConfigError("TUBELET_PORT", `port ${config.port} on ${config.host} is already in use`, "9001");
    if (code === "EADDRNOTAVAIL") throw new ConfigError("TUBELET_HOST", `${config.host} is not an address of this machine`, "127.0.0.1");
    throw error;
  }
  return {
    url: `http://${server.hostname}:${server.port}`,
    rtmpPort: live.rtmpPort,
    async stop() {
      // Publishers first: their lives end (and replays are queued) while the database is still there.
      await live.stop();
      await server.stop(true);
      tracker.close();
      await runnerSockets.close();
      await closeAll();
    },
  };
}
