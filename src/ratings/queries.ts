/** All SQL of ratings: one like or dislike per actor and video, and the video's counters kept in step. */
import type { Db, Sql } from "../db/client.ts";

export type Rating = "like" | "dislike";

export interface RateCounts {
  likes: number;
  dislikes: number;
}

/**
 * Sets (or with null, removes) an actor's rating and adjusts the video's counters by the difference, in one
 * transaction. The video row is locked first, so concurrent ratings of one video (even from the same person)
 * apply one after another and each sees the rating the previous one left: the counters always equal the rows.
 */
export async function setRating(sql: Sql, actorId: number, videoId: number, rating: Rating | null): Promise<RateCounts> {
  return sql.begin((tx) => applyRating(tx, actorId, videoId, rating)) as Promise<RateCounts>;
}

/**
 * setRating's work inside a transaction the caller holds (the inbox applies a remote Like in the transaction that
 * marks it seen). `onlyIf` removes or replaces only that rating: an Undo of a Like must not take back a dislike.
 */
export async function applyRating(
  tx: Db,
  actorId: number,
  videoId: number,
  rating: Rating | null,
  options: { onlyIf?: Rating } = {},
): Promise<RateCounts> {
  const [video] = await tx`SELECT id FROM videos WHERE id = ${videoId} FOR UPDATE`;
  if (!video) return { likes: 0, dislikes: 0 };
  const [before] = await tx<{ rating: Rating }[]>`SELECT rating FROM video_rates WHERE actor_id = ${actorId} AND video_id = ${videoId}`;
  const previous = before?.rating ?? null;
  if (previous === rating || (options.onlyIf !== undefined && previous !== options.onlyIf)) {
    const [same] = await tx<RateCounts[]>`SELECT likes, dislikes FROM videos WHERE id = ${videoId}`;
    return same!;
  }
  if (rating === null) {
    await tx`DELETE FROM video_rates WHERE actor_id = ${actorId} AND video_id = ${videoId}`;
  } else {
    await tx`
      INSERT INTO video_rates (actor_id, video_id, rating) VALUES (${actorId}, ${videoId}, ${rating})
      ON CONFLICT (actor_id, video_id) DO UPDATE SET rating = EXCLUDED.rating, created_at = now()`;
  }
  const likes = (rating === "like" ? 1 : 0) - (previous === "like" ? 1 : 0);
  const dislikes = (rating === "dislike" ? 1 : 0) - (previous === "dislike" ? 1 : 0);
  const [after] = await tx<RateCounts[]>`
    UPDATE videos SET likes = likes + ${likes}, dislikes = dislikes + ${dislikes} WHERE id = ${videoId}
    RETURNING likes, dislikes`;
  return after!;
}

/** The actor's rating of a video, or null. */
export async function findRating(sql: Db, actorId: number, videoId: number): Promise<Rating | null> {
  const [row] = await sql<{ rating: Rating }[]>`SELECT rating FROM video_rates WHERE actor_id = ${actorId} AND video_id = ${videoId}`;
  return row?.rating ?? null;
}
