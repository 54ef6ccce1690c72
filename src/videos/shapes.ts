/** PeerTube's JSON shapes for videos, built from our rows. */
import type { Config } from "../config.ts";
import { absoluteUrl, staticUrl } from "../http/urls.ts";
import { videoUrls } from "../storage/layout.ts";
import { CATEGORIES, LANGUAGES, PRIVACY_LABELS } from "./metadata.ts";
import type { VideoRow, VideoListRow } from "./queries.ts";

/** PeerTube's state ids: 1 published, 2 to transcode, 7 transcoding failed (we add progress separately). */
const STATES = {
  published: { id: 1, label: "Published" },
  queued: { id: 2, label: "To transcode" },
  transcoding: { id: 2, label: "To transcode" },
  failed: { id: 7, label: "Transcoding failed" },
} as const;

export function videoListItemJson(config: Config, v: VideoListRow) {
  const urls = videoUrls(v.uuid);
  return {
    id: v.id,
    uuid: v.uuid,
    shortUUID: v.shortId,
    name: v.name,
    url: absoluteUrl(config, `/w/${v.shortId}`),
    embedPath: `/videos/embed/${v.shortId}`,
    duration: Math.round(v.duration),
    views: v.views,
    likes: v.likes,
    dislikes: v.dislikes,
    isLocal: v.apId === null,
    isLive: v.isLive,
    nsfw: v.sensitive,
    privacy: { id: v.privacy, label: PRIVACY_LABELS[v.privacy] },
    category: { id: v.category, label: v.category ? CATEGORIES[v.category] : "Unknown" },
    language: { id: v.language, label: v.language ? LANGUAGES[v.language] : "Unknown" },
    state: { ...STATES[v.state], progress: v.progress, reason: v.stateReason },
    thumbnailPath: v.apId !== null ? v.originThumbnailUrl : v.state === "published" ? urls.thumbnail : null,
    previewPath: v.apId !== null ? v.originThumbnailUrl : v.state === "published" ? urls.preview : null,
    createdAt: v.createdAt,
    publishedAt: v.publishedAt,
    updatedAt: v.updatedAt,
    channel: {
      name: v.channelHandle,
      displayName: v.channelDisplayName,
      host: v.channelDomain ?? config.publicHost,
      url: v.channelDomain ? (v.originWatchUrl ?? "") : absoluteUrl(config, `/c/${v.channelHandle}`),
      avatars: v.channelAvatarPath ? [{ path: staticUrl(v.channelAvatarPath), width: 240 }] : [],
    },
    account: { name: v.ownerHandle, host: config.publicHost, url: absoluteUrl(config, `/a/${v.ownerHandle}`) },
  };
}

/** A video as PeerTube's API shows it; `mirrors` are the folders other instances mirror its playlist in. */
export function videoJson(config: Config, v: VideoRow, mirrors: readonly string[] = []) {
  const urls = videoUrls(v.uuid);
  const published = v.state === "published";
  return {
    ...videoListItemJson(config, v),
    description: v.description,
    tags: v.tags,
    commentsEnabled: v.commentsEnabled,
    downloadEnabled: v.downloadEnabled,
    streamingPlaylists: published
      ? [
          {
            id: v.id,
            type: 1,
            playlistUrl: v.originMasterUrl ?? absoluteUrl(config, urls.master),
            segmentsSha256Url: v.apId !== null ? v.originHashesUrl : absoluteUrl(config, urls.hashes),
            redundancies: mirrors.map((baseUrl) => ({ baseUrl })),
            files: v.renditions.map((r) => ({
              resolution: { id: r.height, label: v.audioOnly ? "Audio" : `${r.height}p` },
              size: r.size,
              fps: Math.round(v.fps),
              // A remote video's renditions are stored with their origin's absolute URLs.
              playlistUrl: v.apId !== null ? r.playlist : absoluteUrl(config, `/static/videos/${v.uuid}/hls/${r.playlist}`),
            })),
          },
        ]
      : [],
    files: [],
  };
}
