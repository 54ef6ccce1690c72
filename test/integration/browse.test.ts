/** Browse pages (recent, trending, most liked, local, category, tag), the home page, and hourly view counts. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let t: TestApp;
let channelId: number;
let remoteChannelId: number;
const HOUR = 3600_000;
const v: Record<string, SeededVideo> = {};

function titles(html: string): string[] {
  return [...html.matchAll(/class="video-title"[^>]*>([^<]*)</g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
}

async function titlesOf(path: string, client = t.client()): Promise<string[]> {
  const page = await client.page(path);
  expect(page.status).toBe(200);
  return titles(page.html);
}

/** Views counted the way the watch page counts them, then flushed as the server's timer would. */
async function watch(video: SeededVideo, viewers: number): Promise<void> {
  for (let i = 0; i < viewers; i++) await t.deps.views.record(video.id, `ip:192.0.2.${i}`);
  await t.deps.views.flush();
}

beforeAll(async () => {
  t = await createTestApp();
  const [carol, dave] = await Promise.all([t.createUser("carol"), t.createUser("dave")]);
  channelId = await defaultChannelId(t.db.sql, carol.id);
  remoteChannelId = await defaultChannelId(t.db.sql, dave.id);
  // A domain on the actor is what makes a channel remote; a remote actor has an id and inbox there, and no private key.
  await t.db.sql`
    UPDATE actors SET domain = 'video.example.org', uri = 'https://video.example.org/video-channels/dave_channel',
      inbox_url = 'https://video.example.org/video-channels/dave_channel/inbox', private_key_pem = NULL
    WHERE id = (SELECT actor_id FROM channels WHERE id = ${remoteChannelId})`;
  const now = Date.now();
  const seeds: [string, Parameters<typeof seedVideo>[1]][] = [
    ["oldHit", { channelId, name: "Old hit", category: 1, views: 10_000, publishedAt: new Date(now - 100 * 24 * HOUR) }],
    ["gaming", { channelId, name: "Speedrun any%", category: 7, tags: ["speedrun", "retro games"], publishedAt: new Date(now - 5 * HOUR) }],
    ["music", { channelId, name: "Piano evening", category: 1, tags: ["piano", "100%"], publishedAt: new Date(now - 4 * HOUR) }],
    ["remote", { channelId: remoteChannelId, name: "Visiting from afar", category: 7, tags: ["speedrun"], publishedAt: new Date(now - 3 * HOUR) }],
    ["japanese", { channelId, name: "ゲーム実況", tags: ["実況"], language: "ja", publishedAt: new Date(now - 2 * HOUR) }],
    ["sensitive", { channelId, name: "Graphic surgery", sensitive: true, category: 13, publishedAt: new Date(now - HOUR) }],
    ["private", { channelId, name: "Private diary", privacy: 3, category: 7, tags: ["speedrun"] }],
    ["unlisted", { channelId, name: "Unlisted cut", privacy: 2, category: 7, tags: ["speedrun"] }],
  ];
  for (const [key, seed] of seeds) v[key] = await seedVideo(t.db.sql, seed);
  await t.db.sql`UPDATE videos SET likes = CASE id WHEN ${v.music!.id} THEN 30 WHEN ${v.japanese!.id} THEN 12 ELSE 0 END`;
});
afterAll(() => t.close());

describe("view counter", () => {
  test("a flush adds views to the current hour's row as well as the total", async () => {
    await watch(v.music!, 3);
    await watch(v.music!, 0);
    await t.deps.views.record(v.music!.id, "ip:198.51.100.99");
    await t.deps.views.record(v.music!.id, "ip:192.0.2.0"); // counted already this hour
    await t.deps.views.flush();
    const rows = await t.db.sql<{ views: number; current: boolean }[]>`
      SELECT views, hour = date_trunc('hour', now()) AS current FROM video_views_hourly WHERE video_id = ${v.music!.id}`;
    expect([...rows]).toEqual([{ views: 4, current: true }]);
    const [video] = await t.db.sql<{ views: number }[]>`SELECT views::int FROM videos WHERE id = ${v.music!.id}`;
    expect(video!.views).toBe(4);
  });

  test("views of a video deleted before the flush do not block the others", async () => {
    const doomed = await seedVideo(t.db.sql, { channelId, name: "Short-lived" });
    await t.deps.views.record(doomed.id, "ip:192.0.2.50");
    await t.deps.views.record(v.gaming!.id, "ip:192.0.2.50");
    await t.db.sql`DELETE FROM videos WHERE id = ${doomed.id}`;
    expect(await t.deps.views.flush()).toBe(2);
    const [row] = await t.db.sql<{ views: number }[]>`SELECT sum(views)::int AS views FROM video_views_hourly WHERE video_id = ${v.gaming!.id}`;
    expect(row!.views).toBe(1);
    expect(await t.deps.views.flush()).toBe(0);
  });
});

describe("browse pages", () => {
  test("recent lists public published videos, newest first, under a nav of the kinds and categories", async () => {
    const page = await t.client().page("/browse/recent");
    expect(page.status).toBe(200);
    expect(titles(page.html)).toEqual(["Graphic surgery", "ゲーム実況", "Visiting from afar", "Piano evening", "Speedrun any%", "Old hit"]);
    expect(page.html).toContain('<h1>Recently added</h1>');
    expect(page.html).toContain('href="/browse/recent" class="browse-link" aria-current="page"');
    expect(page.html).toContain('href="/browse/category/7"');
    expect((await t.client().fetch("/browse")).headers.get("location")).toBe("/browse/recent");
  });

  test("trending orders by views of the last 7 days, older views and total views do not count", async () => {
    await watch(v.japanese!, 2);
    // A burst eight days ago and a huge all-time total must not lift a video over this week's.
    await t.db.sql`INSERT INTO video_views_hourly (video_id, hour, views) VALUES (${v.oldHit!.id}, date_trunc('hour', now()) - interval '8 days', 900)`;
    await t.db.sql`INSERT INTO video_views_hourly (video_id, hour, views) VALUES (${v.gaming!.id}, date_trunc('hour', now()) - interval '6 days', 2)`;
    const order = await titlesOf("/browse/trending");
    // music 4, gaming 1 + 2 = 3, japanese 2; then the rest by recency.
    expect(order).toEqual(["Piano evening", "Speedrun any%", "ゲーム実況", "Graphic surgery", "Visiting from afar", "Old hit"]);
  });

  test("most liked, local, category and tag pages list what they say", async () => {
    expect((await titlesOf("/browse/likes")).slice(0, 2)).toEqual(["Piano evening", "ゲーム実況"]);
    expect(await titlesOf("/browse/local")).not.toContain("Visiting from afar");
    expect(await titlesOf("/browse/local")).toContain("Piano evening");
    expect(await titlesOf("/browse/category/7")).toEqual(["Visiting from afar", "Speedrun any%"]);
    const music = await t.client().page("/browse/category/1");
    expect(music.html).toContain("<h1>Music</h1>");
    expect(titles(music.html)).toEqual(["Piano evening", "Old hit"]);
    expect(await titlesOf("/browse/tag/speedrun")).toEqual(["Visiting from afar", "Speedrun any%"]);
    expect(await titlesOf(`/browse/tag/${encodeURIComponent("retro games")}`)).toEqual(["Speedrun any%"]);
    expect(await titlesOf(`/browse/tag/${encodeURIComponent("実況")}`)).toEqual(["ゲーム実況"]);
    expect(await titlesOf(`/browse/tag/${encodeURIComponent("100%")}`)).toEqual(["Piano evening"]);
    expect((await t.client().page("/browse/tag/piano")).html).toContain("Tagged “piano”");
    expect((await t.client().page("/browse/tag/nothing-here")).html).toContain("No videos here yet.");
  });

  test("the Japanese page names categories in Japanese", async () => {
    const page = await t.client().page("/browse/category/7", );
    expect(page.html).toContain("<h1>Gaming</h1>");
    const ja = await t.client().fetch("/browse/category/7", { headers: { "accept-language": "ja" } });
    expect(await ja.text()).toContain("<h1>ゲーム</h1>");
  });

  test("sensitive videos are hidden for someone whose policy is hide, languages as they chose", async () => {
    expect(await titlesOf("/browse/recent")).toContain("Graphic surgery");
    const person = await t.createUser("erin");
    await t.db.sql`UPDATE users SET sensitive_policy = 'hide', video_languages = ${t.db.sql.array(["ja"])} WHERE id = ${person.id}`;
    const erin = t.client("198.51.100.70");
    await erin.login(person.username, person.password);
    const seen = await titlesOf("/browse/recent", erin);
    expect(seen).not.toContain("Graphic surgery");
    expect(seen).toContain("ゲーム実況");
    expect(seen).toContain("Piano evening"); // no language set: kept
    expect(await titlesOf("/", erin)).not.toContain("Graphic surgery");
  });

  test("unknown kinds and categories are 404 and bad offsets 400, each with a message", async () => {
    const cases: [string, number, string][] = [
      ["/browse/bogus", 404, "/browse/trending"],
      ["/browse/category/99", 404, "No category has the number"],
      ["/browse/category/music", 404, "No category has the number"],
      ["/browse/recent?start=-1", 400, "start must be a whole number"],
      ["/browse/trending?start=1e9", 400, "start must be a whole number"],
      ["/browse/recent?start=50000", 400, "start can be at most"],
      ["/?start=abc", 400, "start must be a whole number"],
      [`/browse/tag/${"x".repeat(40)}`, 404, "A tag has 1 to 30 characters"],
    ];
    for (const [path, status, message] of cases) {
      const page = await t.client().page(path);
      expect(page.status).toBe(status);
      expect(page.html).toContain(message);
    }
  });
});

describe("load more", () => {
  test("browse and home pages page with an htmx fragment", async () => {
    for (let i = 0; i < 25; i++) await seedVideo(t.db.sql, { channelId, name: `Filler ${i}`, category: 18, publishedAt: new Date(Date.now() - (200 + i) * 24 * HOUR) });
    const first = await t.client().page("/browse/category/18");
    expect(titles(first.html)).toHaveLength(24);
    expect(first.html).toContain('hx-get="/browse/category/18?start=24"');
    const next = await t.client().fetch("/browse/category/18?start=24", { headers: { "hx-request": "true" } });
    const fragment = await next.text();
    expect(fragment).not.toContain("<html");
    expect(titles(fragment)).toEqual(["Filler 24"]);
    expect(fragment).not.toContain('class="more"');

    const home = await t.client().page("/");
    expect(home.html).toContain('hx-get="/?start=24"');
    const more = await (await t.client().fetch("/?start=24", { headers: { "hx-request": "true" } })).text();
    expect(more).not.toContain("<html");
    expect(titles(more).length).toBeGreaterThan(0);
  });
});

describe("home page", () => {
  test("shows a trending row above the newest videos, without private ones, and stays small", async () => {
    const home = await t.client().page("/");
    expect(home.status).toBe(200);
    const trendingRow = home.html.slice(home.html.indexOf('id="home-trending"'), home.html.indexOf('id="home-recent"'));
    expect(titles(trendingRow)).toEqual(["Piano evening", "Speedrun any%", "ゲーム実況"]);
    expect(home.html).toContain("<h2 id=\"home-recent\">Recently added</h2>");
    expect(home.html).not.toContain("Private diary");
    expect(home.html).not.toContain("Unlisted cut");
    // The page must stay light: no Alpine on a page that uses none, and the HTML of 24 cards well under budget.
    expect(home.html).not.toContain("alpine");
    expect(home.html.length).toBeLessThan(30_000);
  });
});
