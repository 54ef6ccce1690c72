/**
 * bittorrent-tracker's Server and Swarm (11.2.x), adjusted where the stock behaviour costs too much or can
 * throw outside our error handling. Each override keeps the stock protocol behaviour.
 */
import Server, { type TrackerParams, type TrackerPeer, type TrackerSwarm } from "bittorrent-tracker/server";

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
