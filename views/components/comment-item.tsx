/** One comment, and one thread (its first comment with the replies under it, oldest first). */
import type { PageContext } from "../context.ts";
import { renderMarkdown } from "../markdown.ts";
import { Avatar } from "./avatar.tsx";
import { commentsBase, EditForm } from "./comment-forms.tsx";

export interface CommentAuthor {
  /** The handle, with @domain for someone of another instance. */
  readonly name: string;
  readonly displayName: string;
  readonly avatarUrl: string | null;
  readonly href: string;
}

/** A comment as this viewer sees it; the flags say which buttons they get. */
export interface CommentView {
  readonly id: number;
  /** The thread's first comment (its own id for a thread's first comment). */
  readonly threadId: number;
  /** Empty once deleted. */
  readonly text: string;
  readonly deleted: boolean;
  readonly edited: boolean;
  readonly createdAt: Date;
  /** null once deleted. */
  readonly author: CommentAuthor | null;
  /** The handle answered, for a reply to a reply. */
  readonly inReplyTo: string | null;
  readonly byVideoAuthor: boolean;
  readonly canEdit: boolean;
  readonly canDelete: boolean;
  readonly canReply: boolean;
}

export interface ThreadView {
  readonly comment: CommentView;
  readonly replies: readonly CommentView[];
  /** Replies the thread holds beyond those listed. */
  readonly hiddenReplies: number;
}

function Header({ page, c }: { page: PageContext; c: CommentView }) {
  return (
    <header class="comment-head">
      {c.author ? (
        <a class="comment-author" href={c.author.href} safe>
          {c.author.displayName}
        </a>
      ) : (
        ""
      )}
      {c.byVideoAuthor ? <span class="comment-badge" safe>{page.t("comments.creator")}</span> : ""}
      {c.inReplyTo ? <span class="muted comment-to" safe>{page.t("comments.inReplyTo", { handle: c.inReplyTo })}</span> : ""}
      <time class="muted" datetime={c.createdAt.toISOString()} title={page.i18n.date(c.createdAt)} safe>
        {page.i18n.age(c.createdAt, page.now)}
      </time>
      {c.edited ? <span class="muted comment-edited" safe>{`(${page.t("comments.edited")})`}</span> : ""}
    </header>
  );
}

function Actions({ page, shortId, c }: { page: PageContext; shortId: string; c: CommentView }) {
  if (!c.canReply && !c.canEdit && !c.canDelete) return "";
  const base = `${commentsBase(shortId)}/${c.id}`;
  return (
    <div class="comment-actions">
      {c.canReply ? (
        <button type="button" class="link" hx-get={`${base}/reply`} hx-target={`#reply-slot-${c.id}`} hx-swap="innerHTML" safe>
          {page.t("comments.reply")}
        </button>
      ) : (
        ""
      )}
      {c.canEdit ? (
        <button type="button" class="link" hx-get={`${base}/edit`} hx-target={`#comment-${c.id}`} hx-swap="outerHTML" safe>
          {page.t("comments.edit")}
        </button>
      ) : (
        ""
      )}
      {c.canDelete ? (
        <button
          type="button"
          class="link comment-delete"
          hx-post={`${base}/delete`}
          hx-target={`#comment-${c.id}`}
          hx-swap="outerHTML"
          hx-confirm={page.t("comments.confirmDelete")}
          safe
        >
          {page.t("comments.delete")}
        </button>
      ) : (
        ""
      )}
      <p class="error" role="alert" data-error-slot></p>
    </div>
  );
}

/** The comment itself; `editing` replaces its text with an edit form. Edit, delete and cancel swap this element. */
export function CommentItem({ page, shortId, c, editing = false }: { page: PageContext; shortId: string; c: CommentView; editing?: boolean }) {
  if (c.deleted) {
    return (
      <article class="comment comment-deleted" id={`comment-${c.id}`}>
        <span class="avatar comment-avatar-gone" aria-hidden="true"></span>
        <div class="comment-main">
          <p class="muted" safe>
            {page.t("comments.deleted")}
          </p>
        </div>
      </article>
    );
  }
  return (
    <article class="comment" id={`comment-${c.id}`} aria-label={page.t("comments.by", { name: c.author?.displayName ?? "" })}>
      {c.author ? <Avatar url={c.author.avatarUrl} name={c.author.displayName} size={36} /> : <span class="avatar comment-avatar-gone" aria-hidden="true"></span>}
      <div class="comment-main">
        <Header page={page} c={c} />
        {editing ? (
          <EditForm page={page} shortId={shortId} id={c.id} text={c.text} />
        ) : (
          <>
            <div class="comment-text">{renderMarkdown(c.text) as "safe"}</div>
            <Actions page={page} shortId={shortId} c={c} />
            <div class="reply-slot" id={`reply-slot-${c.id}`}></div>
          </>
        )}
      </div>
    </article>
  );
}

/** A reply in its thread's list: what a posted reply's response holds. */
export function ReplyItem({ page, shortId, c }: { page: PageContext; shortId: string; c: CommentView }) {
  return (
    <li>
      <CommentItem page={page} shortId={shortId} c={c} />
    </li>
  );
}

/** The replies of a thread, with a button that lists the rest when some are not shown. */
export function ThreadReplies({ page, shortId, thread }: { page: PageContext; shortId: string; thread: ThreadView }) {
  const id = thread.comment.id;
  return (
    <div class="comment-replies-wrap" id={`replies-wrap-${id}`}>
      <ol class="comment-replies" id={`replies-${id}`}>
        {thread.replies.map((c) => (
          <ReplyItem page={page} shortId={shortId} c={c} />
        ))}
      </ol>
      {thread.hiddenReplies > 0 ? (
        <button
          type="button"
          class="link comment-more-replies"
          hx-get={`${commentsBase(shortId)}/threads/${id}`}
          hx-target={`#replies-wrap-${id}`}
          hx-swap="outerHTML"
          safe
        >
          {page.t("comments.moreReplies", { count: thread.hiddenReplies })}
        </button>
      ) : (
        ""
      )}
    </div>
  );
}

/** A thread: its first comment and its replies; what a posted comment's response holds. */
export function ThreadItem({ page, shortId, thread }: { page: PageContext; shortId: string; thread: ThreadView }) {
  return (
    <li class="comment-thread" id={`thread-${thread.comment.id}`}>
      <CommentItem page={page} shortId={shortId} c={thread.comment} />
      <ThreadReplies page={page} shortId={shortId} thread={thread} />
    </li>
  );
}
