/** All SQL of comments: threads, replies, edits, soft deletes, and the video's comments switch. */
import type { Db as Sql } from "../db/client.ts";

export interface CommentRow {
  id: number;
  videoId: number;
  /** null for a thread's first comment. */
  parentId: number | null;
  /** null for a thread's first comment (the thread is the comment itself). */
  threadId: number | null;
  text: string;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** null once the author's account is gone. */
  actorId: number | null;
  authorHandle: string | null;
  authorDisplayName: string | null;
  authorAvatarPath: string | null;
  /** null for an author of this instance. */
  authorDomain: string | null;
  /** The local user behind the author, if any: who may edit. */
  authorUserId: number | null;
  /** A remote author's profile page (or actor id); null for local authors. */
  authorUrl: string | null;
  /** The author or their server is on the instance's blocklist: the comment reads as removed. */
  authorBlocked: boolean;
  /** The author of the comment answered, shown as "in reply to @x" when it is not the thread's first comment. */
  parentAuthorHandle: string | null;
}

/** A thread's first comment with its reply counts. */
export interface ThreadRow extends CommentRow {
  /** Replies not deleted. */
  totalReplies: number;
  /** Replies, deleted ones included: what the page lists as placeholders. */
  replyRows: number;
  totalRepliesFromVideoAuthor: number;
}

const COMMENT_SELECT = (sql: Sql) => sql`
  SELECT c.id::int AS id, c.video_id::int AS video_id, c.parent_id::int AS parent_id, c.thread_id::int AS thread_id,
         c.text, c.deleted_at, c.created_at, c.updated_at,
         a.id::int AS actor_id, a.handle AS author_handle, a.display_name AS author_display_name,
         a.avatar_path AS author_avatar_path, a.domain AS author_domain, u.id::int AS author_user_id,
         CASE WHEN a.domain IS NULL THEN NULL ELSE coalesce(a.url, a.uri) END AS author_url,
         (a.domain IS NOT NULL AND EXISTS (SELECT 1 FROM federation_blocks fb WHERE fb.domain = a.domain OR fb.actor_id = a.id)) AS author_blocked,
         pa.handle AS parent_author_handle`;

const COMMENT_JOINS = (sql: Sql) => sql`
  LEFT JOIN actors a ON a.id = c.actor_id
  LEFT JOIN users u ON u.actor_id = a.id
  LEFT JOIN comments p ON p.id = c.parent_id
  LEFT JOIN actors pa ON pa.id = p.actor_id`;

/** Reply counts of thread `c`; `ownerUserId` is the video's owner, for totalRepliesFromVideoAuthor. */
const THREAD_COUNTS = (sql: Sql, ownerUserId: number) => sql`
  (SELECT count(*)::int FROM comments r WHERE r.video_id = c.video_id AND r.thread_id = c.id AND r.deleted_at IS NULL) AS total_replies,
  (SELECT count(*)::int FROM comments r WHERE r.video_id = c.video_id AND r.thread_id = c.id) AS reply_rows,
  (SELECT count(*)::int FROM comments r JOIN users ru ON ru.actor_id = r.actor_id
    WHERE r.video_id = c.video_id AND r.thread_id = c.id AND r.deleted_at IS NULL AND ru.id = ${ownerUserId}) AS total_replies_from_video_author`;

export interface NewComment {
  readonly videoId: number;
  readonly actorId: number;
  readonly parentId: number | null;
  readonly threadId: number | null;
  readonly text: string;
}

/** Stores a new comment; its id. */
export async function insertComment(sql: Sql, c: NewComment): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO comments (video_id, actor_id, parent_id, thread_id, text)
    VALUES (${c.videoId}, ${c.actorId}, ${c.parentId}, ${c.threadId}, ${c.text})
    RETURNING id::int`;
  return row!.id;
}

/** One comment of one video (deleted ones too); null when the id belongs to another video. */
export async function findComment(sql: Sql, videoId: number, commentId: number): Promise<CommentRow | null> {
  const [row] = await sql<CommentRow[]>`
    ${COMMENT_SELECT(sql)} FROM comments c ${COMMENT_JOINS(sql)}
    WHERE c.id = ${commentId} AND c.video_id = ${videoId}`;
  return row ?? null;
}

/** A thread's first comment with its counts; null when `threadId` is not a thread of this video. */
export async function findThread(sql: Sql, videoId: number, threadId: number, ownerUserId: number): Promise<ThreadRow | null> {
  const [row] = await sql<ThreadRow[]>`
    ${COMMENT_SELECT(sql)}, ${THREAD_COUNTS(sql, ownerUserId)} FROM comments c ${COMMENT_JOINS(sql)}
    WHERE c.id = ${threadId} AND c.video_id = ${videoId} AND c.thread_id IS NULL`;
  return row ?? null;
}

/**
 * A page of threads, newest first, after the cursor `beforeId` (0: from the newest). Deleted threads nobody
 * answered are left out: there is nothing to read in them.
 */
export async function listThreadsBefore(
  sql: Sql,
  videoId: number,
  ownerUserId: number,
  beforeId: number,
  limit: number,
): Promise<ThreadRow[]> {
  return sql<ThreadRow[]>`
    ${COMMENT_SELECT(sql)}, ${THREAD_COUNTS(sql, ownerUserId)} FROM comments c ${COMMENT_JOINS(sql)}
    WHERE c.video_id = ${videoId} AND c.thread_id IS NULL
      AND (${beforeId} = 0 OR c.id < ${beforeId})
      AND (c.deleted_at IS NULL OR EXISTS (SELECT 1 FROM comments r WHERE r.video_id = c.video_id AND r.thread_id = c.id))
    ORDER BY c.id DESC
    LIMIT ${limit}`;
}

const API_SORTS = {
  "-createdAt": "c.id DESC",
  createdAt: "c.id ASC",
  "-totalReplies": "total_replies DESC, c.id DESC",
  totalReplies: "total_replies ASC, c.id ASC",
} as const;
export type ThreadSort = keyof typeof API_SORTS;
export const THREAD_SORTS = Object.keys(API_SORTS) as ThreadSort[];

/** A page of threads by offset, for the API (deleted threads included, as PeerTube lists them). */
export async function listThreadsByOffset(
  sql: Sql,
  videoId: number,
  ownerUserId: number,
  page: { start: number; count: number; sort: ThreadSort },
): Promise<ThreadRow[]> {
  return sql<ThreadRow[]>`
    SELECT * FROM (
      ${COMMENT_SELECT(sql)}, ${THREAD_COUNTS(sql, ownerUserId)} FROM comments c ${COMMENT_JOINS(sql)}
      WHERE c.video_id = ${videoId} AND c.thread_id IS NULL
    ) c
    ORDER BY ${sql.unsafe(API_SORTS[page.sort])}
    OFFSET ${page.start} LIMIT ${page.count}`;
}

/** Threads (deleted included) and comments not deleted on a video. */
export async function countComments(sql: Sql, videoId: number): Promise<{ threads: number; notDeleted: number }> {
  const [row] = await sql<{ threads: number; notDeleted: number }[]>`
    SELECT count(*) FILTER (WHERE thread_id IS NULL)::int AS threads, count(*) FILTER (WHERE deleted_at IS NULL)::int AS not_deleted
    FROM comments WHERE video_id = ${videoId}`;
  return row ?? { threads: 0, notDeleted: 0 };
}

/** Replies of the given threads, oldest first; at most `perThread` of each (null: all). */
export async function listReplies(sql: Sql, videoId: number, threadIds: readonly number[], perThread: number | null): Promise<CommentRow[]> {
  if (threadIds.length === 0) return [];
  return sql<CommentRow[]>`
    SELECT * FROM (
      ${COMMENT_SELECT(sql)}, row_number() OVER (PARTITION BY c.thread_id ORDER BY c.id) AS position
      FROM comments c ${COMMENT_JOINS(sql)}
      WHERE c.video_id = ${videoId} AND c.thread_id IN ${sql(threadIds as number[])}
    ) r
    WHERE ${perThread === null} OR r.position <= ${perThread ?? 0}
    ORDER BY r.thread_id, r.id`;
}

/** Replaces the text and marks the comment edited; only a comment not deleted. Returns whether one changed. */
export async function updateCommentText(sql: Sql, commentId: number, text: string): Promise<boolean> {
  const rows = await sql`UPDATE comments SET text = ${text}, updated_at = now() WHERE id = ${commentId} AND deleted_at IS NULL RETURNING id`;
  return rows.length > 0;
}

/** Keeps the row (so replies keep their place) but forgets what it said. */
export async function markCommentDeleted(sql: Sql, commentId: number): Promise<void> {
  await sql`UPDATE comments SET text = '', deleted_at = now(), updated_at = now() WHERE id = ${commentId} AND deleted_at IS NULL`;
}

/** Turns new comments and replies on a video on or off. */
export async function setCommentsEnabled(sql: Sql, videoId: number, enabled: boolean): Promise<void> {
  await sql`UPDATE videos SET comments_enabled = ${enabled}, updated_at = now() WHERE id = ${videoId}`;
}

/** Comments not deleted on a video: the count shown above them. */
export async function countVisibleComments(sql: Sql, videoId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM comments WHERE video_id = ${videoId} AND deleted_at IS NULL`;
  return row?.n ?? 0;
}
