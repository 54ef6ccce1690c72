/** SQL of federated comments: what a Note answers, remote comments kept here, and what outbound Notes need. */
import type { Db as Sql } from "../db/client.ts";

/** A video a Note may answer: local (apId null) or a remote copy, with the channel actor of its origin. */
export interface CommentableVideo {
  id: number;
  uuid: string;
  apId: string | null;
  commentsEnabled: boolean;
  channelActorId: number;
  /** The person actor owning a local video's channel (null for remote copies). */
  ownerActorId: number | null;
}

const VIDEO_COLUMNS = (sql: Sql) => sql`
  v.id::int AS id, v.uuid::text AS uuid, v.ap_id, v.comments_enabled, c.actor_id::int AS channel_actor_id,
  (SELECT u.actor_id::int FROM users u WHERE u.id = c.owner_id) AS owner_actor_id`;

/** A local, public, published video by uuid. */
export async function findLocalCommentableVideo(sql: Sql, uuid: string): Promise<CommentableVideo | null> {
  const [row] = await sql<CommentableVideo[]>`
    SELECT ${VIDEO_COLUMNS(sql)} FROM videos v JOIN channels c ON c.id = v.channel_id
    WHERE v.uuid = ${uuid}::uuid AND v.ap_id IS NULL AND v.privacy = 1 AND v.state = 'published'`;
  return row ?? null;
}

/** A remote video kept here, by its ActivityPub id. */
export async function findRemoteCommentableVideo(sql: Sql, apId: string): Promise<CommentableVideo | null> {
  const [row] = await sql<CommentableVideo[]>`
    SELECT ${VIDEO_COLUMNS(sql)} FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.ap_id = ${apId}`;
  return row ?? null;
}

/** The video of a comment kept here, when it is public: a local public published video, or a remote copy. */
export async function findCommentableVideoById(sql: Sql, id: number): Promise<CommentableVideo | null> {
  const [row] = await sql<CommentableVideo[]>`
    SELECT ${VIDEO_COLUMNS(sql)} FROM videos v JOIN channels c ON c.id = v.channel_id
    WHERE v.id = ${id} AND v.privacy = 1 AND v.state = 'published'`;
  return row ?? null;
}

/** A comment a Note may answer: its video, its thread and its author's ActivityPub id (local ones derived later). */
export interface ParentComment {
  id: number;
  videoId: number;
  threadId: number | null;
  apId: string | null;
  deleted: boolean;
}

const PARENT_COLUMNS = (sql: Sql) => sql`
  id::int AS id, video_id::int AS video_id, thread_id::int AS thread_id, ap_id, deleted_at IS NOT NULL AS deleted`;

export async function findCommentById(sql: Sql, id: number): Promise<ParentComment | null> {
  const [row] = await sql<ParentComment[]>`SELECT ${PARENT_COLUMNS(sql)} FROM comments WHERE id = ${id}`;
  return row ?? null;
}

export async function findCommentByApId(sql: Sql, apId: string): Promise<ParentComment | null> {
  const [row] = await sql<ParentComment[]>`SELECT ${PARENT_COLUMNS(sql)} FROM comments WHERE ap_id = ${apId}`;
  return row ?? null;
}

/** Stores a remote comment once; null when a comment with this id is already kept. */
export async function insertRemoteComment(
  sql: Sql,
  c: { apId: string; videoId: number; actorId: number; parentId: number | null; threadId: number | null; text: string; published: Date },
): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO comments (video_id, actor_id, parent_id, thread_id, text, ap_id, created_at, updated_at)
    VALUES (${c.videoId}, ${c.actorId}, ${c.parentId}, ${c.threadId}, ${c.text}, ${c.apId}, ${c.published}, ${c.published})
    ON CONFLICT (ap_id) DO NOTHING
    RETURNING id::int`;
  return row?.id ?? null;
}

/** Replaces the text of a remote comment, only on the word of its author. */
export async function updateRemoteCommentText(sql: Sql, apId: string, actorId: number, text: string): Promise<boolean> {
  const rows = await sql`
    UPDATE comments SET text = ${text}, updated_at = now()
    WHERE ap_id = ${apId} AND actor_id = ${actorId} AND deleted_at IS NULL`;
  return rows.count > 0;
}

/** Deletes a remote comment as local deletes do: the row stays (replies keep their place), its text goes. */
export async function markRemoteCommentDeleted(sql: Sql, apId: string): Promise<boolean> {
  const rows = await sql`
    UPDATE comments SET text = '', deleted_at = now(), updated_at = now() WHERE ap_id = ${apId} AND deleted_at IS NULL`;
  return rows.count > 0;
}

/** What an outbound Note of a local comment needs to know about it, its video and the comments above it. */
export interface OutboundCommentRow {
  id: number;
  text: string;
  createdAt: Date;
  updatedAt: Date;
  deleted: boolean;
  authorActorId: number;
  authorHandle: string;
  authorDomain: string | null;
  videoUuid: string;
  videoApId: string | null;
  videoPrivacy: number;
  videoChannelActorId: number;
  videoOwnerActorId: number | null;
  parentId: number | null;
}

export async function findOutboundComment(sql: Sql, commentId: number): Promise<OutboundCommentRow | null> {
  const [row] = await sql<OutboundCommentRow[]>`
    SELECT c.id::int AS id, c.text, c.created_at, c.updated_at, c.deleted_at IS NOT NULL AS deleted,
           a.id::int AS author_actor_id, a.handle AS author_handle, a.domain AS author_domain,
           v.uuid::text AS video_uuid, v.ap_id AS video_ap_id, v.privacy AS video_privacy,
           ch.actor_id::int AS video_channel_actor_id, u.actor_id::int AS video_owner_actor_id, c.parent_id::int AS parent_id
    FROM comments c JOIN actors a ON a.id = c.actor_id JOIN videos v ON v.id = c.video_id
    JOIN channels ch ON ch.id = v.channel_id LEFT JOIN users u ON u.id = ch.owner_id
    WHERE c.id = ${commentId}`;
  return row ?? null;
}

/** A comment's ActivityPub identity: its stored id (remote) or what a local id is derived from, and its author. */
export interface CommentIdentity {
  id: number;
  apId: string | null;
  videoUuid: string;
  authorUri: string | null;
  authorHandle: string | null;
  authorDomain: string | null;
  authorInbox: string | null;
}

/** The comment answered and those above it, nearest first (for inReplyTo and the Mention tags). */
export async function commentAncestors(sql: Sql, commentId: number): Promise<CommentIdentity[]> {
  return sql<CommentIdentity[]>`
    WITH RECURSIVE up AS (
      SELECT p.id, p.parent_id, 1 AS depth FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id = ${commentId}
      UNION ALL
      SELECT p.id, p.parent_id, up.depth + 1 FROM up JOIN comments p ON p.id = up.parent_id WHERE up.depth < 50
    )
    SELECT c.id::int AS id, c.ap_id, v.uuid::text AS video_uuid, a.uri AS author_uri, a.handle AS author_handle,
           a.domain AS author_domain, coalesce(a.shared_inbox_url, a.inbox_url) AS author_inbox
    FROM up JOIN comments c ON c.id = up.id JOIN videos v ON v.id = c.video_id LEFT JOIN actors a ON a.id = c.actor_id
    ORDER BY up.depth`;
}

/** Where a remote actor (a remote video's channel) takes deliveries: its shared inbox when it has one. */
export async function remoteInboxOf(sql: Sql, actorId: number): Promise<string | null> {
  const [row] = await sql<{ inbox: string | null }[]>`
    SELECT coalesce(shared_inbox_url, inbox_url) AS inbox FROM actors WHERE id = ${actorId} AND domain IS NOT NULL`;
  return row?.inbox ?? null;
}

/** A local, public, published video's comment by id, for its ActivityPub document. */
export async function findServableComment(sql: Sql, videoUuid: string, commentId: number): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    SELECT c.id::int AS id FROM comments c JOIN videos v ON v.id = c.video_id
    WHERE c.id = ${commentId} AND v.uuid = ${videoUuid}::uuid AND v.privacy = 1 AND v.state = 'published'
      AND c.ap_id IS NULL`;
  return row?.id ?? null;
}
