import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "../../../views/markdown.ts";
import { InvalidObjectError } from "../../../src/federation/objects.ts";
import {
  isAddressedToPublic,
  localCommentUri,
  noteHtmlToText,
  parseLocalCommentUri,
  parseLocalVideoUri,
  parseNoteObject,
  toNoteActivity,
  toNoteDeleteActivity,
  toNoteObject,
} from "../../../src/federation/note-objects.ts";
import mastodonReply from "../../fixtures/activitypub/mastodon.example/create-note-reply.json";
import peertubeComment from "../../fixtures/activitypub/peertube.example/create-comment.json";

const PUBLIC_URL = "https://video.example";
const UUID = "9c9de5e8-0a1b-4b6c-8d3e-5f7a8b9c0d1e";
const AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

describe("comment ids", () => {
  test("a local comment's id is PeerTube's shape and parses back; other ids are not ours", () => {
    const uri = localCommentUri(PUBLIC_URL, UUID, 7);
    expect(uri).toBe(`${PUBLIC_URL}/videos/watch/${UUID}/comments/7`);
    expect(parseLocalCommentUri(PUBLIC_URL, uri)).toEqual({ videoUuid: UUID, commentId: 7 });
    expect(parseLocalCommentUri("https://other.example", uri)).toBeNull();
    expect(parseLocalCommentUri(PUBLIC_URL, `${uri}/x`)).toBeNull();
    expect(parseLocalVideoUri(PUBLIC_URL, `${PUBLIC_URL}/videos/watch/${UUID}`)).toBe(UUID);
    expect(parseLocalVideoUri(PUBLIC_URL, uri)).toBeNull();
  });
});

describe("toNoteObject", () => {
  test("a comment is a public Markdown Note by its author, in reply to the video, mentioning who it answers", () => {
    const note = toNoteObject({
      uri: localCommentUri(PUBLIC_URL, UUID, 8),
      inReplyTo: localCommentUri(PUBLIC_URL, UUID, 7),
      authorUri: `${PUBLIC_URL}/accounts/cook`,
      text: "Thanks **Ana**",
      published: new Date("2025-03-02T11:00:00Z"),
      updated: new Date("2025-03-02T11:00:00Z"),
      mentions: [{ href: "https://mastodon.example/users/Ana", name: "@ana@mastodon.example" }],
    });
    expect(note).toEqual({
      type: "Note",
      id: `${PUBLIC_URL}/videos/watch/${UUID}/comments/8`,
      content: "Thanks **Ana**",
      mediaType: "text/markdown",
      inReplyTo: `${PUBLIC_URL}/videos/watch/${UUID}/comments/7`,
      published: "2025-03-02T11:00:00.000Z",
      updated: "2025-03-02T11:00:00.000Z",
      url: `${PUBLIC_URL}/videos/watch/${UUID}/comments/8`,
      attributedTo: `${PUBLIC_URL}/accounts/cook`,
      tag: [{ type: "Mention", href: "https://mastodon.example/users/Ana", name: "@ana@mastodon.example" }],
      to: [AS_PUBLIC],
      cc: [`${PUBLIC_URL}/accounts/cook/followers`],
    });
    const create = toNoteActivity("Create", `${note.id}/activity`, note);
    expect(create).toMatchObject({ type: "Create", actor: `${PUBLIC_URL}/accounts/cook`, to: [AS_PUBLIC], object: { id: note.id } });
    // The round trip: what we send is what we read.
    expect(parseNoteObject(note, { allowHttp: false })).toMatchObject({ id: note.id, text: "Thanks **Ana**", authorUri: `${PUBLIC_URL}/accounts/cook` });
    expect(toNoteDeleteActivity(`${note.id}/delete`, `${PUBLIC_URL}/accounts/cook`, note.id as string)).toMatchObject({ type: "Delete", object: note.id });
  });
});

describe("parseNoteObject", () => {
  test("Mastodon's reply: HTML becomes text, mentions and hashtags keep their text, links stay links", () => {
    const note = parseNoteObject(mastodonReply.object, { allowHttp: false });
    expect(note).toMatchObject({
      id: "https://mastodon.example/users/Ana/statuses/113456789012345678",
      authorUri: "https://mastodon.example/users/Ana",
      inReplyTo: `${PUBLIC_URL}/videos/watch/${UUID}`,
    });
    expect(note.text).toBe("@cook Lovely recipe! More at https://recipes.example/tomato-soup\n\nSecond paragraph & a #soup");
    expect(note.published.toISOString()).toBe("2025-03-02T10:15:00.000Z");
  });

  test("PeerTube's comment: Markdown content is kept as is", () => {
    const note = parseNoteObject(peertubeComment.object, { allowHttp: false });
    expect(note.text).toBe("Nice **tomatoes**, see [my notes](https://peertube.example/w/abc)");
    expect(note.inReplyTo).toBe(`${PUBLIC_URL}/videos/watch/${UUID}/comments/7`);
  });

  const base = mastodonReply.object;
  test.each([
    ["a followers-only post", { ...base, to: ["https://mastodon.example/users/Ana/followers"], cc: [] }],
    ["a direct message", { ...base, to: [`${PUBLIC_URL}/accounts/cook`], cc: [] }],
    ["an author on another origin", { ...base, attributedTo: "https://evil.example/users/x" }],
    ["no inReplyTo", { ...base, inReplyTo: null }],
    ["empty content", { ...base, content: "<p> </p>" }],
    ["not a Note", { ...base, type: "Article" }],
    ["an http id", { ...base, id: "http://mastodon.example/users/Ana/statuses/1" }],
  ])("refuses %s", (_, json) => {
    expect(() => parseNoteObject(json, { allowHttp: false })).toThrow(InvalidObjectError);
  });

  test("unlisted posts (public in cc) are public enough", () => {
    expect(isAddressedToPublic({ to: ["https://mastodon.example/users/Ana/followers"], cc: [AS_PUBLIC] })).toBe(true);
    expect(isAddressedToPublic({ to: "as:Public" })).toBe(true);
    expect(isAddressedToPublic({ to: [], cc: [] })).toBe(false);
  });
});

describe("noteHtmlToText: hostile HTML never survives as HTML", () => {
  const cases: [string, string, string][] = [
    ["script", '<p>hi</p><script>alert(1)</script>', "hi"],
    ["unclosed script", "hi <script>alert(1)", "hi"],
    ["style", "<style>body{display:none}</style>ok", "ok"],
    ["img onerror", '<img src=x onerror="alert(1)">hello', "hello"],
    ["javascript: link", '<a href="javascript:alert(1)">click me</a>', "click me"],
    ["data: link", '<a href="data:text/html,<script>alert(1)</script>">x</a>', "x"],
    ["link with handlers", '<a href="https://ok.example/page" onclick="steal()">my site</a>', "[my site](https://ok.example/page)"],
    ["iframe", '<iframe src="https://evil.example"></iframe>text', "text"],
    ["svg with script", "<svg><script>alert(1)</script></svg>fine", "fine"],
    ["escaped markup stays text", "&lt;b onclick=x&gt;bold&lt;/b&gt;", "<b onclick=x>bold</b>"],
    ["numeric entities", "&#60;script&#62; &#x41;", "<script> A"],
    ["paragraphs and breaks", "<p>one<br>two</p><p>three</p>", "one\ntwo\n\nthree"],
    ["brackets in link text", '<a href="https://ok.example/">a [b] c</a>', "[a b c](https://ok.example/)"],
    ["link to a URL with parentheses", '<a href="https://ok.example/a_(b)">wiki</a>', "wiki"],
    ["attribute with >", '<a title="x>y" href="https://ok.example/">z</a>', "[z](https://ok.example/)"],
  ];
  test.each(cases)("%s", (_, html, text) => {
    expect(noteHtmlToText(html)).toBe(text);
  });

  test.each(cases)("%s renders as safe HTML", (_, html) => {
    const rendered = renderMarkdown(noteHtmlToText(html));
    expect(rendered).not.toMatch(/<(script|img|iframe|svg|style|b )/i);
    expect(rendered).not.toMatch(/<[^>]*\son\w+=/i);
    expect(rendered).not.toContain("javascript:");
    for (const href of rendered.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^https:\/\//);
    for (const a of rendered.matchAll(/<a [^>]*>/g)) expect(a[0]).toContain('rel="nofollow noopener ugc"');
  });

  test("hostile shapes cost linear time", () => {
    const started = performance.now();
    for (const unit of ["<", "<a ", '<a href="', "<script", "<p title='", "&#"]) noteHtmlToText(unit.repeat(40_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
