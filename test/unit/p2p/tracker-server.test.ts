import { describe, expect, test } from "bun:test";
import Server, { type TrackerParams, type TrackerSwarm } from "bittorrent-tracker/server";
import { IdMemo, TubeletTrackerServer } from "../../../src/p2p/tracker-server.ts";

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

/** A socket as tracker.ts's TrackerSocket looks to the server: address fields set, no `upgradeReq`. */
function fakeSocket(server: Server, ip: string) {
  const sent: string[] = [];
  let onMessage: (raw: string) => void = () => {};
  const socket = {
    upgradeReq: null, ip, port: 6881, addr: `${ip}:6881`, headers: {},
    peerId: null, infoHashes: [], destroyed: false, onSend: null, idMemo: null, extraPeers: null,
    on(event: string, listener: (raw: string) => void) {
      if (event === "message") onMessage = listener;
      return socket;
    },
    removeListener: () => socket,
    send: (data: string) => sent.push(data), // compared as sent: byte for byte, key order included
  };
  server.onWebSocketConnection(socket);
  return { sent, receive: (raw: string) => onMessage(raw) };
}

/** Plays one conversation against a server; returns what each socket received and the events the server emitted. */
async function converse(server: Server) {
  const events: unknown[] = [];
  for (const name of ["start", "update", "complete", "stop", "warning"]) {
    server.on(name, (...args: unknown[]) => events.push([name, name === "warning" ? (args[0] as Error).message : args[0]]));
  }
  const [a, b] = [fakeSocket(server, "203.0.113.1"), fakeSocket(server, "203.0.113.2")];
  const hash = "\x00\x01\"\\\x7f\x80\xffabcdefghijklm";
  const msg = (peer: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ action: "announce", info_hash: hash, peer_id: peer, numwant: 0, uploaded: 0, downloaded: 0, left: 1, event: "started", ...extra });
  const [pa, pb] = ["-TT0001-aaaaaaaaaaaa", "-TT0001-\xe9bbbbbbbbbbb"];
  const offerId = "o".repeat(20);
  const steps: [typeof a, string][] = [
    [a, msg(pa)],
    [b, msg(pb, { numwant: 1, offers: [{ offer: { type: "offer", sdp: "v=0" }, offer_id: offerId }] })],
    [a, msg(pa, { event: "update", answer: { type: "answer", sdp: "v=0" }, offer_id: offerId, to_peer_id: pb })],
    [a, msg(pa, { event: "update", answer: { type: "answer", sdp: "v=0" }, offer_id: offerId, to_peer_id: "-TT0001-nobodyhere!!" })],
    [a, msg(pa, { event: "completed", left: 0 })],
    [a, msg(pa, { event: "update", info_hash: "\u0100" + hash.slice(1) })],
    [b, msg(pb, { event: "bogus" })],
    [b, msg(pb, { event: "update" })],
    [b, msg(pb, { event: "update", answer: { type: "answer" } })],
    [b, msg(pb, { peer_id: "short" })],
    [b, '{"action":"announce","info_hash":"short"}'],
    [b, '{"action":"dance"}'],
    [b, "{not json"],
    [b, "null"],
    [b, "42"],
    [b, msg(pb, { event: "stopped" })],
  ];
  for (const [socket, raw] of steps) {
    socket.receive(raw);
    await new Promise((resolve) => setImmediate(resolve)); // the stock swarm lookups answer on the next tick
  }
  return { a: a.sent, b: b.sent, events };
}

describe("TubeletTrackerServer request handling", () => {
  test("replies, relays and events match the stock server's, message for message", async () => {
    const options = { http: false, udp: false, ws: false, stats: false, interval: 600_000 };
    const ours = await converse(new TubeletTrackerServer(options));
    const stock = await converse(new Server(options));
    expect([ours.a.length, ours.b.length]).toEqual([4, 12]);
    expect(ours).toEqual(stock);
  });

  test("a socket's ids are converted once and reused, in both directions", () => {
    const memo = new IdMemo();
    const binary = "\x00\xff" + "x".repeat(18);
    const hex = memo.toHex(binary);
    expect(hex).toBe(Buffer.from(binary, "latin1").toString("hex"));
    expect(memo.toHex("\x00\xff" + "x".repeat(18))).toBe(hex);
    expect(memo.toBinary(hex)).toBe(binary);
    // A character above U+00FF keeps only its low byte, as the stock conversion does.
    expect(memo.toBinary(memo.toHex("\u0141" + "x".repeat(19)))).toBe("A" + "x".repeat(19));
    // Beyond its size the memo forgets the oldest ids but still converts correctly.
    for (let i = 0; i < 10; i++) expect(memo.toHex(`id-${i}`.padEnd(20, "."))).toBe(Buffer.from(`id-${i}`.padEnd(20, "."), "latin1").toString("hex"));
    expect(memo.toBinary(hex)).toBe(binary);
  });
});
