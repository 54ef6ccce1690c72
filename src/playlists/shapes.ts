/** PeerTube's JSON shapes for playlists and their elements, built from our rows. */
import type { Config } from "../config.ts";
import { absoluteUrl, staticUrl } from "../http/urls.ts";
import { videoUrls } from "../storage/layout.ts";
import { videoListItemJson } from "../videos/shapes.ts";
import type { VideoRow } from "../videos/queries.ts";
import type { PlaylistRow } from "./queries.ts";

const PRIVACY_LABELS = { 1: "Public", 2: "Unlisted", 3: "Private" } as const;
/** PeerTube's playlist types: 1 regular, 2 Watch later. */
const TYPES = { regular: { id: 1, label: "Regular" }, watch_later: { id: 2, label: "Watch later" } } as const;

export const PLAYLIST_PRIVACIES = PRIVACY_LABELS;

export function playlistJson(config: Config, p: PlaylistRow) {
  const thumbnailPath = p.thumbnailUuid ? videoUrls(p.thumbnailUuid).thumbnail : null;
  const ownerAvatar = staticUrl(p.ownerAvatarPath);
  return {
    id: p.id,
    uuid: p.uuid,
    shortUUID: p.shortId,
    isLocal: true,
    url: absoluteUrl(config, `/p/${p.shortId}`),
    displayName: p.kind === "watch_later" ? "Watch later" : p.name,
    description: p.description || null,
    privacy: { id: p.privacy, label: PRIVACY_LABELS[p.privacy] },
    type: TYPES[p.kind],
    videosLength: p.videosLength,
    thumbnailPath,
    thumbnailUrl: thumbnailPath ? absoluteUrl(config, thumbnailPath) : null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    ownerAccount: {
      id: p.ownerActorId,
      name: p.ownerHandle,
      displayName: p.ownerDisplayName,
      host: config.publicHost,
      url: absoluteUrl(config, `/a/${p.ownerHandle}`),
      avatars: ownerAvatar ? [{ path: ownerAvatar, width: 240 }] : [],
    },
    videoChannel: p.channelId
      ? {
          id: p.channelId,
          name: p.channelHandle,
          displayName: p.channelDisplayName,
          host: config.publicHost,
          url: absoluteUrl(config, `/c/${p.channelHandle}`),
        }
      : null,
  };
}

/**
 * PeerTube's element types: 0 regular, 2 private, 3 unavailable (1, deleted, never happens here: deleting
 * a video removes its elements). An element the caller may not see carries no video.
 */
export function playlistElementJson(config: Config, e: { id: number; position: number }, video: VideoRow | null, hiddenBecausePrivate: boolean) {
  return {
    id: e.id,
    position: e.position,
    startTimestamp: null,
    stopTimestamp: null,
    type: video ? 0 : hiddenBecausePrivate ? 2 : 3,
    video: video ? videoListItemJson(config, video) : null,
  };
}
