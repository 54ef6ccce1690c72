import { describe, expect, test } from "bun:test";
import { buildReplyTree, cleanCommentText, MAX_COMMENT_CHARS } from "../../src/comments/text.ts";

describe("cleanCommentText", () => {
  test("trims, normalizes line ends and drops NUL", () => {
    expect(cleanCommentText("  hello\r\nworld\u0000 \n")).toEqual({ ok: true, text: "hello\nworld" });
  });

  test("refuses empty text, whitespace only and non-strings", () => {
    for (const raw of ["", "   \n\t", undefined, null, 42, ["x"]]) {
      expect(cleanCommentText(raw)).toMatchObject({ ok: false, problem: "empty" });
    }
  });

  test("counts characters as PostgreSQL does (code points), not UTF-16 units", () => {
    const emoji = "😀".repeat(MAX_COMMENT_CHARS);
    expect(emoji.length).toBe(2 * MAX_COMMENT_CHARS);
    expect(cleanCommentText(emoji).ok).toBe(true);
    expect(cleanCommentText(`${emoji}!`)).toEqual({ ok: false, problem: "tooLong", length: MAX_COMMENT_CHARS + 1 });
    expect(cleanCommentText(`  ${"a".repeat(MAX_COMMENT_CHARS)}  `).ok).toBe(true);
  });
});

describe("buildReplyTree", () => {
  const c = (id: number, parentId: number | null) => ({ id, parentId });

  test("nests replies under the comment they answer, keeping order", () => {
    const tree = buildReplyTree(c(1, null), [c(2, 1), c(3, 2), c(4, 1), c(5, 3)]);
    expect(tree).toEqual({
      comment: c(1, null),
      children: [
        { comment: c(2, 1), children: [{ comment: c(3, 2), children: [{ comment: c(5, 3), children: [] }] }] },
        { comment: c(4, 1), children: [] },
      ],
    });
  });

  test("a reply to an unknown or to itself hangs from the root instead of getting lost or looping", () => {
    const tree = buildReplyTree(c(1, null), [c(2, 99), c(3, 3)]);
    expect(tree.children.map((n) => n.comment.id)).toEqual([2, 3]);
    expect(tree.children.every((n) => n.children.length === 0)).toBe(true);
  });
});
