import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { createTestApp, type TestApp, type TestClient } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";
import { insertChannel } from "../../src/channels/queries.ts";
import { podcastGuid } from "../../src/feeds/render.ts";

let t: TestApp;
let visitor: TestClient;
let aliceChannel: number;
let cooking: number;
const videos: Record<string, SeededVideo> = {};
const PUBLIC_URL = "http://localhost:9000";
// Characters XML 1.0 forbids (C0 controls, U+FFFE; PostgreSQL itself refuses NUL) sit among markup characters.
const HOSTILE = "Tom & Jerry ]]> <b>loud</b> \u0007\u001b\uFFFE end";
const CLEAN = "Tom & Jerry ]]> <b>loud</b>  end";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false, isArray: (name) => name === "item" || name === "entry" });

async function getFeed(path: string, headers: Record<string, string> = {}) {
  const response = await visitor.fetch(path, { headers });
  const body = await response.text();
  return { response, body };
}

/** Fetches and parses a feed, checking it is well-formed and carries no forbidden character. */
async function parsedFeed(path: string) {
  const { response, body } = await getFeed(path);
  expect(response.status).toBe(200);
  expect(XMLValidator.validate(body)).toBe(true);
  expect(body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
  return { response, body, doc: parser.parse(body) };
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

beforeAll(async () => {
  t = await createTestApp();
  const [alice, bob] = await Promise.all([t.createUser("alice"), t.createUser("bob")]);
  aliceChannel = await defaultChannelId(t.db.sql, alice.id);
  cooking = await insertChannel(t.db.sql, { ownerId: alice.id, handle: "cooking", displayName: "Cooking <fun>", description: "", support: "" });
  const bobChannel = await defaultChannelId(t.db.sql, bob.id);
  const sql = t.db.sql;
  videos.hostile = await seedVideo(sql, { channelId: aliceChannel, name: HOSTILE, description: "**Bold** & <i>raw</i>", tags: ["a&b"], publishedAt: minutesAgo(1) });
  videos.unlisted = await seedVideo(sql, { channelId: aliceChannel, name: "Unlisted one", privacy: 2, publishedAt: minutesAgo(2) });
  videos.private = await seedVideo(sql, { channelId: aliceChannel, name: "Private one", privacy: 3, publishedAt: minutesAgo(3) });
  videos.soup = await seedVideo(sql, { channelId: cooking, name: "Soup", sensitive: true, duration: 95, publishedAt: minutesAgo(4) });
  videos.bread = await seedVideo(sql, { channelId: cooking, name: "Bread", duration: 30, publishedAt: minutesAgo(5) });
  videos.live = await seedVideo(sql, { channelId: cooking, name: "Live kitchen", isLive: true, publishedAt: minutesAgo(6) });
  videos.processing = await seedVideo(sql, { channelId: cooking, name: "Still processing", publishedAt: minutesAgo(7) });
  videos.bob = await seedVideo(sql, { channelId: bobChannel, name: "Bob's video", publishedAt: minutesAgo(8) });
  await sql`UPDATE videos SET state = 'transcoding' WHERE id = ${videos.processing.id}`;
  // Soup has a download MP4 on disk and downloads allowed; Bread allows downloads but has no file.
  await sql`UPDATE videos SET download_enabled = true WHERE id IN ${sql([videos.soup.id, videos.bread.id])}`;
  const soupDir = t.deps.layout.videoDir(videos.soup.uuid);
  await mkdir(soupDir, { recursive: true });
  await writeFile(join(soupDir, "download.mp4"), new Uint8Array(4321));
  visitor = t.client();
});
afterAll(() => t.close());

const titles = (items: { title: string | { "#text": string } }[] = []) => items.map((i) => (typeof i.title === "string" ? i.title : i.title["#text"]));

describe("instance feeds", () => {
  test("RSS by default: newest public published videos only, absolute links, hostile titles escaped and cleaned", async () => {
    const { response, doc } = await parsedFeed("/feeds/videos.xml");
    expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const channel = doc.rss.channel;
    expect(channel.title).toBe("Tubelet: newest videos");
    expect(channel.link).toBe(`${PUBLIC_URL}/`);
    expect(channel["atom:link"]["@href"]).toBe(`${PUBLIC_URL}/feeds/videos.xml`);
    expect(titles(channel.item)).toEqual([CLEAN, "Soup", "Bread", "Live kitchen", "Bob's video"]);
    const first = channel.item[0];
    expect(first.link).toBe(`${PUBLIC_URL}/w/${videos.hostile!.shortId}`);
    expect(first.guid["#text"]).toBe(videos.hostile!.uuid);
    expect(first["dc:creator"]).toBe("Main alice channel");
    expect(first["media:thumbnail"]["@url"]).toBe(`${PUBLIC_URL}/static/videos/${videos.hostile!.uuid}/thumbnail.jpg`);
    // The description is HTML (escaped once more in the XML); the author's own markup stays text.
    expect(first.description).toContain("<strong>Bold</strong> &amp; &lt;i&gt;raw&lt;/i&gt;");
    expect(first.category).toBe("a&b");
  });

  test("Atom with format=atom, with the same entries", async () => {
    const { response, doc } = await parsedFeed("/feeds/videos.xml?format=atom");
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(doc.feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect(titles(doc.feed.entry)).toEqual([CLEAN, "Soup", "Bread", "Live kitchen", "Bob's video"]);
    expect(doc.feed.entry[1].id).toBe(`urn:uuid:${videos.soup!.uuid}`);
    expect(doc.feed.entry[1].link["@href"]).toBe(`${PUBLIC_URL}/w/${videos.soup!.shortId}`);
  });

  test("an unknown format is refused with a message", async () => {
    const { response, body } = await getFeed("/feeds/videos.xml?format=pdf");
    expect(response.status).toBe(400);
    expect(body).toContain("Unknown feed format: use format=rss or format=atom.");
  });

  test("an unchanged feed answers 304 to its ETag", async () => {
    const { response } = await getFeed("/feeds/videos.xml");
    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    expect(response.headers.get("last-modified")).toBeTruthy();
    const again = await getFeed("/feeds/videos.xml", { "if-none-match": etag });
    expect(again.response.status).toBe(304);
    expect(again.body).toBe("");
    expect((await getFeed("/feeds/videos.xml", { "if-none-match": '"other"' })).response.status).toBe(200);
  });

  test("the feed speaks the reader's language", async () => {
    const { body } = await getFeed("/feeds/videos.xml", { "accept-language": "ja" });
    expect(parser.parse(body).rss.channel.title).toBe("Tubelet：新着動画");
  });
});

describe("channel and account feeds", () => {
  test("by channel handle, id, or handle@host: only that channel's public videos", async () => {
    for (const query of ["videoChannelName=cooking", `videoChannelId=${cooking}`, "videoChannelName=cooking@localhost:9000", "videoChannelName=COOKING"]) {
      const { doc } = await parsedFeed(`/feeds/videos.xml?${query}`);
      expect(titles(doc.rss.channel.item)).toEqual(["Soup", "Bread", "Live kitchen"]);
      expect(doc.rss.channel.title).toBe("Cooking <fun>: videos on Tubelet");
      expect(doc.rss.channel.link).toBe(`${PUBLIC_URL}/c/cooking`);
    }
  });

  test("by account: every channel of the account, public only", async () => {
    const { doc } = await parsedFeed("/feeds/videos.xml?accountName=alice&format=atom");
    expect(titles(doc.feed.entry)).toEqual([CLEAN, "Soup", "Bread", "Live kitchen"]);
    const byId = await parsedFeed(`/feeds/videos.xml?accountId=${(await t.db.sql`SELECT id::int FROM users WHERE email = 'bob@example.org'`)[0]!.id}`);
    expect(titles(byId.doc.rss.channel.item)).toEqual(["Bob's video"]);
  });

  test("unknown channels and accounts are 404 with a message; malformed ids and mixed selectors 400", async () => {
    const cases: [string, number, string][] = [
      ["/feeds/videos.xml?videoChannelName=nope", 404, "There is no channel with that name here."],
      ["/feeds/videos.xml?videoChannelId=999999", 404, "There is no channel with that name here."],
      ["/feeds/videos.xml?videoChannelName=cooking@elsewhere.example", 404, "There is no channel with that name here."],
      // A person's handle is not a channel.
      ["/feeds/videos.xml?videoChannelName=alice", 404, "There is no channel with that name here."],
      ["/feeds/videos.xml?accountName=nobody", 404, "There is no account with that name here."],
      ["/feeds/videos.xml?videoChannelId=12abc", 400, "Channel and account ids are whole numbers."],
      ["/feeds/videos.xml?videoChannelName=cooking&accountName=alice", 400, "not both"],
      [`/feeds/videos.xml?videoChannelId=${aliceChannel}&videoChannelName=cooking`, 404, "There is no channel with that name here."],
    ];
    for (const [path, status, message] of cases) {
      const { response, body } = await getFeed(path);
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(body).toContain(message);
    }
  });

  test("the channel and account pages advertise their feeds", async () => {
    const channelPage = await visitor.page("/c/cooking");
    expect(channelPage.html).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(channelPage.html).toContain('href="/feeds/videos.xml?videoChannelName=cooking"');
    expect(channelPage.html).toContain(`href="/feeds/podcast/videos.xml?videoChannelName=cooking"`);
    const accountPage = await visitor.page("/a/alice");
    expect(accountPage.html).toContain('href="/feeds/videos.xml?accountName=alice"');
  });
});

describe("podcast feed", () => {
  test("enclosures: the MP4 download when allowed and present, else the HLS playlist; no live streams; iTunes and podcast tags", async () => {
    const { response, doc } = await parsedFeed(`/feeds/podcast/videos.xml?videoChannelId=${cooking}`);
    expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const channel = doc.rss.channel;
    expect(channel["@xmlns:itunes"]).toBeUndefined(); // namespaces sit on <rss>
    expect(doc.rss["@xmlns:itunes"]).toBe("http://www.itunes.com/dtds/podcast-1.0.dtd");
    expect(doc.rss["@xmlns:podcast"]).toBe("https://podcastindex.org/namespace/1.0");
    expect(channel["podcast:guid"]).toBe(podcastGuid(`${PUBLIC_URL}/feeds/podcast/videos.xml?videoChannelId=${cooking}`));
    expect(channel["itunes:author"]).toBe("Cooking <fun>");
    expect(channel["itunes:explicit"]).toBe("true");
    expect(channel["itunes:image"]["@href"]).toBe(`${PUBLIC_URL}/static/videos/${videos.soup!.uuid}/preview.jpg`);
    expect(titles(channel.item)).toEqual(["Soup", "Bread"]);
    const [soup, bread] = channel.item;
    expect(soup.enclosure).toEqual({ "@url": `${PUBLIC_URL}/static/videos/${videos.soup!.uuid}/download.mp4`, "@length": "4321", "@type": "video/mp4" });
    expect(bread.enclosure).toEqual({ "@url": `${PUBLIC_URL}/static/videos/${videos.bread!.uuid}/hls/master.m3u8`, "@length": "0", "@type": "application/x-mpegURL" });
    expect(soup["itunes:duration"]).toBe("95");
    expect(soup["itunes:explicit"]).toBe("true");
    expect(bread["itunes:explicit"]).toBe("false");
    expect(soup["itunes:image"]["@href"]).toBe(`${PUBLIC_URL}/static/videos/${videos.soup!.uuid}/preview.jpg`);
    expect(soup.guid["#text"]).toBe(videos.soup!.uuid);
  });

  test("by channel handle too; without a channel it is 400, an unknown channel 404", async () => {
    const { doc } = await parsedFeed("/feeds/podcast/videos.xml?videoChannelName=cooking");
    expect(titles(doc.rss.channel.item)).toEqual(["Soup", "Bread"]);
    let res = await getFeed("/feeds/podcast/videos.xml");
    expect(res.response.status).toBe(400);
    expect(res.body).toContain("A podcast feed belongs to a channel");
    res = await getFeed("/feeds/podcast/videos.xml?accountName=alice");
    expect(res.response.status).toBe(400);
    res = await getFeed("/feeds/podcast/videos.xml?videoChannelName=missing");
    expect(res.response.status).toBe(404);
    expect(res.body).toContain("There is no channel with that name here.");
  });
});

describe("oEmbed and the share panel", () => {
  const oembed = (url: string, extra = "") => visitor.fetch(`/services/oembed?url=${encodeURIComponent(url)}${extra}`);

  test("oEmbed: the share panel's iframe, with the link's start time and the consumer's maximum width", async () => {
    const res = await oembed(`${PUBLIC_URL}/w/${videos.hostile!.shortId}?start=90`, "&maxwidth=320");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { html: string; width: number; height: number; title: string };
    expect(body).toMatchObject({ width: 320, height: 180, title: HOSTILE });
    expect(body.html).toStartWith('<iframe title="Tom &amp; Jerry ]]&gt; &lt;b&gt;loud&lt;/b&gt;');
    expect(body.html).toContain(`src="${PUBLIC_URL}/videos/embed/${videos.hostile!.shortId}?start=1m30s"`);
  });

  test("oEmbed refuses unlisted, private and foreign URLs, and formats other than JSON", async () => {
    for (const url of [`${PUBLIC_URL}/w/${videos.unlisted!.shortId}`, `${PUBLIC_URL}/w/${videos.private!.shortId}`, `https://elsewhere.example/w/${videos.soup!.shortId}`]) {
      const res = await oembed(url);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("No public video at that URL.");
    }
    expect((await oembed(`${PUBLIC_URL}/w/${videos.soup!.shortId}`, "&format=xml")).status).toBe(501);
  });

  test("the watch page offers sharing for public and unlisted videos, with the link and the embed code", async () => {
    const { html } = await visitor.page(`/w/${videos.hostile!.shortId}`);
    expect(html).toContain('<div class="share" data-share ');
    // The panel is plain script: the watch page loads no Alpine, which would compete with the player at start-up.
    expect(html).not.toContain("alpine");
    expect(html).toContain(`data-url="${PUBLIC_URL}/w/${videos.hostile!.shortId}"`);
    expect(html).toContain(`value="${PUBLIC_URL}/w/${videos.hostile!.shortId}"`);
    // The code is escaped once as code, and once more inside the attribute and the textarea.
    expect(html).toContain("&lt;iframe title=&quot;Tom &amp;amp; Jerry ]]&amp;gt; &amp;lt;b&amp;gt;loud&amp;lt;/b&amp;gt;");
    expect(html).toContain('data-embed-code="<iframe title=&#34;Tom &amp; Jerry ]]&gt; &lt;b&gt;loud&lt;/b&gt;');
    const unlisted = await visitor.page(`/w/${videos.unlisted!.shortId}`);
    expect(unlisted.html).toContain('<div class="share" data-share ');
  });
});
