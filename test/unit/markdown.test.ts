import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "../../views/markdown.ts";

describe("renderMarkdown", () => {
  test("paragraphs and line breaks", () => {
    expect(renderMarkdown("one\ntwo\n\nthree")).toBe("<p>one<br>two</p><p>three</p>");
  });
  test("emphasis and code", () => {
    expect(renderMarkdown("**bold** and *it* and `x<y`")).toBe("<p><strong>bold</strong> and <em>it</em> and <code>x&lt;y</code></p>");
  });
  test("links to http(s) only, marked as user content", () => {
    expect(renderMarkdown("[site](https://example.org/a_b*c*)")).toBe('<p><a href="https://example.org/a_b*c*" rel="nofollow noopener ugc">site</a></p>');
    expect(renderMarkdown("[x](javascript:alert(1))")).toBe("<p>[x](javascript:alert(1))</p>");
  });
  test("bare URLs become links", () => {
    expect(renderMarkdown("see https://example.org/x.")).toBe('<p>see <a href="https://example.org/x." rel="nofollow noopener ugc">https://example.org/x.</a></p>');
  });
  test("HTML never survives", () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror="alert(1)"> [a](https://x.org/"onmouseover="alert(1))');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/href="[^"]*"[^>]*onmouseover/);
  });
});
