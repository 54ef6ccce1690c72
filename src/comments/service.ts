/**
 * Comments: who may read, post, answer, edit and delete them, under which limits. Plain values in and out;
 * messages come from the caller's catalog (`t`) so pages and API answer in the reader's language.
 */
import type { UserRow } from "../accounts/queries.ts";
import type { Sql } from "../db/client.ts";
import { HttpError, notFound } from "../http/errors.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { staticUrl } from "../http/urls.ts";
import type { MessageKey, Params } from "../i18n/i18n.ts";
import { notifyCommentPosted } from "../notifications/service.ts";
import type { VideoRow } from "../videos/queries.ts";
import { canManage, findVisibleVideo, videoForChange } from "../videos/service.ts";
import type { CommentView, ThreadView } from "../../views/components/comment-item.tsx";
import type { Config } from "../config.ts";
import type { Queues } from "../queue/queues.ts";
import { federateComment } from "../federation/comments.ts";
import * as q from "./queries.ts";
import { cleanCommentText, MAX_COMMENT_CHARS } from "./text.ts";

export interface CommentsDeps {
  readonly sql: Sql;
  readonly limiter: RateLimiter;
  /** For federation: comments on public videos go to other servers once stored. */
  readonly config: Config;
  readonly queues: Queues;
}

export type Translate = (key: MessageKey, params?: Params) => string;

/** Posting limits: enough for a lively conversation, too few for a flood from one account or one address. */
export const COMMENT_LIMITS = { perUser: 10, perIp: 30, windowSeconds: 60 } as const;

/** Threads per page on the watch page, and replies shown under each before "show more". */
export const THREADS_PER_PAGE = 20;
export const REPLIES_SHOWN = 10;

/** The video whose comments are asked for: visible to this viewer and published, else 404 (private stays secret). */
export async function videoForComments(sql: Sql, rawId: string, user: UserRow | null, t: Translate): Promise<VideoRow> {
  const video = await findVisibleVideo({ sql }, rawId, user);
  if (!video || video.state !== "published") throw notFound(t("comments.error.videoNotFound"));
  return video;
}

/** A comment id from a URL segment, or 404. */
export function parseCommentId(raw: string, t: Translate): number {
  if (!/^\d{1,15}$/.test(raw)) throw notFound(t("comments.error.notFound"));
  return Number(raw);
}

function textOrRefuse(raw: unknown, t: Translate): string {
  const clean = cleanCommentText(raw);
  if (clean.ok) return clean.text;
  const message =
    clean.problem === "empty" ? t("comments.error.empty") : t("comments.error.tooLong", { max: MAX_COMMENT_CHARS, count: clean.length });
  throw new HttpError(400, message, undefined, { text: message });
}

/** Counts one comment against the author's and the address's allowance; 429 once either is spent. */
async function spendAllowance(limiter: RateLimiter, userId: number, ip: string, t: Translate): Promise<void> {
  const { perUser, perIp, windowSeconds } = COMMENT_LIMITS;
  const userKey = `comment:user:${userId}`;
  const ipKey = `comment:ip:${ip}`;
  const [byUser, byIp] = await Promise.all([limiter.hit(userKey, windowSeconds), limiter.hit(ipKey, windowSeconds)]);
  if (byUser <= perUser && byIp <= perIp) return;
  const wait = Math.max(await limiter.blockedFor(userKey, perUser), await limiter.blockedFor(ipKey, perIp), 1);
  throw new HttpError(429, t("comments.error.rateLimited", { count: wait }));
}

export interface NewCommentInput {
  readonly text: unknown;
  readonly ip: string;
  /** The comment answered; absent to start a thread. */
  readonly parentId?: number;
}

/** Starts a thread or answers a comment; tells the people concerned once it is stored. */
export async function postComment(deps: CommentsDeps, video: VideoRow, author: UserRow, input: NewCommentInput, t: Translate): Promise<q.CommentRow> {
  if (!video.commentsEnabled) throw new HttpError(403, t("comments.error.disabled"));
  const text = textOrRefuse(input.text, t);
  let parentId: number | null = null;
  let threadId: number | null = null;
  if (input.parentId !== undefined) {
    const parent = await q.findComment(deps.sql, video.id, input.parentId);
    if (!parent) throw notFound(t("comments.error.notFound"));
    if (parent.deletedAt) throw new HttpError(409, t("comments.error.replyToDeleted"));
    parentId = parent.id;
    threadId = parent.threadId ?? parent.id;
  }
  await spendAllowance(deps.limiter, author.id, input.ip, t);
  const id = await q.insertComment(deps.sql, { videoId: video.id, actorId: author.actorId, parentId, threadId, text });
  // A failed notification must not turn a stored comment into an error for its author.
  await notifyCommentPosted(deps.sql, id).catch((error: Error) => console.error(`notify comment ${id}: ${error.message}`));
  await federateComment(deps, id, "create");
  return (await q.findComment(deps.sql, video.id, id))!;
}

async function existingComment(sql: Sql, video: VideoRow, commentId: number, t: Translate): Promise<q.CommentRow> {
  const comment = await q.findComment(sql, video.id, commentId);
  if (!comment) throw notFound(t("comments.error.notFound"));
  return comment;
}

/** A comment its author may edit: their own and not deleted. */
export async function commentForEdit(sql: Sql, video: VideoRow, user: UserRow, commentId: number, t: Translate): Promise<q.CommentRow> {
  const comment = await existingComment(sql, video, commentId, t);
  if (comment.deletedAt) throw notFound(t("comments.error.notFound"));
  if (comment.authorUserId !== user.id) throw new HttpError(403, t("comments.error.notYours"));
  return comment;
}

/** Replaces the text of the author's own comment. */
export async function editComment(deps: CommentsDeps, video: VideoRow, user: UserRow, commentId: number, raw: unknown, t: Translate): Promise<q.CommentRow> {
  await commentForEdit(deps.sql, video, user, commentId, t);
  const text = textOrRefuse(raw, t);
  if (!(await q.updateCommentText(deps.sql, commentId, text))) throw notFound(t("comments.error.notFound"));
  await federateComment(deps, commentId, "update");
  return (await q.findComment(deps.sql, video.id, commentId))!;
}

/** Deletes (keeping the row for its replies) if the user wrote it, owns the video or is an administrator. */
export async function deleteComment(deps: CommentsDeps, video: VideoRow, user: UserRow, commentId: number, t: Translate): Promise<q.CommentRow> {
  const comment = await existingComment(deps.sql, video, commentId, t);
  if (comment.authorUserId !== user.id && !canManage(video, user)) throw new HttpError(403, t("comments.error.cannotDelete"));
  await q.markCommentDeleted(deps.sql, comment.id);
  // Only the author's own words are withdrawn over federation; a moderator's removal stays local for now.
  if (comment.authorUserId === user.id) await federateComment(deps, comment.id, "delete");
  return (await q.findComment(deps.sql, video.id, commentId))!;
}

/** The owner (or an administrator) turns comments on or off; the video as it is afterwards. */
export async function switchComments(sql: Sql, user: UserRow, rawId: string, enabled: boolean): Promise<VideoRow> {
  const video = await videoForChange({ sql }, user, rawId);
  await q.setCommentsEnabled(sql, video.id, enabled);
  return { ...video, commentsEnabled: enabled };
}

/** What a page of threads needs: the threads, their first replies, and the cursor of the next page. */
export interface ThreadsPage {
  readonly threads: readonly q.ThreadRow[];
  readonly replies: ReadonlyMap<number, readonly q.CommentRow[]>;
  /** Pass as `before` for the next page; null on the last one. */
  readonly nextBefore: number | null;
}

function groupByThread(rows: readonly q.CommentRow[]): Map<number, q.CommentRow[]> {
  const groups = new Map<number, q.CommentRow[]>();
  for (const row of rows) {
    const list = groups.get(row.threadId!) ?? [];
    list.push(row);
    groups.set(row.threadId!, list);
  }
  return groups;
}

/** Threads newest first, from the cursor on; each with its first replies, oldest first. */
export async function loadThreadsPage(sql: Sql, video: VideoRow, before: number): Promise<ThreadsPage> {
  const rows = await q.listThreadsBefore(sql, video.id, video.ownerId, before, THREADS_PER_PAGE + 1);
  const threads = rows.slice(0, THREADS_PER_PAGE);
  const replies = await q.listReplies(sql, video.id, threads.map((th) => th.id), REPLIES_SHOWN);
  return { threads, replies: groupByThread(replies), nextBefore: rows.length > THREADS_PER_PAGE ? threads.at(-1)!.id : null };
}

/** One thread with all its replies, oldest first. */
export async function loadThread(sql: Sql, video: VideoRow, threadId: number, t: Translate): Promise<{ thread: q.ThreadRow; replies: q.CommentRow[] }> {
  const thread = await q.findThread(sql, video.id, threadId, video.ownerId);
  if (!thread) throw notFound(t("comments.error.notFound"));
  return { thread, replies: await q.listReplies(sql, video.id, [thread.id], null) };
}

/** A row as the page shows it to this viewer: what they may do with it, who wrote it. */
export function toCommentView(row: q.CommentRow, video: VideoRow, viewer: UserRow | null): CommentView {
  const deleted = row.deletedAt !== null || row.actorId === null || row.authorBlocked;
  const mine = viewer !== null && row.authorUserId === viewer.id;
  const name = row.authorHandle ? (row.authorDomain ? `${row.authorHandle}@${row.authorDomain}` : row.authorHandle) : "";
  return {
    id: row.id,
    threadId: row.threadId ?? row.id,
    text: deleted ? "" : row.text,
    deleted,
    edited: !deleted && row.updatedAt.getTime() > row.createdAt.getTime(),
    createdAt: row.createdAt,
    author: deleted || !row.authorHandle ? null : { name, displayName: row.authorDisplayName ?? name, avatarUrl: staticUrl(row.authorAvatarPath), href: row.authorDomain ? row.authorUrl ?? "#" : `/a/${name}` },
    inReplyTo: row.parentId !== null && row.parentId !== row.threadId ? row.parentAuthorHandle : null,
    byVideoAuthor: !deleted && row.authorUserId === video.ownerId,
    canEdit: mine && !deleted,
    canDelete: viewer !== null && !deleted && (mine || canManage(video, viewer)),
    canReply: viewer !== null && video.commentsEnabled && !deleted,
  };
}

/** A thread as the page shows it, with how many more replies it holds than it lists. */
export function toThreadView(thread: q.ThreadRow, replies: readonly q.CommentRow[], video: VideoRow, viewer: UserRow | null): ThreadView {
  return {
    comment: toCommentView(thread, video, viewer),
    replies: replies.map((r) => toCommentView(r, video, viewer)),
    hiddenReplies: Math.max(0, thread.replyRows - replies.length),
  };
}
