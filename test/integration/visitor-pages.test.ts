/**
 * With listing and page reuse on (as in production), visitors share renders of public pages but never a CSRF token,
 * forms on a reused page still work, and logged-in people see their own state at once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { defaultChannelId, seedVideo, type SeededVideo } from "../helpers/videos.ts";

let t: TestApp;
let video: SeededVideo;
let owner: { username: string; password: string; id: number };

beforeAll(async () => {
  t = await createTestApp({ TUBELET_LISTING_CACHE_MS: "60000" });
  owner = await t.createUser("reuse_owner");
  video = await seedVideo(t.db.sql, { channelId: await defaultChannelId(t.db.sql, owner.id), name: "Shared render" });
});
afterAll(() => t.close());

const tokenIn = (html: string) => /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];

test("two visitors of a reused watch page each get the token of their own cookie, and their forms work", async () => {
  const a = t.client("203.0.113.1");
  const b = t.client("203.0.113.2");
  const pageA = await a.page(`/w/${video.shortId}`);
  const pageB = await b.page(`/w/${video.shortId}`);
  expect(pageA.status).toBe(200);
  expect(tokenIn(pageA.html)).toBe(a.cookies.get("tubelet_csrf"));
  expect(tokenIn(pageB.html)).toBe(b.cookies.get("tubelet_csrf"));
  expect(tokenIn(pageA.html)).not.toBe(tokenIn(pageB.html));
  // Every form and htmx header on the page carries the visitor's own token, none the placeholder.
  expect(pageB.html).not.toContain(tokenIn(pageA.html)!);
  expect(pageB.html).not.toMatch(/csrf-[0-9a-f]{32}/);
  // The language switcher is a form on every page: it must accept the visitor's token.
  const switched = await b.submit("/settings/locale", { locale: "ja", next: `/w/${video.shortId}` });
  expect(switched.status).toBe(303);
  expect((await b.page(`/w/${video.shortId}`)).html).toContain('<html lang="ja">');
});

test("a logged-in viewer sees their own like at once, while visitors share the page", async () => {
  const c = t.client("203.0.113.3");
  await c.login(owner.username, owner.password);
  await c.page(`/w/${video.shortId}`);
  const res = await c.fetch(`/w/${video.shortId}/rate`, {
    method: "POST",
    body: new URLSearchParams({ rating: "like" }),
    headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": c.csrf, "hx-request": "true" },
  });
  expect(res.status).toBe(200);
  const mine = await c.page(`/w/${video.shortId}`);
  expect(mine.html).toContain(`id="rate-like-${video.shortId}" class="button rate-button rate-on"`);
  expect(mine.html).not.toMatch(/csrf-[0-9a-f]{32}/);
});
