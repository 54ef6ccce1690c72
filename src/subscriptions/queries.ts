/** All SQL of subscriptions: a person's actor following a channel's actor. */
import { notBlockedSql } from "../federation/block-queries.ts";
import type { Db as Sql } from "../db/client.ts";
import type { ChannelRow } from "../channels/queries.ts";
import { listingFilter, type ListingPreferences } from "../videos/listing.ts";
import { notOffAirSql } from "../live/queries.ts";
import { publicVideoOrder, videoSelect, type VideoListRow } from "../videos/queries.ts";

/** Subscribes; subscribing twice is the same as once. */
export async function insertSubscription(sql: Sql, subscriberActorId: number, channelActorId: number): Promise<void> {
  await sql`
    INSERT INTO subscriptions (subscriber_id, channel_id) VALUES (${subscriberActorId}, ${channelActorId})
    ON CONFLICT DO NOTHING`;
}

/** Returns whether there was a subscription to remove. */
export async function deleteSubscription(sql: Sql, subscriberActorId: number, channelActorId: number): Promise<boolean> {
  const rows = await sql`DELETE FROM subscriptions WHERE subscriber_id = ${subscriberActorId} AND channel_id = ${channelActorId}`;
  return rows.count > 0;
}

/** Whether `subscriberActorId` (0 for a visitor) follows the channel, and how many do. */
export async function subscriptionState(
  sql: Sql,
  channelActorId: number,
  subscriberActorId: number,
): Promise<{ subscribed: boolean; subscribers: number }> {
  const [row] = await sql<{ subscribed: boolean; subscribers: number }[]>`
    SELECT EXISTS (SELECT 1 FROM subscriptions WHERE channel_id = ${channelActorId} AND subscriber_id = ${subscriberActorId}) AS subscribed,
           (SELECT count(*)::int FROM subscriptions WHERE channel_id = ${channelActorId}) AS subscribers`;
  return row!;
}

export interface SubscribedChannelRow extends ChannelRow {
  subscribers: number;
  subscribedAt: Date;
}

/** The channels a person follows, newest subscription first. */
export async function listSubscribedChannels(
  sql: Sql,
  subscriberActorId: number,
  options: { start: number; count: number; oldestFirst?: boolean },
): Promise<{ total: number; data: SubscribedChannelRow[] }> {
  const order = options.oldestFirst ? sql`s.created_at ASC, c.id ASC` : sql`s.created_at DESC, c.id DESC`;
  const [data, [count]] = await Promise.all([
    sql<SubscribedChannelRow[]>`
      SELECT c.id::int AS id, c.actor_id::int AS actor_id, coalesce(c.owner_id, 0)::int AS owner_id, a.handle, a.display_name,
             a.description, c.support, a.avatar_path, oa.handle AS owner_handle, oa.display_name AS owner_display_name,
             oa.avatar_path AS owner_avatar_path, c.created_at, s.created_at AS subscribed_at,
             (SELECT count(*)::int FROM subscriptions n WHERE n.channel_id = s.channel_id) AS subscribers
      FROM subscriptions s
      JOIN channels c ON c.actor_id = s.channel_id
      JOIN actors a ON a.id = c.actor_id
      LEFT JOIN users u ON u.id = c.owner_id
      JOIN actors oa ON oa.id = coalesce(u.actor_id, c.account_actor_id, c.actor_id)
      WHERE s.subscriber_id = ${subscriberActorId}
      ORDER BY ${order} LIMIT ${options.count} OFFSET ${options.start}`,
    sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM subscriptions s JOIN channels c ON c.actor_id = s.channel_id
      WHERE s.subscriber_id = ${subscriberActorId}`,
  ]);
  return { total: count!.n, data };
}

/** Of these channel handles, the ones the person follows. */
export async function subscribedHandles(sql: Sql, subscriberActorId: number, handles: readonly string[]): Promise<Set<string>> {
  if (handles.length === 0) return new Set();
  const rows = await sql<{ handle: string }[]>`
    SELECT a.handle FROM subscriptions s JOIN actors a ON a.id = s.channel_id
    WHERE s.subscriber_id = ${subscriberActorId} AND a.handle = ANY(${sql.array([...handles])})`;
  return new Set(rows.map((r) => r.handle));
}

/**
 * The newest public, published videos of the channels a person follows, filtered by their listing
 * preferences (sensitive videos, languages).
 */
export async function listSubscriptionVideos(
  sql: Sql,
  subscriberActorId: number,
  prefs: ListingPreferences,
  options: { start: number; count: number; sort?: "-publishedAt" | "publishedAt" | "-views" },
): Promise<{ total: number; data: VideoListRow[] }> {
  const followed = sql`JOIN subscriptions s ON s.channel_id = c.actor_id AND s.subscriber_id = ${subscriberActorId}`;
  const where = sql`WHERE v.privacy = 1 AND v.state = 'published' ${notOffAirSql(sql)} ${notBlockedSql(sql)} ${listingFilter(sql, prefs)}`;
  const order = publicVideoOrder(sql, options.sort);
  const [data, [count]] = await Promise.all([
    sql<VideoListRow[]>`${videoSelect(sql)} ${followed} ${where} ORDER BY ${order} LIMIT ${options.count} OFFSET ${options.start}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM videos v JOIN channels c ON c.id = v.channel_id ${followed} ${where}`,
  ]);
  return { total: count!.n, data };
}
