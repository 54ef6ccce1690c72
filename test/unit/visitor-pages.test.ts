import { expect, test } from "bun:test";
import { createMicroCache } from "../../src/http/micro-cache.ts";
import { createVisitorPages } from "../../src/http/visitor-pages.ts";
import { testPage } from "../helpers/page.ts";

const viewer = { id: 1, handle: "ana", displayName: "Ana", role: "user" as const, avatarUrl: null, unreadNotifications: 0, sensitivePolicy: "blur" as const };

function setup() {
  const pages = createVisitorPages(createMicroCache({ ttlMs: 60_000, maxEntries: 100 }));
  let renders = 0;
  const render = (page: { csrfToken: string; path: string }) => `<form><input name="_csrf" value="${page.csrfToken}"/>${page.path} #${++renders}</form>`;
  return { pages, render, renders: () => renders };
}

test("visitors share one render per path and key, each with their own CSRF token", async () => {
  const { pages, render, renders } = setup();
  const a = await pages.render(testPage({ csrfToken: "token-a", path: "/w/x" }), "watch", render);
  const b = await pages.render(testPage({ csrfToken: "token-b", path: "/w/x" }), "watch", render);
  expect(a).toBe('<form><input name="_csrf" value="token-a"/>/w/x #1</form>');
  expect(b).toBe('<form><input name="_csrf" value="token-b"/>/w/x #1</form>');
  expect(renders()).toBe(1);
  await pages.render(testPage({ csrfToken: "token-c", path: "/w/y" }), "watch", render);
  await pages.render(testPage({ csrfToken: "token-c", path: "/w/x" }), "watch:p2p", render);
  await pages.render(testPage({ csrfToken: "token-c", path: "/w/x", locale: "ja" }), "watch", render);
  expect(renders()).toBe(4);
});

test("logged-in people always get a fresh render with their own page", async () => {
  const { pages, render, renders } = setup();
  const first = await pages.render(testPage({ csrfToken: "mine", path: "/", viewer }), "home", render);
  const second = await pages.render(testPage({ csrfToken: "mine", path: "/", viewer }), "home", render);
  expect(first).toContain('value="mine"');
  expect(second).toContain("#2");
  expect(renders()).toBe(2);
});

test("a failed render is not kept", async () => {
  const { pages, render } = setup();
  await expect(pages.render(testPage({ path: "/w/gone" }), "watch", () => Promise.reject(new Error("not found")))).rejects.toThrow("not found");
  expect(await pages.render(testPage({ csrfToken: "t2", path: "/w/gone" }), "watch", render)).toContain("#1");
});
