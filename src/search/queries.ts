/** Search SQL: titles, channel names and handles, matched by words in any order (case-insensitive). */
import type { Db as Sql } from "../db/client.ts";
import type { ChannelRow } from "../channels/queries.ts";
import { findChannelByHandle } from "../channels/queries.ts";
import type { VideoRow } from "../videos/queries.ts";
import { findVideo } from "../videos/queries.ts";

/** `%word%` patterns with LIKE's wildcards escaped, so a search for "50%" means the text "50%". */
export function likePatterns(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

export async function searchVideoIds(sql: Sql, patterns: string[], limit: number): Promise<number[]> {
  if (patterns.length === 0) return [];
  const rows = await sql<{ id: number }[]>`
    SELECT v.id::int FROM videos v
    WHERE v.privacy = 1 AND v.state = 'published'
      AND lower(v.name || ' ' || array_to_string(v.tags, ' ')) LIKE ALL (${sql.array(patterns)})
    ORDER BY v.published_at DESC LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

export async function searchChannelHandles(sql: Sql, patterns: string[], limit: number): Promise<string[]> {
  if (patterns.length === 0) return [];
  const rows = await sql<{ handle: string }[]>`
    SELECT a.handle FROM channels c JOIN actors a ON a.id = c.actor_id
    WHERE lower(a.handle || ' ' || a.display_name) LIKE ALL (${sql.array(patterns)})
    ORDER BY a.created_at DESC LIMIT ${limit}`;
  return rows.map((r) => r.handle);
}

export async function loadVideos(sql: Sql, ids: number[]): Promise<VideoRow[]> {
  return (await Promise.all(ids.map((id) => findVideo(sql, { id })))).filter((v): v is VideoRow => v !== null);
}

export async function loadChannels(sql: Sql, handles: string[]): Promise<ChannelRow[]> {
  return (await Promise.all(handles.map((h) => findChannelByHandle(sql, h)))).filter((c): c is ChannelRow => c !== null);
}
