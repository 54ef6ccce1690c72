/** Reading `start` and `count` from query strings: absurd values get a 400 that says what is allowed. */
import { badRequest } from "../http/errors.ts";

/** Deep OFFSETs make PostgreSQL walk every skipped row; nobody pages this far by hand. */
export const START_MAX = 10_000;
/** PeerTube's API caps list pages at 100 items. */
export const COUNT_MAX = 100;

function integer(raw: unknown, name: string): number | null {
  if (raw === undefined || raw === null || raw === "") return null;
  const text = String(raw);
  if (!/^\d{1,9}$/.test(text)) throw badRequest(`${name} must be a whole number of 0 or more (got “${text.slice(0, 20)}”).`);
  return Number(text);
}

/** The offset of a page: 0 to START_MAX, 0 when absent. */
export function parseStart(raw: unknown): number {
  const start = integer(raw, "start") ?? 0;
  if (start > START_MAX) throw badRequest(`start can be at most ${START_MAX}; narrow the search instead of paging this far.`);
  return start;
}

/** The page size: 1 to COUNT_MAX, `fallback` when absent. */
export function parseCount(raw: unknown, fallback: number): number {
  const count = integer(raw, "count") ?? fallback;
  if (count < 1 || count > COUNT_MAX) throw badRequest(`count must be between 1 and ${COUNT_MAX}.`);
  return count;
}
