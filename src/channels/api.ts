/** PeerTube-compatible REST endpoints for video channels. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { requireBearer } from "../api/bearer.ts";
import { channelJson } from "../api/shapes.ts";
import { localName } from "../api/routes.ts";
import * as q from "./queries.ts";
import { createChannel, deleteChannel, editChannel } from "./service.ts";

function str(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === "string" ? value : "";
}

/** The API calls the handle `name`, as PeerTube does; field errors use the API's names. */
function withApiFieldNames(error: unknown): unknown {
  if (!(error instanceof HttpError) || !error.fields?.handle) return error;
  const { handle, ...rest } = error.fields;
  return new HttpError(error.status, error.message, error.code, { name: handle, ...rest });
}

export function channelApiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "channels-api", prefix: "/api/v1/video-channels" })
    .use(context)
    .get("/:handle", async ({ deps, params }) => {
      const channel = await q.findChannelByHandle(deps.sql, localName(params.handle, deps.config.publicHost));
      if (!channel) throw notFound("Video channel not found");
      return channelJson(deps.config, channel);
    })
    .post("/", async ({ deps, request, body }) => {
      const user = await requireBearer(deps.sql, request);
      try {
        const channel = await createChannel(deps, user, {
          handle: str(body, "name"),
          displayName: str(body, "displayName"),
          description: str(body, "description"),
          support: str(body, "support"),
        });
        return { videoChannel: { id: channel.id } };
      } catch (error) {
        throw withApiFieldNames(error);
      }
    })
    .put("/:handle", async ({ deps, request, params, body, set }) => {
      const user = await requireBearer(deps.sql, request);
      const current = await q.findChannelByHandle(deps.sql, localName(params.handle, deps.config.publicHost));
      if (!current) throw notFound("Video channel not found");
      const has = (name: string) => typeof (body as Record<string, unknown> | null)?.[name] === "string";
      await editChannel(deps, user, current.handle, {
        displayName: has("displayName") ? str(body, "displayName") : current.displayName,
        description: has("description") ? str(body, "description") : current.description,
        support: has("support") ? str(body, "support") : current.support,
      });
      set.status = 204;
      return "";
    })
    .delete("/:handle", async ({ deps, request, params, set }) => {
      const user = await requireBearer(deps.sql, request);
      await deleteChannel(deps, user, localName(params.handle, deps.config.publicHost));
      set.status = 204;
      return "";
    });
}
