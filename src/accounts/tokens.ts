/** Random bearer secrets (session cookies, OAuth tokens) and the hashes we store instead of them. */

/** 256 random bits, URL-safe. */
export function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** Only hashes reach the database, so a leaked table holds no usable token. */
export function tokenHash(token: string): Uint8Array {
  return new Bun.CryptoHasher("sha256").update(token).digest();
}
