/** PeerTube's REST endpoints for a user's notifications and their settings. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireApiUser } from "../api/bearer.ts";
import { listNotifications, markRead, saveNotificationSettings } from "./queries.ts";
import { parseNotificationIds, settingsFromJson, settingsOf } from "./service.ts";
import { notificationJson } from "./shapes.ts";

/** Mounted by notificationRoutes: list, mark read, and per-type settings. */
export function notificationApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "notifications-api", prefix: "/api/v1/users/me" })
    .use(context)
    .get("/notifications", async ({ deps, request, user, page, query }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const start = Math.max(0, Math.min(Number(query.start) || 0, 100_000));
      const count = Math.max(1, Math.min(Number(query.count) || 15, 100));
      const { total, data } = await listNotifications(deps.sql, me.id, {
        start,
        count,
        unreadOnly: query.unread === "true",
        oldestFirst: query.sort === "createdAt",
      });
      return { total, data: data.map((n) => notificationJson(deps.config, n)) };
    })
    .post("/notifications/read", async ({ deps, request, user, page, body, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      // Ids of other people's notifications are skipped: they are not the caller's to mark, nor to learn about.
      await markRead(deps.sql, me.id, parseNotificationIds(body));
      set.status = 204;
      return "";
    })
    .post("/notifications/read-all", async ({ deps, request, user, page, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await markRead(deps.sql, me.id, "all");
      set.status = 204;
      return "";
    })
    .put("/notification-settings", async ({ deps, request, user, page, body, set }) => {
      const me = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await saveNotificationSettings(deps.sql, me.id, settingsFromJson(body, settingsOf(me.notificationSettings)));
      set.status = 204;
      return "";
    });
}
