/** Video identifiers: a random UUID, and PeerTube's short form of it used in watch URLs (/w/:shortId). */

// The Flickr base58 alphabet, as PeerTube's short UUIDs use (no 0, O, I or l to misread).
const ALPHABET = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

/** Encodes a UUID's 128 bits in base58, padded to 22 characters. */
export function shortIdFromUuid(uuid: string): string {
  let value = BigInt(`0x${uuid.replaceAll("-", "")}`);
  let out = "";
  while (value > 0n) {
    out = ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  return out.padStart(22, ALPHABET[0]);
}

export function newVideoIds(): { uuid: string; shortId: string } {
  const uuid = crypto.randomUUID();
  return { uuid, shortId: shortIdFromUuid(uuid) };
}

/** What kind of identifier a URL segment is, so one route accepts id, UUID or short id like PeerTube's. */
export function classifyVideoId(raw: string): { id: number } | { uuid: string } | { shortId: string } | null {
  if (/^\d{1,15}$/.test(raw)) return { id: Number(raw) };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)) return { uuid: raw.toLowerCase() };
  if (/^[1-9a-km-zA-HJ-NP-Z]{20,22}$/.test(raw)) return { shortId: raw };
  return null;
}
