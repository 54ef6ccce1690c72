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

/** The settings key (and the admin form's field prefix) of each strategy. */
export const STRATEGY_KEYS = { "most-viewed": "mostViewed", trending: "trending", "recently-added": "recentlyAdded" } as const;
export type StrategyKey = (typeof STRATEGY_KEYS)[StrategyName];

/** The settings of one strategy by its name. */
export function strategySettings(settings: RedundancySettings, name: StrategyName) {
  return settings[STRATEGY_KEYS[name]];
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

/** The form shows sizes in GiB. */
export const GIB = 1024 ** 3;

/** A problem with one field of the form: which field, and the largest value it takes (the page words it). */
export interface SettingsFormError {
  readonly field: string;
  readonly max?: number;
}

/** A form field as a number from 0 to `max`; a problem is noted against the field. */
function numberField(form: Record<string, unknown>, name: string, max: number, errors: SettingsFormError[]): number {
  const raw = typeof form[name] === "string" ? (form[name] as string).trim() : "";
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > max) {
    errors.push({ field: name, max });
    return 0;
  }
  return Number(raw);
}

/**
 * Reads the admin form: sizes in GiB (decimals allowed), lifetimes in hours, counts. Returns the settings or every
 * problem found, so the page can show them all at once.
 */
export function parseSettingsForm(form: Record<string, unknown>): { settings: RedundancySettings } | { errors: SettingsFormError[] } {
  const errors: SettingsFormError[] = [];
  const acceptFrom = form.acceptFrom;
  if (typeof acceptFrom !== "string" || !(ACCEPT_FROM as readonly string[]).includes(acceptFrom)) errors.push({ field: "acceptFrom" });
  const strategy = (prefix: string) => ({
    sizeBytes: Math.round(numberField(form, `${prefix}Size`, 1_000_000, errors) * GIB),
    minLifetimeHours: Math.floor(numberField(form, `${prefix}Lifetime`, 24 * 365, errors)),
  });
  const settings: RedundancySettings = {
    enabled: form.enabled === "on" || form.enabled === "true",
    maxItems: Math.floor(numberField(form, "maxItems", 1_000_000, errors)),
    acceptFrom: (acceptFrom as AcceptFrom) ?? "nobody",
    mostViewed: strategy("mostViewed"),
    trending: strategy("trending"),
    recentlyAdded: { ...strategy("recentlyAdded"), minViews: Math.floor(numberField(form, "recentlyAddedMinViews", 1_000_000_000, errors)) },
  };
  return errors.length ? { errors } : { settings };
}
