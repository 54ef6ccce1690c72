/**
 * Where files live under the data folder. Everything below `videos/` and `avatars/` is public and served
 * under /static/ (by Caddy in production); `originals/` and `tmp/` never are.
 *
 *   originals/<uuid>.<ext>                 the uploaded file, kept for retries and re-transcodes
 *   videos/<uuid>/hls/master.m3u8          the HLS ladder: master, per-rendition playlists, fMP4 segments
 *   videos/<uuid>/hls/segments-sha256.json SHA-256 of every segment, checked by P2P players
 *   videos/<uuid>/thumbnail.jpg, preview.jpg
 *   live/<uuid>/<session>/master.m3u8      a live's HLS while on air (sliding window of MPEG-TS segments)
 *   live/<uuid>/<session>/segments-sha256.json
 *   tmp/uploads/<upload-id>.part           resumable uploads in progress
 *   tmp/transcode/<uuid>/                  a transcode's work folder, moved into videos/ only when complete
 */
import { join } from "node:path";

export interface Layout {
  readonly root: string;
  original(uuid: string, extension: string): string;
  videoDir(uuid: string): string;
  /** Every publish session of a live video. */
  liveDir(uuid: string): string;
  /** One publish session's HLS output. */
  liveSessionDir(uuid: string, session: string): string;
  uploadPart(uploadId: string): string;
  transcodeWork(uuid: string): string;
  /** The public URL path of a file below the data folder. */
  publicPath(relative: string): string;
}

export function createLayout(root: string): Layout {
  return {
    root,
    original: (uuid, extension) => join(root, "originals", `${uuid}${extension}`),
    videoDir: (uuid) => join(root, "videos", uuid),
    liveDir: (uuid) => join(root, "live", uuid),
    liveSessionDir: (uuid, session) => join(root, "live", uuid, session),
    uploadPart: (uploadId) => join(root, "tmp", "uploads", `${uploadId}.part`),
    transcodeWork: (uuid) => join(root, "tmp", "transcode", uuid),
    publicPath: (relative) => `/static/${relative}`,
  };
}

/** Public URL paths of a video's files. */
export function videoUrls(uuid: string) {
  const base = `/static/videos/${uuid}`;
  return {
    master: `${base}/hls/master.m3u8`,
    hashes: `${base}/hls/segments-sha256.json`,
    thumbnail: `${base}/thumbnail.jpg`,
    preview: `${base}/preview.jpg`,
    download: `${base}/download.mp4`,
  };
}

/** Public URL paths of one publish session of a live. */
export function liveUrls(uuid: string, session: string) {
  const base = `/static/live/${uuid}/${session}`;
  return {
    master: `${base}/master.m3u8`,
    hashes: `${base}/segments-sha256.json`,
  };
}
