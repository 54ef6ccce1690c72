/**
 * Segment integrity for the P2P player: every segment a peer sends is hashed and compared with the
 * instance's SHA-256 map (`segments-sha256.json`, written by the transcoder) before the player uses it.
 *
 * The map is a flat JSON object, file name relative to the HLS folder -> lowercase hex SHA-256 of the
 * whole file (see src/transcoding/hashes.ts). Names never contain "/", so a segment URL's last path
 * component is its key, whichever origin or mirror the URL points at.
 */

/** File name -> lowercase hex SHA-256. */
export type SegmentHashMap = Readonly<Record<string, string>>;

/** The map key of a segment URL: its last path component, percent-decoded, without query or fragment. */
export function segmentFileName(url: string): string {
  const path = new URL(url, "http://relative.invalid/").pathname;
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The expected hash of a segment, or undefined when the map does not list it. */
export function expectedHash(map: SegmentHashMap, url: string): string | undefined {
  const hash = Object.hasOwn(map, segmentFileName(url)) ? map[segmentFileName(url)] : undefined;
  return typeof hash === "string" ? hash.toLowerCase() : undefined;
}

/**
 * Lowercase hex SHA-256. crypto.subtle only exists in secure contexts (HTTPS or localhost); an instance
 * served over plain HTTP on a LAN address would otherwise reject every peer's segment, so a small
 * JavaScript implementation takes over there.
 */
export async function sha256Hex(data: ArrayBuffer | Uint8Array, subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = subtle ? new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)) : sha256(bytes);
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two hex digests in time independent of where they differ; case-insensitive. */
export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
}

export interface SegmentValidatorOptions {
  /** Fetches and parses the map; `fresh` asks to bypass the HTTP cache (a re-fetch after a miss). */
  readonly loadMap: (fresh: boolean) => Promise<SegmentHashMap>;
  /** A miss re-fetches the map at most this often, so a stale map on the server is not hammered. */
  readonly minRefetchMs?: number;
  readonly now?: () => number;
  /** Null forces the JavaScript fallback (tests). */
  readonly subtle?: SubtleCrypto | null;
}

/** What checking one segment found: it matches, it does not, or the map cannot say (not listed, no map, a byte range). */
export type SegmentCheck = "valid" | "mismatch" | "unlisted";

/**
 * Checks segment bytes against the map. The map is fetched on first use and again when a segment is
 * missing from it (a live playlist grows after the map was fetched), at most once per minRefetchMs.
 */
export function createSegmentChecker(options: SegmentValidatorOptions) {
  const now = options.now ?? Date.now;
  const minRefetchMs = options.minRefetchMs ?? 1000;
  let map: SegmentHashMap | null = null;
  let loading: Promise<SegmentHashMap | null> | null = null;
  let lastLoad = -Infinity;

  // One request at a time: concurrent misses share it.
  function load(fresh: boolean): Promise<SegmentHashMap | null> {
    loading ??= (async () => {
      lastLoad = now();
      try {
        map = await options.loadMap(fresh);
      } catch {
        // Keep the previous map; the segment in question is rejected and comes over HTTP.
      }
      loading = null;
      return map;
    })();
    return loading;
  }

  async function hashFor(url: string): Promise<string | undefined> {
    const current = loading ? await loading : (map ?? (await load(false)));
    const found = current ? expectedHash(current, url) : undefined;
    if (found !== undefined || now() - lastLoad < minRefetchMs) return found;
    const reloaded = await load(true);
    return reloaded ? expectedHash(reloaded, url) : undefined;
  }

  return async function checkSegment(url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer): Promise<SegmentCheck> {
    // Our segments are whole files; the map has no per-range hashes to check a byte range against.
    if (byteRange) return "unlisted";
    const expected = await hashFor(url);
    if (!expected) return "unlisted";
    return sameHex(await sha256Hex(data, options.subtle), expected) ? "valid" : "mismatch";
  };
}

/**
 * The `validateP2PSegment` hook and the memory of peers that sent bad data.
 *
 * P2P Media Loader 2.x discards a segment whose validation fails, closes that peer's connection and
 * loads the segment again (over HTTP, or from another peer). It does not remember the peer, though:
 * the tracker can introduce it again on a later announce and the core would download from it again,
 * and the core has no API to refuse or ban a peer. So the guard learns which peer each P2P download
 * comes from (the core's onSegmentStart event), marks a peer bad on its first hash mismatch, and from
 * then on rejects whatever that peer sends without even hashing it; every rejection makes the core
 * close the connection again, so a bad peer never contributes a byte to playback.
 * A segment the map does not list is rejected too, but its peer is not blamed (our map may lag).
 */
export function createP2PSegmentGuard(checkSegment: ReturnType<typeof createSegmentChecker>) {
  const peerOfDownload = new Map<string, string>(); // segment URL -> peer of its current P2P attempt
  const badPeers = new Set<string>();
  return {
    badPeers: badPeers as ReadonlySet<string>,
    /** Wire to the core's onSegmentStart. */
    onSegmentStart(details: { segment: { url: string }; downloadSource: "http" | "p2p"; peerId: string | undefined }) {
      if (details.downloadSource === "p2p" && details.peerId) peerOfDownload.set(details.segment.url, details.peerId);
      else peerOfDownload.delete(details.segment.url);
    },
    /** Wire to the core's onSegmentLoaded, onSegmentError and onSegmentAbort, so the table stays small. */
    onSegmentDone(url: string) {
      peerOfDownload.delete(url);
    },
    async validateP2PSegment(url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer): Promise<boolean> {
      const peer = peerOfDownload.get(url);
      if (peer !== undefined && badPeers.has(peer)) return false;
      const result = await checkSegment(url, byteRange, data);
      if (result === "mismatch" && peer !== undefined) badPeers.add(peer);
      return result === "valid";
    },
  };
}

/** Fetches a hash map over HTTP and checks its shape; used as SegmentValidatorOptions.loadMap. */
export async function fetchSegmentHashMap(url: string, fresh: boolean, fetcher: typeof fetch = fetch): Promise<SegmentHashMap> {
  const response = await fetcher(url, { cache: fresh ? "no-cache" : "default", credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const json: unknown = await response.json();
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new Error(`${url}: not a JSON object`);
  return json as SegmentHashMap;
}

// SHA-256 (FIPS 180-4) for insecure contexts. Only peers' segments go through it: a few MB every few seconds.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Plain SHA-256 of some bytes; exported for the tests that compare it with a reference implementation. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, to a multiple of 64 bytes.
  const padded = new Uint8Array((((bytes.length + 8) >>> 6) + 1) << 6);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(padded.length - 4, (bytes.length << 3) >>> 0);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + hh;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(i * 4, word));
  return out;
}
