/** The notifications page (newest first, load more, mark read in place) and the per-type settings. */
import type { PageContext } from "../context.ts";
import type { MessageKey } from "../../src/i18n/i18n.ts";
import { Layout } from "../layout.tsx";
import { Csrf } from "../components/form.tsx";

export type NotificationKind = "new_video" | "comment_reply" | "video_comment" | "transcode_finished" | "transcode_failed";

export interface NotificationView {
  readonly id: number;
  readonly type: NotificationKind;
  readonly unread: boolean;
  readonly createdAt: Date;
  /** Where it leads: the video, or the comment on its page. */
  readonly href: string | null;
  readonly videoName: string;
  /** Who did it: the commenter, or the channel that published. */
  readonly actorName: string | null;
  readonly excerpt: string | null;
  readonly commentDeleted: boolean;
}

/** Splits a translated sentence around its {placeholders} so each name is escaped and emphasised on its own. */
function Sentence({ page, item }: { page: PageContext; item: NotificationView }) {
  const marks = { name: "\u0001", channel: "\u0001", video: "\u0002" };
  const text = page.t(`notifications.text.${item.type}` as MessageKey, marks);
  const who = item.actorName ?? page.t("notifications.someone");
  return (
    <span class="notification-text">
      {text.split(/(\u0001|\u0002)/).map((part) =>
        part === "\u0001" ? (
          <strong safe>{who}</strong>
        ) : part === "\u0002" ? (
          <strong class="notification-video" safe>
            {item.videoName}
          </strong>
        ) : (
          <span safe>{part}</span>
        ),
      )}
    </span>
  );
}

/** One notification; also the fragment answered after marking it read. */
export function NotificationItem({ page, item }: { page: PageContext; item: NotificationView }) {
  const body = (
    <>
      <Sentence page={page} item={item} />
      {item.commentDeleted ? (
        <span class="notification-excerpt muted" safe>
          {page.t("notifications.deletedComment")}
        </span>
      ) : item.excerpt ? (
        <span class="notification-excerpt" safe>
          {item.excerpt}
        </span>
      ) : (
        ""
      )}
      <time class="muted" datetime={item.createdAt.toISOString()} safe>
        {page.i18n.age(item.createdAt, page.now)}
      </time>
    </>
  );
  const action = `/my/notifications/${item.id}/read`;
  return (
    <li class={item.unread ? "notification unread" : "notification"} id={`notification-${item.id}`}>
      {item.unread ? <span class="visually-hidden" safe>{`${page.t("notifications.unread")}: `}</span> : ""}
      {item.href ? (
        <a class="notification-body" href={item.href}>
          {body}
        </a>
      ) : (
        <span class="notification-body">{body}</span>
      )}
      {item.unread ? (
        <form method="post" action={action} hx-post={action} hx-target="closest li" hx-swap="outerHTML" class="inline">
          <Csrf token={page.csrfToken} />
          <button type="submit" class="link notification-mark" safe>
            {page.t("notifications.markRead")}
          </button>
        </form>
      ) : (
        ""
      )}
    </li>
  );
}

/** Items plus the "load more" row; the row replaces itself with the next items (also the fragment it loads). */
export function NotificationItems({ page, items, moreUrl }: { page: PageContext; items: readonly NotificationView[]; moreUrl: string | null }) {
  return (
    <>
      {items.map((item) => (
        <NotificationItem page={page} item={item} />
      ))}
      {moreUrl ? (
        <li class="more">
          <a class="button" href={moreUrl} hx-get={moreUrl} hx-target="closest li" hx-swap="outerHTML" safe>
            {page.t("common.loadMore")}
          </a>
        </li>
      ) : (
        ""
      )}
    </>
  );
}

/** The whole list; "mark all as read" swaps it for its read form. */
export function NotificationList({ page, items, moreUrl }: { page: PageContext; items: readonly NotificationView[]; moreUrl: string | null }) {
  if (items.length === 0) {
    return (
      <div id="notification-list">
        <p class="muted empty" safe>
          {page.t("notifications.empty")}
        </p>
      </div>
    );
  }
  return (
    <div id="notification-list">
      <ul class="notifications">
        <NotificationItems page={page} items={items} moreUrl={moreUrl} />
      </ul>
    </div>
  );
}

/** The whole page: heading with "mark all as read" and the settings link, then the list. */
export function NotificationsPage({ page, items, moreUrl }: { page: PageContext; items: readonly NotificationView[]; moreUrl: string | null }) {
  const t = page.t;
  return (
    <Layout page={page} title={t("notifications.title")}>
      <div class="notifications-head">
        <h1 safe>{t("notifications.title")}</h1>
        <div class="notifications-actions">
          <form method="post" action="/my/notifications/read-all" hx-post="/my/notifications/read-all" hx-target="#notification-list" hx-swap="outerHTML" class="inline">
            <Csrf token={page.csrfToken} />
            <button type="submit" class="button" safe>
              {t("notifications.markAllRead")}
            </button>
          </form>
          <a class="button" href="/my/notifications/settings" safe>
            {t("notifications.settings")}
          </a>
        </div>
      </div>
      <NotificationList page={page} items={items} moreUrl={moreUrl} />
    </Layout>
  );
}

/** The settings form; htmx swaps it for its saved state, so saving needs no reload. */
export function NotificationSettingsForm({
  page,
  types,
  settings,
  saved,
}: {
  page: PageContext;
  types: readonly NotificationKind[];
  settings: Readonly<Record<NotificationKind, boolean>>;
  saved?: boolean;
}) {
  return (
    <form method="post" action="/my/notifications/settings" hx-post="/my/notifications/settings" hx-target="this" hx-swap="outerHTML" class="form notification-settings">
      <Csrf token={page.csrfToken} />
      <fieldset>
        <legend safe>{page.t("notifications.settingsIntro")}</legend>
        {types.map((type) => (
          <label class="check">
            <input type="checkbox" name={type} value="on" checked={settings[type]} />
            <span safe>{page.t(`notifications.type.${type}` as MessageKey)}</span>
          </label>
        ))}
      </fieldset>
      <div class="notification-settings-save">
        <button type="submit" class="button primary" safe>
          {page.t("common.save")}
        </button>
        <span role="status" class="ok">
          {saved ? <span safe>{page.t("notifications.saved")}</span> : ""}
        </span>
      </div>
    </form>
  );
}

/** The settings page around the form. */
export function NotificationSettingsPage(props: {
  page: PageContext;
  types: readonly NotificationKind[];
  settings: Readonly<Record<NotificationKind, boolean>>;
  saved?: boolean;
}) {
  const t = props.page.t;
  return (
    <Layout page={props.page} title={t("notifications.settings")}>
      <h1 safe>{t("notifications.settings")}</h1>
      <p>
        <a href="/my/notifications" safe>
          {t("notifications.back")}
        </a>
      </p>
      <section class="card">
        <NotificationSettingsForm {...props} />
      </section>
    </Layout>
  );
}
