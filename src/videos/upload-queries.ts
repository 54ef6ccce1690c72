/** SQL of resumable upload sessions. */
import type { Db as Sql } from "../db/client.ts";

export interface UploadSession {
  id: string;
  userId: number;
  channelId: number;
  size: number;
  received: number;
  filename: string;
  metadata: Record<string, unknown>;
  expiresAt: Date;
}

const COLUMNS = (sql: Sql) =>
  sql`id, user_id::int AS user_id, channel_id::int AS channel_id, size::float8 AS size, received::float8 AS received, filename, metadata, expires_at`;

export async function insertUploadSession(sql: Sql, s: Omit<UploadSession, "received">): Promise<void> {
  await sql`
    INSERT INTO upload_sessions (id, user_id, channel_id, size, filename, metadata, expires_at)
    VALUES (${s.id}, ${s.userId}, ${s.channelId}, ${s.size}, ${s.filename}, ${sql.json(s.metadata as never)}, ${s.expiresAt})`;
}

export async function findUploadSession(sql: Sql, id: string): Promise<UploadSession | null> {
  const [row] = await sql<UploadSession[]>`SELECT ${COLUMNS(sql)} FROM upload_sessions WHERE id = ${id} AND expires_at > now()`;
  return row ?? null;
}

export async function setUploadReceived(sql: Sql, id: string, received: number): Promise<void> {
  await sql`UPDATE upload_sessions SET received = ${received} WHERE id = ${id}`;
}

export async function deleteUploadSession(sql: Sql, id: string): Promise<void> {
  await sql`DELETE FROM upload_sessions WHERE id = ${id}`;
}

/** Bytes promised by a user's unfinished uploads, so two parallel uploads cannot overrun a quota together. */
export async function pendingUploadBytes(sql: Sql, userId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT coalesce(sum(size), 0)::float8 AS n FROM upload_sessions WHERE user_id = ${userId} AND expires_at > now()`;
  return row!.n;
}

export async function takeExpiredUploadSessions(sql: Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`DELETE FROM upload_sessions WHERE expires_at <= now() RETURNING id`;
  return rows.map((r) => r.id);
}
