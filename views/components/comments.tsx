/** The comments under a video: loaded after the page, posted and answered without a reload. */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";
import { commentsBase, NewCommentForm } from "./comment-forms.tsx";
import { ThreadItem, type ThreadView } from "./comment-item.tsx";

export interface CommentsSectionProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly enabled: boolean;
  readonly count: number;
}

/** The heading's count; responses that change it send it again out of band. */
export function CommentCount({ page, count, oob = false }: { page: PageContext; count: number; oob?: boolean }) {
  return (
    <span id="comment-count" hx-swap-oob={oob ? "true" : undefined} safe>
      {page.t("comments.heading", { count })}
    </span>
  );
}

/** The section on the watch page; its body is fetched once it scrolls into view. */
export function CommentsSection({ page, shortId, enabled, count }: CommentsSectionProps) {
  return (
    <section class="comments" id="comments" aria-labelledby="comments-title" data-error-generic={page.t("comments.error.generic")}>
      <h2 id="comments-title">
        <CommentCount page={page} count={count} />
      </h2>
      <div id="comments-body" class="comments-body" hx-get={commentsBase(shortId)} hx-trigger="revealed, load[location.hash.startsWith('#comment-')]" hx-swap="outerHTML" aria-busy="true">
        {!enabled ? (
          <p class="muted" safe>
            {page.t("comments.off")}
          </p>
        ) : (
          ""
        )}
        <p class="muted comments-loading" safe>
          {page.t("comments.loading")}
        </p>
        <p class="error" role="alert" data-error-slot></p>
      </div>
    </section>
  );
}

export interface CommentsBodyProps {
  readonly page: PageContext;
  readonly shortId: string;
  readonly enabled: boolean;
  /** The video's owner or an administrator: may switch comments off and delete any. */
  readonly canModerate: boolean;
  readonly threads: readonly ThreadView[];
  readonly nextBefore: number | null;
}

function Switch({ page, shortId, enabled }: { page: PageContext; shortId: string; enabled: boolean }) {
  const action = `${commentsBase(shortId)}/enabled`;
  return (
    <form class="comments-switch" method="post" action={action} hx-post={action} hx-target="#comments-body" hx-swap="outerHTML" hx-disabled-elt="find button">
      <Csrf token={page.csrfToken} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <button type="submit" class="button" safe>
        {page.t(enabled ? "comments.turnOff" : "comments.turnOn")}
      </button>
    </form>
  );
}

function Composer({ page, shortId, enabled }: { page: PageContext; shortId: string; enabled: boolean }) {
  if (!enabled) {
    return (
      <p class="comments-off" role="status" safe>
        {page.t("comments.off")}
      </p>
    );
  }
  if (!page.viewer) {
    return (
      <p>
        <a class="button" href={`/login?next=${encodeURIComponent(`/w/${shortId}#comments`)}`} safe>
          {page.t("comments.loginToComment")}
        </a>
      </p>
    );
  }
  return <NewCommentForm page={page} shortId={shortId} />;
}

/** The threads of one page and, when more remain, the button that fetches the next page in its place. */
export function ThreadsPage({ page, shortId, threads, nextBefore }: { page: PageContext; shortId: string; threads: readonly ThreadView[]; nextBefore: number | null }) {
  return (
    <>
      {threads.map((thread) => (
        <ThreadItem page={page} shortId={shortId} thread={thread} />
      ))}
      {nextBefore !== null ? (
        <li class="comments-more">
          <button type="button" class="button" hx-get={`${commentsBase(shortId)}?before=${nextBefore}`} hx-target="closest li" hx-swap="outerHTML" safe>
            {page.t("comments.loadMore")}
          </button>
        </li>
      ) : (
        ""
      )}
    </>
  );
}

/** Everything under the heading: the switch for the owner, the form (or why there is none) and the threads. */
export function CommentsBody({ page, shortId, enabled, canModerate, threads, nextBefore }: CommentsBodyProps) {
  return (
    <div id="comments-body" class="comments-body">
      <p class="error" role="alert" data-error-slot></p>
      {canModerate ? <Switch page={page} shortId={shortId} enabled={enabled} /> : ""}
      <Composer page={page} shortId={shortId} enabled={enabled} />
      {threads.length === 0 && enabled ? (
        <p class="muted" id="comments-empty" safe>
          {page.t("comments.empty")}
        </p>
      ) : (
        ""
      )}
      <ol class="comment-threads" id="comment-threads">
        <ThreadsPage page={page} shortId={shortId} threads={threads} nextBefore={nextBefore} />
      </ol>
    </div>
  );
}

/** Sent with a new comment so the "no comments yet" line goes away. */
export function EmptyNoteGone() {
  return <p id="comments-empty" hx-swap-oob="delete"></p>;
}
