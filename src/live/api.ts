/** PeerTube-compatible REST endpoints for lives: create, read the streaming settings, change them. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { unauthorized } from "../http/errors.ts";
import { optionalApiUser, requireApiUser } from "../api/bearer.ts";
import { createLive, editLiveSettings, liveForChange } from "./service.ts";
import { liveApiJson } from "./shapes.ts";

const fieldsOf = (body: unknown) => (body && typeof body === "object" ? (body as Record<string, unknown>) : {});

/** POST /api/v1/videos/live, GET and PUT /api/v1/videos/live/:id, with bearer tokens or the page session. */
export function liveApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "live-api", prefix: "/api/v1/videos/live" })
    .use(context)
    .post("/", async ({ deps, request, body, user, page }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const { video } = await createLive(deps, caller, fieldsOf(body));
      return { video: { id: video.id, uuid: video.uuid, shortUUID: video.shortId } };
    })
    .get("/:id", async ({ deps, request, params, user }) => {
      // The key is a secret: never for visitors, and only for the owner or an administrator (403 otherwise).
      const caller = await optionalApiUser(deps.sql, request, user);
      if (!caller) throw unauthorized("Log in first: send a bearer token (or use the web page while logged in).");
      const { live } = await liveForChange(deps, caller, params.id);
      return liveApiJson(deps.config, live);
    })
    .put("/:id", async ({ deps, request, params, body, user, page, set }) => {
      const caller = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      await editLiveSettings(deps, caller, params.id, fieldsOf(body));
      set.status = 204;
      return "";
    });
}
