/** Notifications: the page, the live unread count, per-type settings. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import {
  NotificationItem,
  NotificationItems,
  NotificationList,
  NotificationSettingsForm,
  NotificationSettingsPage,
  NotificationsPage,
} from "../../views/pages/notifications.tsx";
import { notificationApiRoutes } from "./api.ts";
import { createUnreadStreams, type UnreadStreams } from "./live.ts";
import { listNotifications, markRead, NOTIFICATION_TYPES, saveNotificationSettings } from "./queries.ts";
import { markOneRead, settingsFromForm, settingsOf, toNotificationView } from "./service.ts";

export const NOTIFICATIONS_PAGE_SIZE = 20;

const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

/** The notifications page, its read actions, the settings page, the live count stream and the API. */
export function notificationRoutes(context: ReturnType<typeof contextPlugin>) {
  // One hub per app, made at the first stream: apps built for tests never open a LISTEN connection they do not use.
  let streams: UnreadStreams | null = null;
  return new Elysia({ name: "notifications" })
    .use(context)
    .use(notificationApiRoutes(context))
    .onStop(async () => {
      await streams?.close();
    })
    .get("/my/notifications", async ({ deps, user, page, query, request }) => {
      const me = requireUser(user);
      const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
      const { total, data } = await listNotifications(deps.sql, me.id, { start, count: NOTIFICATIONS_PAGE_SIZE });
      const next = start + NOTIFICATIONS_PAGE_SIZE < total ? `/my/notifications?start=${start + NOTIFICATIONS_PAGE_SIZE}` : null;
      const items = data.map(toNotificationView);
      if (isHtmx(request) && start > 0) return <NotificationItems page={page} items={items} moreUrl={next} />;
      return <NotificationsPage page={page} items={items} moreUrl={next} />;
    })
    .get("/my/notifications/events", async ({ deps, user, page, request }) => {
      const me = requireUser(user);
      streams ??= createUnreadStreams(deps.sql);
      const stream = await streams.open(me.id, (count) => page.t("layout.unread", { count }), request.signal);
      return new Response(stream, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          // Nginx and similar proxies would otherwise hold events back in their buffers.
          "x-accel-buffering": "no",
        },
      });
    })
    .post("/my/notifications/read-all", async ({ deps, user, page, request, redirect }) => {
      const me = requireUser(user);
      await markRead(deps.sql, me.id, "all");
      if (!isHtmx(request)) return redirect("/my/notifications", 303);
      const { total, data } = await listNotifications(deps.sql, me.id, { start: 0, count: NOTIFICATIONS_PAGE_SIZE });
      const next = NOTIFICATIONS_PAGE_SIZE < total ? `/my/notifications?start=${NOTIFICATIONS_PAGE_SIZE}` : null;
      return <NotificationList page={page} items={data.map(toNotificationView)} moreUrl={next} />;
    })
    .post("/my/notifications/:id/read", async ({ deps, user, page, params, request, redirect }) => {
      const row = await markOneRead(deps.sql, requireUser(user), Number(params.id));
      if (!isHtmx(request)) return redirect("/my/notifications", 303);
      return <NotificationItem page={page} item={toNotificationView(row)} />;
    })
    .get("/my/notifications/settings", ({ user, page, query }) => {
      const me = requireUser(user);
      return <NotificationSettingsPage page={page} types={NOTIFICATION_TYPES} settings={settingsOf(me.notificationSettings)} saved={Boolean(query.saved)} />;
    })
    .post("/my/notifications/settings", async ({ deps, user, page, body, request, redirect }) => {
      const me = requireUser(user);
      const settings = settingsFromForm(body);
      await saveNotificationSettings(deps.sql, me.id, settings);
      if (!isHtmx(request)) return redirect("/my/notifications/settings?saved=1", 303);
      return <NotificationSettingsForm page={page} types={NOTIFICATION_TYPES} settings={settings} saved />;
    });
}
