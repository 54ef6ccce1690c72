/** Subscribing to channels, and what a person's subscriptions bring them: the newest videos of those channels. */
import type { Db as Sql } from "../db/client.ts";
import type { UserRow } from "../accounts/queries.ts";
import { findChannelByHandle, type ChannelRow } from "../channels/queries.ts";
import { badRequest, notFound } from "../http/errors.ts";
import type { VideoListRow } from "../videos/queries.ts";
import * as q from "./queries.ts";

export interface SubscriptionState {
  readonly subscribed: boolean;
  readonly subscribers: number;
}

/*
 * Subscribing to one's own channel is allowed, as PeerTube allows it: the channel's videos then appear in
 * the owner's Subscriptions page too. The owner is never sent "new video" for their own upload; they get
 * "your video is published" instead.
 */

/** The button's state for a channel and the person looking (null: a visitor). */
export async function subscriptionStateFor(sql: Sql, channelActorId: number, user: UserRow | null): Promise<SubscriptionState> {
  return q.subscriptionState(sql, channelActorId, user?.actorId ?? 0);
}

async function channelOrNotFound(sql: Sql, handle: string): Promise<ChannelRow> {
  const channel = await findChannelByHandle(sql, handle.toLowerCase());
  if (!channel) throw notFound("There is no channel with that name here.");
  return channel;
}

/** Subscribes the person to the channel named `handle`; returns the channel and its new state. */
export async function subscribe(sql: Sql, user: UserRow, handle: string): Promise<{ channel: ChannelRow; state: SubscriptionState }> {
  const channel = await channelOrNotFound(sql, handle);
  await q.insertSubscription(sql, user.actorId, channel.actorId);
  return { channel, state: await q.subscriptionState(sql, channel.actorId, user.actorId) };
}

/** Unsubscribes; `mustExist` makes a missing subscription a 404 (the API), else it is a no-op (the button). */
export async function unsubscribe(
  sql: Sql,
  user: UserRow,
  handle: string,
  mustExist = false,
): Promise<{ channel: ChannelRow; state: SubscriptionState }> {
  const channel = await channelOrNotFound(sql, handle);
  const removed = await q.deleteSubscription(sql, user.actorId, channel.actorId);
  if (!removed && mustExist) throw notFound("You are not subscribed to that channel.");
  return { channel, state: await q.subscriptionState(sql, channel.actorId, user.actorId) };
}

/**
 * A channel's local handle from an API `uri`: "handle", "handle@host" or "@handle@host". Channels on other
 * instances cannot be followed until federation lands, so their hosts are refused with a clear message.
 */
export function parseChannelUri(uri: unknown, publicHost: string): { handle: string; local: boolean } | null {
  if (typeof uri !== "string") return null;
  const match = /^@?([a-z0-9_.-]{1,50})(?:@([a-z0-9.:[\]-]{1,255}))?$/i.exec(uri.trim());
  if (!match) return null;
  const host = match[2]?.toLowerCase();
  return { handle: match[1]!.toLowerCase(), local: !host || host === publicHost.toLowerCase() };
}

/** The local channel handle an API call names, or a 400 saying what is wrong. */
export function requireLocalChannelUri(uri: unknown, publicHost: string): string {
  const parsed = parseChannelUri(uri, publicHost);
  if (!parsed) throw badRequest("Send the channel as `uri`: its handle, or handle@host.", { uri: "Give a channel handle such as cooking or cooking@host." });
  if (!parsed.local) throw badRequest("Subscribing to channels on other instances is not supported yet.", { uri: "Only channels of this instance can be followed." });
  return parsed.handle;
}

/** Of the given `uris`, which the person follows, keyed by the uri as sent (PeerTube's `exist` answer). */
export async function subscriptionsExist(sql: Sql, user: UserRow, uris: readonly string[], publicHost: string): Promise<Record<string, boolean>> {
  const parsed = uris.map((uri) => ({ uri, channel: parseChannelUri(uri, publicHost) }));
  const local = parsed.flatMap((p) => (p.channel?.local ? [p.channel.handle] : []));
  const mine = await q.subscribedHandles(sql, user.actorId, local);
  return Object.fromEntries(parsed.map((p) => [p.uri, Boolean(p.channel?.local && mine.has(p.channel.handle))]));
}

/** The newest videos of the person's subscriptions, in feed order. */
export async function subscriptionFeed(
  sql: Sql,
  user: UserRow,
  options: { start: number; count: number; sort?: "-publishedAt" | "publishedAt" | "-views" },
): Promise<{ total: number; data: VideoListRow[] }> {
  return q.listSubscriptionVideos(sql, user.actorId, user, options);
}
