/** The runners administration page in Chromium: generate a registration token, see a runner register with it, unregister it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { parseConfig } from "../../src/config.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { launchBrowser, screenshot, startE2eServer, watchConsole, type E2eServer, type TestBrowser } from "../helpers/browser.ts";

let server: E2eServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  server = await startE2eServer({ TUBELET_TRANSCODING_MODE: "both" });
  const config = parseConfig({ DATABASE_URL: server.db.url });
  await registerUser({ sql: server.db.sql, config }, { username: "boss", email: "boss@example.org", password: "Correct-Horse-42", role: "admin" }, { bypassSignupMode: true });
  browser = await launchBrowser({ baseURL: server.url });
  page = await browser.newPage();
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

describe("runners administration page", () => {
  test("an administrator generates a token, sees the runner it registered, and unregisters it", async () => {
    const problems = watchConsole(page);
    await page.goto("/login");
    await page.getByLabel("Username or e-mail").fill("boss");
    await page.getByLabel("Password").fill("Correct-Horse-42");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.goto("/admin/runners");
    await page.getByText("Transcoding mode: both.").waitFor();
    await page.getByText("No registration token yet.").waitFor();
    await page.getByRole("button", { name: "Generate a registration token" }).click();
    await page.getByText("A new registration token was generated.").waitFor();
    const token = (await page.locator("table code").first().textContent())!.trim();
    expect(token).toMatch(/^ptrrt-/);

    const registered = await fetch(`${server.url}/api/v1/runners/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ registrationToken: token, name: "gpu-box <b>1</b>" }),
    });
    expect(registered.status).toBe(200);
    await page.reload();
    // The runner's name is shown as text, never as markup.
    await page.getByRole("cell", { name: "gpu-box <b>1</b>" }).waitFor();
    await screenshot(page, "admin-runners");
    await page.getByRole("button", { name: "Unregister" }).click();
    await page.getByText("No runner is registered.").waitFor();
    expect(problems.problems()).toEqual([]);
  }, 60_000);
});
