/**
 * Linked Data signatures on our comment activities, checked by Fedify's own verifier (what Fedify servers, and in
 * the same suite Mastodon and PeerTube, run on an activity forwarded by someone else than its author).
 */
import { expect, test } from "bun:test";
import { verifyJsonLd } from "@fedify/fedify";
import { preloadedContexts, type DocumentLoader } from "@fedify/vocab-runtime";
import { generateActorKeys } from "../../../src/federation/keys.ts";
import { toNoteActivity, toNoteObject } from "../../../src/federation/note-objects.ts";
import { signActivityLd } from "../../../src/federation/signatures.ts";

const BOB = "https://b.example/accounts/bob";

test("a signed Create of a comment verifies with the author's published key; an edited copy does not", async () => {
  const keys = await generateActorKeys();
  const note = toNoteObject({
    uri: "https://b.example/videos/watch/u/comments/7",
    inReplyTo: "https://a.example/videos/watch/u",
    authorUri: BOB,
    text: "Which **shears** do you use?",
    published: new Date("2026-01-02T03:04:05Z"),
    updated: new Date("2026-01-02T03:04:05Z"),
    mentions: [],
  });
  const signed = await signActivityLd(toNoteActivity("Create", "https://b.example/videos/watch/u/comments/7/activity", note), {
    keyId: `${BOB}#main-key`,
    privateKeyPem: keys.privateKeyPem,
  });
  expect(signed.signature).toMatchObject({ type: "RsaSignature2017", creator: `${BOB}#main-key` });

  const actor = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id: BOB,
    type: "Person",
    inbox: `${BOB}/inbox`,
    publicKey: { id: `${BOB}#main-key`, owner: BOB, publicKeyPem: keys.publicKeyPem },
  };
  const documentLoader: DocumentLoader = async (url) => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    if (url.split("#")[0] === BOB) return { contextUrl: null, documentUrl: BOB, document: actor };
    throw new Error(`no document at ${url}`);
  };
  expect(await verifyJsonLd(signed, { documentLoader, contextLoader: documentLoader })).toBe(true);
  const edited = { ...signed, object: { ...(signed.object as object), content: "Send me your shears" } };
  expect(await verifyJsonLd(edited, { documentLoader, contextLoader: documentLoader })).toBe(false);
});
