/** Playlists and Watch later: the owner's list, the playlist page that plays it, the save menu of the watch page. */
import { Elysia } from "elysia";
import type { PageContext } from "../../views/context.ts";
import type { UserRow } from "../accounts/queries.ts";
import { listChannelsOfOwner } from "../channels/queries.ts";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { findVideo } from "../videos/queries.ts";
import { findVisibleVideo } from "../videos/service.ts";
import { playerView, viewerPlayerMode } from "../videos/routes.tsx";
import { MyPlaylistsPage, EditPlaylistPage } from "../../views/pages/playlists.tsx";
import { PlaylistItems, PlaylistPage } from "../../views/pages/playlist.tsx";
import { SaveMenu } from "../../views/components/save-to-playlist.tsx";
import { playlistApiRoutes } from "./api.ts";
import { formValuesFrom, formValuesOf, planPlayback, playUrl, toHeaderView, toPlaylistCardView, toSaveTargets } from "./present.ts";
import * as q from "./queries.ts";
import type { PlaylistsDeps } from "./service.ts";
import {
  createPlaylist,
  deletePlaylist,
  editPlaylist,
  ensureWatchLater,
  findVisiblePlaylist,
  isPlaylistOwner,
  moveElement,
  playlistForChange,
  removeElement,
  saveTargets,
  setSaved,
} from "./service.ts";

type Fields = Record<string, unknown>;

const text = (v: unknown) => (typeof v === "string" ? v : "");
const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

/** Only form errors come back as a form; anything else (401, 404, 500) is the usual error page. */
function formError(error: unknown): HttpError {
  if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 401) return error;
  throw error;
}

async function myPlaylistsPage(deps: PlaylistsDeps, owner: UserRow, page: PageContext, extra: Partial<Parameters<typeof MyPlaylistsPage>[0]> = {}) {
  await ensureWatchLater(deps, owner.id);
  const [rows, channels] = await Promise.all([q.listPlaylistsOfOwner(deps.sql, owner.id, owner.id, false), listChannelsOfOwner(deps.sql, owner.id)]);
  return <MyPlaylistsPage page={page} playlists={rows.map((r) => toPlaylistCardView(r, page.t))} channels={channels} {...extra} />;
}

async function saveMenu(deps: PlaylistsDeps, owner: UserRow, page: PageContext, rawVideoId: string, extra: { saveError?: string; error?: string; newName?: string } = {}) {
  const video = await findVisibleVideo(deps, rawVideoId, owner);
  if (!video) throw notFound(page.t("playlists.err.videoNotFound"));
  const targets = await saveTargets(deps, owner, video.id);
  return <SaveMenu page={page} shortId={video.shortId} targets={toSaveTargets(targets, page.t)} {...extra} />;
}

/** The list after a move or removal, still highlighting the item that plays. */
async function itemsFragment(deps: PlaylistsDeps, playlist: q.PlaylistRow, user: UserRow, page: PageContext, currentElementId: number | null) {
  const elements = await q.listElements(deps.sql, playlist.id);
  const plan = planPlayback(elements, user, { currentElementId });
  return { plan, html: <PlaylistItems page={page} playlistShortId={playlist.shortId} items={plan.items} current={plan.current} isOwner nextUrl={playUrl(playlist.shortId, plan.next, true)} /> };
}

export function playlistRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "playlists" })
    .use(context)
    .get("/my/playlists", async ({ deps, user, page, query }) => {
      const owner = requireUser(user);
      return myPlaylistsPage(deps, owner, page, { notice: query.deleted ? page.t("playlists.deleted") : undefined });
    })
    .post("/my/playlists", async ({ deps, user, page, body, request, set, redirect }) => {
      const owner = requireUser(user);
      const fields = (body ?? {}) as Fields;
      const videoId = text(fields.video);
      try {
        // From the save menu: check the video first, so a refused save leaves no empty playlist behind.
        if (videoId && !(await findVisibleVideo(deps, videoId, owner))) throw notFound(page.t("playlists.err.videoNotFound"));
        const playlist = await createPlaylist(deps, owner, fields, page.t);
        if (!videoId) return redirect(`/p/${playlist.shortId}`, 303);
        await setSaved(deps, owner, playlist.shortId, videoId, true, page.t);
        return isHtmx(request) ? saveMenu(deps, owner, page, videoId) : redirect(`/w/${encodeURIComponent(videoId)}`, 303);
      } catch (error) {
        const refused = formError(error);
        set.status = refused.status;
        if (videoId && isHtmx(request)) {
          if (refused.status === 404) throw refused;
          return saveMenu(deps, owner, page, videoId, { error: refused.fields?.name ?? refused.message, newName: text(fields.name) });
        }
        return myPlaylistsPage(deps, owner, page, { values: formValuesFrom(fields), errors: refused.fields, error: refused.message });
      }
    })
    .get("/my/playlists/save-menu", async ({ deps, user, page, query }) => saveMenu(deps, requireUser(user), page, text(query.video)))
    .post("/my/playlists/save", async ({ deps, user, page, body, request, set, redirect }) => {
      const owner = requireUser(user);
      const fields = (body ?? {}) as Fields;
      const videoId = text(fields.video);
      try {
        await setSaved(deps, owner, text(fields.playlist), videoId, fields.saved === "on" || fields.saved === "true", page.t);
      } catch (error) {
        // The menu comes back as it really is (the box unticked again) with the reason above it.
        const refused = formError(error);
        if (!isHtmx(request) || refused.status === 403 || refused.status === 404) throw refused;
        set.status = refused.status;
        return saveMenu(deps, owner, page, videoId, { saveError: refused.message });
      }
      return isHtmx(request) ? saveMenu(deps, owner, page, videoId) : redirect(`/w/${encodeURIComponent(videoId)}`, 303);
    })
    .get("/p/:id", async ({ deps, params, user, page, query, cookie }) => {
      const playlist = await findVisiblePlaylist(deps, params.id, user);
      if (!playlist) throw notFound(page.t("playlists.err.notFound"));
      const elements = await q.listElements(deps.sql, playlist.id);
      const plan = planPlayback(elements, user, { wanted: Number(query.i ?? 1) });
      const row = plan.current === null ? null : await findVideo(deps.sql, { id: elements[plan.current - 1]!.videoId });
      const mode = viewerPlayerMode(deps.config, user, cookie);
      return (
        <PlaylistPage
          page={page}
          playlist={toHeaderView(playlist, page.t)}
          items={plan.items}
          current={row && plan.current !== null ? { position: plan.current, video: playerView(row, deps.config, deps.swarmPeers(row.uuid)) } : null}
          previousUrl={playUrl(playlist.shortId, plan.previous, true)}
          nextUrl={playUrl(playlist.shortId, plan.next, true)}
          isOwner={isPlaylistOwner(playlist, user)}
          p2p={mode.p2p}
          p2pNotice={mode.notice}
        />
      );
    })
    .get("/p/:id/edit", async ({ deps, params, user, page }) => {
      const owner = requireUser(user);
      const playlist = await playlistForChange(deps, owner, params.id, page.t);
      if (playlist.kind === "watch_later") throw new HttpError(400, page.t("playlists.err.watchLaterFixed"));
      const channels = await listChannelsOfOwner(deps.sql, owner.id);
      return <EditPlaylistPage page={page} shortId={playlist.shortId} name={playlist.name} values={formValuesOf(playlist)} channels={channels} />;
    })
    .post("/p/:id/edit", async ({ deps, params, user, page, body, set, redirect }) => {
      const owner = requireUser(user);
      const fields = (body ?? {}) as Fields;
      try {
        const playlist = await editPlaylist(deps, owner, params.id, { ...fields, channelId: text(fields.channelId) }, page.t);
        return redirect(`/p/${playlist.shortId}`, 303);
      } catch (error) {
        const refused = formError(error);
        if (!refused.fields) throw refused;
        const playlist = await playlistForChange(deps, owner, params.id, page.t);
        const channels = await listChannelsOfOwner(deps.sql, owner.id);
        set.status = refused.status;
        return (
          <EditPlaylistPage page={page} shortId={playlist.shortId} name={playlist.name} values={formValuesFrom(fields)} channels={channels} errors={refused.fields} error={refused.message} />
        );
      }
    })
    .post("/p/:id/delete", async ({ deps, params, user, page, redirect }) => {
      await deletePlaylist(deps, requireUser(user), params.id, page.t);
      return redirect("/my/playlists?deleted=1", 303);
    })
    .post("/p/:id/elements/:elementId/move", async ({ deps, params, user, page, body, request, redirect }) => {
      const owner = requireUser(user);
      const fields = (body ?? {}) as Fields;
      const playlist = await moveElement(deps, owner, params.id, Number(params.elementId), Number(text(fields.position)), page.t);
      return afterChange(deps, playlist, owner, page, Number(text(fields.current)) || null, isHtmx(request), redirect);
    })
    .post("/p/:id/elements/:elementId/remove", async ({ deps, params, user, page, body, request, redirect }) => {
      const owner = requireUser(user);
      const fields = (body ?? {}) as Fields;
      const playlist = await removeElement(deps, owner, params.id, Number(params.elementId), page.t);
      return afterChange(deps, playlist, owner, page, Number(text(fields.current)) || null, isHtmx(request), redirect);
    })
    .use(playlistApiRoutes(context));
}

/** htmx gets the list back; a plain form goes back to the page, still on the item that was playing. */
async function afterChange(
  deps: PlaylistsDeps,
  playlist: q.PlaylistRow,
  owner: UserRow,
  page: PageContext,
  currentElementId: number | null,
  htmx: boolean,
  redirect: (url: string, status: 303) => unknown,
) {
  const { plan, html } = await itemsFragment(deps, playlist, owner, page, currentElementId);
  if (htmx) return html;
  return redirect(playUrl(playlist.shortId, plan.current) ?? `/p/${playlist.shortId}`, 303);
}
