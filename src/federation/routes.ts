/**
 * ActivityPub over HTTP: discovery (WebFinger, host-meta, NodeInfo), actor documents with content negotiation,
 * paged collections, and the inboxes. Thin: look up, call the builders or the inbox service, answer.
 */
import { Elysia } from "elysia";
import type { contextPlugin, AppDeps } from "../http/context.ts";
import { problemJson } from "../http/errors.ts";
import { VERSION } from "../version.ts";
import { fetcherFor, instanceActor, localActorDocument, type FederationDeps } from "./actors.ts";
import { JRD_JSON, toHostMeta, toNodeInfo, toNodeInfoLinks, toWebfinger, webfingerHandle } from "./discovery.ts";
import { receiveInboxPost } from "./inbox.ts";
import { toActorObject, toOrderedCollection, toOrderedCollectionPage } from "./objects.ts";
import * as q from "./queries.ts";
import { ACTIVITY_JSON, localActorUri, wantsActivityJson } from "./urls.ts";

const COLLECTION_PAGE_SIZE = 50;

function json(body: unknown, contentType: string, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": contentType, "access-control-allow-origin": "*", vary: "Accept" },
  });
}

const problem = (status: number, detail: string) => json(problemJson(status, detail), "application/problem+json; charset=utf-8", status);

function federationDeps(deps: AppDeps): FederationDeps & { queues: AppDeps["queues"] } {
  return { sql: deps.sql, config: deps.config, queues: deps.queues, fetcher: fetcherFor(deps.config) };
}

/** The local actor a route names: /accounts/ holds people and the instance actor, /video-channels/ channels. */
async function routeActor(deps: AppDeps, area: "accounts" | "video-channels", handle: string): Promise<q.LocalActorRow | null> {
  const row = await q.findLocalActorByHandle(deps.sql, handle.toLowerCase());
  if (!row) return null;
  return (area === "video-channels") === (row.kind === "group") ? row : null;
}

async function actorResponse(deps: AppDeps, row: q.LocalActorRow): Promise<Response> {
  const document = await localActorDocument(deps.sql, deps.config, row);
  return json(toActorObject(document, deps.config.publicUrl), ACTIVITY_JSON);
}

/** A followers or following collection: its summary, or one page when ?page= is given. */
async function collectionResponse(deps: AppDeps, row: q.LocalActorRow, which: "followers" | "following", pageParam: unknown) {
  const id = `${localActorUri(deps.config.publicUrl, row.kind, row.handle)}/${which}`;
  const page = Math.max(1, Math.min(10_000, Number.parseInt(String(pageParam ?? ""), 10) || 0));
  const list = which === "followers" ? q.listFollowers : q.listFollowing;
  if (pageParam === undefined) return json(toOrderedCollection(id, (await list(deps.sql, row.id, 0, 0)).total), ACTIVITY_JSON);
  const { total, items } = await list(deps.sql, row.id, (page - 1) * COLLECTION_PAGE_SIZE, COLLECTION_PAGE_SIZE);
  const uris = items.map((a) => a.uri ?? localActorUri(deps.config.publicUrl, a.kind, a.handle));
  return json(toOrderedCollectionPage(id, page, total, uris, COLLECTION_PAGE_SIZE), ACTIVITY_JSON);
}

/** The outbox: empty until videos federate (phase 2), but present, as every actor must have one. */
function outboxResponse(deps: AppDeps, row: q.LocalActorRow, pageParam: unknown) {
  const id = `${localActorUri(deps.config.publicUrl, row.kind, row.handle)}/outbox`;
  if (pageParam === undefined) return json(toOrderedCollection(id, 0), ACTIVITY_JSON);
  return json(toOrderedCollectionPage(id, 1, 0, [], COLLECTION_PAGE_SIZE), ACTIVITY_JSON);
}

async function inboxResponse(deps: AppDeps, request: Request, recipient: string | null): Promise<Response> {
  const answer = await receiveInboxPost(federationDeps(deps), request, recipient);
  return answer.status === 202 ? new Response(null, { status: 202 }) : problem(answer.status, answer.message);
}

/** Profile and channel pages answer ActivityPub clients with the actor document instead of HTML. */
const PAGE_OF_ACTOR = /^\/(a|c)\/([^/?#]+)\/?$/;

/** Actor, collections and inbox of one URL area: /accounts/ (people, the instance) or /video-channels/. */
function actorAreaRoutes(deps: AppDeps, area: "accounts" | "video-channels") {
  return new Elysia({ name: `federation-${area}` })
    .get(`/${area}/:name`, async ({ params, request, redirect }) => {
      const row = await routeActor(deps, area, params.name);
      if (!row) return problem(404, "no such actor");
      if (wantsActivityJson(request.headers.get("accept"))) return actorResponse(deps, row);
      // Browsers get the page: the profile, the channel, or the home page for the instance actor.
      return redirect(row.kind === "group" ? `/c/${row.handle}` : row.kind === "person" ? `/a/${row.handle}` : "/", 302);
    })
    .get(`/${area}/:name/outbox`, async ({ params, query }) => {
      const row = await routeActor(deps, area, params.name);
      return row ? outboxResponse(deps, row, query.page) : problem(404, "no such actor");
    })
    .get(`/${area}/:name/followers`, async ({ params, query }) => {
      const row = await routeActor(deps, area, params.name);
      return row ? collectionResponse(deps, row, "followers", query.page) : problem(404, "no such actor");
    })
    .get(`/${area}/:name/following`, async ({ params, query }) => {
      const row = await routeActor(deps, area, params.name);
      return row ? collectionResponse(deps, row, "following", query.page) : problem(404, "no such actor");
    })
    .post(`/${area}/:name/inbox`, async ({ params, request }) => {
      const row = await routeActor(deps, area, params.name);
      return row ? inboxResponse(deps, request, row.handle) : problem(404, "no such actor");
    }, { parse: "none" });
}

async function nodeInfoResponse(deps: AppDeps): Promise<Response> {
  const { config } = deps;
  const usage = await q.nodeUsage(deps.sql);
  const body = toNodeInfo({ version: VERSION, openRegistrations: config.signup !== "closed", nodeName: config.instanceName, usage });
  return json(body, 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"; charset=utf-8');
}

/** Routes of federation; nothing at all when TUBELET_FEDERATION is false. */
export function federationRoutes(context: ReturnType<typeof contextPlugin>, deps: AppDeps) {
  if (!deps.config.federation.enabled) return new Elysia({ name: "federation" });
  const { config } = deps;
  return new Elysia({ name: "federation" })
    .onRequest(async ({ request }) => {
      if (request.method !== "GET" || !wantsActivityJson(request.headers.get("accept"))) return;
      const match = PAGE_OF_ACTOR.exec(new URL(request.url).pathname);
      if (!match) return;
      const row = await routeActor(deps, match[1] === "c" ? "video-channels" : "accounts", decodeURIComponent(match[2]!));
      return row ? actorResponse(deps, row) : problem(404, "no such actor");
    })
    .use(context)
    .get("/.well-known/webfinger", async ({ query }) => {
      const resource = typeof query.resource === "string" ? query.resource : "";
      if (!resource) return problem(400, "resource is required, e.g. acct:name@host");
      const handle = webfingerHandle(resource, config.publicUrl, config.publicHost);
      const row = handle ? await q.findLocalActorByHandle(deps.sql, handle) : null;
      if (!row) return problem(404, `${resource} is not an actor of this instance`);
      const page = row.kind === "group" ? `/c/${row.handle}` : row.kind === "person" ? `/a/${row.handle}` : "";
      const body = toWebfinger({
        handle: row.handle,
        publicHost: config.publicHost,
        publicUrl: config.publicUrl,
        actorUri: localActorUri(config.publicUrl, row.kind, row.handle),
        pageUrl: `${config.publicUrl}${page}`,
      });
      return json(body, JRD_JSON);
    })
    .get("/.well-known/host-meta", () =>
      new Response(toHostMeta(config.publicUrl), { headers: { "content-type": "application/xrd+xml; charset=utf-8", "access-control-allow-origin": "*" } }),
    )
    .get("/.well-known/nodeinfo", async () => {
      const actor = await instanceActor(deps.sql, config);
      return json(toNodeInfoLinks(config.publicUrl, localActorUri(config.publicUrl, "application", actor.handle)), "application/json; charset=utf-8");
    })
    .get("/nodeinfo/2.1.json", () => nodeInfoResponse(deps))
    .get("/nodeinfo/2.1", () => nodeInfoResponse(deps))
    .use(actorAreaRoutes(deps, "accounts"))
    .use(actorAreaRoutes(deps, "video-channels"))
    .post("/inbox", ({ request }) => inboxResponse(deps, request, null), { parse: "none" });
}
