import { describe, expect, test } from "bun:test";
import { toHostMeta, toNodeInfo, toNodeInfoLinks, toWebfinger, webfingerHandle } from "../../../src/federation/discovery.ts";
import { parseLocalActorUri, wantsActivityJson, localActorUri } from "../../../src/federation/urls.ts";

const URL_ = "https://video.example";
const HOST = "video.example";

describe("webfingerHandle", () => {
  test.each([
    ["acct:cooking@video.example", "cooking"],
    ["acct:Alice@VIDEO.example", "alice"],
    ["cooking@video.example", "cooking"],
    ["@cooking@video.example", "cooking"],
    ["https://video.example/video-channels/cooking", "cooking"],
    ["https://video.example/accounts/alice", "alice"],
    ["https://video.example/a/alice", "alice"],
    ["acct:cooking@other.example", null],
    ["https://other.example/accounts/alice", null],
    ["https://video.example/videos/watch/x", null],
    ["acct:a@b@c", null],
  ])("%s → %p", (resource, expected) => {
    expect(webfingerHandle(resource, URL_, HOST)).toBe(expected);
  });
});

test("the JRD links the ActivityPub id, the page and a subscribe template", () => {
  const jrd = toWebfinger({ handle: "cooking", publicHost: HOST, publicUrl: URL_, actorUri: `${URL_}/video-channels/cooking`, pageUrl: `${URL_}/c/cooking` });
  expect(jrd.subject).toBe("acct:cooking@video.example");
  expect(jrd.links).toContainEqual({ rel: "self", type: "application/activity+json", href: `${URL_}/video-channels/cooking` });
  expect(jrd.links.find((l) => l.rel === "http://ostatus.org/schema/1.0/subscribe")?.template).toContain("{uri}");
});

test("host-meta points at WebFinger", () => {
  expect(toHostMeta(URL_)).toContain('template="https://video.example/.well-known/webfinger?resource={uri}"');
});

test("NodeInfo 2.1 names the software, registrations and usage; the links name the instance actor", () => {
  const info = toNodeInfo({ version: "1.2.3", openRegistrations: true, nodeName: "Tubes", usage: { users: 4, activeMonth: 2, activeHalfyear: 3, localPosts: 9 } });
  expect(info).toMatchObject({
    version: "2.1",
    software: { name: "tubelet", version: "1.2.3" },
    protocols: ["activitypub"],
    openRegistrations: true,
    usage: { users: { total: 4, activeMonth: 2, activeHalfyear: 3 }, localPosts: 9 },
  });
  expect(info.software.name).toMatch(/^[a-z0-9-]+$/);
  const links = toNodeInfoLinks(URL_, `${URL_}/accounts/peertube`).links;
  expect(links).toContainEqual({ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${URL_}/nodeinfo/2.1.json` });
  expect(links).toContainEqual({ rel: "https://www.w3.org/ns/activitystreams#Application", href: `${URL_}/accounts/peertube` });
});

describe("local actor URLs", () => {
  test("ids follow PeerTube's scheme and parse back", () => {
    expect(localActorUri(URL_, "group", "cooking")).toBe(`${URL_}/video-channels/cooking`);
    expect(localActorUri(URL_, "person", "alice")).toBe(`${URL_}/accounts/alice`);
    expect(parseLocalActorUri(URL_, `${URL_}/video-channels/cooking`)).toEqual({ kind: "channel", handle: "cooking" });
    expect(parseLocalActorUri(URL_, `${URL_}/accounts/alice`)).toEqual({ kind: "account", handle: "alice" });
    expect(parseLocalActorUri(URL_, `${URL_}/accounts/alice/inbox`)).toBeNull();
    expect(parseLocalActorUri(URL_, "https://video.example.evil/accounts/alice")).toBeNull();
  });

  test.each([
    ["application/activity+json", true],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', true],
    ["text/html, application/activity+json;q=0.9", true],
    ["text/html,application/xhtml+xml,*/*;q=0.8", false],
    [null, false],
  ])("Accept %p wants ActivityPub: %p", (accept, expected) => {
    expect(wantsActivityJson(accept)).toBe(expected);
  });
});
