/**
 * Real P2P between headless Chromium viewers: the whole server (startServer) with its tracker, a published video,
 * and viewers in a network namespace (WebRTC never uses loopback; see test/helpers/netns.ts and DESIGN.md).
 * The browsers reach the server through a counting proxy, which measures the origin's segment traffic
 * independently of the players' own counters.
 *
 * - a swarm: three viewers start one after another; all play, the later ones take most segments from peers, and
 *   the origin's count of segment bytes equals what the players say they fetched over HTTP;
 * - tampering: a viewer that corrupts what it uploads is caught by the others' hash check, which fall back to
 *   HTTP, keep playing and stop taking anything from it;
 * - consent: with TUBELET_P2P=ask a viewer who has not chosen loads no WebRTC code, makes no peer connection and
 *   opens no tracker socket until they click "Share (P2P on)".
 * The instance default is "ask"; swarm viewers carry the `tubelet_p2p=on` cookie, as after accepting.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { screenshot, watchConsole } from "../helpers/browser.ts";
import { launchBrowserInNetwork, openViewer, startP2PInstance, type P2PInstance, type Viewer } from "../helpers/netns.ts";
import { waitFor } from "../helpers/processes.ts";

setDefaultTimeout(90_000);

const P2P_ON = { tubelet_p2p: "on" };

let instance: P2PInstance;
let browser: Browser;

beforeAll(async () => {
  instance = await startP2PInstance({ env: { TUBELET_P2P: "ask" }, clipSeconds: 48, resolutions: [240], segmentSeconds: 2 });
  browser = await launchBrowserInNetwork(instance.network);
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await instance?.stop();
}, 30_000);

/** Waits until a viewer's playhead has reached `seconds` (the player is playing, not just loaded). */
async function playedTo(viewer: Viewer, seconds: number, timeoutMs = 45_000): Promise<void> {
  await waitFor(`viewer ${viewer.number} to play to ${seconds} s`, async () => (await viewer.playback()).currentTime >= seconds, { timeoutMs, intervalMs: 250 });
}

/** The share of a viewer's segment bytes that came from peers. */
function peerShare(stats: { httpBytes: number; p2pBytes: number }): number {
  return stats.p2pBytes / Math.max(1, stats.httpBytes + stats.p2pBytes);
}

describe("P2P between viewers in a network namespace", () => {
  test("three viewers: all play, the later two take most segments from peers, the origin's count matches the players'", async () => {
    const viewers: Viewer[] = [];
    const consoles: ReturnType<typeof watchConsole>[] = [];
    for (const number of [1, 2, 3]) {
      const viewer = await openViewer(browser, instance.origin, number, { cookies: P2P_ON });
      consoles.push(watchConsole(viewer.page));
      viewers.push(viewer);
      await viewer.play(instance.watchPath);
      // The next viewer arrives once this one is well under way (a few seconds of playback), not after a fixed time.
      await playedTo(viewer, 3);
    }
    await playedTo(viewers[2]!, 20);

    const stats = await Promise.all(viewers.map((v) => v.stats()));
    const playback = await Promise.all(viewers.map((v) => v.playback()));
    for (const [i, p] of playback.entries()) expect({ viewer: i + 1, playing: !p.paused && p.currentTime >= 20 }).toEqual({ viewer: i + 1, playing: true });
    expect(stats.every((s) => s.peers >= 1)).toBe(true);
    for (const [i, s] of stats.entries()) if (i > 0) expect({ viewer: i + 1, share: peerShare(s) >= 0.5, ...s }).toMatchObject({ viewer: i + 1, share: true });
    // What the players downloaded from peers, the others uploaded (a transfer cut short counts as uploaded only).
    const uploaded = stats.reduce((sum, s) => sum + s.uploadedBytes, 0);
    const fromPeers = stats.reduce((sum, s) => sum + s.p2pBytes, 0);
    expect(fromPeers).toBeLessThanOrEqual(uploaded);
    expect(fromPeers).toBeGreaterThanOrEqual(uploaded * 0.9);

    // What the origin sent equals what the players counted as HTTP, viewer by viewer. Polled: loads may be in flight.
    const compare = async () => {
      const now = await Promise.all(viewers.map((v) => v.stats()));
      const served = instance.proxy.segmentBytesByViewer();
      return viewers.map((v, i) => ({ viewer: v.number, players: now[i]!.httpBytes, origin: served.get(String(v.number)) ?? 0 }));
    };
    const matched = await waitFor("the origin's byte counts to equal the players'", async () => {
      const rows = await compare();
      return rows.every((r) => r.players === r.origin) ? rows : null;
    }, { timeoutMs: 10_000, intervalMs: 200 }).catch(() => null);
    const rows = matched ?? (await compare());
    // A load abandoned after the origin answered is served yet never counted; it must stay an exception.
    for (const row of rows) {
      expect(row.players).toBeLessThanOrEqual(row.origin);
      expect(row.players).toBeGreaterThanOrEqual(row.origin * 0.9);
    }
    const totalOrigin = instance.proxy.segmentBytes();
    // Three viewers together fetched far less than three copies of the video from the origin.
    expect(totalOrigin).toBeLessThan(2 * instance.video.segmentBytes);

    const first = viewers[0]!;
    await first.page.locator("h1").click();
    await first.page.keyboard.press("i");
    await first.page.locator("#player-stats").waitFor({ state: "visible" });
    await waitFor("the overlay to show peers", async () => /Peers\s*[1-9]/.test(await first.page.locator("#player-stats").innerText()));
    await screenshot(first.page, "p2p-swarm-stats", { fullPage: false });

    for (const c of consoles) expect(c.problems()).toEqual([]);
    for (const viewer of viewers) await viewer.close();
  }, 120_000);

  test("a viewer that corrupts its uploads is caught: the other falls back to HTTP, keeps playing and drops that peer", async () => {
    // Flips one byte in every large binary message: segment data (P2P Media Loader's commands are small).
    const tamper = `(() => {
      const send = RTCDataChannel.prototype.send;
      RTCDataChannel.prototype.send = function (data) {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
        if (bytes && bytes.byteLength > 2048) {
          const copy = bytes.slice();
          copy[copy.length >> 1] ^= 0xff;
          window.tubeletTampered = (window.tubeletTampered || 0) + 1;
          return send.call(this, copy);
        }
        return send.call(this, data);
      };
    })();`;
    const cheat = await openViewer(browser, instance.origin, 4, { cookies: P2P_ON, initScripts: [tamper] });
    await cheat.play(instance.watchPath);
    await playedTo(cheat, 4);
    const honest = await openViewer(browser, instance.origin, 5, { cookies: P2P_ON });
    const problems = watchConsole(honest.page);
    await honest.play(instance.watchPath);

    await waitFor("the honest viewer to refuse the cheating peer", async () => (await honest.stats()).badPeers >= 1, { timeoutMs: 30_000, intervalMs: 100 });
    expect(await cheat.page.evaluate(() => (window as unknown as { tubeletTampered?: number }).tubeletTampered ?? 0)).toBeGreaterThan(0);
    const caught = await honest.stats();
    const caughtAt = (await honest.playback()).currentTime;
    await playedTo(honest, caughtAt + 10);
    const later = await honest.stats();
    const playback = await honest.playback();
    // It kept playing, without waiting for data, on segments from the origin, and took nothing more from the cheat.
    expect(playback.waiting).toBe(0);
    expect(await honest.page.evaluate(() => (window as unknown as { tubeletPlayer: { error(): unknown } }).tubeletPlayer.error())).toBeNull();
    expect(later.httpBytes).toBeGreaterThan(caught.httpBytes);
    expect(later.p2pBytes).toBe(caught.p2pBytes);
    expect(later.badPeers).toBe(1);
    expect(problems.problems()).toEqual([]);
    await cheat.close();
    await honest.close();
  }, 90_000);

  test("with TUBELET_P2P=ask, no WebRTC and no tracker socket until the viewer clicks Share", async () => {
    const counters = `(() => {
      const counts = { peerConnections: 0, trackerSockets: 0 };
      window.tubeletCounts = counts;
      window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
        construct(target, args) { counts.peerConnections++; return Reflect.construct(target, args); },
      });
      window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args) { if (String(args[0]).includes("/tracker/socket")) counts.trackerSockets++; return Reflect.construct(target, args); },
      });
    })();`;
    const viewer = await openViewer(browser, instance.origin, 6, { initScripts: [counters] });
    const problems = watchConsole(viewer.page);
    const scripts: string[] = [];
    viewer.page.on("request", (request) => scripts.push(new URL(request.url()).pathname));
    const counts = () => viewer.page.evaluate(() => (window as unknown as { tubeletCounts: { peerConnections: number; trackerSockets: number } }).tubeletCounts);
    const trackerUpgrades = () => instance.proxy.requests.filter((r) => r.viewer === "6" && r.path === "/tracker/socket").length;

    await viewer.play(instance.watchPath);
    await playedTo(viewer, 3);
    await viewer.page.getByRole("button", { name: "Share (P2P on)" }).waitFor();
    expect(scripts.some((p) => p.includes("player-http"))).toBe(true);
    expect(scripts.filter((p) => p.includes("player-p2p"))).toEqual([]);
    expect(await counts()).toEqual({ peerConnections: 0, trackerSockets: 0 });
    expect(trackerUpgrades()).toBe(0);

    await viewer.page.getByRole("button", { name: "Share (P2P on)" }).click();
    await viewer.page.waitForURL(`**${instance.watchPath}`);
    await viewer.page.waitForFunction(() => "tubeletPlayer" in window);
    expect(scripts.some((p) => p.includes("player-p2p"))).toBe(true);
    await viewer.page.getByRole("button", { name: "Share (P2P on)" }).waitFor({ state: "detached" });
    // The P2P player connects to the tracker (and makes offers) on its own once the source loads.
    await viewer.page.evaluate(() => (window as unknown as { tubeletPlayer: { muted(v: boolean): void; play(): Promise<void> } }).tubeletPlayer.play());
    await waitFor("the P2P player to open the tracker socket", async () => (await counts()).trackerSockets > 0 && trackerUpgrades() > 0, { timeoutMs: 20_000 });
    await waitFor("the P2P player to make a peer connection", async () => (await counts()).peerConnections > 0, { timeoutMs: 20_000 });
    expect(problems.problems()).toEqual([]);
    await viewer.close();
  }, 60_000);
});
