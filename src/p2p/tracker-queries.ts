/** The tracker's SQL: which videos are published, for the swarms it accepts. */
import type { Sql } from "../db/client.ts";

/** A published video and when its row last changed: a new stamp means a new master playlist may be in place. */
export interface PublishedVideoStamp {
  uuid: string;
  stamp: number;
}

/** Every published video with its change stamp; the tracker accepts the swarms of exactly these. */
export async function listPublishedVideoStamps(sql: Sql): Promise<PublishedVideoStamp[]> {
  return sql<PublishedVideoStamp[]>`
    SELECT uuid::text AS uuid, extract(epoch FROM updated_at)::float8 AS stamp
    FROM videos WHERE state = 'published'`;
}
