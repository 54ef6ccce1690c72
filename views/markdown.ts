/**
 * A small, safe Markdown subset for descriptions: paragraphs, line breaks, **bold**, *italic*, `code`,
 * [links](https://…) and bare URLs. Everything is escaped first, so no HTML from the author survives;
 * only http(s) and mailto links are made, with rel="nofollow noopener ugc".
 */
import { escapeHtml } from "@kitajs/html";

const LINK = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]{1,2000}|mailto:[^\s)]{1,200})\)/g;
const BARE_URL = /(^|[\s(])(https?:\/\/[^\s<)]{1,2000})/g;

function inline(escaped: string): string {
  const links: string[] = [];
  // Links become placeholders first so their URLs are not touched by the emphasis rules.
  const keep = (html: string) => `\u0000${links.push(html) - 1}\u0000`;
  let out = escaped
    .replace(LINK, (_, text: string, href: string) => keep(`<a href="${href}" rel="nofollow noopener ugc">${text}</a>`))
    .replace(BARE_URL, (_, lead: string, href: string) => lead + keep(`<a href="${href}" rel="nofollow noopener ugc">${href}</a>`));
  out = out
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1<em>$2</em>");
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => links[Number(i)]!);
}

/** Renders Markdown text to HTML that is safe to insert as is. */
export function renderMarkdown(text: string): string {
  const paragraphs = escapeHtml(text.replace(/\r\n?/g, "\n").replaceAll("\u0000", ""))
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
  return paragraphs.map((p) => `<p>${inline(p).replaceAll("\n", "<br>")}</p>`).join("");
}
