/** Pure rules of comments: what text is accepted, and how a thread's flat replies become a tree. */

/** The longest comment, in characters (code points, as PostgreSQL's length() counts them). */
export const MAX_COMMENT_CHARS = 10_000;

export type CleanText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: "empty" | "tooLong"; readonly length: number };

/** Normalizes line ends, drops NUL (PostgreSQL text cannot hold it) and trims; refuses empty or oversize text. */
export function cleanCommentText(raw: unknown): CleanText {
  const text = (typeof raw === "string" ? raw : "").replace(/\r\n?/g, "\n").replaceAll("\u0000", "").trim();
  const length = [...text].length;
  if (length === 0) return { ok: false, problem: "empty", length };
  if (length > MAX_COMMENT_CHARS) return { ok: false, problem: "tooLong", length };
  return { ok: true, text };
}

export interface TreeNode<T> {
  readonly comment: T;
  readonly children: TreeNode<T>[];
}

/**
 * Nests a thread's replies under the comments they answer, keeping the given order among siblings.
 * A reply whose parent is not in the list (it should not happen: rows cascade) hangs from the root.
 */
export function buildReplyTree<T extends { id: number; parentId: number | null }>(root: T, replies: readonly T[]): TreeNode<T> {
  const nodes = new Map<number, TreeNode<T>>([[root.id, { comment: root, children: [] }]]);
  for (const reply of replies) nodes.set(reply.id, { comment: reply, children: [] });
  for (const reply of replies) {
    const found = reply.parentId !== null && reply.parentId !== reply.id ? nodes.get(reply.parentId) : undefined;
    const parent = found ?? nodes.get(root.id)!;
    parent.children.push(nodes.get(reply.id)!);
  }
  return nodes.get(root.id)!;
}
