/**
 * The forms of the comments: a new thread, an inline reply, an inline edit. They post with htmx (the page stays)
 * and also work as plain forms; public/js/comments.js resets or removes them and shows refusals in their slot.
 */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";

/** Where the comment routes of a video live. */
export const commentsBase = (shortId: string) => `/w/${shortId}/comments`;

/** Characters a comment may hold; the server checks it again (in code points). */
export const COMMENT_MAX_LENGTH = 10_000;

interface TextBoxProps {
  readonly page: PageContext;
  readonly id: string;
  readonly label: string;
  readonly placeholder?: string;
  readonly value?: string;
  readonly autofocus?: boolean;
}

function TextBox({ page, id, label, placeholder, value, autofocus }: TextBoxProps) {
  return (
    <>
      <label for={id} class="visually-hidden" safe>
        {label}
      </label>
      <textarea
        id={id}
        name="text"
        rows="3"
        required
        maxlength={String(COMMENT_MAX_LENGTH)}
        placeholder={placeholder ?? page.t("comments.placeholder")}
        aria-describedby={`${id}-hint ${id}-error`}
        autofocus={autofocus}
        safe
      >
        {value ?? ""}
      </textarea>
      <p class="hint" id={`${id}-hint`} safe>
        {page.t("comments.hint")}
      </p>
      <p class="error" id={`${id}-error`} role="alert" data-error-slot></p>
    </>
  );
}

/** Starts a thread; the new thread goes on top of the list. */
export function NewCommentForm({ page, shortId }: { page: PageContext; shortId: string }) {
  const action = commentsBase(shortId);
  return (
    <form
      class="comment-form"
      method="post"
      action={action}
      hx-post={action}
      hx-target="#comment-threads"
      hx-swap="afterbegin"
      hx-disabled-elt="find button"
      data-after="reset"
    >
      <Csrf token={page.csrfToken} />
      <TextBox page={page} id="comment-new" label={page.t("comments.label")} />
      <div class="comment-form-actions">
        <button type="submit" class="button primary" safe>
          {page.t("comments.post")}
        </button>
      </div>
    </form>
  );
}

/** Answers comment `parentId`; the reply joins the end of its thread and the form goes away. */
export function ReplyForm({ page, shortId, parentId, threadId }: { page: PageContext; shortId: string; parentId: number; threadId: number }) {
  const action = `${commentsBase(shortId)}/${parentId}/replies`;
  return (
    <form
      class="comment-form comment-reply-form"
      method="post"
      action={action}
      hx-post={action}
      hx-target={`#replies-${threadId}`}
      hx-swap="beforeend"
      hx-disabled-elt="find button"
      data-after="remove"
    >
      <Csrf token={page.csrfToken} />
      <TextBox page={page} id={`reply-${parentId}`} label={page.t("comments.replyLabel")} placeholder={page.t("comments.replyPlaceholder")} autofocus />
      <div class="comment-form-actions">
        <button type="button" class="button comment-cancel" safe>
          {page.t("comments.cancel")}
        </button>
        <button type="submit" class="button primary" safe>
          {page.t("comments.postReply")}
        </button>
      </div>
    </form>
  );
}

/** Edits comment `id` in place; saving or cancelling swaps the whole comment back. */
export function EditForm({ page, shortId, id, text }: { page: PageContext; shortId: string; id: number; text: string }) {
  const base = `${commentsBase(shortId)}/${id}`;
  return (
    <form
      class="comment-form comment-edit-form"
      method="post"
      action={`${base}/edit`}
      hx-post={`${base}/edit`}
      hx-target={`#comment-${id}`}
      hx-swap="outerHTML"
      hx-disabled-elt="find button"
    >
      <Csrf token={page.csrfToken} />
      <TextBox page={page} id={`edit-${id}`} label={page.t("comments.editLabel")} value={text} autofocus />
      <div class="comment-form-actions">
        <button type="button" class="button" hx-get={base} hx-target={`#comment-${id}`} hx-swap="outerHTML" safe>
          {page.t("comments.cancel")}
        </button>
        <button type="submit" class="button primary" safe>
          {page.t("comments.save")}
        </button>
      </div>
    </form>
  );
}
