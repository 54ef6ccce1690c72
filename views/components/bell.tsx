/** The notification bell in the header, with the unread count. */
import type { PageContext, Viewer } from "../context.ts";

/** A link to the notifications page; public/js/notifications.js keeps its count live. */
export function Bell({ page, viewer }: { page: PageContext; viewer: Viewer }) {
  const unread = viewer.unreadNotifications;
  return (
    <a id="bell" class="bell" href="/my/notifications" aria-label={page.t("layout.unread", { count: unread })} title={page.t("layout.notifications")}>
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" fill="currentColor" />
      </svg>
      <span id="bell-count" class={unread > 0 ? "bell-count" : "bell-count hidden"} safe>
        {unread > 99 ? "99+" : String(unread)}
      </span>
    </a>
  );
}
