/**
 * The tracker's admission rules as plain functions of explicit state: open connections per address and in
 * total, and announces per address and per (address, swarm) in a fixed window. The tracker service owns the
 * state objects; nothing here reads a clock or keeps anything at module level.
 */

/**
 * The key an address is limited under: IPv4 addresses as they are, IPv6 addresses by their /64 prefix, since
 * one subscriber usually holds a whole /64 and could otherwise open a fresh address for every socket.
 */
export function addressKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const address = ip.split("%")[0]!; // drop a zone id (fe80::1%eth0)
  const halves = address.split("::");
  if (halves.length > 2) return ip;
  // A dotted IPv4 tail (64:ff9b::192.0.2.1) takes two groups.
  const groups = (part: string | undefined) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const all = halves.length === 2 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  const prefix = all.slice(0, 4).map((g) => parseInt(g, 16));
  if (all.length !== 8 || prefix.some((n) => Number.isNaN(n) || n > 0xffff)) return ip;
  return `${prefix.map((n) => n.toString(16)).join(":")}::/64`;
}

export interface ConnectionLimits {
  readonly total: number;
  readonly perIp: number;
}

/** Open tracker sockets, in total and per client address. */
export interface ConnectionCounts {
  total: number;
  readonly perIp: Map<string, number>;
}

export function newConnectionCounts(): ConnectionCounts {
  return { total: 0, perIp: new Map() };
}

/** Whether one more socket from `ip` may open: "ok", or which cap it would exceed. */
export function admitConnection(counts: ConnectionCounts, limits: ConnectionLimits, ip: string): "ok" | "total" | "ip" {
  if (counts.total >= limits.total) return "total";
  if ((counts.perIp.get(ip) ?? 0) >= limits.perIp) return "ip";
  return "ok";
}

export function connectionOpened(counts: ConnectionCounts, ip: string): void {
  counts.total++;
  counts.perIp.set(ip, (counts.perIp.get(ip) ?? 0) + 1);
}

export function connectionClosed(counts: ConnectionCounts, ip: string): void {
  counts.total = Math.max(0, counts.total - 1);
  const left = (counts.perIp.get(ip) ?? 0) - 1;
  // Addresses with no socket left are forgotten, so the map only ever holds open connections.
  if (left > 0) counts.perIp.set(ip, left);
  else counts.perIp.delete(ip);
}

export interface AnnounceLimits {
  /** Announces one address may make for one swarm per window. */
  readonly perSwarm: number;
  /** Announces one address may make for all swarms together per window. */
  readonly perIp: number;
  readonly windowMs: number;
}

/**
 * Counters of the current fixed window. Both maps are dropped whole when the window ends, which bounds their
 * size by what one window can add (PeerTube resets its counters the same way).
 */
export interface AnnounceWindow {
  startedAt: number;
  readonly perIp: Map<string, number>;
  /**
   * Address, then swarm. Nested rather than keyed by "address swarm": a joined key is a new string on every
   * announce, hashed afresh, where these lookups reuse the strings the socket and its memo already hold.
   */
  readonly perSwarm: Map<string, Map<string, number>>;
}

export function newAnnounceWindow(now: number): AnnounceWindow {
  return { startedAt: now, perIp: new Map(), perSwarm: new Map() };
}

/** Starts a new window when the current one is over. */
function roll(window: AnnounceWindow, limits: AnnounceLimits, now: number): void {
  if (now - window.startedAt < limits.windowMs) return;
  window.startedAt = now;
  window.perIp.clear();
  window.perSwarm.clear();
}

/**
 * Counts an announce from `ip` against the per-address budget. Refused announces count too, so a client that
 * keeps hammering stays refused until the window ends.
 */
export function countAnnounceFromIp(window: AnnounceWindow, limits: AnnounceLimits, ip: string, now: number): boolean {
  roll(window, limits, now);
  const n = (window.perIp.get(ip) ?? 0) + 1;
  window.perIp.set(ip, n);
  return n <= limits.perIp;
}

/** Counts an announce from `ip` for a swarm this instance knows against the per-swarm budget. */
export function countAnnounceToSwarm(window: AnnounceWindow, limits: AnnounceLimits, ip: string, infoHash: string, now: number): boolean {
  roll(window, limits, now);
  let swarms = window.perSwarm.get(ip);
  if (!swarms) window.perSwarm.set(ip, (swarms = new Map()));
  const n = (swarms.get(infoHash) ?? 0) + 1;
  swarms.set(infoHash, n);
  return n <= limits.perSwarm;
}
