/**
 * Redundancy settings: the configuration's defaults, overridden by what the administrators saved on the admin page.
 * The form parser is pure, so its error messages are tested without a server.
 */
import type { Config, RedundancyConfig } from "../config.ts";
import type { Db } from "../db/client.ts";

export type AcceptFrom = RedundancyConfig["acceptFrom"];
export const ACCEPT_FROM: readonly AcceptFrom[] = ["nobody", "anybody", "followings"];

/** What the admin page edits: everything in RedundancyConfig but the interval, which the running server owns. */
export type RedundancySettings = Omit<RedundancyConfig, "intervalSeconds">;

export type StrategyName = "most-viewed" | "trending" | "recently-added";
export const STRATEGIES: readonly StrategyName[] = ["most-viewed", "trending", "recently-added"];

/** The settings of one strategy by its name. */
export function strategySettings(settings: RedundancySettings, name: StrategyName) {
  return name === "most-viewed" ? settings.mostViewed : name === "trending" ? settings.trending : settings.recentlyAdded;
}

/** The configuration's redundancy settings, as the page shows them before any change. */
export function settingsFromConfig(config: Config): RedundancySettings {
  const { intervalSeconds: _, ...rest } = config.redundancy;
  return rest;
}

/** The settings in force: the saved ones when an administrator changed them, else the configuration's. */
export async function loadRedundancySettings(sql: Db, config: Config): Promise<RedundancySettings> {
  const [row] = await sql<{ settings: RedundancySettings }[]>`SELECT settings FROM redundancy_settings WHERE id = 1`;
  return row ? { ...settingsFromConfig(config), ...row.settings } : settingsFromConfig(config);
}

export async function saveRedundancySettings(sql: Db, settings: RedundancySettings): Promise<void> {
  await sql`
    INSERT INTO redundancy_settings (id, settings) VALUES (1, ${sql.json(settings as never)})
    ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`;
}

const GIB = 1024 ** 3;

/** A form field as a whole number within bounds; the message names the field as the page labels it. */
function wholeNumber(form: Record<string, unknown>, name: string, label: string, max: number, errors: string[]): number {
  const raw = typeof form[name] === "string" ? (form[name] as string).trim() : "";
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > max) {
    errors.push(`${label} must be a number from 0 to ${max}.`);
    return 0;
  }
  return Number(raw);
}

/**
 * Reads the admin form: sizes in GiB (decimals allowed), lifetimes in hours, counts. Returns the settings or every
 * problem found, so the page can show them all at once.
 */
export function parseSettingsForm(form: Record<string, unknown>): { settings: RedundancySettings } | { errors: string[] } {
  const errors: string[] = [];
  const acceptFrom = form.acceptFrom;
  if (typeof acceptFrom !== "string" || !(ACCEPT_FROM as readonly string[]).includes(acceptFrom)) {
    errors.push("Choose who may mirror our videos: nobody, anybody or the instances we follow.");
  }
  const strategy = (prefix: string, label: string) => ({
    sizeBytes: Math.round(wholeNumber(form, `${prefix}Size`, `${label}: size (GiB)`, 1_000_000, errors) * GIB),
    minLifetimeHours: Math.floor(wholeNumber(form, `${prefix}Lifetime`, `${label}: minimum lifetime (hours)`, 24 * 365, errors)),
  });
  const settings: RedundancySettings = {
    enabled: form.enabled === "on" || form.enabled === "true",
    maxItems: Math.floor(wholeNumber(form, "maxItems", "Most mirrored videos in all", 1_000_000, errors)),
    acceptFrom: (acceptFrom as AcceptFrom) ?? "nobody",
    mostViewed: strategy("mostViewed", "Most viewed"),
    trending: strategy("trending", "Trending"),
    recentlyAdded: { ...strategy("recentlyAdded", "Recently added"), minViews: Math.floor(wholeNumber(form, "recentlyAddedMinViews", "Recently added: minimum views", 1_000_000_000, errors)) },
  };
  return errors.length ? { errors } : { settings };
}
