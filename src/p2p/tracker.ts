/**
 * The WebTorrent tracker at /tracker/socket, in the web process and on its port. bittorrent-tracker's Server does
 * the protocol (swarms, peer lists, relaying WebRTC offers and answers); Bun's native WebSocket carries it, through
 * a small adapter that gives Bun's ServerWebSocket the shape of a `ws` socket. Elysia's .ws() is not used: it
 * re-parses every frame, and measured less than half the throughput (see DESIGN.md).
 *
 * Rules on top of the stock tracker:
 * - only swarms of published videos are accepted (known-swarms.ts, swarm-ids.ts);
 * - announces are limited per address and per (address, swarm) in a fixed window; answers to offers are not
 *   counted, because a viewer answers every offer other viewers send it, and those offers are already counted;
 * - connections are capped in total and per address; messages above a size close their socket; silent sockets
 *   are closed by Bun's idle timeout;
 * - scrape is refused (P2P Media Loader never scrapes, and a scrape without hashes walks every swarm).
 * Changes inside bittorrent-tracker's classes are in tracker-server.ts.
 */
import type { TrackerParams } from "bittorrent-tracker/server";
import type { Server as BunServer, ServerWebSocket, WebSocketHandler } from "bun";
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Layout } from "../storage/layout.ts";
import { createKnownSwarms, type KnownSwarms } from "./known-swarms.ts";
import { TubeletTrackerServer, type IdMemo } from "./tracker-server.ts";
import {
  addressKey,
  admitConnection,
  connectionClosed,
  connectionOpened,
  countAnnounceFromIp,
  countAnnounceToSwarm,
  newAnnounceWindow,
  newConnectionCounts,
  type AnnounceLimits,
} from "./limits.ts";

export const TRACKER_PATH = "/tracker/socket";

/** The longest announce interval given to clients (bittorrent-tracker's default for WebSocket clients). */
const MAX_ANNOUNCE_SECONDS = 120;
/** A socket may carry this many peer ids besides its first (P2P Media Loader uses one per stream it plays). */
const MAX_EXTRA_PEERS = 32;
/** Offers one announce may carry; bittorrent-tracker relays at most 82 (MAX_ANNOUNCE_PEERS) anyway. */
const MAX_OFFERS = 100;
/**
 * Bytes Bun may queue for a socket that does not read; past this the socket is closed. It bounds what a client
 * that stops reading can make the server hold, while leaving room for a burst of relayed offers.
 */
const BACKPRESSURE_LIMIT = 128 * 1024;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Bun's ServerWebSocket in the shape bittorrent-tracker's onWebSocketConnection expects of a `ws` socket
 * (on/removeListener, send, readyState, ip/port/addr/headers). It is also the socket's `data`, so a connection
 * costs this one small object on top of Bun's own.
 */
export class TrackerSocket {
  // parse-websocket.js reads address fields from `upgradeReq` when it is set, and from these when it is not.
  readonly upgradeReq = null;
  readonly headers = NO_HEADERS;
  readonly addr: string;
  /** What the per-address limits count under (see addressKey). */
  readonly limitKey: string;
  ws: ServerWebSocket<TrackerSocket> | null = null;
  // Written by bittorrent-tracker; declared so every socket has the same shape from the start.
  peerId: string | null = null;
  infoHashes: string[] | null = [];
  destroyed = false;
  onSend: unknown = null;
  onMessageBound: unknown = null;
  onErrorBound: unknown = null;
  onCloseBound: unknown = null;
  /** [infoHash, peerId] announced under a peer id other than `peerId`, to take out of their swarms on close. */
  extraPeers: [string, string][] | null = null;
  /** The ids this socket announces under, converted once (tracker-server.ts); created by its first message. */
  idMemo: IdMemo | null = null;
  private messageListener: ((data: string) => void) | null = null;
  private closeListener: (() => void) | null = null;

  constructor(
    readonly ip: string,
    readonly port: number,
  ) {
    this.addr = `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
    this.limitKey = addressKey(ip);
  }

  get readyState(): number {
    return this.ws && !this.destroyed ? 1 : 3; // OPEN : CLOSED
  }

  on(event: string, listener: (...args: never[]) => void): this {
    // bittorrent-tracker registers one listener per event; 'error' never fires here (Bun reports errors by closing).
    if (event === "message") this.messageListener = listener as (data: string) => void;
    else if (event === "close") this.closeListener = listener as () => void;
    return this;
  }

  removeListener(event: string, listener: unknown): this {
    if (event === "message" && this.messageListener === listener) this.messageListener = null;
    else if (event === "close" && this.closeListener === listener) this.closeListener = null;
    return this;
  }

  /** Sends a text frame; once the socket is closed, messages for it (offers from other peers) are dropped. */
  send(data: string): void {
    if (this.ws && !this.destroyed) this.ws.send(data);
  }

  receive(data: string): void {
    this.messageListener?.(data);
  }

  closed(): void {
    this.closeListener?.();
    this.ws = null;
  }

  /** Notes a peer id announced besides the first; false when the socket already carries too many. */
  rememberPeer(infoHash: string, peerId: string): boolean {
    if (peerId === this.peerId) return true;
    const peers = (this.extraPeers ??= []);
    if (peers.some(([h, p]) => h === infoHash && p === peerId)) return true;
    if (peers.length >= MAX_EXTRA_PEERS) return false;
    peers.push([infoHash, peerId]);
    return true;
  }
}

export interface TrackerDeps {
  readonly sql: Sql;
  readonly layout: Layout;
  readonly config: Pick<Config, "trustProxy" | "p2p">;
  readonly now?: () => number;
}

export interface Tracker {
  /**
   * Upgrades a WebSocket request for /tracker/socket: undefined once upgraded, a Response when refused, and null
   * for any other request, which the caller hands to the web app.
   */
  tryUpgrade(request: Request, server: BunServer<TrackerSocket>): Response | undefined | null;
  /** Bun.serve's `websocket` option. */
  readonly websocket: WebSocketHandler<TrackerSocket>;
  readonly swarms: KnownSwarms;
  /** Viewers announced in a video's swarms right now (any rendition). */
  peersOf(uuid: string): number;
  stats(): { connections: number; swarms: number; knownHashes: number; requestErrors: number };
  close(): void;
}

/** The client's address: the last X-Forwarded-For hop behind a trusted proxy, else the peer address. */
function clientIp(request: Request, server: BunServer<TrackerSocket>, trustProxy: boolean): string {
  if (trustProxy) {
    const last = request.headers.get("x-forwarded-for")?.split(",").pop()?.trim();
    if (last) return last;
  }
  return (server.requestIP(request)?.address ?? "unknown").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/** Why an announce cannot be relayed safely, or null. bittorrent-tracker indexes `offers[i].offer` unchecked. */
function malformedAnnounce(params: TrackerParams): string | null {
  if (params.offers === undefined) return null;
  if (!Array.isArray(params.offers) || params.offers.length > MAX_OFFERS) return "invalid offers";
  return params.offers.every((o) => typeof o === "object" && o !== null) ? null : "invalid offers";
}

/** Builds the tracker service; it owns the swarms, the known-hash cache and the limit counters. */
export function createTracker(deps: TrackerDeps): Tracker {
  const now = deps.now ?? Date.now;
  const settings = deps.config.p2p.tracker;
  const swarms = createKnownSwarms({ sql: deps.sql, layout: deps.layout, now });
  const connections = newConnectionCounts();
  const connectionLimits = { total: settings.maxConnections, perIp: settings.maxConnectionsPerIp };
  const announceLimits: AnnounceLimits = {
    perSwarm: settings.announcesPerSwarm,
    perIp: settings.announcesPerIp,
    windowMs: settings.announceWindowSeconds * 1000,
  };
  const announces = newAnnounceWindow(now());
  // A healthy client must speak again before Bun's idle timeout closes its socket.
  const announceSeconds = Math.max(4, Math.min(MAX_ANNOUNCE_SECONDS, Math.floor(settings.idleSeconds / 2)));

  let requestErrors = 0;

  /**
   * Runs tracker code for one socket; whatever it throws concerns that request only. Such throws come from
   * malformed requests, so they are counted (see stats) rather than logged: a client could flood the log.
   */
  function guarded(run: () => void): void {
    try {
      run();
    } catch {
      requestErrors++;
    }
  }

  /** Counts an announce for a known swarm and accepts it unless a limit says no. */
  function admitKnown(infoHash: string, params: TrackerParams, socket: TrackerSocket, at: number, cb: (err?: Error | null) => void): void {
    if (params.answer === undefined && !countAnnounceToSwarm(announces, announceLimits, socket.limitKey, infoHash, at)) {
      return cb(new Error("too many announces for this swarm from your address; try again later"));
    }
    if (!socket.rememberPeer(infoHash, params.peer_id)) return cb(new Error("too many peer ids on one connection"));
    cb();
  }

  const server = new TubeletTrackerServer({
    http: false,
    udp: false,
    ws: false,
    stats: false,
    // bittorrent-tracker tells WebSocket clients a fifth of this interval.
    interval: announceSeconds * 5 * 1000,
    filter(infoHash, params, cb) {
      const socket = params.socket as TrackerSocket;
      const problem = malformedAnnounce(params);
      if (problem) return cb(new Error(problem));
      const at = now();
      if (params.answer === undefined && !countAnnounceFromIp(announces, announceLimits, socket.limitKey, at)) {
        return cb(new Error("too many announces from your address; try again later"));
      }
      const known = swarms.lookup(infoHash);
      if (known === true) return admitKnown(infoHash, params, socket, at, cb);
      if (known === false) return cb(new Error("unknown swarm: this instance serves no such video"));
      void known.then((isKnown) => {
        // A socket closed meanwhile gets no answer; accepting it would add a dead peer to the swarm.
        if (socket.destroyed) return;
        guarded(() => (isKnown ? admitKnown(infoHash, params, socket, now(), cb) : cb(new Error("unknown swarm: this instance serves no such video"))));
      });
    },
  });
  server.on("error", (error: Error) => console.error(`tracker: ${error.message}`));

  /** Takes a closed socket's other peer ids out of their swarms (bittorrent-tracker only removes the first one). */
  function stopExtraPeers(socket: TrackerSocket): void {
    for (const [infoHash, peerId] of socket.extraPeers ?? []) {
      const swarm = server.torrents[infoHash];
      // Only if that peer still belongs to this socket: the same viewer may have reconnected on another one.
      if (swarm?.peers.peek(peerId)?.socket === socket) swarm.announce({ type: "ws", event: "stopped", numwant: 0, peer_id: peerId });
    }
    socket.extraPeers = null;
  }

  const websocket: WebSocketHandler<TrackerSocket> = {
    maxPayloadLength: settings.maxMessageBytes,
    idleTimeout: settings.idleSeconds,
    // Silence means idle: a client that only answers pings is not announcing and holds a connection for nothing.
    sendPings: false,
    perMessageDeflate: false,
    backpressureLimit: BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: true,
    open(ws) {
      const socket = ws.data;
      socket.ws = ws;
      connectionOpened(connections, socket.limitKey);
      server.onWebSocketConnection(socket);
    },
    message(ws, message) {
      // guarded(), written out: this runs for every message, and its closure was an allocation per message.
      try {
        ws.data.receive(typeof message === "string" ? message : message.toString("utf8"));
      } catch {
        requestErrors++;
      }
    },
    close(ws) {
      const socket = ws.data;
      connectionClosed(connections, socket.limitKey);
      guarded(() => {
        socket.closed();
        stopExtraPeers(socket);
      });
    },
    error(error) {
      console.error(`tracker: socket handler failed: ${error.message}`);
    },
  };

  return {
    tryUpgrade(request, bunServer) {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return null;
      const url = request.url;
      const path = url.slice(url.indexOf("/", url.indexOf("//") + 2)).split("?")[0];
      if (path !== TRACKER_PATH) return null;
      const ip = clientIp(request, bunServer, deps.config.trustProxy);
      const verdict = admitConnection(connections, connectionLimits, addressKey(ip));
      if (verdict === "total") {
        return new Response("The tracker is full; try again later.", { status: 503, headers: { "retry-after": "60" } });
      }
      if (verdict === "ip") return new Response("Too many tracker connections from your address.", { status: 429 });
      const port = bunServer.requestIP(request)?.port ?? 0;
      if (bunServer.upgrade(request, { data: new TrackerSocket(ip, port) })) return undefined;
      return new Response("Expected a WebSocket upgrade.", { status: 400 });
    },
    websocket,
    swarms,
    peersOf(uuid) {
      let peers = 0;
      for (const hash of swarms.hashesOf(uuid)) {
        const swarm = server.torrents[hash];
        if (swarm) peers += swarm.complete + swarm.incomplete;
      }
      return peers;
    },
    stats: () => ({
      connections: connections.total,
      swarms: Object.keys(server.torrents).length,
      knownHashes: swarms.size,
      requestErrors,
    }),
    close() {
      server.close();
    },
  };
}
