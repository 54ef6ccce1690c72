/** All SQL of notifications: creating them for recipients, reading, marking read, per-type settings. */
import type { PendingQuery, Row } from "postgres";
import type { Db as Sql } from "../db/client.ts";

export const NOTIFICATION_TYPES = ["new_video", "comment_reply", "video_comment", "transcode_finished", "transcode_failed"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * The PostgreSQL channel that carries "this user's unread count may have changed" (payload: the user id).
 * NOTIFY is per database and delivered on commit, so listeners never see a change that was rolled back.
 */
export const UNREAD_CHANNEL = "tubelet_unread";

export interface NewNotifications {
  readonly type: NotificationType;
  /** A query selecting the recipients' user ids as a column named `id`. */
  readonly recipients: PendingQuery<Row[]>;
  readonly videoId: number;
  readonly commentId: number | null;
  /** Who caused it: the commenter, the channel. */
  readonly actorId: number | null;
}

/**
 * Inserts one notification per recipient who has not turned the type off, at most once per recipient,
 * type, video and comment (so repeated calls after a retried job create nothing new), and signals
 * the recipients' new unread counts. Returns how many were created.
 */
export async function insertNotifications(sql: Sql, n: NewNotifications): Promise<number> {
  const [row] = await sql<{ created: number }[]>`
    WITH created AS (
      INSERT INTO notifications (user_id, type, video_id, comment_id, actor_id)
      SELECT u.id, ${n.type}, ${n.videoId}, ${n.commentId}, ${n.actorId}
      FROM users u
      WHERE u.id IN (${n.recipients})
        AND coalesce((u.notification_settings ->> ${n.type})::boolean, true)
        AND NOT EXISTS (
          SELECT 1 FROM notifications o
          WHERE o.user_id = u.id AND o.type = ${n.type} AND o.video_id = ${n.videoId}
            AND o.comment_id IS NOT DISTINCT FROM ${n.commentId}::bigint)
      RETURNING user_id
    ), signalled AS (
      SELECT pg_notify(${UNREAD_CHANNEL}, d.user_id::text) FROM (SELECT DISTINCT user_id FROM created) d
    )
    SELECT (SELECT count(*)::int FROM created) AS created, (SELECT count(*)::int FROM signalled) AS signalled`;
  return row!.created;
}

/** What a notification needs to know about its video. */
export interface VideoFacts {
  id: number;
  privacy: 1 | 2 | 3;
  state: string;
  ownerId: number;
  channelActorId: number;
}

/** The video's privacy, state, owner and channel actor, or null once it is gone. */
export async function findVideoFacts(sql: Sql, videoId: number): Promise<VideoFacts | null> {
  const [row] = await sql<VideoFacts[]>`
    SELECT v.id::int AS id, v.privacy, v.state, c.owner_id::int AS owner_id, c.actor_id::int AS channel_actor_id
    FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id = ${videoId}`;
  return row ?? null;
}

/** A comment with the video it is on and, for a reply, the local user who wrote the comment answered. */
export interface CommentFacts {
  id: number;
  videoId: number;
  authorActorId: number | null;
  /** The commenter's local user, if any: nobody is told about their own comment. */
  authorUserId: number | null;
  deleted: boolean;
  parentAuthorUserId: number | null;
  parentDeleted: boolean;
}

/** The comment's facts for notifying, or null when there is no such comment. */
export async function findCommentFacts(sql: Sql, commentId: number): Promise<CommentFacts | null> {
  const [row] = await sql<CommentFacts[]>`
    SELECT c.id::int AS id, c.video_id::int AS video_id, c.actor_id::int AS author_actor_id,
           au.id::int AS author_user_id, c.deleted_at IS NOT NULL AS deleted,
           pu.id::int AS parent_author_user_id, coalesce(p.deleted_at IS NOT NULL, false) AS parent_deleted
    FROM comments c
    LEFT JOIN users au ON au.actor_id = c.actor_id
    LEFT JOIN comments p ON p.id = c.parent_id
    LEFT JOIN users pu ON pu.actor_id = p.actor_id
    WHERE c.id = ${commentId}`;
  return row ?? null;
}

/** Recipients: one user. */
export function oneUser(sql: Sql, userId: number): PendingQuery<Row[]> {
  return sql`SELECT ${userId}::bigint AS id`;
}

/** Recipients: the local people subscribed to a channel, except `exceptUserId` (the channel's owner). */
export function channelSubscribers(sql: Sql, channelActorId: number, exceptUserId: number): PendingQuery<Row[]> {
  return sql`
    SELECT su.id FROM subscriptions s JOIN users su ON su.actor_id = s.subscriber_id
    WHERE s.channel_id = ${channelActorId} AND su.id <> ${exceptUserId}`;
}

export interface NotificationRow {
  id: number;
  type: NotificationType;
  readAt: Date | null;
  createdAt: Date;
  videoId: number | null;
  videoUuid: string | null;
  videoShortId: string | null;
  videoName: string | null;
  channelHandle: string | null;
  channelDisplayName: string | null;
  /** The channel's server (host[:port]) when it is another instance's; null for ours. */
  channelDomain: string | null;
  commentId: number | null;
  /** The first characters of the comment, empty once it was deleted. */
  commentExcerpt: string | null;
  commentDeleted: boolean;
  actorHandle: string | null;
  actorDisplayName: string | null;
  /** The commenter's server when they are on another instance (a federated comment); null for ours. */
  actorDomain: string | null;
}

export const EXCERPT_LENGTH = 140;

const NOTIFICATION_SELECT = (sql: Sql) => sql`
  SELECT n.id::int AS id, n.type, n.read_at, n.created_at,
         v.id::int AS video_id, v.uuid::text AS video_uuid, v.short_id AS video_short_id, v.name AS video_name,
         ca.handle AS channel_handle, ca.display_name AS channel_display_name, ca.domain AS channel_domain,
         cm.id::int AS comment_id,
         CASE WHEN cm.deleted_at IS NULL THEN left(cm.text, ${EXCERPT_LENGTH}) ELSE '' END AS comment_excerpt,
         coalesce(cm.deleted_at IS NOT NULL, false) AS comment_deleted,
         a.handle AS actor_handle, a.display_name AS actor_display_name, a.domain AS actor_domain
  FROM notifications n
  LEFT JOIN videos v ON v.id = n.video_id
  LEFT JOIN channels ch ON ch.id = v.channel_id
  LEFT JOIN actors ca ON ca.id = ch.actor_id
  LEFT JOIN comments cm ON cm.id = n.comment_id
  LEFT JOIN actors a ON a.id = n.actor_id`;

/** A page of a user's notifications, newest first; `unreadOnly` leaves out those already read. */
export async function listNotifications(
  sql: Sql,
  userId: number,
  options: { start: number; count: number; unreadOnly?: boolean; oldestFirst?: boolean },
): Promise<{ total: number; data: NotificationRow[] }> {
  const unread = options.unreadOnly ? sql`AND n.read_at IS NULL` : sql``;
  const order = options.oldestFirst ? sql`n.created_at ASC, n.id ASC` : sql`n.created_at DESC, n.id DESC`;
  const [data, [count]] = await Promise.all([
    sql<NotificationRow[]>`${NOTIFICATION_SELECT(sql)} WHERE n.user_id = ${userId} ${unread}
      ORDER BY ${order} LIMIT ${options.count} OFFSET ${options.start}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications n WHERE n.user_id = ${userId} ${unread}`,
  ]);
  return { total: count!.n, data };
}

/** One of the user's own notifications; someone else's reads as missing. */
export async function findNotification(sql: Sql, userId: number, id: number): Promise<NotificationRow | null> {
  const [row] = await sql<NotificationRow[]>`${NOTIFICATION_SELECT(sql)} WHERE n.user_id = ${userId} AND n.id = ${id}`;
  return row ?? null;
}

/** The number the bell shows. */
export async function countUnread(sql: Sql, userId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`;
  return row!.n;
}

/** Marks some of the user's own notifications read (ids of other people's are ignored); returns how many changed. */
export async function markRead(sql: Sql, userId: number, ids: readonly number[] | "all"): Promise<number> {
  const which = ids === "all" ? sql`` : sql`AND id = ANY(${sql.array([...ids])}::bigint[])`;
  const [row] = await sql<{ changed: number }[]>`
    WITH changed AS (
      UPDATE notifications SET read_at = now() WHERE user_id = ${userId} AND read_at IS NULL ${which} RETURNING 1
    )
    SELECT count(*)::int AS changed, CASE WHEN count(*) > 0 THEN pg_notify(${UNREAD_CHANNEL}, ${String(userId)}) END AS signalled
    FROM changed`;
  return row!.changed;
}

/** Stores every type's choice, so a later default change does not silently flip what a person chose. */
export async function saveNotificationSettings(sql: Sql, userId: number, settings: Readonly<Record<NotificationType, boolean>>): Promise<void> {
  await sql`UPDATE users SET notification_settings = ${sql.json(settings)} WHERE id = ${userId}`;
}
