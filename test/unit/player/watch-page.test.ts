import { expect, test } from "bun:test";
import { testPage } from "../../helpers/page.ts";
import { WatchPage, type WatchView } from "../../../views/pages/watch.tsx";

const page = testPage({ path: "/w/x" });
const video: WatchView = {
  id: 7, shortId: "x", uuid: "u-1", name: "n", description: "", tags: [], duration: 6, views: 0, publishedAt: null, createdAt: new Date(0),
  state: "published", stateReason: null, progress: 100, privacy: 1, audioOnly: false, width: 640, height: 360, channelHandle: "c",
  channelDisplayName: "C", channelAvatarUrl: null, masterUrl: "/m.m3u8", posterUrl: "/p.jpg", thumbnailUrl: "/t.jpg", downloadUrl: null,
};
const render = (props: Partial<Parameters<typeof WatchPage>[0]>) => String(WatchPage({ page, video, canManage: false, publicUrl: "https://v.example", ...props }));

test("viewers without P2P get the HTTP-only player, never the P2P bundle", () => {
  const html = render({});
  expect(html).toContain('<script src="/a/player-http.js" defer>');
  expect(html).not.toContain("player-p2p.js");
});

test("viewers with P2P get the P2P player and its settings as data attributes", () => {
  const html = render({
    p2p: true,
    video: { ...video, swarmId: "s\"1", trackers: ["wss://v.example/tracker/socket"], stunServers: [], hashesUrl: "/h.json", p2pSettings: { highDemandTimeWindow: 20 } },
  });
  expect(html).toContain('<script src="/a/player-p2p.js" defer>');
  expect(html).not.toContain("player-http.js");
  const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];
  expect(attribute("data-swarm-id")).toBe("s&#34;1");
  expect(attribute("data-trackers")).toBe("[&#34;wss://v.example/tracker/socket&#34;]");
  expect(attribute("data-stun")).toBe("[]");
  expect(attribute("data-hashes")).toBe("/h.json");
  expect(attribute("data-p2p-settings")).toBe("{&#34;highDemandTimeWindow&#34;:20}");
});

test("defaults keep older callers working: a swarm per video, no trackers", () => {
  const html = render({ p2p: true });
  expect(html).toContain('data-swarm-id="tubelet:u-1"');
  expect(html).toContain('data-trackers="[]"');
});

test("a playable video's master playlist is preloaded, as the player will request it; nothing is preloaded while it is processing", () => {
  expect(render({})).toContain('<link rel="preload" href="/m.m3u8" as="fetch" crossorigin="anonymous"/>');
  expect(render({ video: { ...video, state: "transcoding" } })).not.toContain('rel="preload"');
});
