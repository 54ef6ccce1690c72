/**
 * All SQL of lives. A live is a `videos` row (is_live, state 'published') plus a `lives` row; every change of a
 * live's state is announced on the LIVE_CHANNEL with NOTIFY (payload: the video id), in the same transaction,
 * so watch pages in every process hear of it exactly when it is committed.
 */
import type { Db, Sql } from "../db/client.ts";
import type { Privacy, VideoRow } from "../videos/queries.ts";

/** PostgreSQL LISTEN/NOTIFY channel of live state changes; the payload is the video id. */
export const LIVE_CHANNEL = "tubelet_live";

/** Serialises every beginLiveSession of the instance, so two publishers cannot both pass a limit check. */
const LIVE_BEGIN_LOCK_ID = 7_261_903_417;

export type LiveLatency = "normal" | "low";
export type LiveState = "waiting" | "live" | "ended";

export interface LiveRow {
  id: number;
  videoId: number;
  streamKey: string;
  saveReplay: boolean;
  permanent: boolean;
  latencyMode: LiveLatency;
  state: LiveState;
  session: string | null;
  startedAt: Date | null;
  /** When the session's first segment existed; null while ffmpeg is still starting. */
  playableAt: Date | null;
  endedAt: Date | null;
  replayVideoId: number | null;
  /** The replay's short id when it exists (its page shows processing until it is ready), for its link. */
  replayShortId: string | null;
  createdAt: Date;
}

/** What the RTMP ingest needs to accept (or refuse) a publish with a given key. */
export interface LiveForPublish {
  liveId: number;
  videoId: number;
  uuid: string;
  userId: number;
  channelId: number;
  name: string;
  privacy: Privacy;
  state: LiveState;
  permanent: boolean;
  saveReplay: boolean;
  latencyMode: LiveLatency;
  session: string | null;
}

export type BeginResult = "ok" | "already_live" | "ended" | "user_limit" | "instance_limit";

/**
 * `AND ...` for a public listing over `videos v`: leaves out lives that are not on air (waiting, or ended).
 * The one place this rule lives; videos without a `lives` row (every VOD) pass. It reads the partial index
 * lives_off_air_idx, which holds only lives off air.
 */
export function notOffAirSql(sql: Db) {
  return sql`AND NOT EXISTS (SELECT 1 FROM lives l WHERE l.video_id = v.id AND l.state <> 'live')`;
}

const LIVE_SELECT = (sql: Db) => sql`
  SELECT l.id::int AS id, l.video_id::int AS video_id, l.stream_key, l.save_replay, l.permanent, l.latency_mode, l.state,
         l.session, l.started_at, l.playable_at, l.ended_at, l.replay_video_id::int AS replay_video_id, l.created_at,
         (SELECT r.short_id FROM videos r WHERE r.id = l.replay_video_id) AS replay_short_id
  FROM lives l`;

/** What a new live's video row is made of: the fields an upload's row takes from its form. */
export type NewLiveVideo = Pick<
  VideoRow,
  "uuid" | "shortId" | "channelId" | "name" | "description" | "privacy" | "category" | "language" | "tags" | "commentsEnabled" | "downloadEnabled" | "sensitive"
>;

/** The video row of a new live: published at once (its page must exist before the stream starts), no original. */
export async function insertLiveVideo(sql: Db, v: NewLiveVideo): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO videos (uuid, short_id, channel_id, name, description, privacy, category, language, tags, comments_enabled,
                        download_enabled, sensitive, state, progress, is_live, published_at)
    VALUES (${v.uuid}, ${v.shortId}, ${v.channelId}, ${v.name}, ${v.description}, ${v.privacy}, ${v.category}, ${v.language},
            ${sql.array(v.tags)}, ${v.commentsEnabled}, ${v.downloadEnabled}, ${v.sensitive}, 'published', 100, true, now())
    RETURNING id::int`;
  return row!.id;
}

export interface LiveSettings {
  saveReplay: boolean;
  permanent: boolean;
  latencyMode: LiveLatency;
}

/** Inserts the live's own row; returns its id. */
export async function insertLive(sql: Db, l: LiveSettings & { videoId: number; streamKey: string }): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO lives (video_id, stream_key, save_replay, permanent, latency_mode)
    VALUES (${l.videoId}, ${l.streamKey}, ${l.saveReplay}, ${l.permanent}, ${l.latencyMode})
    RETURNING id::int`;
  return row!.id;
}

/** The live of a video, or null when the video is not a live (or is gone). */
export async function findLiveByVideoId(sql: Db, videoId: number): Promise<LiveRow | null> {
  const [row] = await sql<LiveRow[]>`${LIVE_SELECT(sql)} WHERE l.video_id = ${videoId}`;
  return row ?? null;
}

/** The live a stream key opens, with its video and owner; null for an unknown key. */
export async function findLiveForPublish(sql: Db, streamKey: string): Promise<LiveForPublish | null> {
  if (!streamKey) return null;
  const [row] = await sql<LiveForPublish[]>`
    SELECT l.id::int AS live_id, v.id::int AS video_id, v.uuid::text AS uuid, c.owner_id::int AS user_id,
           v.channel_id::int AS channel_id, v.name, v.privacy, l.state, l.permanent, l.save_replay, l.latency_mode, l.session
    FROM lives l
    JOIN videos v ON v.id = l.video_id
    JOIN channels c ON c.id = v.channel_id
    WHERE l.stream_key = ${streamKey}`;
  return row ?? null;
}

/** Replaces the stream key unless the live is on air; false when it is (or the live is gone). */
export async function setStreamKey(sql: Db, liveId: number, streamKey: string): Promise<boolean> {
  const rows = await sql`UPDATE lives SET stream_key = ${streamKey} WHERE id = ${liveId} AND state <> 'live'`;
  return rows.count > 0;
}

/** Changes replay, permanence and latency unless the live is on air; false when it is (or the live is gone). */
export async function updateLiveSettings(sql: Db, liveId: number, s: LiveSettings): Promise<boolean> {
  const rows = await sql`
    UPDATE lives SET save_replay = ${s.saveReplay}, permanent = ${s.permanent}, latency_mode = ${s.latencyMode}
    WHERE id = ${liveId} AND state <> 'live'`;
  return rows.count > 0;
}

async function notifyLive(sql: Db, videoId: number): Promise<void> {
  await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${String(videoId)})`;
}

/**
 * Puts a live on air for a new publish session, if nothing forbids it. Every begin of the instance takes one
 * transaction-scoped advisory lock, then the live's row lock, so two publishers racing on the same key, or for
 * the last free place under a limit, cannot both win; the loser sees the winner's committed row.
 */
export async function beginLiveSession(
  sql: Sql,
  o: { liveId: number; userId: number; session: string; maxPerUser: number; maxInstance: number },
): Promise<BeginResult> {
  return sql.begin(async (tx): Promise<BeginResult> => {
    await tx`SELECT pg_advisory_xact_lock(${LIVE_BEGIN_LOCK_ID})`;
    const [live] = await tx<{ videoId: number; state: LiveState; permanent: boolean }[]>`
      SELECT video_id::int AS video_id, state, permanent FROM lives WHERE id = ${o.liveId} FOR UPDATE`;
    if (!live || (live.state === "ended" && !live.permanent)) return "ended";
    if (live.state === "live") return "already_live";
    const [counts] = await tx<{ mine: number; total: number }[]>`
      SELECT count(*) FILTER (WHERE c.owner_id = ${o.userId})::int AS mine, count(*)::int AS total
      FROM lives l JOIN videos v ON v.id = l.video_id JOIN channels c ON c.id = v.channel_id
      WHERE l.state = 'live'`;
    if (counts!.mine >= o.maxPerUser) return "user_limit";
    if (counts!.total >= o.maxInstance) return "instance_limit";
    await tx`
      UPDATE lives SET state = 'live', session = ${o.session}, started_at = now(), playable_at = NULL, ended_at = NULL
      WHERE id = ${o.liveId}`;
    await notifyLive(tx, live.videoId);
    return "ok";
  });
}

/** The session on air has its first segment: pages may now load its playlists (they are told so). */
export async function markLivePlayable(sql: Db, o: { liveId: number; session: string }): Promise<boolean> {
  const rows = await sql`
    WITH changed AS (
      UPDATE lives SET playable_at = now() WHERE id = ${o.liveId} AND session = ${o.session} AND state = 'live' AND playable_at IS NULL
      RETURNING video_id
    )
    SELECT pg_notify(${LIVE_CHANNEL}, video_id::text) FROM changed`;
  return rows.length > 0;
}

/**
 * Takes a live off air after its publisher left: permanent lives wait for the next publish, others end. Only the
 * session that is on air can end it, so a late end of an old session never ends a newer one. Null when nothing
 * changed (stale session, already off air, or the live was deleted meanwhile).
 */
export async function endLiveSession(sql: Db, o: { liveId: number; session: string }): Promise<"ended" | "waiting" | null> {
  const [row] = await sql<{ state: "ended" | "waiting" }[]>`
    WITH changed AS (
      UPDATE lives SET state = CASE WHEN permanent THEN 'waiting' ELSE 'ended' END, ended_at = now()
      WHERE id = ${o.liveId} AND session = ${o.session} AND state = 'live'
      RETURNING state, video_id
    )
    SELECT state, pg_notify(${LIVE_CHANNEL}, video_id::text) FROM changed`;
  return row?.state ?? null;
}

/** A live that was on air when the server stopped: enough to finish it (and make its replay) at start. */
export interface LeftoverLive {
  liveId: number;
  videoId: number;
  uuid: string;
  userId: number;
  session: string;
  saveReplay: boolean;
  latencyMode: "normal" | "low";
}

/** At start-up: every live still marked on air lost its publisher with the previous process. Returns them, for their replays. */
export async function endLeftoverLives(sql: Db): Promise<LeftoverLive[]> {
  return sql<LeftoverLive[]>`
    WITH changed AS (
      UPDATE lives SET state = CASE WHEN permanent THEN 'waiting' ELSE 'ended' END, ended_at = now()
      WHERE state = 'live'
      RETURNING id, video_id, session, save_replay, latency_mode
    )
    SELECT ch.id::int AS live_id, ch.video_id::int AS video_id, v.uuid::text AS uuid, c.owner_id::int AS user_id,
           ch.session, ch.save_replay, ch.latency_mode, pg_notify(${LIVE_CHANNEL}, ch.video_id::text)
    FROM changed ch JOIN videos v ON v.id = ch.video_id JOIN channels c ON c.id = v.channel_id
    ORDER BY ch.id`;
}

/** Records the VOD made from a live's recording, so its page can link to it. */
export async function setLiveReplay(sql: Db, liveId: number, replayVideoId: number | null): Promise<void> {
  await sql`
    WITH changed AS (UPDATE lives SET replay_video_id = ${replayVideoId} WHERE id = ${liveId} RETURNING video_id)
    SELECT pg_notify(${LIVE_CHANNEL}, video_id::text) FROM changed`;
}

/** Tells watch pages to look at a video's live again (e.g. its replay finished processing). */
export async function announceLiveChange(sql: Db, videoId: number): Promise<void> {
  await notifyLive(sql, videoId);
}
