/**
 * HTTP Signatures through Fedify's sig module: signing of every outbound request (draft-cavage-12, rsa-sha256 over
 * (request-target) host date digest), and the verification rules of every inbound activity (draft-cavage-12 or
 * RFC 9421).
 */
import { signJsonLd, signRequest, verifyRequestDetailed, type KeyCache } from "@fedify/fedify";
import { preloadedContexts, type DocumentLoader } from "@fedify/vocab-runtime";
import { importPrivateKey } from "./keys.ts";

export interface Signer {
  /** The key's public id, `<actor uri>#main-key`. */
  readonly keyId: string;
  readonly privateKeyPem: string;
}

/** Signs a request as `signer`; a body gets a SHA-256 Digest header, covered by the signature. */
export async function signOutbound(request: Request, signer: Signer): Promise<Request> {
  const key = await importPrivateKey(signer.privateKeyPem);
  return signRequest(request, key, new URL(signer.keyId), { spec: "draft-cavage-http-signatures-12" });
}

/** The JSON-LD contexts our own activities use, all known offline: signing never waits on the network. */
const offlineContexts: DocumentLoader = async (url) => {
  const document = preloadedContexts[url];
  if (!document) throw new Error(`the JSON-LD context ${url} is not known offline`);
  return { contextUrl: null, documentUrl: url, document };
};

/**
 * Adds the signer's Linked Data signature (RsaSignature2017) to an activity. A server that forwards the activity
 * unchanged (the origin of a video, passing a comment on to the video's followers) is then believed by PeerTube,
 * Mastodon and Fedify, which check this signature when the HTTP signature is not the author's.
 */
export async function signActivityLd(activity: Record<string, unknown>, signer: Signer): Promise<Record<string, unknown>> {
  const key = await importPrivateKey(signer.privateKeyPem);
  return (await signJsonLd(activity, key, new URL(signer.keyId), { contextLoader: offlineContexts })) as Record<string, unknown>;
}

export type InboxVerification =
  | { readonly ok: true; readonly keyId: string; readonly ownerId: string }
  | { readonly ok: false; readonly reason: string };

export interface VerifyOptions {
  /** Fetches a key or actor document (the safe fetcher, through the actor cache). */
  readonly documentLoader: DocumentLoader;
  /** Resolves JSON-LD contexts while the key document is read. */
  readonly contextLoader: DocumentLoader;
  readonly keyCache?: KeyCache;
  /** Accepted distance between the Date header and now, each way. */
  readonly windowSeconds: number;
}

/**
 * Checks signature, Digest and Date of an inbound request. The Digest must match the body and be signed; a
 * cached key that no longer verifies is refetched once (the remote may have rotated it).
 */
export async function verifyInboxSignature(request: Request, options: VerifyOptions): Promise<InboxVerification> {
  if (!request.headers.has("signature")) return { ok: false, reason: "the request is not signed" };
  // RFC 9421 signatures come with a Signature-Input header. Fedify checks the Content-Digest only when the signature
  // covers it, so a signature that leaves the body out is refused here.
  const signatureInput = request.headers.get("signature-input");
  if (signatureInput !== null && !coversContentDigest(signatureInput)) {
    return { ok: false, reason: "an RFC 9421 signature must cover the body's content-digest" };
  }
  const result = await verifyRequestDetailed(request, {
    spec: signatureInput !== null ? "rfc9421" : "draft-cavage-http-signatures-12",
    documentLoader: options.documentLoader,
    contextLoader: options.contextLoader,
    keyCache: options.keyCache,
    timeWindow: { seconds: options.windowSeconds },
  });
  if (!result.verified) {
    const reason = result.reason.type === "keyFetchError" ? `could not fetch key ${result.reason.keyId.href}` : "the signature does not verify";
    return { ok: false, reason };
  }
  const ownerId = result.key.ownerId?.href;
  if (!result.key.id || !ownerId) return { ok: false, reason: "the signing key names no owner" };
  return { ok: true, keyId: result.key.id.href, ownerId };
}

/** Whether every signature named in an RFC 9421 Signature-Input header covers the content-digest component. */
export function coversContentDigest(signatureInput: string): boolean {
  // Each member is `label=("component" "component" ...);params`; component names are quoted, params are not.
  const members = signatureInput.match(/[\w-]+=\([^)]*\)/g) ?? [];
  return members.length > 0 && members.every((member) => member.includes('"content-digest"'));
}

/**
 * Whether the verified key may speak for `actorUri`: the key's owner is that actor, and the key was served by the
 * actor's own origin (the key document was fetched from its id, so its origin vouches for the owner claim).
 */
export function keyBelongsToActor(verification: { keyId: string; ownerId: string }, actorUri: string): boolean {
  try {
    return verification.ownerId === actorUri && new URL(verification.keyId).origin === new URL(actorUri).origin;
  } catch {
    return false;
  }
}
