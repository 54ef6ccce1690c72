/**
 * Pages as visitors who are not logged in see them are the same for everyone with the same language and
 * choices, except for the CSRF token. Such a page is rendered once per key and TTL (config.listingCacheMs) with a
 * placeholder where the token goes, and the token is swapped in per request: a busy watch or home page then costs
 * a string replacement instead of queries and a render. Logged-in people always get a fresh render.
 */
import type { PageContext } from "../../views/context.ts";
import type { MicroCache } from "./micro-cache.ts";

export interface VisitorPages {
  /**
   * `render(page)` for a logged-in viewer; for a visitor, the cached render for this path and `key` (what else the
   * page depends on: the P2P choice, an htmx fragment) with this request's token.
   */
  render(page: PageContext, key: string, render: (page: PageContext) => unknown): Promise<string>;
}

export function createVisitorPages(cache: MicroCache<unknown>): VisitorPages {
  // Random per process, so no text a user writes can contain it.
  const placeholder = `csrf-${crypto.randomUUID().replaceAll("-", "")}`;
  return {
    async render(page, key, render) {
      if (page.viewer) return String(await render(page));
      const html = (await cache.get(`visitor:${page.locale}:${page.path}:${key}`, async () => String(await render({ ...page, csrfToken: placeholder })))) as string;
      return html.replaceAll(placeholder, page.csrfToken);
    },
  };
}
