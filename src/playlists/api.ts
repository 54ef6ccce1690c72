/** PeerTube-compatible REST endpoints for playlists, their elements, and which playlists hold a video. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { optionalApiUser, requireApiUser } from "../api/bearer.ts";
import { localName } from "../api/routes.ts";
import { findUserByHandle } from "../accounts/queries.ts";
import { findVideo } from "../videos/queries.ts";
import * as q from "./queries.ts";
import {
  ENGLISH,
  addVideo,
  createPlaylist,
  deletePlaylist,
  editPlaylist,
  elementVisible,
  findVisiblePlaylist,
  removeElement,
  reorderElements,
} from "./service.ts";
import { PLAYLIST_PRIVACIES, playlistElementJson, playlistJson } from "./shapes.ts";

type Fields = Record<string, unknown>;

function pageParams(query: Record<string, string | undefined>) {
  const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
  const count = Math.max(1, Math.min(Number(query.count) || 15, 100));
  return { start, count };
}

/** A whole number from a JSON or form field; NaN when it is anything else, which the service refuses. */
function integer(value: unknown): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) ? n : Number.NaN;
}

export function playlistApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "playlists-api", prefix: "/api/v1" })
    .use(context)
    .get("/video-playlists/privacies", () => PLAYLIST_PRIVACIES)
    .post("/video-playlists", async ({ deps, request, body, user, page }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const playlist = await createPlaylist(deps, caller, (body ?? {}) as Fields, ENGLISH);
      return { videoPlaylist: { id: playlist.id, uuid: playlist.uuid, shortUUID: playlist.shortId } };
    })
    .get("/video-playlists/:id", async ({ deps, request, params, user }) => {
      const viewer = await optionalApiUser(deps.sql, request, user);
      const playlist = await findVisiblePlaylist(deps, params.id, viewer);
      if (!playlist) throw notFound(ENGLISH("playlists.err.notFound"));
      return playlistJson(deps.config, playlist);
    })
    .put("/video-playlists/:id", async ({ deps, request, params, body, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await editPlaylist(deps, caller, params.id, (body ?? {}) as Fields, ENGLISH);
      set.status = 204;
      return "";
    })
    .delete("/video-playlists/:id", async ({ deps, request, params, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await deletePlaylist(deps, caller, params.id, ENGLISH);
      set.status = 204;
      return "";
    })
    .get("/video-playlists/:id/videos", async ({ deps, request, params, query, user }) => {
      const viewer = await optionalApiUser(deps.sql, request, user);
      const playlist = await findVisiblePlaylist(deps, params.id, viewer);
      if (!playlist) throw notFound(ENGLISH("playlists.err.notFound"));
      const { start, count } = pageParams(query);
      const elements = await q.listElements(deps.sql, playlist.id);
      // One lookup per element of the page (at most 100), so the video shape stays the one /videos answers.
      const data = await Promise.all(
        elements.slice(start, start + count).map(async (e) => {
          const video = elementVisible(e, viewer) ? await findVideo(deps.sql, { id: e.videoId }) : null;
          return playlistElementJson(deps.config, e, video, e.privacy === 3);
        }),
      );
      return { total: elements.length, data };
    })
    .post("/video-playlists/:id/videos", async ({ deps, request, params, body, user, page }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const videoId = (body as Fields | undefined)?.videoId;
      if (typeof videoId !== "string" && typeof videoId !== "number") throw badRequest("Send the video to add as `videoId`.");
      const element = await addVideo(deps, caller, params.id, String(videoId), ENGLISH);
      return { videoPlaylistElement: { id: element.id } };
    })
    .post("/video-playlists/:id/videos/reorder", async ({ deps, request, params, body, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const fields = (body ?? {}) as Fields;
      const reorder = {
        start: integer(fields.startPosition),
        insertAfter: integer(fields.insertAfterPosition),
        length: fields.reorderLength === undefined ? 1 : integer(fields.reorderLength),
      };
      await reorderElements(deps, caller, params.id, reorder, ENGLISH);
      set.status = 204;
      return "";
    })
    .delete("/video-playlists/:id/videos/:elementId", async ({ deps, request, params, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await removeElement(deps, caller, params.id, integer(params.elementId), ENGLISH);
      set.status = 204;
      return "";
    })
    .get("/users/me/video-playlists/videos-exist", async ({ deps, request, query, user, page }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const ids = String(query.videoIds ?? "")
        .split(",")
        .map((s) => integer(s))
        .filter((n) => Number.isSafeInteger(n) && n > 0)
        .slice(0, 100);
      const found = await q.elementsOfVideos(deps.sql, caller.id, ids);
      const answer: Record<string, { playlistElementId: number; playlistId: number; startTimestamp: null; stopTimestamp: null }[]> = {};
      for (const id of ids) answer[id] = [];
      for (const e of found) answer[e.videoId]!.push({ playlistElementId: e.elementId, playlistId: e.playlistId, startTimestamp: null, stopTimestamp: null });
      return answer;
    })
    .get("/accounts/:name/video-playlists", async ({ deps, request, params, query, user }) => {
      const account = await findUserByHandle(deps.sql, localName(params.name, deps.config.publicHost));
      if (!account || !account.approved) throw notFound("Account not found");
      const viewer = await optionalApiUser(deps.sql, request, user);
      // The owner sees every playlist of theirs; everyone else only the public ones (unlisted is never listed).
      const rows = await q.listPlaylistsOfOwner(deps.sql, account.id, viewer?.id ?? 0, viewer?.id !== account.id);
      const { start, count } = pageParams(query);
      return { total: rows.length, data: rows.slice(start, start + count).map((p) => playlistJson(deps.config, p)) };
    });
}
