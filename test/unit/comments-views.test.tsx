import { describe, expect, test } from "bun:test";
import { i18nFor } from "../../src/i18n/i18n.ts";
import type { PageContext } from "../../views/context.ts";
import { CommentItem, type CommentView } from "../../views/components/comment-item.tsx";
import { RateButtons } from "../../views/components/rate-buttons.tsx";

function pageIn(locale: "en" | "ja", loggedIn = true): PageContext {
  const i18n = i18nFor(locale);
  return {
    instanceName: "Tubelet",
    viewer: loggedIn ? { id: 1, handle: "me", displayName: "Me", role: "user", avatarUrl: null, unreadNotifications: 0, sensitivePolicy: "blur" } : null,
    csrfToken: "token",
    assets: {} as PageContext["assets"],
    now: new Date("2026-03-01T12:00:00Z"),
    path: "/w/abc",
    locale,
    t: i18n.t,
    i18n,
  };
}

const comment: CommentView = {
  id: 7,
  threadId: 7,
  text: "hello <b>there</b>",
  deleted: false,
  edited: true,
  createdAt: new Date("2026-03-01T09:00:00Z"),
  author: { name: "x", displayName: '<img src=x onerror="alert(1)">', avatarUrl: null, href: "/a/x" },
  inReplyTo: null,
  byVideoAuthor: true,
  canEdit: false,
  canDelete: true,
  canReply: true,
};

describe("CommentItem", () => {
  test("escapes the author's name and text; shows age, edited and creator marks and the allowed actions", async () => {
    const html = await (<CommentItem page={pageIn("en")} shortId="abc" c={comment} />);
    expect(html).not.toContain('<img src=x onerror="alert');
    expect(html).toContain("&lt;img src=x");
    expect(html).toContain("hello &lt;b&gt;there&lt;/b&gt;");
    expect(html).toContain("3 hours ago");
    expect(html).toContain("(edited)");
    expect(html).toContain("Creator");
    expect(html).toContain('hx-get="/w/abc/comments/7/reply"');
    expect(html).toContain('hx-post="/w/abc/comments/7/delete"');
    expect(html).not.toContain("/edit");
  });

  test("a deleted comment is a placeholder that names nobody", async () => {
    const html = await (<CommentItem page={pageIn("ja")} shortId="abc" c={{ ...comment, deleted: true, text: "", author: null }} />);
    expect(html).toContain("このコメントは削除されました");
    expect(html).not.toContain("comment-actions");
  });
});

describe("RateButtons", () => {
  test("pressed state, the next state each button sends, and localized labels", async () => {
    const html = await (<RateButtons page={pageIn("ja")} shortId="abc" likes={12345} dislikes={1} mine="dislike" />);
    expect(html).toContain("12,345");
    expect(html).toContain('aria-label="高く評価（12,345 件）"');
    expect(html).toMatch(/id="rate-like-abc"[^>]*value="like" aria-pressed="false"/);
    expect(html).toMatch(/id="rate-dislike-abc"[^>]*value="none" aria-pressed="true"/);
  });

  test("visitors get login links, not buttons", async () => {
    const html = await (<RateButtons page={pageIn("en", false)} shortId="abc" likes={1} dislikes={0} mine={null} />);
    expect(html).not.toContain("<button");
    expect(html).toContain('href="/login?next=%2Fw%2Fabc"');
    expect(html).toContain("Like (1 like). Log in to rate this video");
  });
});
