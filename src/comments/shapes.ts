/** PeerTube's JSON shapes for comments (VideoComment, CommentThreadResponse, VideoCommentThreadTree). */
import type { Config } from "../config.ts";
import { absoluteUrl, staticUrl } from "../http/urls.ts";
import type { VideoRow } from "../videos/queries.ts";
import type { CommentRow, ThreadRow } from "./queries.ts";
import { buildReplyTree, type TreeNode } from "./text.ts";

function accountJson(config: Config, c: CommentRow) {
  const host = c.authorDomain ?? config.publicHost;
  const name = c.authorHandle!;
  return {
    id: c.actorId,
    name,
    displayName: c.authorDisplayName,
    host,
    url: c.authorDomain ? c.authorUrl ?? `https://${c.authorDomain}/a/${name}` : absoluteUrl(config, `/a/${name}`),
    avatars: c.authorAvatarPath ? [{ path: staticUrl(c.authorAvatarPath), width: 120 }] : [],
  };
}

/** One comment; a deleted one keeps its place in the thread but says nothing and names nobody. */
export function commentJson(config: Config, video: VideoRow, c: CommentRow, counts?: Pick<ThreadRow, "totalReplies" | "totalRepliesFromVideoAuthor">) {
  const deleted = c.deletedAt !== null || c.actorId === null || c.authorBlocked;
  return {
    id: c.id,
    url: absoluteUrl(config, `/w/${video.shortId}#comment-${c.id}`),
    text: deleted ? "" : c.text,
    threadId: c.threadId ?? c.id,
    inReplyToCommentId: c.parentId,
    videoId: c.videoId,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    deletedAt: c.deletedAt,
    isDeleted: deleted,
    totalRepliesFromVideoAuthor: counts?.totalRepliesFromVideoAuthor ?? 0,
    totalReplies: counts?.totalReplies ?? 0,
    account: deleted ? null : accountJson(config, c),
  };
}

type CommentJson = ReturnType<typeof commentJson>;
interface TreeJson {
  comment: CommentJson;
  children: TreeJson[];
}

/** A thread as PeerTube's tree: each comment with the replies answering it, oldest first. */
export function threadTreeJson(config: Config, video: VideoRow, thread: ThreadRow, replies: readonly CommentRow[]): TreeJson {
  const toJson = (node: TreeNode<CommentRow>): TreeJson => ({
    comment: commentJson(config, video, node.comment, node.comment === thread ? thread : undefined),
    children: node.children.map(toJson),
  });
  return toJson(buildReplyTree<CommentRow>(thread, replies));
}
