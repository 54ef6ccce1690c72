/** PeerTube-compatible REST endpoints for the instance, OAuth and accounts. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { notFound } from "../http/errors.ts";
import { grantToken, revokeAccessToken, type TokenRequest } from "../accounts/oauth.ts";
import { ensureLocalOauthClient, findUserByHandle } from "../accounts/queries.ts";
import { randomToken } from "../accounts/tokens.ts";
import { listChannelsOfOwner } from "../channels/queries.ts";
import { requireBearer } from "./bearer.ts";
import { accountJson, channelJson, meJson } from "./shapes.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { VERSION } from "../version.ts";

export function apiRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "api", prefix: "/api/v1" })
    .use(context)
    .get("/config", ({ deps: { config } }) => ({
      instance: {
        name: config.instanceName,
        shortDescription: `${config.instanceName}, a Tubelet video instance`,
        defaultClientRoute: "/",
        isNSFW: false,
        defaultNSFWPolicy: "do_not_list",
      },
      serverVersion: VERSION,
      serverCommit: null,
      software: "tubelet",
      signup: {
        allowed: config.signup !== "closed",
        allowedForCurrentIP: config.signup !== "closed",
        requiresApproval: config.signup === "approval",
        requiresEmailVerification: false,
        minimumAge: 16,
      },
      user: { videoQuota: -1, videoQuotaDaily: -1 },
      webadmin: { configuration: { edition: { allowed: false } } },
    }))
    .get("/oauth-clients/local", async ({ deps }) => {
      const client = await ensureLocalOauthClient(deps.sql, () => ({ clientId: randomToken(), clientSecret: randomToken() }));
      return { client_id: client.clientId, client_secret: client.clientSecret };
    })
    .post("/users/token", ({ deps, body, ip }) => grantToken(deps, (body ?? {}) as TokenRequest, ip))
    .post("/users/revoke-token", async ({ deps, request }) => {
      await requireBearer(deps.sql, request);
      await revokeAccessToken(deps.sql, request.headers.get("authorization"));
      return { redirectUrl: null };
    })
    .get("/users/me", async ({ deps, request }) => {
      const user = await requireBearer(deps.sql, request);
      return meJson(deps.config, user, await listChannelsOfOwner(deps.sql, user.id));
    })
    .get("/accounts/:name", async ({ deps, params }) => {
      const user = await findUserByHandle(deps.sql, localName(params.name, deps.config.publicHost));
      if (!user || !user.approved) throw notFound("Account not found");
      return accountJson(deps.config, user);
    })
    .get("/accounts/:name/video-channels", async ({ deps, params }) => {
      const user = await findUserByHandle(deps.sql, localName(params.name, deps.config.publicHost));
      if (!user || !user.approved) throw notFound("Account not found");
      const channels = await listChannelsOfOwner(deps.sql, user.id);
      return { total: channels.length, data: channels.map((c) => channelJson(deps.config, c)) };
    })
    .get("/openapi.json", () => OPENAPI_DOCUMENT);
}

/** `name` or `name@host` (our host only: remote lookups come with federation). */
export function localName(raw: string, host: string): string {
  const [name, at] = decodeURIComponent(raw).toLowerCase().split("@");
  return at === undefined || at === host.toLowerCase() ? name! : "";
}
