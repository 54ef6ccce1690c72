/** All SQL of federation: actor keys, the remote actor cache, follows, inbox idempotency and NodeInfo counts. */
import type { Db as Sql } from "../db/client.ts";
import type { KeyPairPem } from "./keys.ts";
import type { RemoteActor } from "./objects.ts";
import { INSTANCE_ACTOR_HANDLE, type LocalActorKind } from "./urls.ts";

/** A local actor with what its ActivityPub document needs. Keys are null until made (lazily for old actors). */
export interface LocalActorRow {
  id: number;
  kind: LocalActorKind;
  handle: string;
  displayName: string;
  description: string;
  avatarPath: string | null;
  createdAt: Date;
  publicKeyPem: string | null;
  privateKeyPem: string | null;
  /** Channels only: support text and the owner's handle. */
  support: string | null;
  ownerHandle: string | null;
}

const LOCAL_ACTOR_SELECT = (sql: Sql) => sql`
  SELECT a.id::int AS id, a.kind, a.handle, a.display_name, a.description, a.avatar_path, a.created_at,
         a.public_key_pem, a.private_key_pem, c.support, oa.handle AS owner_handle
  FROM actors a
  LEFT JOIN channels c ON c.actor_id = a.id
  LEFT JOIN users u ON u.id = c.owner_id
  LEFT JOIN actors oa ON oa.id = u.actor_id`;

/** A local actor by handle; accounts waiting for approval are not published. */
export async function findLocalActorByHandle(sql: Sql, handle: string): Promise<LocalActorRow | null> {
  const [row] = await sql<LocalActorRow[]>`
    ${LOCAL_ACTOR_SELECT(sql)}
    WHERE a.handle = ${handle} AND a.domain IS NULL
      AND NOT EXISTS (SELECT 1 FROM users p WHERE p.actor_id = a.id AND NOT p.approved)`;
  return row ?? null;
}

export async function findLocalActorById(sql: Sql, id: number): Promise<LocalActorRow | null> {
  const [row] = await sql<LocalActorRow[]>`${LOCAL_ACTOR_SELECT(sql)} WHERE a.id = ${id} AND a.domain IS NULL`;
  return row ?? null;
}

/** Gives an actor its keys unless it already has some; returns the keys it ends up with (first writer wins). */
export async function setActorKeysOnce(sql: Sql, actorId: number, keys: KeyPairPem): Promise<KeyPairPem> {
  await sql`
    UPDATE actors SET public_key_pem = ${keys.publicKeyPem}, private_key_pem = ${keys.privateKeyPem}
    WHERE id = ${actorId} AND domain IS NULL AND public_key_pem IS NULL`;
  const [row] = await sql<KeyPairPem[]>`SELECT public_key_pem, private_key_pem FROM actors WHERE id = ${actorId}`;
  return row!;
}

/** The instance's Application actor, created on first call (its keys come later, like any actor's). */
export async function ensureInstanceActorRow(sql: Sql, instanceName: string): Promise<number> {
  const [existing] = await sql<{ id: number }[]>`
    SELECT id::int FROM actors WHERE kind = 'application' AND domain IS NULL ORDER BY id LIMIT 1`;
  if (existing) return existing.id;
  await sql`
    INSERT INTO actors (handle, kind, display_name, description)
    VALUES (${INSTANCE_ACTOR_HANDLE}, 'application', ${instanceName.slice(0, 120) || "Tubelet"}, '')
    ON CONFLICT DO NOTHING`;
  const [row] = await sql<{ id: number; kind: string }[]>`
    SELECT id::int, kind FROM actors WHERE handle = ${INSTANCE_ACTOR_HANDLE} AND domain IS NULL`;
  if (!row || row.kind !== "application") throw new Error(`the local handle "${INSTANCE_ACTOR_HANDLE}" belongs to another actor`);
  return row.id;
}

/** A cached remote actor, as the actors table keeps it. */
export interface RemoteActorRow extends RemoteActor {
  id: number;
  fetchedAt: Date;
}

const REMOTE_COLUMNS = (sql: Sql) => sql`
  id::int AS id, uri, kind, handle, domain, display_name, description, inbox_url, shared_inbox_url, outbox_url,
  followers_url, following_url, url, public_key_pem, key_id, fetched_at`;

export async function findRemoteActorByUri(sql: Sql, uri: string): Promise<RemoteActorRow | null> {
  const [row] = await sql<RemoteActorRow[]>`SELECT ${REMOTE_COLUMNS(sql)} FROM actors WHERE uri = ${uri} AND domain IS NOT NULL`;
  return row ?? null;
}

export async function findRemoteActorByKeyId(sql: Sql, keyId: string): Promise<RemoteActorRow | null> {
  const [row] = await sql<RemoteActorRow[]>`
    SELECT ${REMOTE_COLUMNS(sql)} FROM actors WHERE key_id = ${keyId} AND domain IS NOT NULL ORDER BY fetched_at DESC LIMIT 1`;
  return row ?? null;
}

/**
 * Stores a freshly fetched remote actor, keyed by its id. A handle another actor of the same domain held before
 * (renamed accounts) is released first, since (handle, domain) is unique.
 */
export async function upsertRemoteActor(sql: Sql, actor: RemoteActor): Promise<number> {
  await sql`
      UPDATE actors SET handle = left(handle, 40) || '-' || id WHERE handle = ${actor.handle} AND domain = ${actor.domain}
        AND uri IS DISTINCT FROM ${actor.uri}`;
  const [row] = await sql<{ id: number }[]>`
      INSERT INTO actors (uri, kind, handle, domain, display_name, description, inbox_url, shared_inbox_url, outbox_url,
                          followers_url, following_url, url, public_key_pem, key_id, fetched_at)
      VALUES (${actor.uri}, ${actor.kind}, ${actor.handle}, ${actor.domain}, ${actor.displayName}, ${actor.description},
              ${actor.inboxUrl}, ${actor.sharedInboxUrl}, ${actor.outboxUrl}, ${actor.followersUrl}, ${actor.followingUrl},
              ${actor.url}, ${actor.publicKeyPem}, ${actor.keyId}, now())
      ON CONFLICT (uri) DO UPDATE SET
        kind = EXCLUDED.kind, handle = EXCLUDED.handle, display_name = EXCLUDED.display_name,
        description = EXCLUDED.description, inbox_url = EXCLUDED.inbox_url, shared_inbox_url = EXCLUDED.shared_inbox_url,
        outbox_url = EXCLUDED.outbox_url, followers_url = EXCLUDED.followers_url, following_url = EXCLUDED.following_url,
        url = EXCLUDED.url, public_key_pem = EXCLUDED.public_key_pem, key_id = EXCLUDED.key_id, fetched_at = now(),
        updated_at = now()
      RETURNING id::int`;
  return row!.id;
}

/** Records a follow; following again replaces the earlier Follow (a new id, and pending again if asked). */
export async function upsertFollow(
  sql: Sql,
  follow: { followerId: number; followedId: number; state: "pending" | "accepted"; activityId: string },
): Promise<void> {
  await sql`
    INSERT INTO subscriptions (subscriber_id, channel_id, state, follow_activity_id)
    VALUES (${follow.followerId}, ${follow.followedId}, ${follow.state}, ${follow.activityId})
    ON CONFLICT (subscriber_id, channel_id) DO UPDATE SET state = EXCLUDED.state, follow_activity_id = EXCLUDED.follow_activity_id`;
}

/** Marks our pending Follow accepted; only the actor it was sent to can accept it. */
export async function acceptFollow(sql: Sql, activityId: string, followedId: number): Promise<boolean> {
  const rows = await sql`
    UPDATE subscriptions SET state = 'accepted' WHERE follow_activity_id = ${activityId} AND channel_id = ${followedId}`;
  return rows.count > 0;
}

/** Removes a follow by its Follow's id, on the word of one side of it (Reject from the followed, Undo from the follower). */
export async function deleteFollowByActivity(sql: Sql, activityId: string, by: { followerId?: number; followedId?: number }): Promise<boolean> {
  const rows = await sql`
    DELETE FROM subscriptions WHERE follow_activity_id = ${activityId}
      AND (${by.followerId ?? null}::bigint IS NULL OR subscriber_id = ${by.followerId ?? null})
      AND (${by.followedId ?? null}::bigint IS NULL OR channel_id = ${by.followedId ?? null})`;
  return rows.count > 0;
}

export async function deleteFollowBetween(sql: Sql, followerId: number, followedId: number): Promise<boolean> {
  const rows = await sql`DELETE FROM subscriptions WHERE subscriber_id = ${followerId} AND channel_id = ${followedId}`;
  return rows.count > 0;
}

/** The id of the Follow behind a follow, when it went over ActivityPub. */
export async function followActivityIdBetween(sql: Sql, followerId: number, followedId: number): Promise<string | null> {
  const [row] = await sql<{ followActivityId: string | null }[]>`
    SELECT follow_activity_id FROM subscriptions WHERE subscriber_id = ${followerId} AND channel_id = ${followedId}`;
  return row?.followActivityId ?? null;
}

export async function followState(sql: Sql, followerId: number, followedId: number): Promise<"pending" | "accepted" | null> {
  const [row] = await sql<{ state: "pending" | "accepted" }[]>`
    SELECT state FROM subscriptions WHERE subscriber_id = ${followerId} AND channel_id = ${followedId}`;
  return row?.state ?? null;
}

/** An actor in a collection: remote ones by their stored id, local ones by handle (their id is derived). */
export interface CollectionActorRow {
  kind: LocalActorKind;
  handle: string;
  uri: string | null;
}

/** Accepted followers of an actor, oldest first, and how many there are. */
export async function listFollowers(sql: Sql, actorId: number, offset: number, limit: number) {
  const [items, [count]] = await Promise.all([
    sql<CollectionActorRow[]>`
      SELECT a.kind, a.handle, a.uri FROM subscriptions s JOIN actors a ON a.id = s.subscriber_id
      WHERE s.channel_id = ${actorId} AND s.state = 'accepted'
      ORDER BY s.created_at, a.id LIMIT ${limit} OFFSET ${offset}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM subscriptions WHERE channel_id = ${actorId} AND state = 'accepted'`,
  ]);
  return { total: count!.n, items };
}

/** Actors this actor follows (accepted), oldest first, and how many. */
export async function listFollowing(sql: Sql, actorId: number, offset: number, limit: number) {
  const [items, [count]] = await Promise.all([
    sql<CollectionActorRow[]>`
      SELECT a.kind, a.handle, a.uri FROM subscriptions s JOIN actors a ON a.id = s.channel_id
      WHERE s.subscriber_id = ${actorId} AND s.state = 'accepted'
      ORDER BY s.created_at, a.id LIMIT ${limit} OFFSET ${offset}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM subscriptions WHERE subscriber_id = ${actorId} AND state = 'accepted'`,
  ]);
  return { total: count!.n, items };
}

/** Where to deliver to these remote actors: one shared inbox per server when they have one, else each inbox. */
export async function inboxesOf(sql: Sql, actorIds: readonly number[]): Promise<string[]> {
  if (actorIds.length === 0) return [];
  const rows = await sql<{ inbox: string }[]>`
    SELECT DISTINCT coalesce(shared_inbox_url, inbox_url) AS inbox FROM actors
    WHERE id = ANY(${sql.array([...actorIds])}) AND domain IS NOT NULL AND inbox_url IS NOT NULL`;
  return rows.map((r) => r.inbox);
}

/** Notes an inbound activity as processed; false when it was already (a redelivery, or a replay). */
export async function markInboxSeen(sql: Sql, activityId: string): Promise<boolean> {
  const rows = await sql`INSERT INTO ap_inbox_seen (activity_id) VALUES (${activityId}) ON CONFLICT DO NOTHING`;
  return rows.count > 0;
}

/** NodeInfo's usage: accounts, accounts that logged in within 30 and 180 days, published videos. */
export async function nodeUsage(sql: Sql) {
  const [row] = await sql<{ users: number; activeMonth: number; activeHalfyear: number; localPosts: number }[]>`
    SELECT (SELECT count(*)::int FROM users WHERE approved) AS users,
           (SELECT count(DISTINCT user_id)::int FROM sessions WHERE created_at > now() - interval '30 days') AS active_month,
           (SELECT count(DISTINCT user_id)::int FROM sessions WHERE created_at > now() - interval '180 days') AS active_halfyear,
           (SELECT count(*)::int FROM videos WHERE state = 'published' AND privacy = 1) AS local_posts`;
  return row!;
}

/** The delivery health of a host (HEALTHY when it has never failed, or succeeded since). */
export async function findHostHealth(sql: Sql, host: string): Promise<{ consecutiveFailures: number; pausedUntil: Date | null }> {
  const [row] = await sql<{ consecutiveFailures: number; pausedUntil: Date | null }[]>`
    SELECT consecutive_failures, paused_until FROM federation_host_health WHERE host = ${host}`;
  return row ?? { consecutiveFailures: 0, pausedUntil: null };
}

/**
 * Counts one more failed delivery to a host and sets its pause from the new count (`pauseFor` is the policy).
 * The count is incremented in SQL, so concurrent failures all count.
 */
export async function recordHostFailure(sql: Sql, host: string, pauseFor: (failures: number) => number): Promise<number> {
  const [row] = await sql<{ failures: number }[]>`
    INSERT INTO federation_host_health AS h (host, consecutive_failures) VALUES (${host}, 1)
    ON CONFLICT (host) DO UPDATE SET consecutive_failures = h.consecutive_failures + 1, updated_at = now()
    RETURNING consecutive_failures AS failures`;
  const pause = pauseFor(row!.failures);
  await sql`
    UPDATE federation_host_health SET paused_until = ${pause > 0 ? new Date(Date.now() + pause) : null} WHERE host = ${host}`;
  return row!.failures;
}

/** A delivery to the host went through: it is healthy again. */
export async function recordHostSuccess(sql: Sql, host: string): Promise<void> {
  await sql`DELETE FROM federation_host_health WHERE host = ${host}`;
}
