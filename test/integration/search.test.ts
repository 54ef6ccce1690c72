/** Search: ranking, typos, CJK, filters and sort, visibility, suggestions, remote-looking queries, the API. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let t: TestApp;
let aliceChannel: number;
let bobChannel: number;
const DAY = 86_400_000;
const seeded: Record<string, SeededVideo> = {};

/** Video titles in the order a page or fragment lists them. */
function titles(html: string): string[] {
  return [...html.matchAll(/class="video-title"[^>]*>([^<]*)</g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
}

async function api(path: string): Promise<{ status: number; body: any }> {
  const res = await t.client().fetch(path);
  return { status: res.status, body: await res.json() };
}

async function apiNames(path: string): Promise<string[]> {
  const { status, body } = await api(path);
  expect(status).toBe(200);
  return body.data.map((v: { name: string }) => v.name);
}

beforeAll(async () => {
  // No federation: lookups of other instances' handles would go to the network; they have their own tests.
  t = await createTestApp({ TUBELET_FEDERATION: "false" });
  const [alice, bob] = await Promise.all([t.createUser("alice"), t.createUser("bob")]);
  aliceChannel = await defaultChannelId(t.db.sql, alice.id);
  bobChannel = await defaultChannelId(t.db.sql, bob.id);
  const now = Date.now();
  const videos: [string, Parameters<typeof seedVideo>[1]][] = [
    // The exact title is the oldest and barely described; the others say "minecraft" far more often.
    ["exact", { channelId: aliceChannel, name: "Minecraft", publishedAt: new Date(now - 300 * DAY) }],
    ["heavy", { channelId: aliceChannel, name: "Minecraft minecraft MINECRAFT tips", tags: ["minecraft"], description: "minecraft ".repeat(30) }],
    [
      "tutorial",
      {
        channelId: bobChannel,
        name: "Minecraft tutorial for beginners",
        duration: 900,
        language: "en",
        views: 50,
        publishedAt: new Date(now - 2 * DAY),
      },
    ],
    [
      "castle",
      {
        channelId: bobChannel,
        name: "Building a castle",
        tags: ["minecraft", "castle"],
        duration: 420,
        views: 500,
        publishedAt: new Date(now - 20 * DAY),
      },
    ],
    ["pasta", { channelId: aliceChannel, name: "Cooking pasta at home", duration: 120, language: "en", publishedAt: new Date(now - 3 * 3600_000) }],
    ["pastaJa", { channelId: aliceChannel, name: "パスタの作り方 cooking", duration: 150, language: "ja", publishedAt: new Date(now - 40 * DAY) }],
    ["japanese", { channelId: bobChannel, name: "日本語の動画チュートリアル", language: "ja" }],
    ["live", { channelId: bobChannel, name: "Cooking live show", isLive: true }],
    ["sensitive", { channelId: bobChannel, name: "Cooking gore special", sensitive: true }],
    ["private", { channelId: aliceChannel, name: "Cooking secret private", privacy: 3 }],
    ["unlisted", { channelId: aliceChannel, name: "Cooking secret unlisted", privacy: 2 }],
    ["draft", { channelId: aliceChannel, name: "Cooking secret draft" }],
  ];
  for (const [key, v] of videos) seeded[key] = await seedVideo(t.db.sql, v);
  await t.db.sql`UPDATE videos SET state = 'transcoding' WHERE id = ${seeded.draft!.id}`;
  await t.db.sql`UPDATE videos SET likes = 40 WHERE id = ${seeded.pastaJa!.id}`;
  await t.db.sql`UPDATE videos SET likes = 7 WHERE id = ${seeded.pasta!.id}`;
});
afterAll(() => t.close());

describe("ranking", () => {
  test("an exact title ranks first, on the page and in the API", async () => {
    const page = await t.client().page("/search?q=minecraft");
    expect(page.status).toBe(200);
    expect(titles(page.html)[0]).toBe("Minecraft");
    expect(titles(page.html)).toContain("Building a castle"); // matched by its tag
    expect((await apiNames("/api/v1/search/videos?search=MINECRAFT"))[0]).toBe("Minecraft");
  });

  test("the last word matches as a prefix, so results come while typing", async () => {
    // With one full-text match, similar titles follow it (few matches widen to typos), but never before it.
    expect((await apiNames("/api/v1/search/videos?search=minecraft%20tuto"))[0]).toBe("Minecraft tutorial for beginners");
  });

  test("a typo still finds the title, and the page says these are similar titles", async () => {
    const page = await t.client().page("/search?q=minecarft");
    expect(titles(page.html)).toContain("Minecraft tutorial for beginners");
    expect(page.html).toContain("No exact matches; these titles are similar to what you typed.");
    expect(await apiNames("/api/v1/search/videos?search=cookng%20pasta")).toContain("Cooking pasta at home");
  });

  test("Japanese text without spaces matches inside titles", async () => {
    expect(await apiNames(`/api/v1/search/videos?search=${encodeURIComponent("チュートリアル")}`)).toEqual(["日本語の動画チュートリアル"]);
    expect(await apiNames(`/api/v1/search/videos?search=${encodeURIComponent("パスタ")}`)).toEqual(["パスタの作り方 cooking"]);
  });

  test("punctuation alone finds nothing and says so; an empty search explains the box", async () => {
    expect((await t.client().page("/search?q=%25%25")).html).toContain("Nothing matches every word.");
    expect((await t.client().page("/search")).html).toContain("Type words from a title");
  });
});

describe("filters and sort", () => {
  test("duration, date, language, channel and live filters narrow the results", async () => {
    const q = (params: string) =>
      t
        .client()
        .page(`/search?q=cooking&${params}`)
        .then((r) => titles(r.html));
    expect(await q("duration=short")).toEqual(expect.arrayContaining(["Cooking pasta at home", "パスタの作り方 cooking"]));
    expect(await q("duration=long")).toEqual([]);
    expect(await q("date=today")).not.toContain("パスタの作り方 cooking");
    expect(await q("date=today")).toContain("Cooking pasta at home");
    expect(await q("language=ja")).toEqual(["パスタの作り方 cooking"]);
    expect(await q("type=live")).toEqual(["Cooking live show"]);
    expect(await q("type=vod")).not.toContain("Cooking live show");
    expect(await q("channel=bob_channel")).toEqual(expect.arrayContaining(["Cooking live show", "Cooking gore special"]));
    expect(await q("channel=bob_channel")).not.toContain("Cooking pasta at home");
    expect(await titles((await t.client().page("/search?q=minecraft&duration=medium")).html)).toEqual(["Building a castle"]);
  });

  test("the filter bar keeps its choices and load-more links keep the filters", async () => {
    const page = await t.client().page("/search?q=cooking&duration=short&sort=newest");
    expect(page.html).toContain('<option value="short" selected>');
    expect(page.html).toContain('<option value="newest" selected>');
    expect(page.html).toContain("Clear filters");
  });

  test("sort by newest, most viewed and most liked", async () => {
    expect((await titles((await t.client().page("/search?q=minecraft&sort=newest")).html))[0]).not.toBe("Minecraft");
    expect(titles((await t.client().page("/search?q=minecraft&sort=newest")).html).at(-1)).toBe("Minecraft");
    expect(titles((await t.client().page("/search?q=minecraft&sort=views")).html).slice(0, 2)).toEqual([
      "Building a castle",
      "Minecraft tutorial for beginners",
    ]);
    expect(titles((await t.client().page("/search?q=cooking&sort=likes")).html).slice(0, 2)).toEqual([
      "パスタの作り方 cooking",
      "Cooking pasta at home",
    ]);
    expect((await apiNames("/api/v1/search/videos?search=minecraft&sort=-views"))[0]).toBe("Building a castle");
  });

  test("filters alone, without words, list matching videos", async () => {
    expect(titles((await t.client().page("/search?language=ja")).html).sort()).toEqual(
      ["パスタの作り方 cooking", "日本語の動画チュートリアル"].sort(),
    );
  });
});

describe("visibility", () => {
  test("private, unlisted and unpublished videos never appear anywhere search reaches", async () => {
    const page = await t.client().page("/search?q=secret");
    expect(titles(page.html)).toEqual([]);
    expect(page.html).not.toContain("Cooking secret");
    expect((await apiNames("/api/v1/search/videos?search=cooking%20secret")).filter((n) => n.includes("secret"))).toEqual([]);
    const suggest = await t.client().fetch("/search/suggest?q=cooking%20sec");
    expect(await suggest.text()).not.toContain("secret");
    // Not even as typos of their exact titles.
    expect((await apiNames("/api/v1/search/videos?search=cookin%20secrett%20privat")).filter((n) => n.includes("secret"))).toEqual([]);
  });

  test("sensitive videos are blurred for visitors and hidden for someone whose policy is hide", async () => {
    const visitor = await t.client().page("/search?q=gore");
    expect(visitor.html).toContain("Cooking gore special");
    expect(visitor.html).toContain("video-card sensitive");
    await t.db.sql`UPDATE users SET sensitive_policy = 'hide' WHERE email = 'bob@example.org'`;
    const bob = t.client("198.51.100.61");
    await bob.login("bob", "Correct-Horse-42");
    expect((await bob.page("/search?q=gore")).html).not.toContain("Cooking gore special");
    expect((await bob.page("/search?q=cooking")).html).toContain("Cooking pasta at home");
  });

  test("a person's video languages are respected; videos without a language stay", async () => {
    await t.db.sql`UPDATE users SET video_languages = ${t.db.sql.array(["ja"])} WHERE email = 'alice@example.org'`;
    const alice = t.client("198.51.100.62");
    await alice.login("alice", "Correct-Horse-42");
    const found = titles((await alice.page("/search?q=cooking")).html);
    expect(found).toContain("パスタの作り方 cooking");
    expect(found).toContain("Cooking live show"); // no language set
    expect(found).not.toContain("Cooking pasta at home"); // English
  });
});

describe("suggestions", () => {
  test("answer an htmx fragment of options linking to videos and channels", async () => {
    const res = await t.client().fetch("/search/suggest?q=minec", { headers: { "hx-request": "true" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<html");
    expect(html).toContain('role="option"');
    expect(html).toContain(`href="/w/${seeded.exact!.shortId}"`);
    expect(html.indexOf(`/w/${seeded.exact!.shortId}`)).toBeLessThan(html.indexOf(`/w/${seeded.tutorial!.shortId}`));
    const channels = await (await t.client().fetch("/search/suggest?q=bob")).text();
    expect(channels).toContain('href="/c/bob_channel"');
    expect(await (await t.client().fetch("/search/suggest?q=")).text()).toBe("");
  });

  test("the header box asks for them as the person types", async () => {
    const home = await t.client().page("/");
    expect(home.html).toContain('hx-get="/search/suggest"');
    expect(home.html).toContain('aria-controls="search-suggestions"');
  });
});

describe("URLs and handles", () => {
  test("a handle or URL of another instance that cannot be looked up shows a notice instead of pretending to search", async () => {
    for (const q of ["@someone@video.example.org", "someone@video.example.org", "https://video.example.org/w/abc"]) {
      const page = await t.client().page(`/search?q=${encodeURIComponent(q)}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain("could not be looked up on its instance");
      expect(page.html).not.toContain("Nothing matches every word.");
    }
    expect((await api("/api/v1/search/videos?search=%40someone%40video.example.org")).body).toEqual({ total: 0, data: [] });
  });

  test("a URL or handle of this instance leads to its page", async () => {
    let res = await t.client().fetch(`/search?q=${encodeURIComponent(`http://localhost:9000/w/${seeded.castle!.shortId}`)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/w/${seeded.castle!.shortId}`);
    res = await t.client().fetch(`/search?q=${encodeURIComponent("http://localhost:9000/c/bob_channel")}`);
    expect(res.headers.get("location")).toBe("/c/bob_channel");
    res = await t.client().fetch(`/search?q=${encodeURIComponent("@bob_channel@localhost:9000")}`);
    expect(res.headers.get("location")).toBe("/c/bob_channel");
    const { body } = await api(`/api/v1/search/videos?search=${encodeURIComponent(`http://localhost:9000/w/${seeded.castle!.shortId}`)}`);
    expect(body.data.map((v: { name: string }) => v.name)).toEqual(["Building a castle"]);
    const hidden = await api(`/api/v1/search/videos?search=${encodeURIComponent(`http://localhost:9000/w/${seeded.private!.shortId}`)}`);
    expect(hidden.body).toEqual({ total: 0, data: [] });
  });
});

describe("API", () => {
  test("videos come in PeerTube's list shape", async () => {
    const { status, body } = await api("/api/v1/search/videos?search=minecraft&start=1&count=2");
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    expect(body.data).toHaveLength(2);
    const video = body.data[0];
    expect(video).toMatchObject({ uuid: expect.any(String), shortUUID: expect.any(String), name: expect.any(String), duration: expect.any(Number) });
    expect(video.channel).toMatchObject({ name: expect.any(String), host: "localhost:9000" });
    expect(video.url).toStartWith("http://localhost:9000/w/");
  });

  test("channels come in PeerTube's channel shape, exact handle first, typos forgiven", async () => {
    const { status, body } = await api("/api/v1/search/video-channels?search=bob_channel");
    expect(status).toBe(200);
    expect(body.total).toBe(1);
    expect(body.data[0]).toMatchObject({
      name: "bob_channel",
      host: "localhost:9000",
      displayName: "Main bob channel",
      ownerAccount: { name: "bob" },
    });
    expect((await api("/api/v1/search/video-channels?search=bob%20chanel")).body.data[0].name).toBe("bob_channel");
  });

  test("absurd paging, unknown sorts and filters are refused with a message", async () => {
    for (const [path, message] of [
      ["/api/v1/search/videos?search=a&count=1000", "count must be between 1 and 100"],
      ["/api/v1/search/videos?search=a&count=0", "count must be between 1 and 100"],
      ["/api/v1/search/videos?search=a&start=-5", "start must be a whole number"],
      ["/api/v1/search/videos?search=a&start=99999999", "start can be at most"],
      ["/api/v1/search/videos?search=a&sort=-banana", "Unknown sort"],
      ["/api/v1/search/videos?search=a&languageOneOf=xx", "Unknown language"],
      ["/api/v1/search/videos?search=a&categoryOneOf=99", "categoryOneOf"],
      ["/api/v1/search/videos?search=a&isLive=maybe", "Unknown isLive"],
      ["/api/v1/search/video-channels?search=a&count=abc", "count must be"],
    ] as const) {
      const { status, body } = await api(path);
      expect(status).toBe(400);
      expect(body.detail).toContain(message);
    }
  });

  test("bad values on the results page are a 400 page, not a crash", async () => {
    for (const path of ["/search?q=a&sort=banana", "/search?q=a&duration=forever", "/search?q=a&start=abc", "/search?q=a&channel=%3Cb%3E"]) {
      const page = await t.client().page(path);
      expect(page.status).toBe(400);
      expect(page.html).not.toContain("<b>");
    }
    expect((await t.client().page("/search?q=a&sort=banana")).html).toContain("Unknown sort");
  });
});

describe("paging", () => {
  test("load more brings the next cards as a fragment, keeping the query and filters", async () => {
    for (let i = 0; i < 26; i++)
      await seedVideo(t.db.sql, { channelId: aliceChannel, name: `Bulk clip ${i}`, duration: 30, publishedAt: new Date(Date.now() - i * 60_000) });
    const first = await t.client().page("/search?q=bulk&duration=short&sort=newest");
    expect(titles(first.html)).toHaveLength(24);
    expect(first.html).toContain('hx-get="/search?q=bulk&duration=short&sort=newest&start=24"');
    const more = await t.client().fetch("/search?q=bulk&duration=short&sort=newest&start=24", { headers: { "hx-request": "true" } });
    const html = await more.text();
    expect(html).not.toContain("<html");
    expect(titles(html)).toEqual(["Bulk clip 24", "Bulk clip 25"]);
    expect(html).not.toContain('class="more"');
  });
});
