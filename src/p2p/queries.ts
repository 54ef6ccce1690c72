/** SQL of P2P statistics: per-video byte counters and instance totals per day. */
import type { Db as Sql } from "../db/client.ts";

export interface ByteCounts {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
}

/** Adds reported bytes to each video and to today's instance totals (call inside a transaction). */
export async function addP2PBytes(sql: Sql, perVideo: ReadonlyMap<number, ByteCounts>): Promise<void> {
  if (perVideo.size === 0) return;
  const ids = [...perVideo.keys()];
  const rows = ids.map((id) => perVideo.get(id)!);
  const sum = (pick: (r: ByteCounts) => number) => rows.reduce((total, r) => total + pick(r), 0);
  await sql`
    UPDATE videos v SET http_bytes = v.http_bytes + c.h, p2p_bytes = v.p2p_bytes + c.p, uploaded_bytes = v.uploaded_bytes + c.u
    FROM unnest(${sql.array(ids)}::bigint[], ${sql.array(rows.map((r) => r.httpBytes))}::bigint[],
                ${sql.array(rows.map((r) => r.p2pBytes))}::bigint[], ${sql.array(rows.map((r) => r.uploadedBytes))}::bigint[]) AS c(id, h, p, u)
    WHERE v.id = c.id`;
  await sql`
    INSERT INTO p2p_daily (day, http_bytes, p2p_bytes, uploaded_bytes)
    VALUES (current_date, ${sum((r) => r.httpBytes)}, ${sum((r) => r.p2pBytes)}, ${sum((r) => r.uploadedBytes)})
    ON CONFLICT (day) DO UPDATE SET http_bytes = p2p_daily.http_bytes + excluded.http_bytes,
      p2p_bytes = p2p_daily.p2p_bytes + excluded.p2p_bytes, uploaded_bytes = p2p_daily.uploaded_bytes + excluded.uploaded_bytes`;
}

export interface VideoShareRow extends ByteCounts {
  shortId: string;
  name: string;
}

export async function topVideosByTraffic(sql: Sql, limit: number): Promise<VideoShareRow[]> {
  return sql<VideoShareRow[]>`
    SELECT short_id, name, http_bytes::float8 AS http_bytes, p2p_bytes::float8 AS p2p_bytes, uploaded_bytes::float8 AS uploaded_bytes
    FROM videos WHERE http_bytes + p2p_bytes > 0 ORDER BY http_bytes + p2p_bytes DESC LIMIT ${limit}`;
}

export async function videoTraffic(sql: Sql, videoId: number): Promise<ByteCounts> {
  const [row] = await sql<ByteCounts[]>`
    SELECT http_bytes::float8 AS http_bytes, p2p_bytes::float8 AS p2p_bytes, uploaded_bytes::float8 AS uploaded_bytes
    FROM videos WHERE id = ${videoId}`;
  return row ?? { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 };
}

export async function dailyTotals(sql: Sql, days: number): Promise<(ByteCounts & { day: Date })[]> {
  return sql<(ByteCounts & { day: Date })[]>`
    SELECT day, http_bytes::float8 AS http_bytes, p2p_bytes::float8 AS p2p_bytes, uploaded_bytes::float8 AS uploaded_bytes
    FROM p2p_daily WHERE day > current_date - ${days}::int ORDER BY day DESC`;
}
