import { describe, expect, test } from "bun:test";
import { applyReorder, moveTo, nextPlayable, playableIndex, previousPlayable, reorderProblem } from "../../src/playlists/positions.ts";
import { parsePlaylistInput } from "../../src/playlists/input.ts";

const items = ["a", "b", "c", "d", "e"];

describe("reorder", () => {
  test.each([
    [{ start: 5, insertAfter: 0, length: 1 }, ["e", "a", "b", "c", "d"]],
    [{ start: 1, insertAfter: 5, length: 1 }, ["b", "c", "d", "e", "a"]],
    [{ start: 2, insertAfter: 4, length: 2 }, ["a", "d", "b", "c", "e"]],
    [{ start: 4, insertAfter: 1, length: 2 }, ["a", "d", "e", "b", "c"]],
    [{ start: 2, insertAfter: 1, length: 1 }, ["a", "b", "c", "d", "e"]],
    [{ start: 2, insertAfter: 2, length: 1 }, ["a", "b", "c", "d", "e"]],
    [{ start: 1, insertAfter: 0, length: 5 }, ["a", "b", "c", "d", "e"]],
  ])("%o", (r, expected) => {
    expect(reorderProblem(items.length, r)).toBeNull();
    expect(applyReorder(items, r)).toEqual(expected);
  });

  test("keeps every item exactly once, whatever the valid reorder", () => {
    for (let start = 1; start <= 5; start++) {
      for (let length = 1; start + length - 1 <= 5; length++) {
        for (let after = 0; after <= 5; after++) {
          const r = { start, insertAfter: after, length };
          if (reorderProblem(5, r)) continue;
          expect([...applyReorder(items, r)].sort()).toEqual(items);
        }
      }
    }
  });

  test.each([
    [{ start: 0, insertAfter: 0, length: 1 }, "start"],
    [{ start: 6, insertAfter: 0, length: 1 }, "start"],
    [{ start: 4, insertAfter: 0, length: 3 }, "length"],
    [{ start: 1, insertAfter: 0, length: 0 }, "length"],
    [{ start: 1, insertAfter: 6, length: 1 }, "insertAfter"],
    [{ start: 1, insertAfter: -1, length: 1 }, "insertAfter"],
    [{ start: 2, insertAfter: 2, length: 3 }, "insertAfter"],
    [{ start: 1.5, insertAfter: 0, length: 1 }, "start"],
    [{ start: Number.NaN, insertAfter: 0, length: 1 }, "start"],
  ])("%o is refused (%s)", (r, problem) => {
    expect(reorderProblem(items.length, r)).toBe(problem as "start");
  });

  test("moveTo moves one item up or down to the asked position", () => {
    expect(applyReorder(items, moveTo(4, 2))).toEqual(["a", "d", "b", "c", "e"]);
    expect(applyReorder(items, moveTo(2, 4))).toEqual(["a", "c", "d", "b", "e"]);
    expect(applyReorder(items, moveTo(1, 5))).toEqual(["b", "c", "d", "e", "a"]);
    expect(applyReorder(items, moveTo(5, 1))).toEqual(["e", "a", "b", "c", "d"]);
    expect(applyReorder(items, moveTo(3, 3))).toEqual(items);
  });
});

describe("which item plays", () => {
  const playable = [false, true, false, true];
  test("the asked one, else the next playable, else the last playable before it", () => {
    expect(playableIndex(playable, 2)).toBe(2);
    expect(playableIndex(playable, 1)).toBe(2);
    expect(playableIndex(playable, 3)).toBe(4);
    expect(playableIndex([true, true, false], 3)).toBe(2);
    expect(playableIndex(playable, 99)).toBe(4);
    expect(playableIndex(playable, Number.NaN)).toBe(2);
    expect(playableIndex([false, false], 1)).toBeNull();
    expect(playableIndex([], 1)).toBeNull();
  });

  test("next and previous skip unavailable items", () => {
    expect(nextPlayable(playable, 2)).toBe(4);
    expect(nextPlayable(playable, 4)).toBeNull();
    expect(previousPlayable(playable, 4)).toBe(2);
    expect(previousPlayable(playable, 2)).toBeNull();
  });
});

describe("playlist input", () => {
  test("defaults to private and trims", () => {
    const { input, problems } = parsePlaylistInput({ name: "  Mix  " });
    expect(problems).toEqual({});
    expect(input).toEqual({ name: "Mix", description: "", privacy: 3, channelId: null });
  });

  test("reads PeerTube's field names", () => {
    const { input } = parsePlaylistInput({ displayName: "API", privacy: 1, videoChannelId: 7 });
    expect(input).toMatchObject({ name: "API", privacy: 1, channelId: 7 });
  });

  test("absent fields keep the current values", () => {
    const current = { name: "Old", description: "d", privacy: 2 as const, channelId: 3 };
    expect(parsePlaylistInput({ description: "new" }, current).input).toEqual({ ...current, description: "new" });
  });

  test("names each problem", () => {
    expect(parsePlaylistInput({ name: " " }).problems.name?.key).toBe("playlists.err.nameEmpty");
    expect(parsePlaylistInput({ name: "x".repeat(121) }).problems.name?.key).toBe("playlists.err.nameLong");
    expect(parsePlaylistInput({ name: "x".repeat(120) }).problems.name).toBeUndefined();
    expect(parsePlaylistInput({ name: "x", description: "d".repeat(1001) }).problems.description?.key).toBe("playlists.err.descriptionLong");
    expect(parsePlaylistInput({ name: "x", privacy: "4" }).problems.privacy?.key).toBe("playlists.err.privacy");
    expect(parsePlaylistInput({ name: "x", channelId: "abc" }).problems.channelId?.key).toBe("playlists.err.channel");
  });
});
