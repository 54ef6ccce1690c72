/**
 * Viewer features as a person uses them, in headless Chromium against a real server with playable videos: search
 * with suggestions, a comment and a reply, a like, subscribing, saving to playlists and playing a playlist, all
 * without reloading the page; then the same pages in Japanese. Screenshots go to test/artifacts/viewer-*.png.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { launchBrowser, screenshot, startE2eServer, watchConsole, type E2eServer, type TestBrowser } from "../helpers/browser.ts";
import { defaultChannelId, publishPlayableVideos, type SeededVideo } from "../helpers/videos.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { parseConfig } from "../../src/config.ts";

setDefaultTimeout(90_000);

let server: E2eServer;
let browser: TestBrowser;
let page: Page;
let consoleWatch: ReturnType<typeof watchConsole>;
let videos: SeededVideo[];
const PASSWORD = "Watching-Closely-1895";

/** Marks the document; a full reload would lose the mark. */
async function markDocument(p: Page) {
  await p.evaluate(() => Object.assign(window, { documentMark: 42 }));
}

async function stillSameDocument(p: Page) {
  expect(await p.evaluate(() => (window as unknown as { documentMark?: number }).documentMark)).toBe(42);
}

beforeAll(async () => {
  server = await startE2eServer();
  const deps = { sql: server.db.sql, config: parseConfig({}) };
  const hana = await registerUser(deps, { username: "hana", email: "hana@example.org", password: PASSWORD, displayName: "Hana's Kitchen" }, { bypassSignupMode: true });
  await registerUser(deps, { username: "kenji", email: "kenji@example.org", password: PASSWORD, displayName: "Kenji" }, { bypassSignupMode: true });
  const channelId = await defaultChannelId(server.db.sql, hana.id);
  videos = await publishPlayableVideos(server.db.sql, server.dataDir, channelId, [
    { name: "Ramen from scratch", description: "Noodles, broth and **patience**.", tags: ["ramen", "cooking"] },
    { name: "Ramen broth basics", tags: ["ramen"] },
    { name: "Tokyo night walk", tags: ["walk"] },
  ]);
  browser = await launchBrowser({ baseURL: server.url });
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  consoleWatch = watchConsole(page);
  await page.goto("/login");
  await page.getByLabel("Username or e-mail").fill("kenji");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

describe("viewer features in English", () => {
  test("search suggests as you type, then ranks the exact title first", async () => {
    await page.goto("/");
    const box = page.locator("#search-q");
    await box.pressSequentially("ramen fr");
    await page.locator("#search-suggestions").getByText("Ramen from scratch").waitFor();
    await screenshot(page, "viewer-search-suggestions-en", { fullPage: false });
    await box.fill("Ramen broth basics");
    await box.press("Enter");
    await page.waitForURL("**/search?**");
    await expect(page.locator(".video-grid .video-title").first().textContent()).resolves.toBe("Ramen broth basics");
    await screenshot(page, "viewer-search-en");
  });

  test("comment, reply and like on the watch page without a reload", async () => {
    await page.goto(`/w/${videos[0]!.shortId}`);
    await markDocument(page);
    await page.locator("#comments").scrollIntoViewIfNeeded();
    const box = page.getByPlaceholder("Add a comment…").or(page.locator("#comment-new"));
    await box.first().fill("Best <b>ramen</b> guide so far, see https://example.org/tips");
    await page.locator("#comments .comment-form button[type=submit]").first().click();
    const comment = page.locator("#comment-threads .comment").first();
    await comment.getByText("Best <b>ramen</b> guide so far").waitFor();
    await expect(comment.locator("a[href='https://example.org/tips']").getAttribute("rel")).resolves.toContain("nofollow");

    await comment.getByRole("button", { name: "Reply" }).click();
    const reply = page.locator(".comment-reply-form textarea");
    await reply.fill("Thanks! The broth takes twelve hours.");
    await page.locator(".comment-reply-form button[type=submit]").click();
    await page.getByText("Thanks! The broth takes twelve hours.").waitFor();

    await page.locator(`#rate-like-${videos[0]!.shortId}`).click();
    await page.locator(`#rate-like-${videos[0]!.shortId}[aria-pressed=true]`).waitFor();
    await expect(page.locator(`#rate-like-${videos[0]!.shortId}`).textContent()).resolves.toContain("1");
    await stillSameDocument(page);
    await screenshot(page, "viewer-watch-comments-en");
  });

  test("a link to one comment (as notifications give) loads the comments and shows that comment", async () => {
    const id = await page.locator("#comment-threads .comment").first().getAttribute("id");
    await page.goto("/");
    await page.goto(`/w/${videos[0]!.shortId}#${id}`);
    // Arrived from elsewhere: the section starts as a placeholder, far below the fold of a 800 px window.
    expect(await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.name)).toContain("#comment-");
    await page.waitForFunction((anchor) => {
      const box = document.getElementById(anchor)?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
    }, id!);
  });

  test("subscribing in place fills the Subscriptions page", async () => {
    await page.goto(`/w/${videos[0]!.shortId}`);
    await markDocument(page);
    await page.locator("form.subscribe button[aria-pressed=false]").click();
    await page.locator("form.subscribe button[aria-pressed=true]").waitFor();
    await stillSameDocument(page);
    await page.goto("/my/subscriptions");
    for (const name of ["Ramen from scratch", "Ramen broth basics", "Tokyo night walk"]) await page.locator(".video-grid").getByText(name).waitFor();
    await screenshot(page, "viewer-subscriptions-en");
  });

  test("saving to Watch later and a new playlist, then playing the playlist in order", async () => {
    for (const [i, v] of videos.slice(0, 2).entries()) {
      await page.goto(`/w/${v.shortId}`);
      await markDocument(page);
      await page.locator("details.save-playlist > summary").click();
      if (i === 0) {
        const saved = page.waitForResponse((r) => r.url().endsWith("/my/playlists/save") && r.ok());
        await page.locator(".save-menu input[name=saved]").first().check();
        await saved;
        await page.locator(".save-menu input[name=saved]:checked").first().waitFor();
        await page.locator(".save-new input[name=name]").fill("Noodle nights");
        await page.locator(".save-new button[type=submit]").click();
      } else {
        await page.locator(".save-menu label", { hasText: "Noodle nights" }).locator("input[name=saved]").check();
      }
      await page.locator(".save-menu label", { hasText: "Noodle nights" }).locator("input[name=saved]:checked").waitFor();
      await stillSameDocument(page);
    }
    await page.goto("/my/playlists");
    await page.getByRole("link", { name: "Noodle nights" }).first().click();
    await page.waitForURL("**/p/**");
    const items = page.locator(".playlist-items li, .playlist-list li");
    await expect(items.count()).resolves.toBe(2);
    await expect(items.first().textContent()).resolves.toContain("Ramen from scratch");
    await page.locator("video").first().waitFor();
    await screenshot(page, "viewer-playlist-en");
    expect(consoleWatch.problems([/Failed to load resource: the server responded with a status of 4\d\d/])).toEqual([]);
  });
});

describe("the same pages in Japanese", () => {
  test("search, watch with comments, subscriptions and playlist pages speak Japanese", async () => {
    await page.setExtraHTTPHeaders({ "accept-language": "ja,en;q=0.5" });
    await page.goto("/search?q=ramen");
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("ja");
    await page.locator("#search-q").waitFor();
    await screenshot(page, "viewer-search-ja");

    await page.goto(`/w/${videos[0]!.shortId}`);
    await page.locator("#comments").scrollIntoViewIfNeeded();
    await page.getByText("Thanks! The broth takes twelve hours.").waitFor();
    await expect(page.locator("#comments").textContent()).resolves.toMatch(/コメント/);
    await screenshot(page, "viewer-watch-comments-ja");

    await page.goto("/my/subscriptions");
    await expect(page.locator("main h1").first().textContent()).resolves.toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    await screenshot(page, "viewer-subscriptions-ja");

    await page.goto("/my/playlists");
    await page.getByRole("link", { name: "Noodle nights" }).first().click();
    await page.waitForURL("**/p/**");
    await page.locator("video").first().waitFor();
    await screenshot(page, "viewer-playlist-ja");
    await page.setExtraHTTPHeaders({});
  });
});
