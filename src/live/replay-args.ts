/**
 * Turning a finished live into a replay without re-encoding: every segment of one rendition that is still
 * on disk (the live ran with keepAllSegments) is listed in an HLS VOD playlist that we write, and ffmpeg's
 * HLS demuxer reads them back to back into one MP4. The HLS demuxer (rather than the concat demuxer) keeps
 * the segments' own timestamps, which are continuous because one ffmpeg process wrote them all; the
 * concat demuxer would re-time each file from its probed duration and could open gaps in the audio.
 */
import { readdir } from "node:fs/promises";

/** Replay playlists start with this; the segment hash watcher skips them (they are not live playlists). */
export const REPLAY_PLAYLIST_PREFIX = "replay-";

/** File name of the replay playlist of a rendition, written in the live session folder beside the segments. */
export function replayPlaylistName(renditionName: string): string {
  return `${REPLAY_PLAYLIST_PREFIX}${renditionName}.m3u8`;
}

/** True for a file name made by replayPlaylistName. */
export function isReplayPlaylist(fileName: string): boolean {
  return fileName.startsWith(REPLAY_PLAYLIST_PREFIX) && fileName.endsWith(".m3u8");
}

/**
 * An HLS VOD playlist listing the segments in order. Durations are nominal (the demuxer plays by the
 * segments' timestamps, EXTINF only matters for seeking, which a remux does not do); ENDLIST makes
 * ffmpeg start at the first segment instead of near the end as it does for a live playlist.
 */
export function replayPlaylist(segmentNames: readonly string[], segmentSeconds: number): string {
  if (segmentNames.length === 0) throw new Error("replayPlaylist: no segments");
  const extinf = `#EXTINF:${segmentSeconds.toFixed(3)},`;
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(segmentSeconds)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    ...segmentNames.flatMap((name) => [extinf, name]),
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
}

/** Segment files of a rendition in a live session folder (`720p-00012.ts`), sorted by sequence number. */
export async function keptSegments(dir: string, renditionName: string): Promise<string[]> {
  const prefix = `${renditionName}-`;
  const numbered: { name: string; sequence: number }[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(".ts")) continue;
    const digits = name.slice(prefix.length, -".ts".length);
    // Digits only: `.ts.tmp` files still being written and other renditions' files (`720p-x-…`) are skipped.
    if (/^\d+$/.test(digits)) numbered.push({ name, sequence: Number(digits) });
  }
  return numbered.sort((a, b) => a.sequence - b.sequence).map((s) => s.name);
}

/**
 * Remux of a replay playlist into one MP4: `-c copy` (no quality loss, seconds for an hour), AAC moved from
 * ADTS (MPEG-TS framing) to MP4's AudioSpecificConfig, index at the front so the file plays while it downloads.
 */
export function replayRemuxArgs(o: { playlist: string; output: string }): string[] {
  return [
    "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
    "-protocol_whitelist", "file",
    "-f", "hls",
    "-i", o.playlist,
    "-map", "0:v:0?",
    "-map", "0:a:0?",
    "-c", "copy",
    "-bsf:a", "aac_adtstoasc",
    "-map_metadata", "-1",
    "-movflags", "+faststart",
    o.output,
  ];
}
