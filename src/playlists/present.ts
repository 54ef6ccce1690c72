/** Playlist rows as the views' props, and which item plays for whom. Pure. */
import { videoUrls } from "../storage/layout.ts";
import type { PlaylistCardView, PlaylistFormValues } from "../../views/pages/playlists.tsx";
import type { PlaylistHeaderView, PlaylistItemView } from "../../views/pages/playlist.tsx";
import type { SaveTargetView } from "../../views/components/save-to-playlist.tsx";
import { nextPlayable, playableIndex, previousPlayable } from "./positions.ts";
import type { ElementRow, PlaylistRow } from "./queries.ts";
import { elementPlayable, elementVisible, type Translate, type Viewer } from "./service.ts";

/** Watch later is named in the reader's language; the stored name is only a fallback for other software. */
export function playlistName(row: Pick<PlaylistRow, "kind" | "name">, t: Translate): string {
  return row.kind === "watch_later" ? t("playlists.watchLater") : row.name;
}

export function toPlaylistCardView(row: PlaylistRow, t: Translate): PlaylistCardView {
  return {
    shortId: row.shortId,
    name: playlistName(row, t),
    privacy: row.privacy,
    isWatchLater: row.kind === "watch_later",
    videosLength: row.videosLength,
    thumbnailUrl: row.thumbnailUuid ? videoUrls(row.thumbnailUuid).thumbnail : null,
    updatedAt: row.updatedAt,
  };
}

export function toHeaderView(row: PlaylistRow, t: Translate): PlaylistHeaderView {
  return { ...row, name: playlistName(row, t), isWatchLater: row.kind === "watch_later" };
}

export function toSaveTargets(targets: readonly { playlist: PlaylistRow; saved: boolean }[], t: Translate): SaveTargetView[] {
  return targets.map(({ playlist, saved }) => ({
    shortId: playlist.shortId,
    name: playlistName(playlist, t),
    privacy: playlist.privacy,
    isWatchLater: playlist.kind === "watch_later",
    saved,
  }));
}

/** The form's values from a stored playlist. */
export function formValuesOf(row: Pick<PlaylistRow, "name" | "description" | "privacy" | "channelId">): PlaylistFormValues {
  return { name: row.name, description: row.description, privacy: String(row.privacy), channelId: row.channelId ? String(row.channelId) : "" };
}

/** The form's values as they were typed, for showing a refused form again. */
export function formValuesFrom(raw: Record<string, unknown>): PlaylistFormValues {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return { name: text(raw.name), description: text(raw.description), privacy: text(raw.privacy) || "3", channelId: text(raw.channelId) };
}

export interface Playback {
  readonly items: PlaylistItemView[];
  /** Position playing; null when nothing can be played. */
  readonly current: number | null;
  readonly next: number | null;
  readonly previous: number | null;
}

/**
 * What the viewer sees of each element and which one plays. `wanted` is the asked position (?i=N),
 * or an element id through `currentElementId` after a move; unplayable items are skipped.
 */
export function planPlayback(
  elements: readonly ElementRow[],
  viewer: (NonNullable<Viewer> & { sensitivePolicy?: "show" | "blur" | "hide" }) | null,
  at: { wanted: number } | { currentElementId: number | null },
): Playback {
  const playable = elements.map((e) => elementPlayable(e, viewer));
  const items = elements.map((e, k): PlaylistItemView => {
    if (!elementVisible(e, viewer)) return { available: false, elementId: e.id, position: k + 1 };
    return {
      available: true,
      elementId: e.id,
      position: k + 1,
      shortId: e.videoShortId,
      name: e.name,
      duration: e.duration,
      thumbnailUrl: e.state === "published" ? videoUrls(e.videoUuid).thumbnail : null,
      channelDisplayName: e.channelDisplayName,
      blurred: e.sensitive && (viewer?.sensitivePolicy ?? "blur") !== "show",
      playable: playable[k]!,
    };
  });
  let current: number | null;
  if ("wanted" in at) current = playableIndex(playable, at.wanted);
  else {
    const index = elements.findIndex((e) => e.id === at.currentElementId);
    current = index >= 0 ? index + 1 : null;
  }
  return {
    items,
    current,
    next: current === null ? null : nextPlayable(playable, current),
    previous: current === null ? null : previousPlayable(playable, current),
  };
}

/** The URL that plays position `i` of a playlist. */
export function playUrl(shortId: string, i: number | null, autoplay = false): string | null {
  return i === null ? null : `/p/${shortId}?i=${i}${autoplay ? "&autoplay=1" : ""}`;
}
