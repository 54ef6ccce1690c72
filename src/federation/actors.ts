/**
 * Actors as federation sees them: local actors' documents and signing keys (made on first use for actors older
 * than federation), and remote actors fetched through the safe fetcher and cached in the actors table.
 */
import type { KeyCache } from "@fedify/fedify";
import { CryptographicKey } from "@fedify/vocab";
import { preloadedContexts, type DocumentLoader } from "@fedify/vocab-runtime";
import type { Db, Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import { VERSION } from "../version.ts";
import { staticUrl } from "../http/urls.ts";
import { generateActorKeys, importPublicKey } from "./keys.ts";
import { createSafeFetcher, type SafeFetcher } from "./fetcher.ts";
import { parseActorObject, type LocalActorDocument } from "./objects.ts";
import { signOutbound, type Signer } from "./signatures.ts";
import { localActorUri, localKeyId } from "./urls.ts";
import * as q from "./queries.ts";

/** What federation services need: the database, the config, and the way out to other servers. */
export interface FederationDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly fetcher: SafeFetcher;
}

/** The fetcher with this instance's limits; it holds no state, so one per use is as good as a shared one. */
export function fetcherFor(config: Config): SafeFetcher {
  const { allowPrivate, fetchTimeoutMs, maxFetchBytes } = config.federation;
  return createSafeFetcher({
    allowPrivate,
    timeoutMs: fetchTimeoutMs,
    maxBytes: maxFetchBytes,
    userAgent: `Tubelet/${VERSION} (+${config.publicUrl})`,
  });
}

/** Remote actors are refetched after a day, so renamed accounts and rotated keys are picked up. */
const REMOTE_ACTOR_TTL_MS = 86_400_000;

/** The actor's keys, made now if it has none yet (actors created before federation, the instance actor). */
export async function ensureActorKeys(sql: Db, actor: q.LocalActorRow): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
  if (actor.publicKeyPem && actor.privateKeyPem) return { publicKeyPem: actor.publicKeyPem, privateKeyPem: actor.privateKeyPem };
  return q.setActorKeysOnce(sql, actor.id, await generateActorKeys());
}

/** The instance's Application actor with its keys, created on first call. */
export async function instanceActor(sql: Db, config: Config): Promise<q.LocalActorRow & { publicKeyPem: string; privateKeyPem: string }> {
  const id = await q.ensureInstanceActorRow(sql, config.instanceName);
  const row = (await q.findLocalActorById(sql, id))!;
  return { ...row, ...(await ensureActorKeys(sql, row)) };
}

/** How a local actor signs: its key id and private key. */
export async function signerFor(sql: Db, config: Config, actorId: number): Promise<Signer> {
  const row = await q.findLocalActorById(sql, actorId);
  if (!row) throw new Error(`actor ${actorId} is not a local actor`);
  const keys = await ensureActorKeys(sql, row);
  return { keyId: localKeyId(localActorUri(config.publicUrl, row.kind, row.handle)), privateKeyPem: keys.privateKeyPem };
}

/** Everything the actor document of a local actor shows. */
export async function localActorDocument(sql: Db, config: Config, row: q.LocalActorRow): Promise<LocalActorDocument> {
  const { publicKeyPem } = await ensureActorKeys(sql, row);
  const page = row.kind === "group" ? `/c/${row.handle}` : row.kind === "person" ? `/a/${row.handle}` : "/";
  const avatar = staticUrl(row.avatarPath);
  return {
    uri: localActorUri(config.publicUrl, row.kind, row.handle),
    kind: row.kind,
    handle: row.handle,
    displayName: row.displayName,
    description: row.description,
    publicKeyPem,
    createdAt: row.createdAt,
    pageUrl: page === "/" ? config.publicUrl : `${config.publicUrl}${page}`,
    avatarUrl: avatar ? new URL(avatar, config.publicUrl).href : null,
    ownerUri: row.ownerHandle ? localActorUri(config.publicUrl, "person", row.ownerHandle) : undefined,
    support: row.support ?? undefined,
  };
}

/** Signs outbound fetches as the instance actor: servers in authorized-fetch mode answer only signed GETs. */
async function instanceSign(deps: FederationDeps, request: Request): Promise<Request> {
  const actor = await instanceActor(deps.sql, deps.config);
  const keyId = localKeyId(localActorUri(deps.config.publicUrl, "application", actor.handle));
  return signOutbound(request, { keyId, privateKeyPem: actor.privateKeyPem });
}

/** GETs a remote ActivityPub document, signed as the instance actor; `url` is where it was finally found. */
export function fetchAsInstance(deps: FederationDeps, uri: string): Promise<{ url: string; json: unknown }> {
  return deps.fetcher.getJson(uri, (r) => instanceSign(deps, r));
}

/** Fetches a remote actor and stores it; `fetchedFrom` must be on the actor's own origin. */
export async function refreshRemoteActor(deps: FederationDeps, uri: string): Promise<q.RemoteActorRow> {
  const { url, json } = await deps.fetcher.getJson(uri, (r) => instanceSign(deps, r));
  await q.upsertRemoteActor(deps.sql, parseActorObject(json, url));
  const row = await q.findRemoteActorByUri(deps.sql, uri);
  if (!row) throw new Error(`${uri} described another actor`);
  return row;
}

/** A remote actor from the cache while fresh, else fetched again. */
export async function resolveRemoteActor(deps: FederationDeps, uri: string): Promise<q.RemoteActorRow> {
  const cached = await q.findRemoteActorByUri(deps.sql, uri);
  if (cached && Date.now() - cached.fetchedAt.getTime() < REMOTE_ACTOR_TTL_MS) return cached;
  return refreshRemoteActor(deps, uri);
}

/**
 * The loader Fedify fetches signing keys with. A key id names the key inside its actor document, so the actor is
 * fetched (signed, through the safe fetcher) and cached as a side effect; bare key documents are passed through.
 */
export function keyDocumentLoader(deps: FederationDeps): DocumentLoader {
  return async (url) => {
    const { url: documentUrl, json } = await deps.fetcher.getJson(url.split("#")[0]!, (r) => instanceSign(deps, r));
    const record = json as Record<string, unknown> | null;
    if (record && typeof record === "object" && "inbox" in record && "publicKey" in record) {
      try {
        await q.upsertRemoteActor(deps.sql, parseActorObject(json, documentUrl));
      } catch {
        // Not an actor we can store; Fedify still reads its key, and the owner check decides.
      }
    }
    return { contextUrl: null, documentUrl, document: json };
  };
}

/** JSON-LD contexts: the common ones ship with Fedify; any other is fetched under the same address rules. */
export function contextLoader(deps: FederationDeps): DocumentLoader {
  return async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    const { url: documentUrl, json } = await deps.fetcher.getJson(url);
    return { contextUrl: null, documentUrl, document: json };
  };
}

/**
 * Fedify's key cache over the actors table: a key is known when a cached remote actor published it. Writes are
 * no-ops because keyDocumentLoader already stored the actor; a failed verification with a cached key makes Fedify
 * fetch again, which refreshes the row.
 */
export function actorKeyCache(sql: Db): KeyCache {
  return {
    async get(keyId) {
      const actor = await q.findRemoteActorByKeyId(sql, keyId.href);
      if (!actor) return undefined;
      return new CryptographicKey({ id: keyId, owner: new URL(actor.uri), publicKey: await importPublicKey(actor.publicKeyPem) });
    },
    async set() {},
  };
}
