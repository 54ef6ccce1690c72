import { describe, expect, test } from "bun:test";
import type { TrackerParams, TrackerSwarm } from "bittorrent-tracker/server";
import { TubeletTrackerServer } from "../../../src/p2p/tracker-server.ts";

/** A swarm from the server, with `n` WebSocket peers announced into it. */
function swarmWith(n: number, options: { peersCacheLength?: number } = {}) {
  const server = new TubeletTrackerServer({ http: false, udp: false, ws: false, stats: false, ...options });
  let swarm: TrackerSwarm | undefined;
  server.createSwarm("ab".repeat(20), (_err, s) => (swarm = s));
  const announce = (id: string, event: string) =>
    swarm!.announce({ type: "ws", event, numwant: 0, peer_id: id, left: 1, socket: { infoHashes: [] } } as unknown as Parameters<TrackerSwarm["announce"]>[0], () => {});
  for (let i = 0; i < n; i++) announce(`p${i}`, "started");
  return { server, swarm: swarm!, announce };
}

describe("TubeletSwarm peer sampling", () => {
  test("returns distinct peers, never the asker, up to numwant", () => {
    const { swarm } = swarmWith(50);
    for (let round = 0; round < 20; round++) {
      const peers = swarm._getPeers(10, "p3", true).map((p) => p.peerId);
      expect(peers).toHaveLength(10);
      expect(new Set(peers).size).toBe(10);
      expect(peers).not.toContain("p3");
    }
    expect(swarm._getPeers(0, "p3", true)).toEqual([]);
    expect(swarm._getPeers(100, "p3", true)).toHaveLength(49);
  });

  test("samples every peer over time (random, not always the same ones)", () => {
    const { swarm } = swarmWith(30);
    const seen = new Set<string>();
    for (let round = 0; round < 200; round++) for (const p of swarm._getPeers(3, "x", true)) seen.add(p.peerId);
    expect(seen.size).toBe(30);
  });

  test("peers that left, joined or were evicted are reflected at once", () => {
    const { swarm, announce } = swarmWith(5, { peersCacheLength: 6 });
    expect(swarm._getPeers(10, "x", true)).toHaveLength(5);
    announce("p0", "stopped");
    expect(swarm._getPeers(10, "x", true).map((p) => p.peerId).sort()).toEqual(["p1", "p2", "p3", "p4"]);
    announce("p9", "started");
    announce("p10", "started");
    announce("p11", "started"); // the seventh peer: the least recently seen one is evicted
    const ids = swarm._getPeers(10, "x", true).map((p) => p.peerId);
    expect(ids).toHaveLength(6);
    expect(ids).toContain("p11");
    expect(ids).not.toContain("p1");
  });

  test("scrape is refused", () => {
    const { server } = swarmWith(1);
    let error: Error | null = null;
    server._onScrape({ action: 2 } as unknown as TrackerParams, (err) => (error = err));
    expect(error!.message).toBe("scrape is not supported by this tracker");
  });
});
