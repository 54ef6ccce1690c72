/**
 * SQL of the follows the administrators manage: the remote actors our instance actor follows, and the remote
 * followers of every local actor (the instance, accounts and channels), pending ones included.
 */
import type { Db as Sql } from "../db/client.ts";
import type { LocalActorKind } from "./urls.ts";

/** A remote actor our instance actor follows, or has asked to. */
export interface FollowedActorRow {
  actorId: number;
  uri: string;
  kind: string;
  handle: string;
  domain: string;
  state: "pending" | "accepted";
  createdAt: Date;
}

/** What our instance actor follows, newest first. */
export async function listInstanceFollowing(sql: Sql, instanceActorId: number): Promise<FollowedActorRow[]> {
  return sql<FollowedActorRow[]>`
    SELECT a.id::int AS actor_id, a.uri, a.kind, a.handle, a.domain, s.state, s.created_at
    FROM subscriptions s JOIN actors a ON a.id = s.channel_id
    WHERE s.subscriber_id = ${instanceActorId} AND a.domain IS NOT NULL
    ORDER BY s.created_at DESC, a.id DESC`;
}

/** A remote actor following one of ours: who, what it follows, and the Follow an answer refers to. */
export interface RemoteFollowerRow {
  followerId: number;
  followerUri: string;
  followerHandle: string;
  followerDomain: string;
  followerInbox: string;
  followedId: number;
  followedKind: LocalActorKind;
  followedHandle: string;
  state: "pending" | "accepted";
  activityId: string | null;
  createdAt: Date;
}

const FOLLOWER_SELECT = (sql: Sql) => sql`
  SELECT f.id::int AS follower_id, f.uri AS follower_uri, f.handle AS follower_handle, f.domain AS follower_domain,
         coalesce(f.shared_inbox_url, f.inbox_url) AS follower_inbox, t.id::int AS followed_id, t.kind AS followed_kind,
         t.handle AS followed_handle, s.state, s.follow_activity_id AS activity_id, s.created_at
  FROM subscriptions s JOIN actors f ON f.id = s.subscriber_id JOIN actors t ON t.id = s.channel_id
  WHERE f.domain IS NOT NULL AND t.domain IS NULL`;

/** Remote followers of local actors: pending ones first (they wait for an answer), then the newest. */
export async function listRemoteFollowers(sql: Sql, limit: number): Promise<RemoteFollowerRow[]> {
  return sql<RemoteFollowerRow[]>`
    ${FOLLOWER_SELECT(sql)}
    ORDER BY s.state = 'pending' DESC, s.created_at DESC, f.id DESC LIMIT ${limit}`;
}

/** One remote follower of one local actor. */
export async function findRemoteFollower(sql: Sql, followerId: number, followedId: number): Promise<RemoteFollowerRow | null> {
  const [row] = await sql<RemoteFollowerRow[]>`
    ${FOLLOWER_SELECT(sql)} AND s.subscriber_id = ${followerId} AND s.channel_id = ${followedId}`;
  return row ?? null;
}

/** Accepts a pending follow; false when it is gone or was accepted already (nothing to announce then). */
export async function acceptPendingFollow(sql: Sql, followerId: number, followedId: number): Promise<boolean> {
  const rows = await sql`
    UPDATE subscriptions SET state = 'accepted'
    WHERE subscriber_id = ${followerId} AND channel_id = ${followedId} AND state = 'pending'`;
  return rows.count > 0;
}
