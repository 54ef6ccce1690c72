/**
 * The follows administration page in Chromium, on instance A (manual approval on) with B beside it: A's admin
 * reaches the page from the admin navigation, is told clearly that A cannot follow itself, follows B by host and
 * sees it accepted, then accepts B's pending follow of A.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { registerUser } from "../../src/accounts/service.ts";
import { documentStatusNoise, launchBrowser, screenshot, watchConsole, type TestBrowser } from "../helpers/browser.ts";
import { loggedInClient, startInstance, type Instance } from "../helpers/federation.ts";
import { waitFor } from "../helpers/processes.ts";

const PASSWORD = "Correct-Horse-42";
let a: Instance;
let b: Instance;
let browser: TestBrowser;

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance("fa", { TUBELET_FEDERATION_MANUAL_APPROVAL: "true" }), startInstance("fb")]);
  for (const instance of [a, b]) {
    await registerUser({ sql: instance.db.sql, config: instance.config }, { username: "boss", email: "boss@example.org", password: PASSWORD, role: "admin" }, { bypassSignupMode: true });
  }
  browser = await launchBrowser({ baseURL: a.url });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
}, 30_000);

const host = (i: Instance) => new URL(i.url).host;

test("an administrator follows an instance, sees errors in words, and accepts a pending follower", async () => {
  const page: Page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const problems = watchConsole(page);
  await page.goto("/login");
  await page.getByLabel("Username or e-mail").fill("boss");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.goto("/admin/federation");
  await page.getByRole("navigation").getByRole("link", { name: "Follows" }).click();
  await page.getByRole("heading", { name: "Instances we follow" }).waitFor();
  await page.getByText("This instance follows no other instance yet.").waitFor();

  await page.getByLabel("Instance (host name) or actor address").fill(host(a));
  await page.getByRole("button", { name: "Follow", exact: true }).click();
  await page.getByRole("alert").getByText("is this instance: it cannot follow itself").waitFor();
  expect(await page.getByLabel("Instance (host name) or actor address").inputValue()).toBe(host(a));
  await screenshot(page, "admin-follows-error");

  await page.getByLabel("Instance (host name) or actor address").fill(host(b));
  await page.getByRole("button", { name: "Follow", exact: true }).click();
  await page.getByText(`Follow sent to peertube@${host(b)}`).waitFor();
  await waitFor("A's follow of B to show as accepted", async () => {
    await page.reload();
    return (await page.locator("#following").getByRole("row", { name: `peertube@${host(b)}` }).textContent())?.includes("accepted") ?? false;
  }, { timeoutMs: 20_000 });

  // B follows A: under manual approval it waits for this administrator.
  const bBoss = await loggedInClient(b, "boss", PASSWORD);
  await bBoss.page("/admin/federation/following");
  expect((await bBoss.submit("/admin/federation/following", { target: host(a) })).status).toBe(303);
  const pendingRow = page.locator("#followers").getByRole("row", { name: `peertube@${host(b)}` });
  await waitFor("B's follow to show as pending", async () => {
    await page.reload();
    return (await pendingRow.count()) > 0;
  }, { timeoutMs: 20_000 });
  await page.getByText("Follows of the instance wait for your answer").waitFor();
  expect(await pendingRow.textContent()).toContain("pending");
  await screenshot(page, "admin-follows-pending", { fullPage: true });
  await pendingRow.getByRole("button", { name: "Accept" }).click();
  await page.getByText("Follower accepted.").waitFor();
  expect(await pendingRow.textContent()).toContain("accepted");
  await expect(pendingRow.getByRole("button", { name: "Remove" }).count()).resolves.toBe(1);
  await screenshot(page, "admin-follows", { fullPage: true });
  // The refused follow answered its page with a 400, on purpose.
  expect(problems.problems([documentStatusNoise(`${a.url}/admin/federation/following`, 400)])).toEqual([]);
}, 90_000);
