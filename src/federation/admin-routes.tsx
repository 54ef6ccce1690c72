/** /admin/federation: the blocklist page. Administrators only; forms carry the CSRF token like every other form. */
import { Elysia } from "elysia";
import type { contextPlugin, AppDeps } from "../http/context.ts";
import { requireAdmin } from "../http/context.ts";
import { field } from "../http/forms.ts";
import { AdminFederationPage, type BlockView } from "../../views/pages/admin-federation.tsx";
import type { PageContext } from "../../views/context.ts";
import { fetcherFor } from "./actors.ts";
import * as bq from "./block-queries.ts";
import { lookUpRemoteActor, parseRemoteHandle } from "./lookup.ts";
import { findRemoteActorByUri } from "./queries.ts";

/** What the admin typed: a server's host (with a port when not default), or an account by handle or id. */
export type BlockTarget = { kind: "domain"; domain: string } | { kind: "account"; query: string } | null;

/** Reads the block form's field; null when it is neither a host name nor an account. */
export function parseBlockTarget(raw: string): BlockTarget {
  const text = raw.trim();
  if (parseRemoteHandle(text)) return { kind: "account", query: text };
  if (/^https?:\/\/[^\s]+$/i.test(text)) {
    try {
      return { kind: "account", query: new URL(text).href };
    } catch {
      return null;
    }
  }
  const domain = text.toLowerCase().replace(/\.$/, "");
  return /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/.test(domain) ? { kind: "domain", domain } : null;
}

async function blocksPage(deps: AppDeps, page: PageContext, messages: { notice?: string; error?: string } = {}) {
  const rows = await bq.listBlocks(deps.sql);
  const blocks: BlockView[] = rows.map((r) => ({
    id: r.id,
    kind: r.domain ? "domain" : "account",
    label: r.domain ?? `@${r.actorHandle}@${r.actorDomain}`,
    createdAt: r.createdAt,
  }));
  return <AdminFederationPage page={page} blocks={blocks} notice={messages.notice} error={messages.error} />;
}

/** The remote actor an account target names: from the cache when known, else looked up (WebFinger or its id). */
async function actorFor(deps: AppDeps, query: string): Promise<number> {
  const handle = parseRemoteHandle(query);
  if (handle) {
    const [row] = await deps.sql<{ id: number }[]>`
      SELECT id::int FROM actors WHERE handle = ${handle.name.toLowerCase()} AND domain = ${handle.host}`;
    if (row) return row.id;
  } else {
    const cached = await findRemoteActorByUri(deps.sql, query);
    if (cached) return cached.id;
  }
  const fed = { sql: deps.sql, config: deps.config, fetcher: fetcherFor(deps.config) };
  return (await lookUpRemoteActor(fed, query)).id;
}

export function federationAdminRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "federation-admin" })
    .use(context)
    .get("/admin/federation", async ({ deps, user, page, query }) => {
      requireAdmin(user);
      const notice = query.blocked ? page.t("admin.federation.blockedNotice", { target: String(query.blocked) })
        : query.unblocked ? page.t("admin.federation.unblockedNotice") : undefined;
      return blocksPage(deps, page, { notice });
    })
    .post("/admin/federation/blocks", async ({ deps, user, page, body, redirect, set }) => {
      requireAdmin(user);
      const target = parseBlockTarget(field(body, "target") ?? "");
      if (!target) {
        set.status = 400;
        return blocksPage(deps, page, { error: page.t("admin.federation.invalid") });
      }
      if (target.kind === "domain") {
        await bq.blockDomain(deps.sql, target.domain);
        return redirect(`/admin/federation?blocked=${encodeURIComponent(target.domain)}`, 303);
      }
      let actorId: number;
      try {
        actorId = await actorFor(deps, target.query);
      } catch (error) {
        set.status = 400;
        return blocksPage(deps, page, { error: page.t("admin.federation.notFound", { reason: (error as Error).message }) });
      }
      await bq.blockActor(deps.sql, actorId);
      return redirect(`/admin/federation?blocked=${encodeURIComponent(target.query)}`, 303);
    })
    .post("/admin/federation/blocks/:id/delete", async ({ deps, user, params, redirect }) => {
      requireAdmin(user);
      if (/^\d{1,15}$/.test(params.id)) await bq.unblock(deps.sql, Number(params.id));
      return redirect("/admin/federation?unblocked=1", 303);
    });
}
