/** Video pages: upload, watch (with processing status over SSE), edit, delete, retry, oEmbed. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { staticUrl } from "../http/urls.ts";
import { listChannelsOfOwner } from "../channels/queries.ts";
import { videoUrls } from "../storage/layout.ts";
import { UploadPage } from "../../views/pages/upload.tsx";
import { WatchPage, type WatchView } from "../../views/pages/watch.tsx";
import { EmbedPage } from "../../views/pages/embed.tsx";
import { parseOembedRequest, toOembed } from "../feeds/oembed.ts";
import type { Config } from "../config.ts";
import { EditVideoPage } from "../../views/pages/video-edit.tsx";
import { CATEGORIES, LANGUAGES, formatBytes } from "./metadata.ts";
import type { VideoRow } from "./queries.ts";
import { P2P_COOKIE, playerMode } from "../p2p/consent.ts";
import { swarmIdForVideo } from "../p2p/swarm-ids.ts";
import { TRACKER_PATH } from "../p2p/tracker.ts";
import * as q from "./queries.ts";
import { loadWatchExtras } from "./watch-extras.ts";
import { loadLiveWatch } from "../live/service.ts";
import { livePlayerView } from "../live/shapes.ts";
import type { AppDeps } from "../http/context.ts";
import type { PageContext } from "../../views/context.ts";
import type { VideosDeps } from "./service.ts";
import { mirrorsOf } from "../redundancy/present.ts";
import { canManage, deleteVideo, editVideo, findVisibleVideo, retryTranscode, videoForChange } from "./service.ts";

/**
 * The watch view. A remote video (federation) plays from its origin: master playlist, SHA-256 map and images are
 * the origin's URLs, and the swarm id is the same `tubelet:<uuid>` as the origin's viewers use.
 */
export function toWatchView(v: VideoRow): WatchView {
  const urls = videoUrls(v.uuid);
  const remote = v.apId !== null;
  return {
    ...v,
    channelAvatarUrl: staticUrl(v.channelAvatarPath),
    masterUrl: remote ? v.originMasterUrl! : urls.master,
    posterUrl: remote ? (v.originPreviewUrl ?? v.originThumbnailUrl ?? "") : urls.preview,
    thumbnailUrl: remote ? (v.originThumbnailUrl ?? "") : urls.thumbnail,
    // Downloads are files of this instance; a remote video's are on its origin's page.
    downloadUrl: !remote && v.downloadEnabled && !v.audioOnly ? urls.download : null,
    hashesUrl: remote ? (v.originHashesUrl ?? undefined) : urls.hashes,
    swarmId: swarmIdForVideo(v.uuid),
    origin: remote ? { host: v.channelDomain ?? new URL(v.apId!).host, watchUrl: v.originWatchUrl! } : undefined,
  };
}

/**
 * The watch view plus what the players need: the instance's tracker, STUN servers and P2P settings. `swarmPeers`
 * is how many viewers the tracker has in the video's swarm now: with none, waiting for peers before the first
 * HTTP request (httpDownloadInitialTimeoutMs) could only delay the first frame, so that wait is dropped. A remote
 * video's viewers meet on its origin's tracker, where the origin's own viewers are.
 */
export function playerView(video: VideoRow, config: Config, swarmPeers: number): WatchView {
  const p2pSettings = swarmPeers > 0 ? config.p2p.player : { ...config.p2p.player, httpDownloadInitialTimeoutMs: 0 };
  const originTrackers = video.originTrackerUrls.filter((t) => /^wss?:\/\//.test(t));
  return {
    ...toWatchView(video),
    // The instance's own tracker, ws: or wss: like the page's http: or https:.
    trackers: video.apId !== null && originTrackers.length > 0 ? originTrackers : [`${config.publicUrl.replace(/^http/, "ws")}${TRACKER_PATH}`],
    stunServers: config.p2p.stunServers,
    p2pSettings,
  };
}

/** Decided on the server, so a viewer who has not accepted P2P never downloads the P2P bundle. */
export function viewerPlayerMode(config: Config, user: { p2pPreference: "on" | "off" | null } | null, cookie: Record<string, { value?: unknown } | undefined>) {
  const choice = cookie[P2P_COOKIE]?.value;
  return playerMode(config.p2p.defaultMode, user?.p2pPreference ?? null, typeof choice === "string" ? choice : undefined);
}

/** How often the status stream looks at the row; only uploaders keep one open, for a few minutes. */
const STATUS_POLL_MS = 1000;
/** Every 20 polls without news, well inside the server's idle timeout. */
const KEEP_ALIVE_POLLS = 20;

/** Server-Sent Events with the video's state until it is published or failed. */
function statusStream(deps: VideosDeps, videoId: number, signal: AbortSignal, deletedReason: string): Response {
  const encoder = new TextEncoder();
  let last = "";
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let quietPolls = 0;
      while (!signal.aborted) {
        const v = await q.findVideo(deps.sql, { id: videoId });
        const status = v ? { state: v.state, progress: v.progress, reason: v.stateReason } : { state: "failed", progress: 0, reason: deletedReason };
        const data = JSON.stringify(status);
        if (data !== last) controller.enqueue(encoder.encode(`event: status\ndata: ${data}\n\n`));
        // A video waiting in the queue can stay unchanged for minutes: a comment line keeps the stream open.
        else if (++quietPolls % KEEP_ALIVE_POLLS === 0) controller.enqueue(encoder.encode(": keep-alive\n\n"));
        last = data;
        if (status.state === "published" || status.state === "failed") break;
        await Bun.sleep(STATUS_POLL_MS);
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" } });
}

export function videoRoutes(context: ReturnType<typeof contextPlugin>, deps: VideosDeps & Pick<AppDeps, "visitorPages" | "swarmPeers">) {
  return new Elysia({ name: "videos" })
    .use(context)
    .get("/videos/upload", async ({ user, page }) => {
      const owner = requireUser(user);
      const channels = await listChannelsOfOwner(deps.sql, owner.id);
      const max = deps.config.videos.maxUploadBytes;
      return (
        <UploadPage
          page={page}
          channels={channels}
          categories={CATEGORIES}
          languages={LANGUAGES}
          maxUploadBytes={max}
          limitText={page.t("upload.limit", { size: formatBytes(max) })}
        />
      );
    })
    .get("/w/:id", async ({ params, user, page, cookie }) => {
      const mode = viewerPlayerMode(deps.config, user, cookie);
      const watchPage = async (page: PageContext) => {
        const video = await findVisibleVideo(deps, params.id, user);
        if (!video) throw notFound(page.t("video.notFound"));
        const manage = canManage(video, user);
        const [extras, live, mirrors] = await Promise.all([
          loadWatchExtras(deps.sql, video, user),
          video.isLive ? loadLiveWatch(deps, video, manage) : null,
          mirrorsOf(deps.sql, deps.config, video),
        ]);
        const player = { ...playerView(video, deps.config, deps.swarmPeers(video.uuid)), mirrors };
        return (
          <WatchPage
            page={page}
            video={live ? livePlayerView(player, live.status, live.row.latencyMode) : player}
            live={live?.view}
            liveOwner={live?.owner}
            canManage={manage}
            publicUrl={deps.config.publicUrl}
            p2p={mode.p2p}
            p2pNotice={mode.notice}
            extras={extras}
          />
        );
      };
      // The P2P player's settings follow the swarm of the moment (playerView), so those pages are never reused.
      return mode.p2p ? watchPage(page) : deps.visitorPages.render(page, `watch:${mode.notice}`, watchPage);
    })
    .get("/videos/embed/:id", async ({ params, user, page, cookie }) => {
      const video = await findVisibleVideo(deps, params.id, user);
      if (!video || video.state !== "published") throw notFound(page.t("video.notFound"));
      // An embed shows no consent notice, so P2P only runs for viewers who already said yes.
      const mode = viewerPlayerMode(deps.config, user, cookie);
      // A live plays its session on air; off air the embed shows where the live stands.
      const [mirrors, live] = await Promise.all([mirrorsOf(deps.sql, deps.config, video), video.isLive ? loadLiveWatch(deps, video, false) : null]);
      const player = { ...playerView(video, deps.config, deps.swarmPeers(video.uuid)), mirrors };
      return (
        <EmbedPage
          page={page}
          video={live ? livePlayerView(player, live.status, live.row.latencyMode) : player}
          p2p={mode.p2p && mode.notice === null}
          live={live?.view}
        />
      );
    })
    .get("/w/:id/events", async ({ params, user, request, page }) => {
      const video = await videoForChange(deps, requireUser(user), params.id);
      return statusStream(deps, video.id, request.signal, page.t("video.deleted"));
    })
    .get("/w/:id/edit", async ({ params, user, page, query }) => {
      const video = await videoForChange(deps, requireUser(user), params.id);
      return <EditVideoPage page={page} video={video} categories={CATEGORIES} languages={LANGUAGES} notice={query.saved ? page.t("common.saved") : undefined} />;
    })
    .post("/w/:id/edit", async ({ params, user, body, page, set, redirect }) => {
      const editor = requireUser(user);
      const fields = { ...(body as Record<string, unknown>) };
      // Unticked checkboxes are simply absent from a form.
      fields.commentsEnabled = fields.commentsEnabled === "on";
      fields.downloadEnabled = fields.downloadEnabled === "on";
      fields.nsfw = fields.nsfw === "on";
      try {
        const video = await editVideo(deps, editor, params.id, fields);
        return redirect(`/w/${video.shortId}/edit?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof HttpError) || !error.fields) throw error;
        const video = await videoForChange(deps, editor, params.id);
        set.status = error.status;
        return <EditVideoPage page={page} video={video} categories={CATEGORIES} languages={LANGUAGES} errors={error.fields} error={error.message} />;
      }
    })
    .post("/w/:id/delete", async ({ params, user, redirect }) => {
      const video = await videoForChange(deps, requireUser(user), params.id);
      await deleteVideo(deps, requireUser(user), params.id);
      return redirect(`/c/${video.channelHandle}?deleted=1`, 303);
    })
    .post("/w/:id/retry", async ({ params, user, redirect }) => {
      const video = await retryTranscode(deps, requireUser(user), params.id);
      return redirect(`/w/${video.shortId}`, 303);
    })
    .get("/services/oembed", async ({ query, page }) => {
      const request = parseOembedRequest(query, deps.config.publicUrl);
      const video = request ? await findVisibleVideo(deps, request.videoId, null) : null;
      // Unlisted videos stay unlisted: oEmbed consumers may crawl, cache and show what they get.
      if (!request || !video || video.privacy !== 1) throw notFound(page.t("share.oembedNotFound"));
      return toOembed(video, deps.config, request);
    });
}
