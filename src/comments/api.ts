/** PeerTube-compatible REST endpoints for comments: threads, one thread's tree, post, reply, delete. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { optionalApiUser, requireApiUser } from "../api/bearer.ts";
import * as q from "./queries.ts";
import { deleteComment, loadThread, parseCommentId, postComment, videoForComments } from "./service.ts";
import { commentJson, threadTreeJson } from "./shapes.ts";

function pageParams(query: Record<string, string | undefined>) {
  const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
  const count = Math.max(1, Math.min(Number(query.count) || 15, 100));
  const sort = q.THREAD_SORTS.find((s) => s === query.sort) ?? "-createdAt";
  return { start, count, sort };
}

const textOf = (body: unknown) => (body as Record<string, unknown> | null | undefined)?.text;

/** The comment endpoints of the REST API, under /api/v1/videos/:id. */
export function commentApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "comments-api", prefix: "/api/v1/videos/:id" })
    .use(context)
    .get("/comment-threads", async ({ deps, request, params, query, user, page }) => {
      const reader = await optionalApiUser(deps.sql, request, user);
      const video = await videoForComments(deps.sql, params.id, reader, page.t);
      const [threads, counts] = await Promise.all([q.listThreadsByOffset(deps.sql, video.id, video.ownerId, pageParams(query)), q.countComments(deps.sql, video.id)]);
      return {
        total: counts.threads,
        totalNotDeletedComments: counts.notDeleted,
        data: threads.map((th) => commentJson(deps.config, video, th, th)),
      };
    })
    .get("/comment-threads/:threadId", async ({ deps, request, params, user, page }) => {
      const reader = await optionalApiUser(deps.sql, request, user);
      const video = await videoForComments(deps.sql, params.id, reader, page.t);
      const { thread, replies } = await loadThread(deps.sql, video, parseCommentId(params.threadId, page.t), page.t);
      return threadTreeJson(deps.config, video, thread, replies);
    })
    .post("/comment-threads", async ({ deps, request, params, body, user, page, ip }) => {
      const author = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const video = await videoForComments(deps.sql, params.id, author, page.t);
      const row = await postComment(deps, video, author, { text: textOf(body), ip }, page.t);
      return { comment: commentJson(deps.config, video, row) };
    })
    .post("/comments/:commentId", async ({ deps, request, params, body, user, page, ip }) => {
      const author = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const video = await videoForComments(deps.sql, params.id, author, page.t);
      const parentId = parseCommentId(params.commentId, page.t);
      const row = await postComment(deps, video, author, { text: textOf(body), ip, parentId }, page.t);
      return { comment: commentJson(deps.config, video, row) };
    })
    .delete("/comments/:commentId", async ({ deps, request, params, user, page, set }) => {
      const moderator = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const video = await videoForComments(deps.sql, params.id, moderator, page.t);
      await deleteComment(deps, video, moderator, parseCommentId(params.commentId, page.t), page.t);
      set.status = 204;
      return "";
    });
}
