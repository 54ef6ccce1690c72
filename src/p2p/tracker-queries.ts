/** The tracker's SQL: which videos are published, for the swarms it accepts. */
import type { Sql } from "../db/client.ts";

/** A published video and when its row last changed: a new stamp means a new master playlist may be in place. */
export interface PublishedVideoStamp {
  uuid: string;
  stamp: number;
  /** Set while the video is a live on air: its swarms are the session's, under live/<uuid>/<session>/. */
  liveSession: string | null;
}

/** Every published video with its change stamp; the tracker accepts the swarms of exactly these. */
export async function listPublishedVideoStamps(sql: Sql): Promise<PublishedVideoStamp[]> {
  return sql<PublishedVideoStamp[]>`
    SELECT v.uuid::text AS uuid, extract(epoch FROM greatest(v.updated_at, l.started_at))::float8 AS stamp,
           CASE WHEN l.state = 'live' THEN l.session END AS live_session
    FROM videos v LEFT JOIN lives l ON l.video_id = v.id
    WHERE v.state = 'published' AND (l.id IS NULL OR l.state = 'live')`;
}
