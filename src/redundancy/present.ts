/** Mirrors as players and the video API see them: the folders a video's files may also be fetched from. */
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { mirrorPath } from "./cache-file.ts";
import { mirrorBaseUrls } from "./queries.ts";

/**
 * The mirror folders of a video, each holding its playlists and segments under the origin's file names: others'
 * live mirrors of a local video, or our own mirror of a remote one. Lives are never mirrored.
 */
export async function mirrorsOf(sql: Sql, config: Config, video: { id: number; apId: string | null; uuid: string; isLive: boolean }): Promise<string[]> {
  if (video.isLive) return [];
  return mirrorBaseUrls(sql, video, config.publicUrl, mirrorPath(video.uuid));
}
