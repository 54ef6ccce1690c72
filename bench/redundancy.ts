/**
 * Redundancy: one origin A, two mirrors B and C (they follow A and mirror its video), four headless Chromium viewers
 * of A's watch page arriving 4 s apart, with P2P on and then off, in a network namespace (test/helpers/netns.ts).
 * A counting proxy in front of each instance measures the segment bytes each one sent, independently of the players;
 * peers' bytes are the players' own P2P counters. Target with P2P on: the origin sends the viewers at most one copy
 * of the rendition watched (mirrors' downloads are shown apart).
 */
import { withCleanup } from "./lib/cleanup.ts";
import { mib, printTable } from "./lib/table.ts";
import { createTestNetwork, launchBrowserInNetwork, openViewer, startCountingProxy, type CountingProxy, type TestNetwork, type Viewer } from "../test/helpers/netns.ts";
import { startInstance, type Instance } from "../test/helpers/federation.ts";
import { freePort, waitFor } from "../test/helpers/processes.ts";
import { MIRROR_ENV, publishOnOrigin, recordedMirrors, redisFor, runRedundancy } from "../test/helpers/redundancy.ts";
import type { SeededVideo } from "../test/helpers/videos.ts";

const CLIP_SECONDS = 40;
const SEGMENT_SECONDS = 4;
const VIEWERS = 4;
const ARRIVAL_SECONDS = 4;

interface Node {
  readonly instance: Instance;
  readonly proxy: CountingProxy;
}

/** An instance listening on the namespace's host side, behind a counting proxy whose URL is its public URL. */
async function startNode(network: TestNetwork, name: string, env: Record<string, string>): Promise<Node> {
  const port = await freePort(network.hostAddress);
  const proxy = startCountingProxy({ hostname: network.hostAddress, backend: `http://${network.hostAddress}:${port}` });
  const instance = await startInstance(name, {
    ...env,
    TUBELET_HOST: network.hostAddress,
    TUBELET_PORT: String(port),
    TUBELET_PUBLIC_URL: proxy.url,
    TUBELET_TRUST_PROXY: "true",
    TUBELET_P2P: "on",
  });
  return { instance: { ...instance, url: proxy.url }, proxy };
}

/** Segment bytes a proxy sent to the players (whose requests carry a viewer cookie only on A), or to anyone. */
function viewerBytes(proxy: CountingProxy): number {
  return [...proxy.segmentBytesByViewer()].filter(([viewer]) => viewer !== "?").reduce((sum, [, n]) => sum + n, 0);
}

interface Session {
  readonly origin: number;
  readonly mirrors: readonly number[];
  readonly peers: number;
  readonly finished: number;
}

async function watch(network: TestNetwork, a: Node, mirrors: readonly Node[], video: SeededVideo, p2p: boolean): Promise<Session> {
  const before = { origin: viewerBytes(a.proxy), mirrors: mirrors.map((m) => m.proxy.segmentBytes()) };
  const browser = await launchBrowserInNetwork(network);
  try {
    const viewers: Viewer[] = [];
    for (let n = 1; n <= VIEWERS; n++) {
      const viewer = await openViewer(browser, a.proxy.url, n + (p2p ? 0 : 10), { cookies: { tubelet_p2p: p2p ? "on" : "off" } });
      viewers.push(viewer);
      await viewer.play(`/w/${video.shortId}`);
      if (n < VIEWERS) {
        await waitFor(`viewer ${n} to play ${ARRIVAL_SECONDS} s`, async () => (await viewer.playback()).currentTime >= ARRIVAL_SECONDS, { timeoutMs: 60_000, intervalMs: 200 });
      }
    }
    await waitFor("every viewer to reach the end", async () => (await Promise.all(viewers.map((v) => v.playback()))).every((p) => p.ended), {
      timeoutMs: (CLIP_SECONDS + 60) * 1000,
      intervalMs: 500,
    }).catch(() => undefined);
    const stats = await Promise.all(viewers.map((v) => v.stats()));
    const playback = await Promise.all(viewers.map((v) => v.playback()));
    return {
      origin: viewerBytes(a.proxy) - before.origin,
      mirrors: mirrors.map((m, i) => m.proxy.segmentBytes() - before.mirrors[i]!),
      peers: stats.reduce((sum, s) => sum + s.p2pBytes, 0),
      finished: playback.filter((p) => p.ended).length,
    };
  } finally {
    await browser.close().catch(() => {});
  }
}

export async function run(): Promise<void> {
  await withCleanup(async (cleanup) => {
    const network = await createTestNetwork();
    cleanup.defer("delete the network namespace", () => network.close());
    const nodes: Node[] = [];
    cleanup.defer("stop the instances", async () => {
      for (const node of nodes) {
        await node.instance.stop().catch(() => {});
        await node.proxy.stop().catch(() => {});
      }
    });
    for (const [name, env] of [["ba", {}], ["bb", MIRROR_ENV], ["bc", MIRROR_ENV]] as const) nodes.push(await startNode(network, name, env));
    const [a, b, c] = nodes as [Node, Node, Node];
    const redis = redisFor(a.instance);
    cleanup.defer("disconnect Redis", () => redis.disconnect());

    const { videos } = await publishOnOrigin(a.instance, [b.instance, c.instance], [{ name: "Mirrored for the benchmark", views: 100 }], {
      seconds: CLIP_SECONDS,
      resolutions: [240],
      segmentSeconds: SEGMENT_SECONDS,
    });
    const video = videos[0]!;
    const beforeMirroring = a.proxy.segmentBytes();
    await runRedundancy(b.instance, redis);
    await runRedundancy(c.instance, redis);
    await waitFor("A to record both mirrors", async () => (await recordedMirrors(a.instance, video.uuid)).length === 2, { timeoutMs: 30_000 });
    const mirrorsFetched = a.proxy.segmentBytes() - beforeMirroring;
    const oneCopy = mirrorsFetched / 2;
    console.log(`Redundancy: a ${CLIP_SECONDS} s video (240p, ${SEGMENT_SECONDS} s segments), ${VIEWERS} viewers arriving ${ARRIVAL_SECONDS} s apart on A; B and C mirror it.`);
    console.log(`The mirrors fetched ${mib(mirrorsFetched)} MiB of segments from A (one copy each: ${mib(oneCopy)} MiB).\n`);

    const sessions: [string, Session][] = [];
    for (const p2p of [true, false]) sessions.push([p2p ? "on" : "off", await watch(network, a, [b, c], video, p2p)]);
    const pct = (part: number, whole: number) => `${Math.round((part / Math.max(1, whole)) * 100)}%`;
    printTable(
      ["P2P", "origin MiB", "mirror B MiB", "mirror C MiB", "peers MiB", "origin share", "B share", "C share", "peers share", "origin copies", "finished"],
      sessions.map(([label, s]) => {
        const total = s.origin + s.mirrors[0]! + s.mirrors[1]! + s.peers;
        const copies = s.origin / oneCopy;
        return [
          label, mib(s.origin), mib(s.mirrors[0]!), mib(s.mirrors[1]!), mib(s.peers),
          pct(s.origin, total), pct(s.mirrors[0]!, total), pct(s.mirrors[1]!, total), pct(s.peers, total),
          `${copies.toFixed(2)}${label === "on" ? (copies <= 1 ? " ✓" : " ✗") : ""}`, `${s.finished}/${VIEWERS}`,
        ];
      }),
    );
    console.log(`\nTarget (P2P on): the origin sends the viewers at most one copy of the rendition watched (origin copies ≤ 1), plus the ${mib(mirrorsFetched)} MiB the mirrors fetched once.`);
  });
}
