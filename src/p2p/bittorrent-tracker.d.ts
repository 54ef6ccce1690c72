/**
 * The part of `bittorrent-tracker/server` (11.2.x, which ships no types) that the tracker uses. Only this
 * entry point is imported: the package root also loads the WebTorrent client and its native WebRTC addon.
 */
declare module "bittorrent-tracker/server" {
  import { EventEmitter } from "node:events";

  /** The request as parse-websocket.js leaves it: hashes and peer ids in hex. */
  export interface TrackerParams {
    type: "ws";
    action: number;
    info_hash: string;
    peer_id: string;
    event?: string;
    numwant: number;
    offers?: unknown;
    answer?: unknown;
    to_peer_id?: string;
    ip?: string;
    socket: unknown;
    [key: string]: unknown;
  }

  export interface TrackerPeer {
    type: string;
    peerId: string;
    socket: unknown;
  }

  /** The `lru` cache of a swarm's peers, keyed by peer id (hex). */
  export interface PeerCache {
    /** Every key: Object.keys of the cache, built on each read. */
    readonly keys: string[];
    peek(peerId: string): TrackerPeer | undefined;
    on(event: "evict", listener: (entry: { key: string; value: TrackerPeer }) => void): void;
  }

  export class TrackerSwarm {
    constructor(infoHash: string, server: Server);
    infoHash: string;
    peers: PeerCache;
    /** Peers announced as seeders and as leechers. */
    complete: number;
    incomplete: number;
    announce(params: { type: "ws"; event: "stopped"; numwant: 0; peer_id: string }, cb?: (err: Error | null) => void): void;
    _onAnnounceStarted(params: TrackerParams, peer: TrackerPeer | undefined, id: string): void;
    _onAnnounceStopped(params: TrackerParams, peer: TrackerPeer | undefined, id: string): void;
    _getPeers(numwant: number, ownPeerId: string, isWebRTC: boolean): TrackerPeer[];
  }

  export interface ServerOptions {
    /** Announce interval in ms; WebSocket clients are told a fifth of it. */
    interval?: number;
    http?: boolean;
    udp?: boolean;
    ws?: boolean | object;
    stats?: boolean;
    trustProxy?: boolean;
    peersCacheLength?: number;
    peersCacheTtl?: number;
    /** Called for every announce; an error refuses it and its message goes back as the failure reason. */
    filter?: (infoHash: string, params: TrackerParams, cb: (err?: Error | null) => void) => void;
  }

  type SwarmCallback = (err: Error | null, swarm?: TrackerSwarm) => void;

  export default class Server extends EventEmitter {
    constructor(options?: ServerOptions);
    static Swarm: typeof TrackerSwarm;
    torrents: Record<string, TrackerSwarm>;
    intervalMs: number;
    destroyed: boolean;
    listen(port: number, hostname?: string, onListening?: () => void): void;
    close(cb?: (err?: Error | null) => void): void;
    onWebSocketConnection(socket: unknown, options?: { trustProxy?: boolean }): void;
    getSwarm(infoHash: string, cb: SwarmCallback): void;
    createSwarm(infoHash: string, cb: SwarmCallback): void;
    _onScrape(params: TrackerParams, cb: (err: Error | null, response?: unknown) => void): void;
  }
}
