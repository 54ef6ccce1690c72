/**
 * The only way federation code reaches other servers. Refuses private, loopback and link-local addresses (a
 * signed fetch to an address of the attacker's choosing is a server-side request forgery), and bounds time and size.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** A URL federation may not reach, or a response it will not read; never retried as if the remote were down. */
export class RefusedFetchError extends Error {
  override name = "RefusedFetchError";
}

/** A remote answered with an error status. */
export class RemoteStatusError extends Error {
  override name = "RemoteStatusError";
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered ${status}`);
  }
}

function ipv4Parts(ip: string): number[] | null {
  const parts = ip.split(".").map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null;
}

/** Whether an IP address is not on the public internet (private, loopback, link-local, CGNAT, multicast, reserved). */
export function isPrivateAddress(ip: string): boolean {
  const v4 = ipv4Parts(ip);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 || a === 10 || a === 127 || a >= 224 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0 && v4[2] === 0) ||
      (a === 198 && (b === 18 || b === 19))
    );
  }
  const v6 = ip.toLowerCase().replace(/^\[|\]$/g, "").split("%")[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (v6 === "::" || v6 === "::1") return true;
  const first = parseInt(v6.split(":")[0] || "0", 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

export type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

/** Throws RefusedFetchError unless the URL is http(s) and every address its host resolves to is public. */
export async function assertFetchable(url: string, options: { allowPrivate: boolean; resolve?: Resolver }): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RefusedFetchError(`${url} is not a URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RefusedFetchError(`${url}: only http(s) is fetched`);
  if (parsed.username || parsed.password) throw new RefusedFetchError(`${url}: credentials in URLs are refused`);
  if (options.allowPrivate) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) throw new RefusedFetchError(`${url}: loopback host`);
  const addresses = isIP(host) ? [host] : await (options.resolve ?? systemResolver)(host).catch(() => {
    throw new RefusedFetchError(`${url}: ${host} does not resolve`);
  });
  const inside = addresses.find(isPrivateAddress);
  if (inside) throw new RefusedFetchError(`${url}: ${host} resolves to the non-public address ${inside}`);
}

export interface SafeFetcherOptions {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly userAgent: string;
  readonly resolve?: Resolver;
}

export interface SafeFetcher {
  /** GETs an ActivityPub document (signed by `sign` when given), following up to 3 redirects, each checked. */
  getJson(url: string, sign?: (request: Request) => Promise<Request>): Promise<{ url: string; json: unknown }>;
  /** Sends a prepared request (deliveries); redirects are not followed, the status is the caller's to judge. */
  send(request: Request): Promise<Response>;
}

const MAX_REDIRECTS = 3;
const AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** Reads at most `maxBytes` of a body, stopping (and cancelling the stream) as soon as it is exceeded. */
export async function readLimitedBytes(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new RefusedFetchError(`${url}: ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new RefusedFetchError(`${url}: body over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  return Buffer.from(await readLimitedBytes(response, maxBytes, url)).toString("utf8");
}

/** The fetcher with the instance's limits and address policy. */
export function createSafeFetcher(options: SafeFetcherOptions): SafeFetcher {
  const check = (url: string) => assertFetchable(url, options);
  const send = async (request: Request): Promise<Response> => {
    await check(request.url);
    const headers = new Headers(request.headers);
    if (!headers.has("user-agent")) headers.set("user-agent", options.userAgent);
    return fetch(new Request(request, { headers, redirect: "manual", signal: AbortSignal.timeout(options.timeoutMs) }));
  };
  return {
    send,
    async getJson(url, sign) {
      let current = url;
      for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const plain = new Request(current, { headers: { accept: AP_ACCEPT } });
        const response = await send(sign ? await sign(plain) : plain);
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          current = new URL(location, current).href;
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw new RemoteStatusError(current, response.status);
        }
        const text = await readLimited(response, options.maxBytes, current);
        try {
          return { url: current, json: JSON.parse(text) };
        } catch {
          throw new RefusedFetchError(`${current}: the answer is not JSON`);
        }
      }
      throw new RefusedFetchError(`${url}: more than ${MAX_REDIRECTS} redirects`);
    },
  };
}
