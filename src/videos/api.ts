/** PeerTube-compatible REST endpoints for videos: list, get, edit, delete, one-shot and resumable upload. */
import { federateView } from "../federation/interactions.ts";
import { Elysia } from "elysia";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { contextPlugin } from "../http/context.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { optionalApiUser, requireApiUser } from "../api/bearer.ts";
import { randomToken } from "../accounts/tokens.ts";
import type { VideosDeps } from "./service.ts";
import { deleteVideo, editVideo, findVisibleVideo } from "./service.ts";
import { cancelUpload, createVideoFromFile, receiveChunk, startResumableUpload } from "./upload.ts";
import { listPublicVideos } from "./queries.ts";
import { videoJson, videoListItemJson } from "./shapes.ts";
import { liveStatus, liveVideoJson } from "../live/shapes.ts";
import { findLiveByVideoId } from "../live/queries.ts";
import { mirrorsOf } from "../redundancy/present.ts";

const SORTS = ["-publishedAt", "publishedAt", "-views"] as const;

function pageParams(query: Record<string, string | undefined>) {
  const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
  const count = Math.max(1, Math.min(Number(query.count) || 15, 100));
  const sort = SORTS.find((s) => s === (query.sort === "-createdAt" ? "-publishedAt" : query.sort)) ?? "-publishedAt";
  return { start, count, sort };
}

export function videoApiRoutes(context: ReturnType<typeof contextPlugin>, videos: VideosDeps) {
  const deps = videos;
  return new Elysia({ name: "videos-api", prefix: "/api/v1/videos" })
    .use(context)
    .get("/", async ({ query }) => {
      const { total, data } = await listPublicVideos(deps.sql, pageParams(query));
      return { total, data: data.map((v) => videoListItemJson(deps.config, v)) };
    })
    .post("/upload-resumable", async ({ request, body, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const size = Number(request.headers.get("x-upload-content-length") ?? (body as Record<string, unknown>)?.size);
      const id = await startResumableUpload(deps, caller, (body ?? {}) as Record<string, unknown>, size);
      set.status = 201;
      set.headers.location = `/api/v1/videos/upload-resumable?upload_id=${id}`;
      return { uploadId: id };
    })
    .put(
      "/upload-resumable",
      async ({ request, query, user, page, set }) => {
        const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
        const result = await receiveChunk(deps, caller, String(query.upload_id ?? ""), request.headers.get("content-range"), request.body);
        if (!result.done) {
          // 308 "Resume Incomplete" with the bytes held, as Google's and PeerTube's resumable protocols answer.
          set.status = 308;
          if (result.received > 0) set.headers.range = `bytes=0-${result.received - 1}`;
          return "";
        }
        return { video: { id: result.video.id, uuid: result.video.uuid, shortUUID: result.video.shortId } };
      },
      { parse: "none" },
    )
    .delete("/upload-resumable", async ({ request, query, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await cancelUpload(deps, caller, String(query.upload_id ?? ""));
      set.status = 204;
      return "";
    })
    .post("/upload", async ({ request, body, user, page }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const fields = (body ?? {}) as Record<string, unknown>;
      const file = fields.videofile;
      if (!(file instanceof File) || file.size === 0) throw badRequest("Attach the video as the `videofile` field.");
      const staged = join(deps.config.dataDir, "tmp", "uploads", `${randomToken()}.part`);
      await mkdir(join(deps.config.dataDir, "tmp", "uploads"), { recursive: true });
      try {
        await Bun.write(staged, file);
        const video = await createVideoFromFile(deps, caller, staged, fields, file.name || "video");
        return { video: { id: video.id, uuid: video.uuid, shortUUID: video.shortId } };
      } finally {
        await rm(staged, { force: true });
      }
    })
    .post("/:id/views", async ({ params, ip, user, set }) => {
      const video = await findVisibleVideo(deps, params.id, user);
      if (!video || video.state !== "published") throw notFound("Video not found");
      // A view of a remote video is also the origin's to count: it hears of each one, as PeerTube tells it.
      if (await deps.views.record(video.id, user ? `user:${user.id}` : `ip:${ip}`)) await federateView(deps, video);
      set.status = 204;
      return "";
    })
    .get("/:id", async ({ request, params, user }) => {
      const video = await findVisibleVideo(deps, params.id, await optionalApiUser(deps.sql, request, user));
      if (!video) throw notFound("Video not found");
      const json = videoJson(deps.config, video, await mirrorsOf(deps.sql, deps.config, video));
      return video.isLive ? liveVideoJson(deps.config, json, liveStatus(video.uuid, await findLiveByVideoId(deps.sql, video.id))) : json;
    })
    .put("/:id", async ({ request, params, body, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await editVideo(deps, caller, params.id, (body ?? {}) as Record<string, unknown>);
      set.status = 204;
      return "";
    })
    .delete("/:id", async ({ request, params, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await deleteVideo(deps, caller, params.id);
      set.status = 204;
      return "";
    });
}
