/** RSA key pairs of local actors: made as PEM text for storage, imported as WebCrypto keys for signing. */
import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

const generate = promisify(generateKeyPair);

export interface KeyPairPem {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

/**
 * A fresh RSA-2048 pair. 2048 bits is what Mastodon and PeerTube make and accept; rsa-sha256 over it is the one
 * signature every fediverse server verifies. Generated off the main thread (about 50-200 ms of CPU).
 */
export async function generateActorKeys(): Promise<KeyPairPem> {
  const { publicKey, privateKey } = await generate("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** The DER bytes inside a PEM block of the given label. */
function pemBody(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`not a ${label} PEM block`);
  return Uint8Array.from(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64"));
}

/** A PKCS#8 private key as a WebCrypto key that signs with rsa-sha256. */
export function importPrivateKey(pem: string): Promise<CryptoKey> {
  // Fedify insists on extractable keys (it inspects them); the key never leaves this process either way.
  return crypto.subtle.importKey("pkcs8", pemBody(pem, "PRIVATE KEY"), RSA_SHA256, true, ["sign"]);
}

/** An SPKI public key as a WebCrypto key that verifies rsa-sha256. */
export function importPublicKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", pemBody(pem, "PUBLIC KEY"), RSA_SHA256, true, ["verify"]);
}

/** A WebCrypto public key back to SPKI PEM, the form actors publish in `publicKey.publicKeyPem`. */
export async function exportPublicKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("spki", key)).toString("base64");
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}
