/**
 * Published video rows without media, for tests of features around videos (comments, ratings, listings,
 * feeds): the watch page and listings only need the row. Tests of playback upload and transcode for real.
 */
import type { Sql } from "postgres";
import { cp, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createLayout } from "../../src/storage/layout.ts";
import { transcodeToHlsLadder } from "../../src/transcoding/vod.ts";
import { newVideoIds } from "../../src/videos/ids.ts";
import { makeClip } from "./media.ts";
import { insertVideo, markPublished } from "../../src/videos/queries.ts";

export interface SeedVideo {
  readonly channelId: number;
  readonly name: string;
  readonly privacy?: 1 | 2 | 3;
  readonly description?: string;
  readonly tags?: string[];
  readonly language?: string | null;
  readonly category?: number | null;
  readonly duration?: number;
  readonly sensitive?: boolean;
  readonly isLive?: boolean;
  readonly commentsEnabled?: boolean;
  /** Defaults to now; set it to order listings. */
  readonly publishedAt?: Date;
  readonly views?: number;
}

export interface SeededVideo {
  readonly id: number;
  readonly uuid: string;
  readonly shortId: string;
}

export async function seedVideo(sql: Sql, v: SeedVideo): Promise<SeededVideo> {
  const { uuid, shortId } = newVideoIds();
  const id = await insertVideo(sql, {
    uuid, shortId, channelId: v.channelId, name: v.name, description: v.description ?? "", privacy: v.privacy ?? 1,
    category: v.category ?? null, language: v.language ?? null, tags: v.tags ?? [], commentsEnabled: v.commentsEnabled ?? true,
    downloadEnabled: false, originalPath: "", originalSize: 0, originalFilename: "seed.mp4", duration: v.duration ?? 60,
    width: 640, height: 360, fps: 25, audioOnly: false,
  });
  await markPublished(sql, id, [{ height: 360, width: 640, bandwidth: 800_000, playlist: "360.m3u8", size: 1000 }], 1000);
  await sql`
    UPDATE videos SET sensitive = ${v.sensitive ?? false}, is_live = ${v.isLive ?? false}, views = ${v.views ?? 0},
      published_at = ${v.publishedAt ?? new Date()} WHERE id = ${id}`;
  return { id, uuid, shortId };
}

/** The id of a user's first (default) channel. */
export async function defaultChannelId(sql: Sql, userId: number): Promise<number> {
  const [row] = await sql<{ id: number }[]>`SELECT id::int FROM channels WHERE owner_id = ${userId} ORDER BY id LIMIT 1`;
  return row!.id;
}

/**
 * Playable published videos: one generated clip transcoded once into `dataDir`'s layout, then copied for each
 * name, so every thumbnail, playlist and segment is real. For e2e tests and benchmarks that play or show media.
 */
export async function publishPlayableVideos(
  sql: Sql,
  dataDir: string,
  channelId: number,
  videos: readonly { name: string; description?: string; tags?: string[]; language?: string | null; category?: number | null }[],
  options: { seconds?: number; width?: number; height?: number; resolutions?: readonly number[]; segmentSeconds?: number } = {},
): Promise<SeededVideo[]> {
  const clip = await makeClip({ seconds: options.seconds ?? 6, width: options.width ?? 640, height: options.height ?? 360 });
  const layout = createLayout(dataDir);
  const source = newVideoIds().uuid;
  try {
    const output = await transcodeToHlsLadder({
      input: clip,
      outputDir: layout.videoDir(source),
      workDir: layout.transcodeWork(source),
      ladder: { resolutions: [...(options.resolutions ?? [144, 240])], preset: "ultrafast", segmentSeconds: options.segmentSeconds ?? 2 },
    });
    const hlsDir = join(output.outputDir, "hls");
    const renditions = await Promise.all(
      output.renditions.map(async (r) => ({
        height: r.height ?? 0, width: r.width ?? 0, bandwidth: r.bandwidth, playlist: r.playlist, size: (await stat(join(hlsDir, r.playlist))).size,
      })),
    );
    const seeded: SeededVideo[] = [];
    for (const [i, v] of videos.entries()) {
      const { uuid, shortId } = newVideoIds();
      await cp(output.outputDir, layout.videoDir(uuid), { recursive: true });
      const id = await insertVideo(sql, {
        uuid, shortId, channelId, name: v.name, description: v.description ?? "", privacy: 1, category: v.category ?? null,
        language: v.language ?? null, tags: v.tags ?? [], commentsEnabled: true, downloadEnabled: false, originalPath: "",
        originalSize: 0, originalFilename: "clip.mp4", duration: Math.round(output.durationSeconds), width: options.width ?? 640,
        height: options.height ?? 360, fps: 25, audioOnly: false,
      });
      await markPublished(sql, id, renditions, 0);
      // Newest first in listings follows the order given.
      await sql`UPDATE videos SET published_at = now() - make_interval(mins => ${i}) WHERE id = ${id}`;
      seeded.push({ id, uuid, shortId });
    }
    await rm(layout.videoDir(source), { recursive: true, force: true });
    return seeded;
  } finally {
    await rm(dirname(clip), { recursive: true, force: true });
  }
}
