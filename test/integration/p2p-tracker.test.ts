/**
 * The WebTorrent tracker inside the real server (startServer on an ephemeral port), spoken to over real WebSockets
 * the way P2P Media Loader's tracker client does. Each test connects from its own address (X-Forwarded-For behind
 * a trusted proxy), so the per-address limits of one test do not touch another.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";
import type { VideoSwarm } from "../../src/p2p/swarm-ids.ts";
import { startE2eServer, type E2eServer } from "../helpers/browser.ts";
import { announce, insertPublishedVideo, peerId, TrackerTestClient } from "../helpers/tracker.ts";

const ENV = {
  TUBELET_TRUST_PROXY: "true",
  // Bun's shortest idle timeout, so the idle test takes seconds.
  TUBELET_TRACKER_IDLE_SECONDS: "8",
  TUBELET_TRACKER_MAX_PER_IP: "4",
};

let server: E2eServer;
let url: string;
let swarms: VideoSwarm[];
/** A second video's swarms, for tests that need a swarm no other test has joined. */
let quiet: VideoSwarm[];
/** A swarm only the relay test joins: with another peer in it, the offer could go to that peer instead. */
let relaySwarm: VideoSwarm[];
/** A video whose swarm only the initial-delay test joins. */
let lonely: Awaited<ReturnType<typeof insertPublishedVideo>>;
let addresses = 0;
const open: TrackerTestClient[] = [];

/** A fresh client address per call: 198.51.100.1, .2, ... */
function nextIp(): string {
  return `198.51.100.${++addresses}`;
}

async function connect(ip = nextIp()): Promise<TrackerTestClient> {
  const client = await TrackerTestClient.connect(url, ip);
  open.push(client);
  return client;
}

beforeAll(async () => {
  server = await startE2eServer(ENV);
  url = `${server.url.replace(/^http/, "ws")}/tracker/socket`;
  const config = parseConfig({ DATABASE_URL: server.db.url });
  await registerUser({ sql: server.db.sql, config }, { username: "streamer", email: "streamer@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  const [channel] = await server.db.sql<{ id: number }[]>`SELECT id::int FROM channels LIMIT 1`;
  ({ swarms } = await insertPublishedVideo(server.db.sql, server.dataDir, channel!.id));
  ({ swarms: quiet } = await insertPublishedVideo(server.db.sql, server.dataDir, channel!.id, "Quiet video"));
  ({ swarms: relaySwarm } = await insertPublishedVideo(server.db.sql, server.dataDir, channel!.id, "Relay video"));
  lonely = await insertPublishedVideo(server.db.sql, server.dataDir, channel!.id, "Lonely video");
});

afterAll(async () => {
  for (const client of open) client.close();
  await server?.stop();
});

describe("tracker at /tracker/socket", () => {
  test("a swarm of a published video gets peers and an announce interval", async () => {
    const client = await connect();
    const reply = await client.request(announce(swarms[0]!.infoHash, peerId("known")));
    expect(reply).toMatchObject({ action: "announce", info_hash: swarms[0]!.infoHash, incomplete: 1, complete: 0 });
    expect(reply["failure reason"]).toBeUndefined();
    // A healthy client must announce again before its socket idles out (8 s here).
    expect(reply.interval).toBeGreaterThan(0);
    expect(reply.interval as number).toBeLessThan(8);
    // The web app still answers on the same port.
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  test("the P2P player waits for peers before its first HTTP request only when the swarm has some", async () => {
    const video = lonely;
    const initialDelay = async () => {
      const html = await (await fetch(`${server.url}/w/${video.uuid}`, { headers: { cookie: "tubelet_p2p=on" } })).text();
      const attribute = /data-p2p-settings="([^"]*)"/.exec(html)![1]!.replaceAll("&#34;", '"').replaceAll("&quot;", '"');
      return (JSON.parse(attribute) as { httpDownloadInitialTimeoutMs: number }).httpDownloadInitialTimeoutMs;
    };
    expect(await initialDelay()).toBe(0);
    const client = await connect();
    const reply = await client.request(announce(video.swarms[0]!.infoHash, peerId("first")));
    expect(reply["failure reason"]).toBeUndefined();
    expect(await initialDelay()).toBe(1500);
  });

  test("an unknown info hash is refused", async () => {
    const client = await connect();
    const reply = await client.request(announce("A".repeat(20), peerId("stranger")));
    expect(reply["failure reason"]).toMatch(/unknown swarm/);
  });

  test("the 16th announce from one address for one swarm is refused; another swarm is still fine", async () => {
    const client = await connect();
    const peer = peerId("eager");
    for (let i = 0; i < 15; i++) {
      const reply = await client.request(announce(swarms[0]!.infoHash, peer, { event: i === 0 ? "started" : "update" }));
      expect(reply["failure reason"]).toBeUndefined();
    }
    const refused = await client.request(announce(swarms[0]!.infoHash, peer, { event: "update" }));
    expect(refused["failure reason"]).toMatch(/too many announces for this swarm/);
    const other = await client.request(announce(swarms[1]!.infoHash, peer));
    expect(other["failure reason"]).toBeUndefined();
  });

  test("the 31st announce from one address is refused, whatever the swarm", async () => {
    const client = await connect();
    const hashes = [swarms[0]!, swarms[1]!, quiet[0]!].map((s) => s.infoHash);
    for (let i = 0; i < 30; i++) {
      const reply = await client.request(announce(hashes[i % 3]!, peerId("busy"), { event: i < 3 ? "started" : "update" }));
      expect(reply["failure reason"]).toBeUndefined();
    }
    const refused = await client.request(announce(quiet[1]!.infoHash, peerId("busy")));
    expect(refused["failure reason"]).toMatch(/too many announces from your address/);
  });

  test("malformed requests get a failure reason and break nothing", async () => {
    const bad = await connect();
    const good = await connect();
    const replies = [];
    for (const garbage of ["{not json", "null", "42", '{"action":"dance"}', '{"action":"announce","info_hash":"short"}',
      announce(swarms[0]!.infoHash, peerId("offers"), { offers: [null], numwant: 1 }),
      JSON.stringify({ action: "scrape" }), JSON.stringify({ action: "scrape", info_hash: [swarms[0]!.infoHash] })]) {
      replies.push(await bad.request(garbage));
    }
    expect(replies.map((r) => typeof r["failure reason"])).toEqual(Array(8).fill("string"));
    expect(replies[5]!["failure reason"]).toBe("invalid offers");
    expect(replies[6]!["failure reason"]).toMatch(/scrape is not supported/);
    // A binary frame is read as text, like the stock tracker does.
    expect((await bad.request(new TextEncoder().encode("{oops")))["failure reason"]).toBeString();
    // The same socket and another one keep working.
    expect((await bad.request(announce(swarms[1]!.infoHash, peerId("recovered"))))["failure reason"]).toBeUndefined();
    expect((await good.request(announce(swarms[1]!.infoHash, peerId("neighbour"))))["failure reason"]).toBeUndefined();
  });

  test("offers and answers are relayed between two viewers", async () => {
    const seeder = await connect();
    const leecher = await connect();
    const [seed, leech] = [peerId("seed"), peerId("leech")];
    const hash = relaySwarm[0]!.infoHash;
    expect((await seeder.request(announce(hash, seed, { left: 0 })))["failure reason"]).toBeUndefined();
    const offer = { type: "offer", sdp: "v=0 fake" };
    const reply = await leecher.request(announce(hash, leech, { numwant: 1, offers: [{ offer, offer_id: "o".repeat(20) }] }));
    expect(reply["failure reason"]).toBeUndefined();
    const relayed = await seeder.next();
    expect(relayed).toMatchObject({ action: "announce", offer, offer_id: "o".repeat(20), peer_id: leech, info_hash: hash });
    const answer = { type: "answer", sdp: "v=0 fake answer" };
    seeder.send(announce(hash, seed, { answer, offer_id: "o".repeat(20), to_peer_id: leech, event: "update", left: 0 }));
    expect(await leecher.next()).toMatchObject({ action: "announce", answer, offer_id: "o".repeat(20), peer_id: seed });
  });

  test("every peer id of a closed socket leaves its swarm", async () => {
    const hash = quiet[1]!.infoHash;
    const leaving = await connect();
    // One socket, two peer ids: P2P Media Loader uses one peer id per stream over one socket.
    await leaving.request(announce(hash, peerId("first")));
    await leaving.request(announce(hash, peerId("second")));
    const watcher = await connect();
    const before = await watcher.request(announce(hash, peerId("watcher")));
    leaving.close();
    await leaving.waitClosed(5000);
    // Polls the swarm's size until both of the closed socket's peers are gone.
    let after = before;
    for (const deadline = Date.now() + 5000; Date.now() < deadline && (after.incomplete as number) > (before.incomplete as number) - 2; ) {
      after = await watcher.request(announce(hash, peerId("watcher"), { event: "update" }));
      if (after["failure reason"]) break;
    }
    expect(after.incomplete).toBe((before.incomplete as number) - 2);
  });

  test("an oversize message closes that socket only", async () => {
    const big = await connect();
    const other = await connect();
    big.send(announce(swarms[0]!.infoHash, peerId("big"), { padding: "x".repeat(17_000) }));
    expect((await big.waitClosed(5000)).code).toBe(1009);
    expect((await other.request(announce(swarms[1]!.infoHash, peerId("small"))))["failure reason"]).toBeUndefined();
  });

  test("a fifth socket from one address is refused", async () => {
    const ip = nextIp();
    for (let i = 0; i < 4; i++) await connect(ip);
    await expect(TrackerTestClient.connect(url, ip)).rejects.toThrow(/refused/);
    await connect(); // another address is fine
  });

  test("IPv6 addresses are limited by their /64", async () => {
    for (let i = 1; i <= 4; i++) await connect(`2001:db8:7:7::${i}`);
    await expect(TrackerTestClient.connect(url, "2001:db8:7:7::99")).rejects.toThrow(/refused/);
    await connect("2001:db8:7:8::1");
  });

  test("a silent socket is closed after the idle timeout; one that speaks stays open", async () => {
    const silent = await connect();
    const chatty = await connect();
    const started = Date.now();
    const hash = quiet[1]!.infoHash;
    await chatty.request(announce(hash, peerId("chatty")));
    const talk = setInterval(() => chatty.send(announce(hash, peerId("chatty"), { event: "update" })), 2000);
    try {
      await silent.waitClosed(20_000);
      // Bun's idle timer ticks every 4 s: an 8 s timeout fires 4 to 8 s after the last frame.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3500);
      // Past idle timeout plus one tick, the socket that kept announcing is still open.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 13_000 - Date.now())));
      expect(chatty.closed).toBeNull();
    } finally {
      clearInterval(talk);
    }
  }, 30_000);
});
