/** Comments on the watch page (htmx fragments) and in the API. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { field } from "../http/forms.ts";
import { notFound } from "../http/errors.ts";
import type { PageContext } from "../../views/context.ts";
import { CommentCount, CommentsBody, EmptyNoteGone, ThreadsPage } from "../../views/components/comments.tsx";
import { CommentItem, ReplyItem, ThreadItem, ThreadReplies } from "../../views/components/comment-item.tsx";
import { ReplyForm } from "../../views/components/comment-forms.tsx";
import type { UserRow } from "../accounts/queries.ts";
import type { VideoRow } from "../videos/queries.ts";
import { canManage } from "../videos/service.ts";
import { commentApiRoutes } from "./api.ts";
import * as q from "./queries.ts";
import {
  commentForEdit,
  deleteComment,
  editComment,
  loadThread,
  loadThreadsPage,
  parseCommentId,
  postComment,
  switchComments,
  toCommentView,
  toThreadView,
  videoForComments,
} from "./service.ts";

const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

/** Without htmx (a plain form post), the person goes back to the comments. */
const backToComments = (video: VideoRow) => new Response(null, { status: 303, headers: { location: `/w/${video.shortId}#comments` } });

async function body(page: PageContext, sql: Parameters<typeof loadThreadsPage>[0], video: VideoRow, user: UserRow | null) {
  const { threads, replies, nextBefore } = await loadThreadsPage(sql, video, 0);
  const views = threads.map((th) => toThreadView(th, replies.get(th.id) ?? [], video, user));
  return (
    <CommentsBody page={page} shortId={video.shortId} enabled={video.commentsEnabled} canModerate={canManage(video, user)} threads={views} nextBefore={nextBefore} />
  );
}

/** Reading: the body under the heading, pages of threads, a thread's replies, one comment, the reply and edit forms. */
function commentReadRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "comments-read" })
    .use(context)
    .get("/w/:id/comments", async ({ deps, params, query, user, page }) => {
      const video = await videoForComments(deps.sql, params.id, user, page.t);
      const before = Number(query.before);
      if (!Number.isInteger(before) || before <= 0) return body(page, deps.sql, video, user);
      const next = await loadThreadsPage(deps.sql, video, before);
      const views = next.threads.map((th) => toThreadView(th, next.replies.get(th.id) ?? [], video, user));
      return <ThreadsPage page={page} shortId={video.shortId} threads={views} nextBefore={next.nextBefore} />;
    })
    .get("/w/:id/comments/threads/:threadId", async ({ deps, params, user, page }) => {
      const video = await videoForComments(deps.sql, params.id, user, page.t);
      const { thread, replies } = await loadThread(deps.sql, video, parseCommentId(params.threadId, page.t), page.t);
      return <ThreadReplies page={page} shortId={video.shortId} thread={toThreadView(thread, replies, video, user)} />;
    })
    .get("/w/:id/comments/:commentId", async ({ deps, params, user, page }) => {
      const video = await videoForComments(deps.sql, params.id, user, page.t);
      const row = await q.findComment(deps.sql, video.id, parseCommentId(params.commentId, page.t));
      if (!row) throw notFound(page.t("comments.error.notFound"));
      return <CommentItem page={page} shortId={video.shortId} c={toCommentView(row, video, user)} />;
    })
    .get("/w/:id/comments/:commentId/reply", async ({ deps, params, user, page }) => {
      const author = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, author, page.t);
      const row = await q.findComment(deps.sql, video.id, parseCommentId(params.commentId, page.t));
      const c = row ? toCommentView(row, video, author) : null;
      if (!c?.canReply) return <p class="muted" safe>{page.t(video.commentsEnabled ? "comments.error.notFound" : "comments.off")}</p>;
      return <ReplyForm page={page} shortId={video.shortId} parentId={c.id} threadId={c.threadId} />;
    })
    .get("/w/:id/comments/:commentId/edit", async ({ deps, params, user, page }) => {
      const editor = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, editor, page.t);
      const row = await commentForEdit(deps.sql, video, editor, parseCommentId(params.commentId, page.t), page.t);
      const c = toCommentView(row, video, editor);
      return <CommentItem page={page} shortId={video.shortId} c={c} editing />;
    });
}

/** Writing: post, reply, edit, delete, and the owner's switch; htmx gets fragments, plain forms a redirect. */
function commentWriteRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "comments-write" })
    .use(context)
    .post("/w/:id/comments", async ({ deps, params, body: form, user, page, ip, request }) => {
      const author = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, author, page.t);
      const row = await postComment(deps, video, author, { text: field(form, "text"), ip }, page.t);
      if (!isHtmx(request)) return backToComments(video);
      const thread = toThreadView({ ...row, totalReplies: 0, replyRows: 0, totalRepliesFromVideoAuthor: 0 }, [], video, author);
      const count = await q.countVisibleComments(deps.sql, video.id);
      return (
        <>
          <ThreadItem page={page} shortId={video.shortId} thread={thread} />
          <CommentCount page={page} count={count} oob />
          <EmptyNoteGone />
        </>
      );
    })
    .post("/w/:id/comments/enabled", async ({ deps, params, body: form, user, page, request }) => {
      const video = await switchComments(deps.sql, requireUser(user), params.id, field(form, "enabled") === "true");
      if (!isHtmx(request)) return backToComments(video);
      return body(page, deps.sql, video, user);
    })
    .post("/w/:id/comments/:commentId/replies", async ({ deps, params, body: form, user, page, ip, request }) => {
      const author = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, author, page.t);
      const parentId = parseCommentId(params.commentId, page.t);
      const row = await postComment(deps, video, author, { text: field(form, "text"), ip, parentId }, page.t);
      if (!isHtmx(request)) return backToComments(video);
      const count = await q.countVisibleComments(deps.sql, video.id);
      return (
        <>
          <ReplyItem page={page} shortId={video.shortId} c={toCommentView(row, video, author)} />
          <CommentCount page={page} count={count} oob />
        </>
      );
    })
    .post("/w/:id/comments/:commentId/edit", async ({ deps, params, body: form, user, page, request }) => {
      const editor = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, editor, page.t);
      const row = await editComment(deps, video, editor, parseCommentId(params.commentId, page.t), field(form, "text"), page.t);
      if (!isHtmx(request)) return backToComments(video);
      return <CommentItem page={page} shortId={video.shortId} c={toCommentView(row, video, editor)} />;
    })
    .post("/w/:id/comments/:commentId/delete", async ({ deps, params, user, page, request }) => {
      const moderator = requireUser(user);
      const video = await videoForComments(deps.sql, params.id, moderator, page.t);
      const row = await deleteComment(deps, video, moderator, parseCommentId(params.commentId, page.t), page.t);
      if (!isHtmx(request)) return backToComments(video);
      const count = await q.countVisibleComments(deps.sql, video.id);
      return (
        <>
          <CommentItem page={page} shortId={video.shortId} c={toCommentView(row, video, moderator)} />
          <CommentCount page={page} count={count} oob />
        </>
      );
    });
}

/** The comments of the watch page and of the API. */
export function commentRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "comments" }).use(commentReadRoutes(context)).use(commentWriteRoutes(context)).use(commentApiRoutes(context));
}
