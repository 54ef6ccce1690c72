/**
 * bittorrent-tracker's Server and Swarm (11.2.x), adjusted where the stock behaviour costs too much or can
 * throw outside our error handling. Each override keeps the stock protocol behaviour; the WebSocket request
 * handler is tested against the stock server's, byte for byte (test/unit/p2p/tracker-server.test.ts).
 */
import Server, { type TrackerParams, type TrackerPeer, type TrackerSwarm } from "bittorrent-tracker/server";

declare module "bittorrent-tracker/server" {
  interface PeerCache {
    /** Looks a peer up and marks it most recently seen. */
    get(peerId: string): TrackerPeer | undefined;
  }
}

/** bittorrent-tracker 11.2's lib/common.js values, which the package does not export. */
const ACTION_ANNOUNCE = 1;
const ACTION_SCRAPE = 2;
const MAX_ANNOUNCE_PEERS = 82;
/** The event the stock server emits once an announce is handled, by the announce's `event`. */
const EVENT_NAMES: Readonly<Record<string, string>> = { update: "update", completed: "complete", started: "start", stopped: "stop", paused: "pause" };

/** As uint8-util's (bittorrent-tracker's helper): ids travel as 20 one-byte characters and are kept as hex. */
const bin2hex = (binary: string): string => Buffer.from(binary, "latin1").toString("hex");
const hex2bin = (hex: string): string => Buffer.from(hex, "hex").toString("latin1");

/** Ids whose conversions one socket keeps: P2P Media Loader shares one socket between its streams, one swarm and one peer id each. */
const MEMO_IDS = 4;

/**
 * The last few ids a socket announced under (swarms and peer ids), in both forms. A client repeats the same ids
 * in every announce, so each is converted once per socket instead of two or three times per message, and the same
 * string objects reach the swarm and limit maps, whose lookups then reuse the strings' cached hashes.
 */
export class IdMemo {
  /** binary, hex, binary, hex, ...; a binary is always hex2bin of its hex, as the stock replies carry. */
  private readonly pairs: string[] = [];
  private next = 0;

  /** The hex of a 20-character binary id (bin2hex). */
  toHex(binary: string): string {
    const pairs = this.pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === binary) return pairs[i + 1]!;
    const hex = bin2hex(binary);
    // Stored as hex2bin(hex): the same as `binary` unless it held characters above U+00FF (never from a real client).
    this.remember(hex2bin(hex), hex);
    return hex;
  }

  /** The binary form of a hex id (hex2bin). */
  toBinary(hex: string): string {
    const pairs = this.pairs;
    for (let i = 1; i < pairs.length; i += 2) if (pairs[i] === hex) return pairs[i - 1]!;
    const binary = hex2bin(hex);
    this.remember(binary, hex);
    return binary;
  }

  private remember(binary: string, hex: string): void {
    if (this.pairs.length < MEMO_IDS * 2) {
      this.pairs.push(binary, hex);
      return;
    }
    this.pairs[this.next * 2] = binary;
    this.pairs[this.next * 2 + 1] = hex;
    this.next = (this.next + 1) % MEMO_IDS;
  }
}

/**
 * What the request handler needs of a socket: tracker.ts's TrackerSocket. Unlike a `ws` socket it carries its
 * address fields from the start (the stock parser copies them from `upgradeReq`, which it does not have).
 */
export interface TrackerWebSocket {
  readonly ip: string;
  readonly port: number;
  readonly addr: string;
  readonly headers: unknown;
  peerId: string | null;
  infoHashes: string[] | null;
  destroyed: boolean;
  onSend: unknown;
  idMemo: IdMemo | null;
  send(data: string, cb?: unknown): void;
}

interface AnnounceResponse {
  complete: number;
  incomplete: number;
  peers: (TrackerPeer & { socket: TrackerWebSocket })[];
  [key: string]: unknown;
}

interface Offer {
  offer: unknown;
  offer_id: unknown;
}

/**
 * parse-websocket.js with the same checks and the same errors, converting ids through the socket's memo.
 * Throws on a malformed request; its message goes back as the failure reason.
 */
function parseWebSocketRequest(socket: TrackerWebSocket, raw: string, ids: IdMemo): TrackerParams {
  const params = JSON.parse(raw);
  params.type = "ws"; // throws for `null` and other non-objects, as in the stock parser
  params.socket = socket;
  if (params.action === "announce") {
    params.action = ACTION_ANNOUNCE;
    if (typeof params.info_hash !== "string" || params.info_hash.length !== 20) throw new Error("invalid info_hash");
    params.info_hash = ids.toHex(params.info_hash);
    if (typeof params.peer_id !== "string" || params.peer_id.length !== 20) throw new Error("invalid peer_id");
    params.peer_id = ids.toHex(params.peer_id);
    if (params.answer) {
      if (typeof params.to_peer_id !== "string" || params.to_peer_id.length !== 20) {
        throw new Error("invalid `to_peer_id` (required with `answer`)");
      }
      params.to_peer_id = bin2hex(params.to_peer_id); // another viewer's id: not one this socket repeats
    }
    params.left = Number(params.left);
    if (Number.isNaN(params.left)) params.left = Infinity;
    params.numwant = Math.min(Number(params.offers && params.offers.length) || 0, MAX_ANNOUNCE_PEERS);
    params.compact = -1; // full peer objects
  } else if (params.action === "scrape") {
    params.action = ACTION_SCRAPE;
    if (typeof params.info_hash === "string") params.info_hash = [params.info_hash];
    if (Array.isArray(params.info_hash)) {
      params.info_hash = params.info_hash.map((binary: unknown) => {
        if (typeof binary !== "string" || binary.length !== 20) throw new Error("invalid info_hash");
        return bin2hex(binary);
      });
    }
  } else {
    throw new Error(`invalid action in WS request: ${params.action}`);
  }
  params.ip = socket.ip;
  params.port = socket.port;
  params.addr = socket.addr;
  params.headers = socket.headers;
  return params;
}

/**
 * A swarm that keeps the list of its peer ids between announces. The stock _getPeers lists every peer
 * (Object.keys of the LRU cache) on each announce, even one that wants no peers; in a swarm of a thousand
 * viewers that list dominates the cost of an announce.
 */
class TubeletSwarm extends Server.Swarm {
  private peerIds: string[] | null = null;

  constructor(infoHash: string, server: Server) {
    super(infoHash, server);
    // Peers leave the cache through _onAnnounceStopped or through eviction (full cache, or too old): both end here
    // or in the override below.
    this.peers.on("evict", () => {
      this.peerIds = null;
    });
  }

  override _onAnnounceStarted(params: TrackerParams, peer: TrackerPeer | undefined, id: string): void {
    this.peerIds = null;
    super._onAnnounceStarted(params, peer, id);
  }

  override _onAnnounceStopped(params: TrackerParams, peer: TrackerPeer | undefined, id: string): void {
    this.peerIds = null;
    super._onAnnounceStopped(params, peer, id);
  }

  /** The stock selection (random peers of the right type, never the asker) over the kept list. */
  override _getPeers(numwant: number, ownPeerId: string, isWebRTC: boolean): TrackerPeer[] {
    const peers: TrackerPeer[] = [];
    if (numwant <= 0) return peers;
    const ids = (this.peerIds ??= this.peers.keys);
    // A partial Fisher-Yates shuffle, as random-iterate does; it only reorders the kept list, which stays valid.
    for (let offset = 0; offset < ids.length && peers.length < numwant; offset++) {
      const pick = offset + Math.floor(Math.random() * (ids.length - offset));
      const id = ids[pick]!;
      ids[pick] = ids[offset]!;
      ids[offset] = id;
      const peer = this.peers.peek(id); // peek may evict an expired peer, which drops the list: keep our reference
      if (!peer) continue;
      if (isWebRTC && peer.peerId === ownPeerId) continue;
      if (isWebRTC !== (peer.type === "ws")) continue;
      peers.push(peer);
    }
    return peers;
  }
}

/**
 * The tracker server. Swarm lookups are synchronous (the stock ones defer to process.nextTick; the library
 * documents them as the interface to override), so an announce is handled entirely inside the message handler's
 * try/catch: a throw caused by a malformed request cannot escape as an uncaught exception.
 */
export class TubeletTrackerServer extends Server {
  // Stock internals used below (not in the package's public surface).
  declare _onRequest: (params: TrackerParams, cb: (err: Error | null, response?: AnnounceResponse) => void) => void;

  /**
   * The stock _onWebSocketRequest (server.js), called for every message: the same replies, relays, warnings and
   * events, with less work per message. Ids are converted once per socket (IdMemo) instead of two or three times
   * per message; the reply is serialised once (the stock code serialises it a second time as an argument of a
   * debug line, enabled or not); relayed offers and answers reuse the converted ids. Sockets must carry their
   * address fields (TrackerWebSocket): `ws` sockets with an `upgradeReq` are not handled. The debug lines are gone.
   */
  _onWebSocketRequest(socket: TrackerWebSocket, _opts: unknown, raw: string): void {
    const ids = (socket.idMemo ??= new IdMemo());
    let params: TrackerParams;
    try {
      params = parseWebSocketRequest(socket, raw, ids);
    } catch (err) {
      socket.send(JSON.stringify({ "failure reason": (err as Error).message }), socket.onSend);
      this.emit("warning", err);
      return;
    }
    if (!socket.peerId) socket.peerId = params.peer_id;
    this._onRequest(params, (err, response) => this.replyOverWebSocket(socket, ids, params, err, response));
  }

  private replyOverWebSocket(socket: TrackerWebSocket, ids: IdMemo, params: TrackerParams, err: Error | null, response?: AnnounceResponse): void {
    if (this.destroyed || socket.destroyed) return;
    const isAnnounce = params.action === ACTION_ANNOUNCE;
    if (err || !response) {
      // A refused announce names the swarm it was about; a scrape's hashes (an array, or none) go through the stock conversion.
      const infoHash = isAnnounce ? ids.toBinary(params.info_hash) : hex2bin(params.info_hash as never);
      socket.send(JSON.stringify({ action: isAnnounce ? "announce" : "scrape", "failure reason": err?.message, info_hash: infoHash }), socket.onSend);
      this.emit("warning", err);
      return;
    }
    if (!isAnnounce) {
      // Unreachable while _onScrape refuses every scrape; kept as the stock reply.
      response.action = "scrape";
      if (!params.answer) socket.send(JSON.stringify(response), socket.onSend);
      return;
    }
    const infoHashes = socket.infoHashes!;
    if (!infoHashes.includes(params.info_hash)) infoHashes.push(params.info_hash);
    const infoHash = ids.toBinary(params.info_hash);
    // Answers to offers get no reply. The keys are the stock reply's, in its order; WebSocket clients are told a
    // fifth of the interval.
    if (!params.answer) {
      const interval = Math.ceil(this.intervalMs / 1000 / 5);
      socket.send(JSON.stringify({ complete: response.complete, incomplete: response.incomplete, action: "announce", interval, info_hash: infoHash }), socket.onSend);
    }
    if (Array.isArray(params.offers)) {
      const offers = params.offers as Offer[];
      const peerId = ids.toBinary(params.peer_id);
      response.peers.forEach((peer, i) => {
        const { offer, offer_id } = offers[i]!;
        peer.socket.send(JSON.stringify({ action: "announce", offer, offer_id, peer_id: peerId, info_hash: infoHash }), peer.socket.onSend);
      });
    }
    const done = () => this.emit(EVENT_NAMES[params.event!]!, params.peer_id, params);
    if (!params.answer) return void done();
    this.getSwarm(params.info_hash, (swarmError, swarm) => {
      if (this.destroyed) return;
      if (swarmError) return void this.emit("warning", swarmError);
      if (!swarm) return void this.emit("warning", new Error("no swarm with that `info_hash`"));
      // Marks the destination peer as recently seen.
      const toPeer = swarm.peers.get(params.to_peer_id!) as (TrackerPeer & { socket: TrackerWebSocket }) | undefined;
      if (!toPeer) return void this.emit("warning", new Error("no peer with that `to_peer_id`"));
      const { answer, offer_id } = params;
      toPeer.socket.send(
        JSON.stringify({ action: "announce", answer, offer_id, peer_id: ids.toBinary(params.peer_id), info_hash: infoHash }),
        toPeer.socket.onSend,
      );
      done();
    });
  }

  override getSwarm(infoHash: string, cb: (err: Error | null, swarm?: TrackerSwarm) => void): void {
    cb(null, this.torrents[infoHash]);
  }

  override createSwarm(infoHash: string, cb: (err: Error | null, swarm?: TrackerSwarm) => void): void {
    const swarm = (this.torrents[infoHash] = new TubeletSwarm(infoHash, this));
    cb(null, swarm);
  }

  /** Scrape is refused: P2P Media Loader never scrapes, and a scrape without hashes walks every swarm. */
  override _onScrape(params: TrackerParams, cb: (err: Error | null) => void): void {
    params.info_hash = ""; // the failure reply echoes it, and a scrape may have none
    cb(new Error("scrape is not supported by this tracker"));
  }
}
