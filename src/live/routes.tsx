/** Live pages: the "go live" form, the owner's new-key action, the watch page's state events and player fragment. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { listChannelsOfOwner } from "../channels/queries.ts";
import { findVisibleVideo } from "../videos/service.ts";
import { playerView } from "../videos/routes.tsx";
import { LiveNewPage, type LiveNewValues } from "../../views/pages/live-new.tsx";
import { LiveOwnerPanel, LivePlayerBox } from "../../views/components/live.tsx";
import { liveApiRoutes } from "./api.ts";
import { createLiveEvents, type LiveEvents } from "./events.ts";
import { createLive, liveForChange, loadLiveStatus, loadLiveWatch, parseLatencyMode, regenerateStreamKey } from "./service.ts";
import { liveOwnerView, livePlayerView } from "./shapes.ts";

const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

/** The form's fields as typed, to show them again beside their errors. */
function formValues(body: Record<string, unknown>): LiveNewValues {
  const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");
  return {
    name: text("name"),
    description: text("description"),
    channelId: text("channelId"),
    privacy: text("privacy") || "1",
    saveReplay: body.saveReplay === "on",
    permanentLive: body.permanentLive === "on",
    latencyMode: parseLatencyMode(body.latencyMode) ?? "normal",
  };
}

/** The live pages and the live API. */
export function liveRoutes(context: ReturnType<typeof contextPlugin>) {
  // One hub per app, made at the first stream: apps built for tests never open a LISTEN connection they do not use.
  let events: LiveEvents | null = null;
  return new Elysia({ name: "live" })
    .use(context)
    .use(liveApiRoutes(context))
    .onStop(async () => {
      await events?.close();
    })
    .get("/videos/live/new", async ({ deps, user, page }) => {
      const me = requireUser(user);
      const channels = await listChannelsOfOwner(deps.sql, me.id);
      return <LiveNewPage page={page} channels={channels} enabled={deps.config.live.enabled} />;
    })
    .post("/videos/live/new", async ({ deps, user, page, body, set, redirect }) => {
      const me = requireUser(user);
      const fields = { ...((body ?? {}) as Record<string, unknown>) };
      // Unticked checkboxes are simply absent from a form.
      fields.saveReplay = fields.saveReplay === "on";
      fields.permanentLive = fields.permanentLive === "on";
      try {
        const { video } = await createLive(deps, me, fields);
        return redirect(`/w/${video.shortId}`, 303);
      } catch (error) {
        if (!(error instanceof HttpError) || !error.fields) throw error;
        set.status = error.status;
        const channels = await listChannelsOfOwner(deps.sql, me.id);
        return (
          <LiveNewPage
            page={page}
            channels={channels}
            enabled={deps.config.live.enabled}
            values={formValues((body ?? {}) as Record<string, unknown>)}
            errors={error.fields}
            error={error.message}
          />
        );
      }
    })
    .post("/w/:id/live/key", async ({ deps, params, user, page, request, redirect }) => {
      const me = requireUser(user);
      const live = await regenerateStreamKey(deps, me, params.id);
      const { video } = await liveForChange(deps, me, params.id);
      if (!isHtmx(request)) return redirect(`/w/${video.shortId}`, 303);
      return <LiveOwnerPanel page={page} owner={liveOwnerView(deps.config, video.shortId, live)} />;
    })
    .get("/w/:id/live/events", async ({ deps, params, user, page, request, ip }) => {
      const video = await findVisibleVideo(deps, params.id, user);
      if (!video?.isLive) throw notFound(page.t("video.notFound"));
      events ??= createLiveEvents(deps.sql, { load: (videoId) => loadLiveStatus(deps, videoId) });
      const stream = await events.open({ videoId: video.id, ip, label: (count) => page.t("live.viewers", { count }), signal: request.signal });
      return new Response(stream, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          // Nginx and similar proxies would otherwise hold events back in their buffers.
          "x-accel-buffering": "no",
        },
      });
    })
    .get("/w/:id/live/player", async ({ deps, params, user, page, set }) => {
      const video = await findVisibleVideo(deps, params.id, user);
      if (!video?.isLive) throw notFound(page.t("video.notFound"));
      const data = await loadLiveWatch(deps, video, false, events?.viewers(video.id) ?? 0);
      if (!data) throw notFound(page.t("video.notFound"));
      set.headers["cache-control"] = "no-store";
      const player = livePlayerView(playerView(video, deps.config, deps.swarmPeers(video.uuid)), data.status, data.row.latencyMode);
      return <LivePlayerBox page={page} live={data.view} player={player} />;
    });
}
