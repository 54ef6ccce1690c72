/**
 * ActivityPub over HTTP: discovery (WebFinger, host-meta, NodeInfo), actor documents with content negotiation,
 * paged collections, and the inboxes. Thin: look up, call the builders or the inbox service, answer.
 */
import { Elysia } from "elysia";
import type { contextPlugin, AppDeps } from "../http/context.ts";
import { badRequest, problemJson } from "../http/errors.ts";
import { requireUser } from "../http/context.ts";
import { followRemoteActor, unfollowRemoteActor } from "./follows.ts";
import { VERSION } from "../version.ts";
import { fetcherFor, instanceActor, localActorDocument, type FederationDeps } from "./actors.ts";
import { JRD_JSON, toHostMeta, toNodeInfo, toNodeInfoLinks, toWebfinger, webfingerHandle } from "./discovery.ts";
import { receiveInboxPost } from "./inbox.ts";
import { federationAdminRoutes } from "./admin-routes.tsx";
import { followsAdminRoutes } from "./follows-admin-routes.tsx";
import { toActorObject, toOrderedCollection, toOrderedCollectionPage } from "./objects.ts";
import * as q from "./queries.ts";
import { findVideo } from "../videos/queries.ts";
import { listOutboxVideoIds } from "./video-queries.ts";
import { createActivityFor, isFederatedPublicly } from "./videos.ts";
import { toVideoObject } from "./video-objects.ts";
import { findServableComment } from "./comment-queries.ts";
import { localCommentDocument } from "./comments.ts";
import { classifyVideoId } from "../videos/ids.ts";
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

/**
 * The outbox: a channel's public videos as the Create activities that published them, newest first and paged.
 * Accounts and the instance publish through their channels, so theirs is empty.
 */
async function outboxResponse(deps: AppDeps, row: q.LocalActorRow, pageParam: unknown) {
  const id = `${localActorUri(deps.config.publicUrl, row.kind, row.handle)}/outbox`;
  const page = Math.max(1, Math.min(10_000, Number.parseInt(String(pageParam ?? ""), 10) || 1));
  const listed = row.kind === "group"
    ? await listOutboxVideoIds(deps.sql, row.id, (page - 1) * COLLECTION_PAGE_SIZE, COLLECTION_PAGE_SIZE)
    : { total: 0, ids: [] };
  if (pageParam === undefined) return json(toOrderedCollection(id, listed.total), ACTIVITY_JSON);
  const videos = await Promise.all(listed.ids.map((videoId) => findVideo(deps.sql, { id: videoId })));
  const items = videos.filter((v) => v !== null).map((v) => {
    const { "@context": _, ...create } = createActivityFor(v, deps.config);
    return create;
  });
  return json(toOrderedCollectionPage(id, page, listed.total, items, COLLECTION_PAGE_SIZE), ACTIVITY_JSON);
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

/**
 * /videos/watch/<uuid>, a local video's ActivityPub id: the Video object for ActivityPub clients (only while it is
 * public and published: others are not federated), the watch page for browsers.
 */
async function videoObjectResponse(deps: AppDeps, request: Request, uuid: string): Promise<Response> {
  const key = classifyVideoId(uuid);
  const video = key && "uuid" in key ? await findVideo(deps.sql, key) : null;
  const shown = video && video.apId === null && video.privacy !== 3 && video.state === "published";
  if (!wantsActivityJson(request.headers.get("accept"))) {
    return shown ? Response.redirect(`${deps.config.publicUrl}/w/${video.shortId}`, 302) : problem(404, "no such video");
  }
  if (!video || !isFederatedPublicly(video)) return problem(404, "no such video");
  return json(toVideoObject(video, deps.config), ACTIVITY_JSON);
}

/**
 * /videos/watch/<uuid>/comments/<id>, a local comment's ActivityPub id (PeerTube's shape): its Note (or Tombstone)
 * for ActivityPub clients, the comment on the watch page for browsers.
 */
async function commentObjectResponse(deps: AppDeps, request: Request, uuid: string, rawId: string): Promise<Response> {
  const commentId = /^\d{1,15}$/.test(rawId) && /^[0-9a-f-]{36}$/i.test(uuid) ? await findServableComment(deps.sql, uuid, Number(rawId)) : null;
  if (commentId === null) return problem(404, "no such comment");
  if (!wantsActivityJson(request.headers.get("accept"))) {
    const video = await findVideo(deps.sql, { uuid });
    return video ? Response.redirect(`${deps.config.publicUrl}/w/${video.shortId}#comment-${commentId}`, 302) : problem(404, "no such comment");
  }
  const document = await localCommentDocument(deps, commentId);
  return document ? json(document, ACTIVITY_JSON) : problem(404, "no such comment");
}

/** The follow form's fields: the remote actor's id, and a local path to go back to. */
function followForm(body: unknown): { uri: string; next: string } {
  const fields = (body ?? {}) as Record<string, unknown>;
  const uri = typeof fields.uri === "string" ? fields.uri : "";
  if (!/^https?:\/\//.test(uri)) throw badRequest("uri must be the http(s) id of a remote actor");
  const next = typeof fields.next === "string" && fields.next.startsWith("/") && !fields.next.startsWith("//") ? fields.next : "/subscriptions";
  return { uri, next };
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
    .use(federationAdminRoutes(context))
    .use(followsAdminRoutes(context))
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
    .get("/videos/watch/:uuid", ({ params, request }) => videoObjectResponse(deps, request, params.uuid))
    .get("/videos/watch/:uuid/comments/:commentId", ({ params, request }) => commentObjectResponse(deps, request, params.uuid, params.commentId))
    .get("/nodeinfo/2.1.json", () => nodeInfoResponse(deps))
    .get("/nodeinfo/2.1", () => nodeInfoResponse(deps))
    .use(actorAreaRoutes(deps, "accounts"))
    .use(actorAreaRoutes(deps, "video-channels"))
    .post("/inbox", ({ request }) => inboxResponse(deps, request, null), { parse: "none" })
    // The Subscribe button of a remote channel found from the search box: a Follow now, accepted by its instance later.
    .post("/federation/follow", async ({ user, body, redirect }) => {
      const me = requireUser(user);
      const { uri, next } = followForm(body);
      await followRemoteActor(federationDeps(deps), me.actorId, uri);
      return redirect(next, 303);
    })
    .post("/federation/unfollow", async ({ user, body, redirect }) => {
      const me = requireUser(user);
      const { uri, next } = followForm(body);
      await unfollowRemoteActor(federationDeps(deps), me.actorId, uri);
      return redirect(next, 303);
    });
}
