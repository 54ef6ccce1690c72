/**
 * A Mastodon-like ActivityPub server built on the real Fedify library, for interoperability tests. It runs in a
 * child process (`startFedifyPeer`), so that it trusts exactly the certificate authorities the test gives it
 * (NODE_EXTRA_CA_CERTS, read by Bun at start-up) and shares no state with the Tubelet under test. One local
 * person, `mastodon`, follows, receives and replies the way Mastodon does; the test drives it through a small
 * control API on the same port:
 *
 *   POST /control/follow   {handle}                       looks the handle up (WebFinger) and sends a Follow
 *   POST /control/reply    {inReplyTo, content, to}       sends a Create(Note) in HTML to those actors' inboxes
 *   POST /control/like     {object, to}                   favourites an object: a Like to those actors' inboxes
 *   GET  /control/received                                 every activity received so far, as Fedify read it
 *
 * Run directly: `bun test/helpers/fedify-peer.ts` with PEER_PORT set.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Context, type InboxContext } from "@fedify/fedify";
import { Accept, Activity, Announce, Create, Endpoints, Follow, Like, Mention, Note, Person, PUBLIC_COLLECTION, Undo, isActor } from "@fedify/vocab";
import { freePort, startService, waitForHttp, type Service } from "./processes.ts";

/** Bun has Temporal, TypeScript's libs do not yet; Fedify takes Temporal instants for dates. */
declare const Temporal: { Now: { instant(): unknown } };

/** The one person of the peer. */
export const PEER_USERNAME = "mastodon";

/** An activity the peer received, after Fedify verified its signature and parsed it. */
export interface ReceivedActivity {
  readonly type: string;
  readonly id: string | null;
  readonly actor: string | null;
  readonly objectId: string | null;
  /** The object as Fedify read it (embedded, or fetched from its id), in compact JSON-LD. */
  readonly object: Record<string, unknown> | null;
}

export interface FedifyPeer {
  readonly origin: string;
  readonly actorUri: string;
  /** Looks up `handle` (`@name@host`) and follows it; answers the actor's id and the Follow's id. */
  follow(handle: string): Promise<{ actorId: string; followId: string }>;
  /** Replies to `inReplyTo` with an HTML Note, delivered to the inboxes of the actors `to`; answers the Note's id. */
  reply(inReplyTo: string, content: string, to: readonly string[]): Promise<string>;
  /** Favourites `object` (a Like, as Mastodon sends for a status showing it), delivered to the actors `to`. */
  like(object: string, to: readonly string[]): Promise<string>;
  received(): Promise<ReceivedActivity[]>;
  /** Everything the peer process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function control<T>(origin: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${origin}/control/${path}`, body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the Fedify peer answered ${response.status} to ${path}: ${text}`);
  return JSON.parse(text) as T;
}

/** Starts the peer on a free loopback port, trusting the PEM certificate authority at `caCertFile` for https. */
export async function startFedifyPeer(options: { caCertFile: string }): Promise<FedifyPeer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const service: Service = startService([process.execPath, join(import.meta.dir, "fedify-peer.ts")], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PEER_PORT: String(port), NODE_EXTRA_CA_CERTS: options.caCertFile },
  });
  await waitForHttp(`${origin}/control/received`, service);
  return {
    origin,
    actorUri: `${origin}/users/${PEER_USERNAME}`,
    follow: (handle) => control(origin, "follow", { handle }),
    reply: async (inReplyTo, content, to) => (await control<{ id: string }>(origin, "reply", { inReplyTo, content, to })).id,
    like: async (object, to) => (await control<{ id: string }>(origin, "like", { object, to })).id,
    received: () => control(origin, "received"),
    output: () => service.output(),
    stop: () => service.stop(),
  };
}

/** The peer's server: Fedify's federation (actor, WebFinger, inboxes) plus the control API. */
async function servePeer(port: number): Promise<void> {
  const origin = `http://127.0.0.1:${port}`;
  const received: ReceivedActivity[] = [];
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true, origin });

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== PEER_USERNAME) return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: "A Mastodon-like peer",
        url: ctx.getActorUri(identifier),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: ctx.getFollowersUri(identifier),
        publicKey: pair?.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === PEER_USERNAME ? [keys] : []));
  federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));

  const record = async (ctx: InboxContext<void>, activity: Activity, type: string, read = true) => {
    // Reading the object proves Fedify understands it: embedded, or fetched from its origin when it is not the
    // sender's. An Accept embeds our own Follow, which (as on Mastodon) is not served, so it is known by id only.
    const object = read ? await activity.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }) : null;
    received.push({
      type,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? null,
      object: object ? ((await object.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader })) as Record<string, unknown>) : null,
    });
  };
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Accept, (ctx, activity) => record(ctx, activity, "Accept", false))
    .on(Create, (ctx, activity) => record(ctx, activity, "Create"))
    .on(Announce, (ctx, activity) => record(ctx, activity, "Announce"))
    .on(Undo, (ctx, activity) => record(ctx, activity, "Undo"))
    .on(Activity, (ctx, activity) => record(ctx, activity, "Activity"))
    .onError((_ctx, error) => console.error("inbox error:", error));

  const context = () => federation.createContext(new URL(origin), undefined);
  const routes: Record<string, (ctx: Context<void>, body: Record<string, unknown>) => Promise<unknown>> = {
    follow: (ctx, body) => followHandle(ctx, String(body.handle)),
    reply: (ctx, body) => sendReply(ctx, String(body.inReplyTo), String(body.content), (body.to as string[]) ?? []),
    like: (ctx, body) => sendLike(ctx, String(body.object), (body.to as string[]) ?? []),
  };

  Bun.serve({
    port,
    hostname: "127.0.0.1",
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/control/received") return Response.json(received);
      const route = pathname.startsWith("/control/") ? routes[pathname.slice("/control/".length)] : undefined;
      if (route) {
        try {
          return Response.json(await route(context(), (await request.json()) as Record<string, unknown>));
        } catch (error) {
          return new Response(String((error as Error).stack ?? error), { status: 500 });
        }
      }
      return federation.fetch(request, { contextData: undefined });
    },
  });
  console.log(`fedify peer listening on ${origin}`);
}

/** Looks an account up by handle, as a Mastodon user typing it in the search box, and follows it. */
async function followHandle(ctx: Context<void>, handle: string): Promise<{ actorId: string; followId: string }> {
  const target = await ctx.lookupObject(handle);
  if (!isActor(target) || !target.id) throw new Error(`${handle} is not an actor`);
  const followId = new URL(`/follows/${randomUUID()}`, ctx.origin);
  const follow = new Follow({ id: followId, actor: ctx.getActorUri(PEER_USERNAME), object: target.id });
  await ctx.sendActivity({ identifier: PEER_USERNAME }, target, follow);
  return { actorId: target.id.href, followId: followId.href };
}

/** The actors behind `uris`, looked up (fetched and verified by Fedify). */
async function actorsAt(ctx: Context<void>, uris: readonly string[]) {
  const actors = [];
  for (const uri of uris) {
    const actor = await ctx.lookupObject(uri);
    if (!isActor(actor) || !actor.id) throw new Error(`${uri} is not an actor`);
    actors.push(actor);
  }
  return actors;
}

/** A favourite: a Like of the object, sent to the given actors' inboxes. */
async function sendLike(ctx: Context<void>, object: string, to: readonly string[]): Promise<{ id: string }> {
  const id = new URL(`/users/${PEER_USERNAME}#likes/${randomUUID()}`, ctx.origin);
  const like = new Like({ id, actor: ctx.getActorUri(PEER_USERNAME), object: new URL(object) });
  await ctx.sendActivity({ identifier: PEER_USERNAME }, await actorsAt(ctx, to), like, { preferSharedInbox: true });
  return { id: id.href };
}

/** A public reply, as Mastodon writes one: HTML content, mentions of the actors addressed, sent to their inboxes. */
async function sendReply(ctx: Context<void>, inReplyTo: string, content: string, to: readonly string[]): Promise<{ id: string }> {
  const recipients = await actorsAt(ctx, to);
  const author = ctx.getActorUri(PEER_USERNAME);
  const id = new URL(`/users/${PEER_USERNAME}/statuses/${randomUUID()}`, ctx.origin);
  const note = new Note({
    id,
    attribution: author,
    content,
    replyTarget: new URL(inReplyTo),
    to: PUBLIC_COLLECTION,
    ccs: [ctx.getFollowersUri(PEER_USERNAME), ...recipients.map((r) => r.id!)],
    tags: recipients.map((r) => new Mention({ href: r.id, name: `@${r.preferredUsername?.toString() ?? ""}@${r.id!.host}` })),
    published: Temporal.Now.instant(),
  });
  const create = new Create({ id: new URL(`${id.href}/activity`), actor: author, object: note, to: PUBLIC_COLLECTION, ccs: note.ccIds, published: note.published });
  await ctx.sendActivity({ identifier: PEER_USERNAME }, recipients, create, { preferSharedInbox: true });
  return { id: id.href };
}

if (import.meta.main) {
  const port = Number(process.env.PEER_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error("PEER_PORT must be the port to listen on");
  await servePeer(port);
}
