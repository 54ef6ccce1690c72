/**
 * Playlist rules: who sees a playlist, who changes it, and how its elements keep positions 1..n.
 * Every change to elements runs in one transaction holding the playlist's row, so concurrent adds,
 * removals and moves apply one after the other and never leave a gap or a duplicate position.
 */
import type { Sql } from "postgres";
import type { Config } from "../config.ts";
import type { UserRow } from "../accounts/queries.ts";
import { findChannelById } from "../channels/queries.ts";
import { badRequest, conflict, forbidden, notFound } from "../http/errors.ts";
import { i18nFor, type MessageKey, type Params } from "../i18n/i18n.ts";
import { classifyVideoId, newVideoIds } from "../videos/ids.ts";
import { findVisibleVideo } from "../videos/service.ts";
import { MAX_ELEMENTS_PER_PLAYLIST, MAX_PLAYLISTS_PER_USER, parsePlaylistInput, translateProblems, type PlaylistInput } from "./input.ts";
import { applyReorder, moveTo, reorderProblem, type Reorder } from "./positions.ts";
import * as q from "./queries.ts";

export interface PlaylistsDeps {
  readonly sql: Sql;
  readonly config: Config;
}

/** Translates a catalog key: pages pass the reader's, the API passes English. */
export type Translate = (key: MessageKey, params?: Params) => string;
export const ENGLISH: Translate = i18nFor("en").t;

/** Who is looking: enough to decide what they may see. */
export type Viewer = Pick<UserRow, "id" | "role"> | null;

export function isPlaylistOwner(playlist: q.PlaylistRow, viewer: Viewer): boolean {
  return !!viewer && viewer.id === playlist.ownerId;
}

/**
 * The playlist if this viewer may see it: private ones only for their owner; unlisted ones by uuid or
 * short id, never by the guessable numeric id (that would let anyone walk through them).
 */
export async function findVisiblePlaylist(deps: Pick<PlaylistsDeps, "sql">, rawId: string, viewer: Viewer): Promise<q.PlaylistRow | null> {
  const key = classifyVideoId(rawId);
  const playlist = key ? await q.findPlaylist(deps.sql, key, viewer?.id ?? 0) : null;
  if (!playlist) return null;
  if (isPlaylistOwner(playlist, viewer)) return playlist;
  if (playlist.privacy === 3 || (playlist.privacy === 2 && key && "id" in key)) return null;
  return playlist;
}

/** The playlist if `user` owns it; 404 when they cannot see it, 403 when they can but it is not theirs. */
export async function playlistForChange(deps: PlaylistsDeps, user: UserRow, rawId: string, t: Translate): Promise<q.PlaylistRow> {
  const playlist = await findVisiblePlaylist(deps, rawId, user);
  if (!playlist) throw notFound(t("playlists.err.notFound"));
  if (!isPlaylistOwner(playlist, user)) throw forbidden(t("playlists.err.notOwner"));
  return playlist;
}

/** The user's Watch later, created the first time anything needs it. */
export async function ensureWatchLater(deps: PlaylistsDeps, userId: number): Promise<number> {
  return q.ensureWatchLater(deps.sql, userId, newVideoIds(), "Watch later");
}

async function checkedInput(deps: PlaylistsDeps, owner: UserRow, raw: Record<string, unknown>, t: Translate, current?: PlaylistInput) {
  const { input, problems } = parsePlaylistInput(raw, current);
  if (input.channelId !== null && input.channelId !== current?.channelId) {
    const channel = await findChannelById(deps.sql, input.channelId);
    if (!channel || channel.ownerId !== owner.id) problems.channelId = { key: "playlists.err.channel" };
  }
  if (Object.keys(problems).length > 0) throw badRequest(t("playlists.err.fix"), translateProblems(problems, t));
  return input;
}

export async function createPlaylist(deps: PlaylistsDeps, owner: UserRow, raw: Record<string, unknown>, t: Translate): Promise<q.PlaylistRow> {
  const input = await checkedInput(deps, owner, raw, t);
  const id = await deps.sql.begin(async (tx) => {
    await q.lockOwner(tx, owner.id);
    if ((await q.countPlaylistsOfOwner(tx, owner.id)) >= MAX_PLAYLISTS_PER_USER) {
      throw conflict(t("playlists.err.tooMany", { max: MAX_PLAYLISTS_PER_USER }));
    }
    return q.insertPlaylist(tx, { ...newVideoIds(), ownerId: owner.id, ...input });
  });
  return (await q.findPlaylist(deps.sql, { id }, owner.id))!;
}

/** Applies the fields present in `raw`; Watch later keeps its name and stays private. */
export async function editPlaylist(deps: PlaylistsDeps, owner: UserRow, rawId: string, raw: Record<string, unknown>, t: Translate): Promise<q.PlaylistRow> {
  const playlist = await playlistForChange(deps, owner, rawId, t);
  if (playlist.kind === "watch_later") throw badRequest(t("playlists.err.watchLaterFixed"));
  const input = await checkedInput(deps, owner, raw, t, playlist);
  await q.updatePlaylist(deps.sql, playlist.id, input);
  return (await q.findPlaylist(deps.sql, { id: playlist.id }, owner.id))!;
}

export async function deletePlaylist(deps: PlaylistsDeps, owner: UserRow, rawId: string, t: Translate): Promise<q.PlaylistRow> {
  const playlist = await playlistForChange(deps, owner, rawId, t);
  if (playlist.kind === "watch_later") throw badRequest(t("playlists.err.watchLaterFixed"));
  await q.deletePlaylist(deps.sql, playlist.id);
  return playlist;
}

/** Appends `videoId`; a video already there is refused (409) or, with `ifPresent: "keep"`, left where it is. */
async function appendVideo(sql: Sql, playlistId: number, videoId: number, t: Translate, ifPresent: "refuse" | "keep") {
  return sql.begin(async (tx) => {
    await q.lockPlaylist(tx, playlistId);
    const existing = await q.findElementOfVideo(tx, playlistId, videoId);
    if (existing !== null) {
      if (ifPresent === "keep") return { id: existing, added: false };
      throw conflict(t("playlists.err.duplicate"));
    }
    await q.normalizePositions(tx, playlistId);
    if ((await q.elementIds(tx, playlistId)).length >= MAX_ELEMENTS_PER_PLAYLIST) {
      throw conflict(t("playlists.err.full", { max: MAX_ELEMENTS_PER_PLAYLIST }));
    }
    const element = await q.appendElement(tx, playlistId, videoId);
    await q.touchPlaylist(tx, playlistId);
    return { id: element.id, added: true };
  });
}

/** The video if `user` may see it (only such videos may be added); 404 otherwise. */
async function videoToAdd(deps: PlaylistsDeps, user: UserRow, rawVideoId: string, t: Translate) {
  const video = await findVisibleVideo(deps, rawVideoId, user);
  if (!video) throw notFound(t("playlists.err.videoNotFound"));
  return video;
}

/** Adds a video at the end of one of the user's playlists; adding it twice is refused with 409. */
export async function addVideo(deps: PlaylistsDeps, user: UserRow, rawId: string, rawVideoId: string, t: Translate): Promise<{ id: number }> {
  const playlist = await playlistForChange(deps, user, rawId, t);
  const video = await videoToAdd(deps, user, rawVideoId, t);
  return appendVideo(deps.sql, playlist.id, video.id, t, "refuse");
}

/** Puts the video in the playlist or takes it out, whatever the current state: what a checkbox means. */
export async function setSaved(deps: PlaylistsDeps, user: UserRow, rawId: string, rawVideoId: string, saved: boolean, t: Translate): Promise<void> {
  const playlist = await playlistForChange(deps, user, rawId, t);
  const video = await videoToAdd(deps, user, rawVideoId, t);
  if (saved) {
    await appendVideo(deps.sql, playlist.id, video.id, t, "keep");
    return;
  }
  const elementId = await q.findElementOfVideo(deps.sql, playlist.id, video.id);
  if (elementId !== null) await removeInside(deps.sql, playlist.id, elementId, t);
}

async function removeInside(sql: Sql, playlistId: number, elementId: number, t: Translate): Promise<void> {
  await sql.begin(async (tx) => {
    await q.lockPlaylist(tx, playlistId);
    if (!(await q.deleteElement(tx, playlistId, elementId))) throw notFound(t("playlists.err.elementNotFound"));
    await q.normalizePositions(tx, playlistId);
    await q.touchPlaylist(tx, playlistId);
  });
}

export async function removeElement(deps: PlaylistsDeps, user: UserRow, rawId: string, elementId: number, t: Translate): Promise<q.PlaylistRow> {
  const playlist = await playlistForChange(deps, user, rawId, t);
  await removeInside(deps.sql, playlist.id, elementId, t);
  return playlist;
}

/** Reorders as `plan` decides from the current order (it throws to refuse, which rolls everything back). */
async function reorderInside(sql: Sql, playlistId: number, plan: (ids: number[]) => Reorder): Promise<void> {
  await sql.begin(async (tx) => {
    await q.lockPlaylist(tx, playlistId);
    await q.normalizePositions(tx, playlistId);
    const ids = await q.elementIds(tx, playlistId);
    await q.setOrder(tx, playlistId, applyReorder(ids, plan(ids)));
    await q.touchPlaylist(tx, playlistId);
  });
}

/** PeerTube's reorder: the `length` items from `start` go after the item at `insertAfter` (0: to the top). */
export async function reorderElements(deps: PlaylistsDeps, user: UserRow, rawId: string, r: Reorder, t: Translate): Promise<void> {
  const playlist = await playlistForChange(deps, user, rawId, t);
  await reorderInside(deps.sql, playlist.id, (ids) => {
    if (reorderProblem(ids.length, r)) throw badRequest(t("playlists.err.reorder", { count: ids.length }));
    return r;
  });
}

/** Moves one element to position `to` (1..n), shifting the others. */
export async function moveElement(deps: PlaylistsDeps, user: UserRow, rawId: string, elementId: number, to: number, t: Translate): Promise<q.PlaylistRow> {
  const playlist = await playlistForChange(deps, user, rawId, t);
  await reorderInside(deps.sql, playlist.id, (ids) => {
    const from = ids.indexOf(elementId) + 1;
    if (from === 0) throw notFound(t("playlists.err.elementNotFound"));
    if (!Number.isInteger(to) || to < 1 || to > ids.length) throw badRequest(t("playlists.err.position", { max: ids.length }));
    return moveTo(from, to);
  });
  return playlist;
}

/** The user's playlists (Watch later first) and which of them hold `videoId`: what the save menu lists. */
export async function saveTargets(deps: PlaylistsDeps, user: UserRow, videoId: number): Promise<{ playlist: q.PlaylistRow; saved: boolean }[]> {
  await ensureWatchLater(deps, user.id);
  const [playlists, elements] = await Promise.all([
    q.listPlaylistsOfOwner(deps.sql, user.id, user.id, false),
    q.elementsOfVideos(deps.sql, user.id, [videoId]),
  ]);
  const holding = new Set(elements.map((e) => e.playlistId));
  return playlists.map((playlist) => ({ playlist, saved: holding.has(playlist.id) }));
}

/** Whether the viewer may see this element's video at all (its title, its channel). */
export function elementVisible(e: q.ElementRow, viewer: Viewer): boolean {
  if (viewer && (viewer.id === e.videoOwnerId || viewer.role === "admin")) return true;
  return e.privacy !== 3 && e.state === "published";
}

/** Whether the viewer can play it now: visible and done processing. */
export function elementPlayable(e: q.ElementRow, viewer: Viewer): boolean {
  return e.state === "published" && elementVisible(e, viewer);
}
