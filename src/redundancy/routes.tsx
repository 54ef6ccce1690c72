/** /admin/redundancy: settings, the list of our mirrors, mirroring by hand, removing, and "run now". Administrators only. */
import { Elysia } from "elysia";
import type { AppDeps, contextPlugin } from "../http/context.ts";
import { requireAdmin } from "../http/context.ts";
import { field } from "../http/forms.ts";
import { formatBytes } from "../videos/metadata.ts";
import { fetcherFor } from "../federation/actors.ts";
import { RefusedFetchError } from "../federation/fetcher.ts";
import type { PageContext } from "../../views/context.ts";
import { AdminRedundancyPage, type RedundancyFormValues } from "../../views/pages/admin-redundancy.tsx";
import { MirrorError } from "./hls-copy.ts";
import * as q from "./queries.ts";
import { flushBytesServed, ManualMirrorError, mirrorByHand, removeMirrorByHand, runRedundancyOnce, type RedundancyDeps } from "./service.ts";
import {
  ACCEPT_FROM,
  GIB,
  loadRedundancySettings,
  parseSettingsForm,
  saveRedundancySettings,
  STRATEGIES,
  STRATEGY_KEYS,
  strategySettings,
  type RedundancySettings,
  type SettingsFormError,
  type StrategyName,
} from "./settings.ts";

const NOTICES = ["saved", "started", "mirrored", "removed"] as const;

/** The form's rows of strategies, in the order of STRATEGIES, with their values. */
function strategyRows(page: PageContext, values: (name: StrategyName) => { size: string; lifetime: string }): RedundancyFormValues["strategies"] {
  return STRATEGIES.map((name) => ({ prefix: STRATEGY_KEYS[name], label: page.t(`admin.redundancy.strategy.${name}`), ...values(name) }));
}

/** The settings as the form shows them: sizes in GiB. */
function formValues(s: RedundancySettings, page: PageContext): RedundancyFormValues {
  const gib = (bytes: number) => String(Math.round((bytes / GIB) * 1000) / 1000);
  return {
    enabled: s.enabled,
    acceptFrom: s.acceptFrom,
    maxItems: String(s.maxItems),
    recentlyAddedMinViews: String(s.recentlyAdded.minViews),
    strategies: strategyRows(page, (name) => {
      const { sizeBytes, minLifetimeHours } = strategySettings(s, name);
      return { size: gib(sizeBytes), lifetime: String(minLifetimeHours) };
    }),
  };
}

/** The form as typed, when it has errors (so nothing typed is lost). */
function typedValues(body: Record<string, unknown>, page: PageContext): RedundancyFormValues {
  const f = (name: string) => field(body, name);
  return {
    enabled: f("enabled") === "on",
    acceptFrom: ACCEPT_FROM.find((v) => v === f("acceptFrom")) ?? "nobody",
    maxItems: f("maxItems"),
    recentlyAddedMinViews: f("recentlyAddedMinViews"),
    strategies: strategyRows(page, (name) => ({ size: f(`${STRATEGY_KEYS[name]}Size`), lifetime: f(`${STRATEGY_KEYS[name]}Lifetime`) })),
  };
}

/** A form problem in the page's language, naming the field as its label does. */
function errorText(error: SettingsFormError, page: PageContext): string {
  const t = page.t;
  if (error.field === "acceptFrom") return t("admin.redundancy.error.acceptFrom");
  const match = /^(mostViewed|trending|recentlyAdded)(Size|Lifetime|MinViews)$/.exec(error.field);
  const part = match ? t(match[2] === "Size" ? "admin.redundancy.size" : match[2] === "Lifetime" ? "admin.redundancy.lifetime" : "admin.redundancy.minViews") : "";
  const strategy = STRATEGIES.find((name) => STRATEGY_KEYS[name] === match?.[1]);
  const field = strategy ? `${t(`admin.redundancy.strategy.${strategy}`)}: ${part}` : t("admin.redundancy.maxItems");
  return t("admin.redundancy.error.number", { field, max: error.max ?? 0 });
}

function redundancyDeps(deps: AppDeps): RedundancyDeps {
  return { ...deps, fetcher: fetcherFor(deps.config) };
}

async function adminPage(deps: AppDeps, page: PageContext, extra: { notice?: string; errors?: string[]; values?: RedundancyFormValues } = {}) {
  await flushBytesServed(deps).catch(() => {});
  const [settings, mirrors, [others]] = await Promise.all([
    loadRedundancySettings(deps.sql, deps.config),
    q.listMirrors(deps.sql),
    deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM video_redundancies WHERE expires_at IS NULL OR expires_at > now()`,
  ]);
  return (
    <AdminRedundancyPage
      page={page}
      values={extra.values ?? formValues(settings, page)}
      mirrors={mirrors.map((m) => ({
        id: m.id,
        name: m.name,
        href: `/w/${m.shortId}`,
        originHost: m.originDomain,
        size: formatBytes(m.sizeBytes),
        strategy: page.t(`admin.redundancy.strategy.${m.strategy}`),
        createdAt: m.createdAt,
        served: formatBytes(m.bytesServed),
      }))}
      mirroredByOthers={others!.n}
      intervalText={page.t("admin.redundancy.interval", { seconds: deps.config.redundancy.intervalSeconds })}
      notice={extra.notice}
      errors={extra.errors}
    />
  );
}

/** The remote video an admin names: its page here (/w/ID), its id on its origin, or its uuid. */
async function videoNamed(deps: AppDeps, text: string): Promise<number | null> {
  const trimmed = text.trim();
  const local = /\/w\/([\w-]+)\/?$/.exec(trimmed)?.[1] ?? trimmed;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(local) ? local.toLowerCase() : null;
  const [row] = await deps.sql<{ id: number }[]>`
    SELECT id::int FROM videos WHERE ap_id = ${trimmed} OR short_id = ${local} ${uuid ? deps.sql`OR uuid = ${uuid}::uuid` : deps.sql``} LIMIT 1`;
  return row?.id ?? null;
}

export function redundancyRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "redundancy-admin" })
    .use(context)
    .get("/admin/redundancy", async ({ deps, user, page, query }) => {
      requireAdmin(user);
      // Only our own messages are shown, by key: a crafted link cannot put words on this page.
      const key = NOTICES.find((n) => n === query.done);
      return adminPage(deps, page, { notice: key ? page.t(`admin.redundancy.done.${key}`) : undefined });
    })
    .post("/admin/redundancy/settings", async ({ deps, user, page, body, set, redirect }) => {
      requireAdmin(user);
      const form = (body ?? {}) as Record<string, unknown>;
      const parsed = parseSettingsForm(form);
      if ("errors" in parsed) {
        set.status = 400;
        return adminPage(deps, page, { errors: parsed.errors.map((e) => errorText(e, page)), values: typedValues(form, page) });
      }
      await saveRedundancySettings(deps.sql, parsed.settings);
      return redirect("/admin/redundancy?done=saved", 303);
    })
    .post("/admin/redundancy/run", async ({ deps, user, page, redirect }) => {
      requireAdmin(user);
      // The run may download whole videos: it goes on after the answer, and the page shows its results on reload.
      runRedundancyOnce(redundancyDeps(deps)).catch((error: Error) => console.error(`redundancy: ${error.message}`));
      return redirect("/admin/redundancy?done=started", 303);
    })
    .post("/admin/redundancy/mirrors", async ({ deps, user, page, body, set, redirect }) => {
      requireAdmin(user);
      const videoId = await videoNamed(deps, field(body, "video"));
      if (videoId === null) {
        set.status = 404;
        return adminPage(deps, page, { errors: [page.t("admin.redundancy.unknownVideo")] });
      }
      try {
        await mirrorByHand(redundancyDeps(deps), videoId);
        return redirect("/admin/redundancy?done=mirrored", 303);
      } catch (error) {
        if (!(error instanceof ManualMirrorError) && !(error instanceof MirrorError) && !(error instanceof RefusedFetchError)) throw error;
        set.status = error instanceof ManualMirrorError ? 409 : 502;
        return adminPage(deps, page, { errors: [error.message] });
      }
    })
    .post("/admin/redundancy/mirrors/:id/delete", async ({ deps, user, page, params, redirect }) => {
      requireAdmin(user);
      if (/^\d{1,15}$/.test(params.id)) await removeMirrorByHand(redundancyDeps(deps), Number(params.id));
      return redirect("/admin/redundancy?done=removed", 303);
    });
}
