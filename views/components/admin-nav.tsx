/** The links between the administration pages, shown above each of them. */
import type { PageContext } from "../context.ts";

const PAGES = [
  { href: "/admin/users", key: "admin.nav.users" },
  { href: "/admin/p2p", key: "admin.nav.p2p" },
  { href: "/admin/federation", key: "admin.nav.federation" },
  { href: "/admin/federation/following", key: "admin.nav.follows" },
  { href: "/admin/runners", key: "admin.nav.runners" },
  { href: "/admin/redundancy", key: "admin.nav.redundancy" },
] as const;

export function AdminNav({ page, current }: { page: PageContext; current: (typeof PAGES)[number]["href"] }) {
  return (
    <nav class="admin-nav" aria-label={page.t("admin.title")}>
      {PAGES.map((p) =>
        p.href === current ? (
          <a href={p.href} aria-current="page" safe>
            {page.t(p.key)}
          </a>
        ) : (
          <a href={p.href} safe>
            {page.t(p.key)}
          </a>
        ),
      )}
    </nav>
  );
}
