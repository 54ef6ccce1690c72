/**
 * Replays: when a live that asked for one ends, the top rendition's segments are remuxed (no re-encode) into
 * one MP4, which then takes the same path as an upload (ffprobe check, video row, transcode job), so a replay
 * is an ordinary video on demand with its own ladder, thumbnails and hashes.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { UploadDeps } from "../videos/upload.ts";
import { createVideoFromFile } from "../videos/upload.ts";
import { findVideo } from "../videos/queries.ts";
import { findUserById } from "../accounts/queries.ts";
import { runFfmpeg } from "../transcoding/ffmpeg.ts";
import { isReplayPlaylist, keptSegments, replayPlaylist, replayPlaylistName, replayRemuxArgs } from "./replay-args.ts";
import { LIVE_MASTER_PLAYLIST, LIVE_SOURCE_RENDITION } from "./transcode-args.ts";
import { setLiveReplay } from "./service.ts";
import type { EndedLive } from "./ingest.ts";

/** A replay remux copies streams; even hours of video take seconds, so this only catches a hung ffmpeg. */
const REMUX_TIMEOUT_MS = 10 * 60_000;

/** Builds the `saveReplay` step of the live ingest. */
export function createReplaySaver(deps: UploadDeps): (ended: EndedLive) => Promise<void> {
  return async (ended) => {
    const top = await topRendition(ended.dir);
    if (!top) return;
    const segments = await keptSegments(ended.dir, top);
    if (segments.length === 0) return;
    const [live, owner] = await Promise.all([findVideo(deps.sql, { id: ended.videoId }), findUserById(deps.sql, ended.userId)]);
    // Deleted while it ended: nothing to attach a replay to.
    if (!live || !owner) return;
    const work = join(deps.layout.root, "tmp", "replays");
    await mkdir(work, { recursive: true });
    const playlist = join(ended.dir, replayPlaylistName(top));
    const output = join(work, `${ended.uuid}-${ended.session}.mp4`);
    try {
      await writeFile(playlist, replayPlaylist(segments, ended.segmentSeconds));
      await runFfmpeg({ args: replayRemuxArgs({ playlist, output }), timeoutMs: REMUX_TIMEOUT_MS });
      const replay = await createVideoFromFile(
        deps,
        owner,
        output,
        {
          channelId: live.channelId,
          name: live.name,
          description: live.description,
          privacy: live.privacy,
          category: live.category ?? undefined,
          language: live.language ?? undefined,
          tags: live.tags,
          commentsEnabled: live.commentsEnabled,
          downloadEnabled: live.downloadEnabled,
          sensitive: live.sensitive,
        },
        "replay.mp4",
      );
      await setLiveReplay(deps.sql, ended.liveId, replay.id);
      // The live's own files are no longer needed: the replay has its copy under originals/.
      await rm(ended.dir, { recursive: true, force: true });
    } finally {
      await rm(output, { force: true });
    }
  };
}

/**
 * The best rendition a session folder holds, from its media playlists: the source when it was passed through,
 * else the tallest rung (names are "<height>p"), else the audio. Read from disk so that a live cut short by a
 * restart, whose ladder nobody remembers, gets its replay too.
 */
export async function topRendition(dir: string): Promise<string | null> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((file) => file.endsWith(".m3u8") && file !== LIVE_MASTER_PLAYLIST && !isReplayPlaylist(file))
    .map((file) => file.slice(0, -".m3u8".length));
  if (names.includes(LIVE_SOURCE_RENDITION)) return LIVE_SOURCE_RENDITION;
  const height = (name: string) => Number(/^(\d+)p$/.exec(name)?.[1] ?? 0);
  return names.sort((a, b) => height(b) - height(a))[0] ?? null;
}
