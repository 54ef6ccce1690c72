/** What the watch page shows around the player: ratings, subscription, comment count, watch later. One query. */
import type { Db as Sql } from "../db/client.ts";

export interface WatchExtras {
  readonly likes: number;
  readonly dislikes: number;
  readonly myRating: "like" | "dislike" | null;
  readonly subscribed: boolean;
  readonly subscribers: number;
  readonly commentCount: number;
  readonly inWatchLater: boolean;
}

/** `viewer` is the person looking (their user id and actor id), or null for a visitor. */
export async function loadWatchExtras(
  sql: Sql,
  video: { id: number; channelActorId: number },
  viewer: { id: number; actorId: number } | null,
): Promise<WatchExtras> {
  const actorId = viewer?.actorId ?? 0;
  const userId = viewer?.id ?? 0;
  const [row] = await sql<WatchExtras[]>`
    SELECT v.likes, v.dislikes,
      (SELECT r.rating FROM video_rates r WHERE r.video_id = v.id AND r.actor_id = ${actorId}) AS my_rating,
      EXISTS (SELECT 1 FROM subscriptions s WHERE s.channel_id = ${video.channelActorId} AND s.subscriber_id = ${actorId}) AS subscribed,
      (SELECT count(*)::int FROM subscriptions s WHERE s.channel_id = ${video.channelActorId}) AS subscribers,
      (SELECT count(*)::int FROM comments c WHERE c.video_id = v.id AND c.deleted_at IS NULL) AS comment_count,
      EXISTS (SELECT 1 FROM playlist_elements e JOIN playlists p ON p.id = e.playlist_id
              WHERE e.video_id = v.id AND p.owner_id = ${userId} AND p.kind = 'watch_later') AS in_watch_later
    FROM videos v WHERE v.id = ${video.id}`;
  return row ?? { likes: 0, dislikes: 0, myRating: null, subscribed: false, subscribers: 0, commentCount: 0, inWatchLater: false };
}
