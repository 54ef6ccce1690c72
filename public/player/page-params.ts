/**
 * Query parameters of the watch and embed pages, with PeerTube's spellings: `start` (seconds, `1m30s`,
 * `1h2m3s` or `1:30`), and for embeds `autoplay`, `muted`, `loop` (`1`/`true`) and the API's `scope`.
 * Pure: a query string in, plain values out.
 */

export interface EmbedOptions {
  /** Seconds to start at, or null to start at the beginning. */
  readonly start: number | null;
  readonly autoplay: boolean;
  readonly muted: boolean;
  readonly loop: boolean;
  /** The jschannel scope the embed API answers on; PeerTube's is "peertube". */
  readonly scope: string;
}

export const DEFAULT_SCOPE = "peertube";

const UNITS = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/;
const CLOCK = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/;

/** "90", "90s", "1m30s", "1h2m3s", "1:30" or "1:02:03" as seconds; null for anything else or zero. */
export function parseTimeParam(raw: string | null | undefined): number | null {
  const text = (raw ?? "").trim().toLowerCase();
  if (text === "") return null;
  let seconds: number;
  const clock = CLOCK.exec(text);
  const units = clock ? null : UNITS.exec(text);
  if (clock) seconds = Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  else if (units && (units[1] || units[2] || units[3])) seconds = Number(units[1] ?? 0) * 3600 + Number(units[2] ?? 0) * 60 + Number(units[3] ?? 0);
  else return null;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/** Seconds as the compact form share links use: 90 → "1m30s", 3723 → "1h2m3s", 5 → "5s". */
export function formatTimeParam(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name)?.trim().toLowerCase();
  return value === "1" || value === "true";
}

/** Everything an embed honours from its URL. */
export function readEmbedOptions(search: string): EmbedOptions {
  const params = new URLSearchParams(search);
  const scope = params.get("scope")?.trim() ?? "";
  return {
    start: parseTimeParam(params.get("start")),
    autoplay: flag(params, "autoplay"),
    muted: flag(params, "muted"),
    loop: flag(params, "loop"),
    // jschannel splits method names on "::", so a scope must not contain it.
    scope: scope !== "" && !scope.includes("::") && scope.length <= 100 ? scope : DEFAULT_SCOPE,
  };
}
