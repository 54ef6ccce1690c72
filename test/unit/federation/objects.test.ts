import { describe, expect, test } from "bun:test";
import {
  InvalidObjectError,
  parseActivity,
  parseActorObject,
  parseEmbeddedActivity,
  toActorObject,
  toFollowAnswer,
  toOrderedCollection,
  toOrderedCollectionPage,
  toUndoActivity,
} from "../../../src/federation/objects.ts";
import mastodonAna from "../../fixtures/activitypub/mastodon.example/users-ana.json";
import mastodonFollow from "../../fixtures/activitypub/mastodon.example/follow.json";
import peertubeGarden from "../../fixtures/activitypub/peertube.example/video-channels-garden.json";
import peertubeInstance from "../../fixtures/activitypub/peertube.example/accounts-peertube.json";
import peertubeUndo from "../../fixtures/activitypub/peertube.example/undo-follow.json";

const PUBLIC_URL = "https://video.example";
const PEM = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";

describe("toActorObject", () => {
  test("a channel is a Group on PeerTube's URLs, attributed to its owner, with PeerTube's context terms", () => {
    const doc = toActorObject(
      {
        uri: `${PUBLIC_URL}/video-channels/cooking`,
        kind: "group",
        handle: "cooking",
        displayName: "Cooking",
        description: "Recipes",
        publicKeyPem: PEM,
        createdAt: new Date("2024-05-01T10:00:00Z"),
        pageUrl: `${PUBLIC_URL}/c/cooking`,
        avatarUrl: `${PUBLIC_URL}/static/avatars/x.webp`,
        ownerUri: `${PUBLIC_URL}/accounts/alice`,
        support: "Tip jar",
      },
      PUBLIC_URL,
    );
    expect(doc).toMatchObject({
      type: "Group",
      id: "https://video.example/video-channels/cooking",
      inbox: "https://video.example/video-channels/cooking/inbox",
      outbox: "https://video.example/video-channels/cooking/outbox",
      followers: "https://video.example/video-channels/cooking/followers",
      following: "https://video.example/video-channels/cooking/following",
      preferredUsername: "cooking",
      name: "Cooking",
      summary: "Recipes",
      url: "https://video.example/c/cooking",
      endpoints: { sharedInbox: "https://video.example/inbox" },
      publicKey: { id: "https://video.example/video-channels/cooking#main-key", owner: "https://video.example/video-channels/cooking", publicKeyPem: PEM },
      published: "2024-05-01T10:00:00.000Z",
      icon: [{ type: "Image", mediaType: "image/webp", url: "https://video.example/static/avatars/x.webp" }],
      support: "Tip jar",
      postingRestrictedToMods: true,
      attributedTo: [{ type: "Person", id: "https://video.example/accounts/alice" }],
    });
    const context = doc["@context"] as unknown[];
    expect(context.slice(0, 2)).toEqual(["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]);
    expect(context[2]).toMatchObject({ pt: "https://joinpeertube.org/ns#", support: { "@id": "pt:support" } });
  });

  test("a person and the instance actor are Person and Application under /accounts/, with no group fields", () => {
    const base = { description: "", publicKeyPem: PEM, createdAt: new Date(0), displayName: "x" };
    const person = toActorObject({ ...base, uri: `${PUBLIC_URL}/accounts/alice`, kind: "person", handle: "alice", pageUrl: `${PUBLIC_URL}/a/alice` }, PUBLIC_URL);
    expect(person.type).toBe("Person");
    expect(person.summary).toBeNull();
    expect(person).not.toHaveProperty("attributedTo");
    expect(person).not.toHaveProperty("icon");
    const app = toActorObject({ ...base, uri: `${PUBLIC_URL}/accounts/peertube`, kind: "application", handle: "peertube", pageUrl: PUBLIC_URL }, PUBLIC_URL);
    expect(app.type).toBe("Application");
  });
});

describe("parseActorObject", () => {
  test("reads a Mastodon Person: lower-case handle, summary as text, shared inbox", () => {
    const actor = parseActorObject(mastodonAna, "https://mastodon.example/users/Ana");
    expect(actor).toEqual({
      uri: "https://mastodon.example/users/Ana",
      kind: "person",
      handle: "ana",
      domain: "mastodon.example",
      displayName: "Ana :verified:",
      description: "Films & bikes.\nLisbon",
      inboxUrl: "https://mastodon.example/users/Ana/inbox",
      sharedInboxUrl: "https://mastodon.example/inbox",
      outboxUrl: "https://mastodon.example/users/Ana/outbox",
      followersUrl: "https://mastodon.example/users/Ana/followers",
      followingUrl: "https://mastodon.example/users/Ana/following",
      url: "https://mastodon.example/@Ana",
      publicKeyPem: mastodonAna.publicKey.publicKeyPem,
      keyId: "https://mastodon.example/users/Ana#main-key",
    });
  });

  test("reads a PeerTube Group and a PeerTube instance Application", () => {
    const group = parseActorObject(peertubeGarden, "https://peertube.example/video-channels/garden");
    expect(group).toMatchObject({ kind: "group", handle: "garden", domain: "peertube.example", displayName: "Garden diaries", sharedInboxUrl: "https://peertube.example/inbox" });
    const app = parseActorObject(peertubeInstance, "https://peertube.example/accounts/peertube");
    expect(app).toMatchObject({ kind: "application", handle: "peertube", description: "" });
  });

  test("refuses an actor served by another origin, one without a key, and unknown types", () => {
    expect(() => parseActorObject(mastodonAna, "https://evil.example/users/Ana")).toThrow(InvalidObjectError);
    const { publicKey: _, ...keyless } = mastodonAna;
    expect(() => parseActorObject(keyless, mastodonAna.id)).toThrow(/public key/);
    const foreignKey = { ...mastodonAna, publicKey: { ...mastodonAna.publicKey, owner: "https://mastodon.example/users/Other" } };
    expect(() => parseActorObject(foreignKey, mastodonAna.id)).toThrow(/public key/);
    expect(() => parseActorObject({ ...mastodonAna, type: "Note" }, mastodonAna.id)).toThrow(/type/);
    expect(() => parseActorObject({ ...mastodonAna, inbox: "javascript:alert(1)" }, mastodonAna.id)).toThrow(/inbox/);
  });
});

describe("activities", () => {
  test("parseActivity reads Mastodon's Follow", () => {
    expect(parseActivity(mastodonFollow)).toEqual({
      id: mastodonFollow.id,
      type: "Follow",
      actor: "https://mastodon.example/users/Ana",
      objectId: "https://video.example/video-channels/cooking",
      object: "https://video.example/video-channels/cooking",
    });
  });

  test("parseActivity reads PeerTube's Undo with its embedded Follow", () => {
    const undo = parseActivity(peertubeUndo);
    expect(undo.objectId).toBe("https://peertube.example/accounts/peertube/follows/58");
    expect(parseEmbeddedActivity(undo.object)).toMatchObject({ type: "Follow", actor: "https://peertube.example/accounts/peertube" });
  });

  test("parseActivity refuses envelopes without id, type or actor", () => {
    expect(() => parseActivity({ ...mastodonFollow, id: undefined })).toThrow(/id/);
    expect(() => parseActivity({ ...mastodonFollow, type: "" })).toThrow(/type/);
    expect(() => parseActivity({ ...mastodonFollow, actor: 42 })).toThrow(/actor/);
    expect(() => parseActivity([mastodonFollow])).toThrow(InvalidObjectError);
  });

  test("an Accept embeds the Follow it answers; an Undo embeds the Follow without its context", () => {
    const follow = parseActivity(mastodonFollow);
    const accept = toFollowAnswer("Accept", "https://video.example/video-channels/cooking/accepts/1", "https://video.example/video-channels/cooking", follow);
    expect(accept).toMatchObject({
      type: "Accept",
      actor: "https://video.example/video-channels/cooking",
      object: { id: mastodonFollow.id, type: "Follow", actor: mastodonFollow.actor, object: mastodonFollow.object },
    });
    const undo = toUndoActivity("https://video.example/u/1", "https://video.example/accounts/a", { "@context": "x", id: "f", type: "Follow" });
    expect(undo.object).toEqual({ id: "f", type: "Follow" });
  });
});

describe("collections", () => {
  const id = "https://video.example/video-channels/cooking/followers";
  test("the collection points at page 1", () => {
    expect(toOrderedCollection(id, 3)).toMatchObject({ type: "OrderedCollection", totalItems: 3, first: `${id}?page=1` });
  });
  test("pages link forward only while items remain, and back after the first", () => {
    const first = toOrderedCollectionPage(id, 1, 3, ["a", "b"], 2);
    expect(first).toMatchObject({ id: `${id}?page=1`, type: "OrderedCollectionPage", partOf: id, orderedItems: ["a", "b"], next: `${id}?page=2` });
    expect(first).not.toHaveProperty("prev");
    const last = toOrderedCollectionPage(id, 2, 3, ["c"], 2);
    expect(last).toMatchObject({ prev: `${id}?page=1` });
    expect(last).not.toHaveProperty("next");
  });
});
