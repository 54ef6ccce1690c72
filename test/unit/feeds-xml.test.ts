import { describe, expect, test } from "bun:test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { el, escapeXml, stripInvalidXmlChars, xmlDocument } from "../../src/feeds/xml.ts";
import { podcastGuid, renderAtom, renderPodcast, renderRss, type Feed, type FeedItem } from "../../src/feeds/render.ts";

const HOSTILE = "]]> <script>alert(1)</script> & \"quotes\" 'single' \u0000\u0001\u0008\u000b\u000c\u001f\u007f \uFFFE\uFFFF \uD800 lone, pair: 😀 tab\tok";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false, trimValues: false });

describe("the XML builder", () => {
  test("strips characters XML 1.0 cannot carry and keeps everything else", () => {
    expect(stripInvalidXmlChars("a\u0000b\u0001c\u001fd\uFFFEe\uFFFFf\uDC00g")).toBe("abcdefg");
    expect(stripInvalidXmlChars("tab\tnl\ncr\r😀é\u007f")).toBe("tab\tnl\ncr\r😀é\u007f");
  });

  test("escapes markup characters in text and attributes", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(String(el("t", { a: `"><x y='` }, "]]>"))).toBe(`<t a="&quot;&gt;&lt;x y=&apos;">]]&gt;</t>`);
  });

  test("a hostile title stays one well-formed text node that reads back as written, minus the forbidden characters", () => {
    const doc = xmlDocument(el("root", { title: HOSTILE }, el("title", null, HOSTILE)));
    expect(XMLValidator.validate(doc)).toBe(true);
    // fast-xml-parser tolerates forbidden characters, so their absence is checked on the text itself.
    expect(doc).toBe(stripInvalidXmlChars(doc));
    const parsed = parser.parse(doc);
    const expected = stripInvalidXmlChars(HOSTILE);
    expect(expected).not.toContain("\u0000");
    expect(expected).toContain("😀");
    expect(parsed.root.title).toBe(expected);
    // Attribute values get their whitespace normalized by readers, so only the visible part is compared.
    expect(parsed.root["@title"]).toContain("]]> <script>alert(1)</script> & \"quotes\"");
  });

  test("null, false and empty children disappear; nested arrays flatten; names are checked", () => {
    expect(String(el("a", { x: null, y: false, z: 0 }, null, false, [["b", el("c", null)]], undefined))).toBe('<a z="0">b<c/></a>');
    expect(() => el("bad name", null)).toThrow();
    expect(() => el("a", { "on<x": "1" })).toThrow();
  });
});

const item = (over: Partial<FeedItem> = {}): FeedItem => ({
  title: HOSTILE,
  link: "https://v.example/w/abc",
  guid: "11111111-2222-4333-8444-555555555555",
  contentHtml: "<p>Hello &amp; <strong>bold</strong></p>",
  published: new Date("2026-01-02T03:04:05Z"),
  updated: new Date("2026-01-03T03:04:05Z"),
  durationSeconds: 90.6,
  thumbnailUrl: "https://v.example/static/videos/u/thumbnail.jpg",
  imageUrl: "https://v.example/static/videos/u/preview.jpg",
  authorName: "Chan & <Co>",
  authorUrl: "https://v.example/c/chan",
  sensitive: true,
  tags: ["a&b", "<c>"],
  enclosure: { url: "https://v.example/static/videos/u/download.mp4?x=1&y=2", type: "video/mp4", length: 1234 },
  ...over,
});

const feed: Feed = {
  title: "Feed <title>",
  description: "About & more",
  link: "https://v.example/c/chan",
  selfUrl: "https://v.example/feeds/videos.xml?videoChannelId=1&format=atom",
  language: "en",
  updated: new Date("2026-01-03T03:04:05Z"),
  imageUrl: "https://v.example/static/avatars/a.png",
  authorName: "Chan",
  authorUrl: "https://v.example/c/chan",
  items: [item(), item({ guid: "g2", sensitive: false, enclosure: null, tags: [] })],
};

describe("feed documents", () => {
  test("RSS 2.0 parses, with escaped titles and HTML descriptions that read back as HTML", () => {
    const xml = renderRss(feed);
    expect(XMLValidator.validate(xml)).toBe(true);
    const channel = parser.parse(xml).rss.channel;
    expect(channel.title).toBe("Feed <title>");
    expect(channel["atom:link"]["@href"]).toBe(feed.selfUrl);
    expect(channel.item).toHaveLength(2);
    expect(channel.item[0].title).toBe(stripInvalidXmlChars(HOSTILE));
    expect(channel.item[0].description).toBe("<p>Hello &amp; <strong>bold</strong></p>");
    expect(channel.item[0].guid["#text"]).toBe("11111111-2222-4333-8444-555555555555");
    expect(channel.item[0].pubDate).toBe("Fri, 02 Jan 2026 03:04:05 GMT");
    expect(channel.item[0].category).toEqual(["a&b", "<c>"]);
  });

  test("Atom parses, with entry ids, links and dates", () => {
    const xml = renderAtom(feed);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = parser.parse(xml).feed;
    expect(parsed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect(parsed.entry[0].id).toBe("urn:uuid:11111111-2222-4333-8444-555555555555");
    expect(parsed.entry[0].link["@href"]).toBe("https://v.example/w/abc");
    expect(parsed.entry[0].published).toBe("2026-01-02T03:04:05.000Z");
    expect(parsed.entry[0].author.name).toBe("Chan & <Co>");
    expect(parsed.link.find((l: Record<string, string>) => l["@rel"] === "self")["@href"]).toBe(feed.selfUrl);
  });

  test("podcast RSS carries enclosures, iTunes tags and the podcast GUID", () => {
    const xml = renderPodcast(feed, { podcastGuid: "guid-1", explicit: true });
    expect(XMLValidator.validate(xml)).toBe(true);
    const channel = parser.parse(xml).rss.channel;
    expect(channel["podcast:guid"]).toBe("guid-1");
    expect(channel["itunes:explicit"]).toBe("true");
    expect(channel["itunes:image"]["@href"]).toBe(feed.imageUrl);
    const [first, second] = channel.item;
    expect(first.enclosure["@url"]).toBe("https://v.example/static/videos/u/download.mp4?x=1&y=2");
    expect(first.enclosure["@length"]).toBe("1234");
    expect(first["itunes:duration"]).toBe("91");
    expect(first["itunes:explicit"]).toBe("true");
    expect(first["itunes:author"]).toBe("Chan & <Co>");
    expect(second.enclosure).toBeUndefined();
    expect(second["itunes:explicit"]).toBe("false");
  });

  test("podcast:guid is the spec's UUIDv5 of the feed URL without its scheme", () => {
    // The example in the Podcasting 2.0 namespace documentation.
    expect(podcastGuid("https://mp3s.nashownotes.com/pc20rss.xml")).toBe("917393e3-1b1e-5cef-ace4-edaa54e1f810");
    expect(podcastGuid("http://mp3s.nashownotes.com/pc20rss.xml/")).toBe("917393e3-1b1e-5cef-ace4-edaa54e1f810");
  });
});
