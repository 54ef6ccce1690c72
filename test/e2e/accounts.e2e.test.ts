/**
 * The foundation as a person uses it, in headless Chromium against a real server:
 * register (with the live availability check), log out and in, create a channel,
 * edit it and upload an avatar, the 404 page and the mobile menu.
 * Every page must load without console errors; CSP violations are console errors.
 * Screenshots go to test/artifacts/ for a human look.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { documentStatusNoise, launchBrowser, makePng, screenshot, startE2eServer, watchConsole, type E2eServer, type TestBrowser } from "../helpers/browser.ts";

// bun test's default is 5 s per test; a browser on a busy 2-core machine needs more, and when a test
// times out bun kills its child processes, Chromium included, which fails every later test too.
setDefaultTimeout(60_000);

const USERNAME = "ada_e2e";
const PASSWORD = "Analytical-Engine-1843";
const CHANNEL = "ada_notes";

let server: E2eServer;
let browser: TestBrowser;
let page: Page;
let consoleWatch: ReturnType<typeof watchConsole>;
let scratch: string;

/** Fails the test with every console error, exception and failed request since the last check. */
function expectCleanConsole(ignore: RegExp[] = []) {
  expect(consoleWatch.problems(ignore)).toEqual([]);
  consoleWatch.clear();
}

/** True once htmx has started, and Alpine too on pages that use it, so interactions are wired before the test clicks. */
async function scriptsReady(p: Page) {
  await p.waitForFunction(() => "htmx" in window && (!document.querySelector("[x-data]") || "Alpine" in window));
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "tubelet-e2e-files-"));
  server = await startE2eServer();
  browser = await launchBrowser({ baseURL: server.url });
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  consoleWatch = watchConsole(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 30_000);

describe("accounts and channels in a browser", () => {
  test("home page renders with the instance name and a way to sign up", async () => {
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe("Tubelet");
    await page.getByRole("heading", { level: 2, name: "Recently added" }).waitFor();
    await page.getByText("No videos yet.").waitFor();
    await page.getByRole("link", { name: "Create account" }).waitFor();
    await scriptsReady(page);
    await screenshot(page, "home-desktop");
    expectCleanConsole();
  });

  test("register: live username check, a refused form, then success lands on the account page", async () => {
    await page.getByRole("link", { name: "Create account" }).click();
    await page.waitForURL("**/register");
    await scriptsReady(page);
    const username = page.getByLabel("Username");

    // A reserved name is refused while typing.
    await username.pressSequentially("admin");
    await page.locator("#f-username-error.error", { hasText: '"admin" is reserved.' }).waitFor();

    // A free one is announced as available.
    await username.fill(USERNAME);
    await page.locator("#f-username-error.ok", { hasText: `@${USERNAME} is available.` }).waitFor();

    await page.getByLabel("Display name (optional)").fill("Ada Lovelace");
    await page.getByLabel("E-mail").fill("ada@example.org");
    // Focus is visible on the field being typed in; keep that state in a screenshot.
    await page.getByLabel("Password").focus();
    await screenshot(page, "register-filled");

    // Too short a password: the server says why and keeps what was typed.
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#f-password-error", { hasText: "Use at least 8 characters." }).waitFor();
    await expect(page.getByLabel("Username").inputValue()).resolves.toBe(USERNAME);
    await screenshot(page, "register-errors");
    // The refusal answers 400, which Chromium reports on the console; nothing else may appear.
    expectCleanConsole([documentStatusNoise(page.url(), 400)]);

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`**/a/${USERNAME}`);
    await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor();
    await page.locator(".nav-user", { hasText: "Ada Lovelace" }).waitFor();
    await expect(page.locator(".handle").textContent()).resolves.toContain(`@${USERNAME}@`);
    await screenshot(page, "account-page");
    expectCleanConsole();
  });

  test("log out, then log in again through the login page", async () => {
    // The account's own pages are behind its name in the header.
    const logOut = page.getByRole("button", { name: "Log out" });
    await expect(logOut.isVisible()).resolves.toBe(false);
    await page.locator(".nav-user").click();
    await screenshot(page, "account-menu-open");
    await page.keyboard.press("Escape");
    await expect(logOut.isVisible()).resolves.toBe(false);
    await page.locator(".nav-user").click();
    await logOut.click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("link", { name: "Log in" }).waitFor();
    expect(await page.locator(".nav-user").count()).toBe(0);

    await page.getByRole("link", { name: "Log in" }).click();
    await page.waitForURL("**/login**");
    await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
    await screenshot(page, "login");

    // A wrong password is refused with a message, and the login is kept.
    await page.getByLabel("Username or e-mail").fill(USERNAME);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".alert-error").waitFor();
    await screenshot(page, "login-error");
    await expect(page.getByLabel("Username or e-mail").inputValue()).resolves.toBe(USERNAME);
    expectCleanConsole([documentStatusNoise(page.url(), 401)]);

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.locator(".nav-user", { hasText: "Ada Lovelace" }).waitFor();
    expectCleanConsole();
  });

  test("create a channel from My channels and open its page", async () => {
    await page.locator(".nav-user").click();
    await page.getByRole("link", { name: "My channels" }).click();
    await page.waitForURL("**/my/channels");
    await scriptsReady(page);
    // The account's default channel is listed already.
    await page.locator(".channel-list .channel-item").first().waitFor();

    // The account's own name is taken for channels too.
    const handle = page.getByLabel("Handle");
    await handle.pressSequentially(USERNAME);
    await page.locator("#f-handle-error.error", { hasText: "already used" }).waitFor();
    await handle.fill(CHANNEL);
    await page.locator("#f-handle-error.ok", { hasText: `@${CHANNEL} is available.` }).waitFor();

    await page.getByLabel("Display name").fill("Notes on the Engine");
    await page.getByLabel("Description").fill("Short films about the Analytical Engine.\nA new one every month.");
    await page.getByLabel("Support text").fill("Tell a friend.");
    await screenshot(page, "my-channels-create");
    await page.getByRole("button", { name: "Create channel" }).click();

    await page.waitForURL(`**/c/${CHANNEL}`);
    await page.getByRole("heading", { level: 1, name: "Notes on the Engine" }).waitFor();
    await page.getByText("Short films about the Analytical Engine.").waitFor();
    await page.getByRole("heading", { name: "Support this channel" }).waitFor();
    await page.getByRole("link", { name: "Edit channel" }).waitFor();
    await screenshot(page, "channel-page");
    expectCleanConsole();
  });

  test("edit the channel and upload an avatar", async () => {
    const png = await makePng(scratch);
    await page.getByRole("link", { name: "Edit channel" }).click();
    await page.waitForURL(`**/c/${CHANNEL}/edit`);
    await scriptsReady(page);
    expect(await page.locator(".avatar-row img.avatar").count()).toBe(0);

    await page.getByLabel("Display name").fill("Notes on the Analytical Engine");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(`**/c/${CHANNEL}/edit?saved=1`);
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    await page.getByLabel("Image", { exact: true }).setInputFiles(png);
    await page.getByRole("button", { name: "Upload avatar" }).click();
    await page.waitForURL(`**/c/${CHANNEL}/edit?avatar=1`);
    await page.getByRole("status").filter({ hasText: "Avatar updated." }).waitFor();
    const avatar = page.locator(".avatar-row img.avatar");
    await avatar.waitFor();
    // The image really loads (not a broken link): it has pixels, and is square after cropping.
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>(".avatar-row img.avatar");
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    const size = await avatar.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size[0]).toBe(size[1]!);
    await screenshot(page, "channel-edit-avatar");
    expectCleanConsole();

    await page.goto(`/c/${CHANNEL}`);
    await page.getByRole("heading", { level: 1, name: "Notes on the Analytical Engine" }).waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>(".profile img.avatar");
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    await screenshot(page, "channel-page-avatar");
    expectCleanConsole();
  });

  test("an unknown page answers 404 with a friendly page", async () => {
    const response = await page.goto("/c/no_such_channel");
    expect(response?.status()).toBe(404);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await page.getByRole("link", { name: "Back to the home page" }).waitFor();
    await screenshot(page, "not-found");
    // Chromium reports the 404 status of the document itself; nothing else may appear.
    expectCleanConsole([documentStatusNoise(page.url())]);

    const other = await page.goto("/no/such/page");
    expect(other?.status()).toBe(404);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    expectCleanConsole([documentStatusNoise(page.url())]);
  });

  test("keyboard: the first Tab shows the skip link, which moves focus to the content", async () => {
    await page.goto("/");
    await scriptsReady(page);
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe("Skip to content");
    const box = await page.locator("a.skip").boundingBox();
    expect(box && box.x >= 0 && box.y >= 0).toBe(true);
    await screenshot(page, "keyboard-skip-link", { fullPage: false });
    // Next stops: the logo, then the search box; each shows a focus ring.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("search-q");
    await page.keyboard.press("Tab");
    await screenshot(page, "keyboard-focus-nav", { fullPage: false });
    await page.goto("/");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/#main");
    expectCleanConsole();
  });

  test("at 360 px the menu opens with the toggle (logged out and in)", async () => {
    const mobile = await browser.newPage({ width: 360, height: 740 });
    const watch = watchConsole(mobile);
    try {
      await mobile.goto(server.url + "/");
      await scriptsReady(mobile);
      const nav = mobile.locator("#nav");
      const toggle = mobile.getByRole("button", { name: "Menu" });
      await expect(nav.isVisible()).resolves.toBe(false);
      await screenshot(mobile, "home-mobile");
      await toggle.click();
      await nav.waitFor({ state: "visible" });
      await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("true");
      await mobile.locator(".nav-user").click();
      await mobile.getByRole("link", { name: "My channels" }).waitFor();
      await screenshot(mobile, "home-mobile-menu-open");
      // Nothing may stick out sideways at 360 px.
      const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
      await toggle.click();
      await nav.waitFor({ state: "hidden" });

      await mobile.goto(server.url + `/c/${CHANNEL}/edit`);
      await mobile.getByRole("heading", { level: 1 }).waitFor();
      await screenshot(mobile, "channel-edit-mobile");
      const editOverflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(editOverflow).toBe(0);

      // Logged out, the menu offers to log in and sign up.
      await mobile.context().clearCookies();
      await mobile.goto(server.url + "/register");
      await scriptsReady(mobile);
      await mobile.getByRole("button", { name: "Menu" }).click();
      await mobile.getByRole("link", { name: "Create account" }).first().waitFor();
      await screenshot(mobile, "register-mobile-menu-open");
      expect(watch.problems()).toEqual([]);
    } finally {
      await mobile.close();
    }
  });

  test("dark colour scheme renders the home page", async () => {
    const dark = await browser.newPage();
    const watch = watchConsole(dark);
    try {
      await dark.emulateMedia({ colorScheme: "dark" });
      await dark.goto(server.url + "/");
      await dark.getByRole("heading", { level: 1 }).waitFor();
      await screenshot(dark, "home-dark");
      await dark.goto(server.url + "/register");
      await dark.getByRole("heading", { level: 1 }).waitFor();
      await screenshot(dark, "register-dark");
      expect(watch.problems()).toEqual([]);
    } finally {
      await dark.close();
    }
  });
});
