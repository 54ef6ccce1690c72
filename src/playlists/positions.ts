/**
 * Position math of playlists, pure so it is tested without a database. Positions are 1..n with no gaps;
 * a reorder moves a block of `length` items starting at `start` to just after the item that was at
 * `insertAfter` (0 = to the top), in the numbering before the move, as PeerTube's reorder endpoint does.
 */

export interface Reorder {
  readonly start: number;
  readonly insertAfter: number;
  readonly length: number;
}

/** Why a reorder cannot apply to a playlist of `count` items, or null when it can. */
export function reorderProblem(count: number, r: Reorder): "start" | "length" | "insertAfter" | null {
  if (!Number.isInteger(r.start) || r.start < 1 || r.start > count) return "start";
  if (!Number.isInteger(r.length) || r.length < 1 || r.start + r.length - 1 > count) return "length";
  if (!Number.isInteger(r.insertAfter) || r.insertAfter < 0 || r.insertAfter > count) return "insertAfter";
  // Inserting after one of the moved items themselves names no place outside the block.
  if (r.insertAfter >= r.start && r.insertAfter < r.start + r.length - 1) return "insertAfter";
  return null;
}

/** The items in their new order; `items` is in position order and the reorder must be valid for it. */
export function applyReorder<T>(items: readonly T[], r: Reorder): T[] {
  const from = r.start - 1;
  const block = items.slice(from, from + r.length);
  const rest = [...items.slice(0, from), ...items.slice(from + r.length)];
  // The item at `insertAfter` moved up by the block's length when it came after the block.
  const at = r.insertAfter < r.start ? r.insertAfter : r.insertAfter - r.length;
  return [...rest.slice(0, at), ...block, ...rest.slice(at)];
}

/** The reorder that moves the single item at `from` so that it ends up at position `to`. */
export function moveTo(from: number, to: number): Reorder {
  return { start: from, insertAfter: to < from ? to - 1 : to, length: 1 };
}

/**
 * The index to play: the first item at or after `wanted` that the viewer can play, else the last playable
 * one before it; null when nothing is playable. `playable[k]` is for position k + 1.
 */
export function playableIndex(playable: readonly boolean[], wanted: number): number | null {
  const start = Math.min(Math.max(1, Math.trunc(wanted) || 1), Math.max(1, playable.length));
  for (let i = start; i <= playable.length; i++) if (playable[i - 1]) return i;
  for (let i = start - 1; i >= 1; i--) if (playable[i - 1]) return i;
  return null;
}

/** The next playable position after `current`, skipping unavailable items; null at the end. */
export function nextPlayable(playable: readonly boolean[], current: number): number | null {
  for (let i = current + 1; i <= playable.length; i++) if (playable[i - 1]) return i;
  return null;
}

/** The previous playable position before `current`; null at the start. */
export function previousPlayable(playable: readonly boolean[], current: number): number | null {
  for (let i = current - 1; i >= 1; i--) if (playable[i - 1]) return i;
  return null;
}
