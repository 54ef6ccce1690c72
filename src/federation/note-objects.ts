/**
 * Comments as ActivityPub Notes, in PeerTube's vocabulary: built from a local comment, and parsed from what
 * Mastodon, PeerTube or another Tubelet sends. Pure: no database, no network.
 *
 * Remote content never reaches a page as HTML. Mastodon's HTML is turned into comment text here (links kept as
 * Markdown links), and comment text is rendered by the same escaping Markdown renderer as local comments, which
 * only ever makes http(s) links with rel="nofollow noopener ugc".
 */
import { cleanCommentText, MAX_COMMENT_CHARS } from "../comments/text.ts";
import { ACTIVITY_CONTEXT, AS_PUBLIC, InvalidObjectError } from "./objects.ts";

/** The ActivityPub id of a local comment: PeerTube's shape, under the video's id. */
export function localCommentUri(publicUrl: string, videoUuid: string, commentId: number): string {
  return `${publicUrl}/videos/watch/${videoUuid}/comments/${commentId}`;
}

/** The video uuid and comment id a local comment id names, or null when it is not one of ours. */
export function parseLocalCommentUri(publicUrl: string, uri: string): { videoUuid: string; commentId: number } | null {
  if (!uri.startsWith(`${publicUrl}/`)) return null;
  const match = /^\/videos\/watch\/([0-9a-f-]{36})\/comments\/(\d{1,15})$/i.exec(uri.slice(publicUrl.length));
  return match ? { videoUuid: match[1]!.toLowerCase(), commentId: Number(match[2]) } : null;
}

/** The uuid a local video id names (`/videos/watch/<uuid>`), or null. */
export function parseLocalVideoUri(publicUrl: string, uri: string): string | null {
  if (!uri.startsWith(`${publicUrl}/`)) return null;
  const match = /^\/videos\/watch\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(uri.slice(publicUrl.length));
  return match ? match[1]!.toLowerCase() : null;
}

/** What a local comment's Note needs. */
export interface NoteSource {
  readonly uri: string;
  /** The video's id for a thread's first comment, else the id of the comment answered. */
  readonly inReplyTo: string;
  readonly authorUri: string;
  readonly text: string;
  readonly published: Date;
  readonly updated: Date;
  /** Authors of the comments above in the thread, as Mention tags (PeerTube's habit; Mastodon notifies them). */
  readonly mentions: readonly { href: string; name: string }[];
}

/**
 * A local comment as PeerTube publishes one: Markdown text in `content` with `mediaType: text/markdown`, public,
 * with the author's followers in cc.
 */
export function toNoteObject(c: NoteSource): Record<string, unknown> {
  return {
    type: "Note",
    id: c.uri,
    content: c.text,
    mediaType: "text/markdown",
    inReplyTo: c.inReplyTo,
    published: c.published.toISOString(),
    updated: c.updated.toISOString(),
    url: c.uri,
    attributedTo: c.authorUri,
    tag: c.mentions.map((m) => ({ type: "Mention", href: m.href, name: m.name })),
    to: [AS_PUBLIC],
    cc: [`${c.authorUri}/followers`],
  };
}

/** Create or Update of a comment, sent by its author. */
export function toNoteActivity(type: "Create" | "Update", activityId: string, note: Record<string, unknown>): Record<string, unknown> {
  return { "@context": ACTIVITY_CONTEXT, id: activityId, type, actor: note.attributedTo, to: note.to, cc: note.cc, object: note };
}

/** Delete of a comment by its id, sent by its author (PeerTube sends the bare id too). */
export function toNoteDeleteActivity(activityId: string, authorUri: string, noteUri: string): Record<string, unknown> {
  return { "@context": ACTIVITY_CONTEXT, id: activityId, type: "Delete", actor: authorUri, object: noteUri, to: [AS_PUBLIC], cc: [`${authorUri}/followers`] };
}

/** A Note as this instance keeps it: a comment's text, its author, and what it answers. */
export interface ParsedNote {
  readonly id: string;
  readonly authorUri: string;
  readonly inReplyTo: string;
  readonly text: string;
  readonly published: Date;
}

export interface ParseNoteOptions {
  /** http: ids are accepted only when the instance federates on a private network (tests, LANs). */
  readonly allowHttp: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): unknown {
  if (Array.isArray(value)) return idOf(value[0]);
  return isRecord(value) ? value.id : value;
}

function url(value: unknown, field: string, options: ParseNoteOptions): string {
  if (typeof value === "string") {
    try {
      const parsed = new URL(value);
      if (parsed.protocol === "https:" || (options.allowHttp && parsed.protocol === "http:")) return value;
    } catch {
      // falls through to the error
    }
  }
  throw new InvalidObjectError(`${field} must be an https URL`);
}

const PUBLIC_NAMES = new Set([AS_PUBLIC, "as:Public", "Public"]);

/** Whether an object is addressed to the public (in to or cc): only public and unlisted posts become comments. */
export function isAddressedToPublic(object: Record<string, unknown>): boolean {
  const audience = [object.to, object.cc].flatMap((v) => (Array.isArray(v) ? v : [v]));
  return audience.some((a) => typeof a === "string" && PUBLIC_NAMES.has(a));
}

/**
 * Reads a Note that answers something: it needs an id, an author on the same origin, `inReplyTo`, text, and a
 * public audience (a direct or followers-only message is never shown as a public comment). HTML content
 * (Mastodon) becomes text; Markdown content (PeerTube, Tubelet) is kept as is.
 */
export function parseNoteObject(json: unknown, options: ParseNoteOptions): ParsedNote {
  if (!isRecord(json) || json.type !== "Note") throw new InvalidObjectError("not a Note");
  const id = url(json.id, "id", options);
  const authorUri = url(idOf(json.attributedTo), "attributedTo", options);
  if (new URL(authorUri).origin !== new URL(id).origin) throw new InvalidObjectError("the Note's author is on another origin than the Note");
  const inReplyTo = url(idOf(json.inReplyTo), "inReplyTo", options);
  if (!isAddressedToPublic(json)) throw new InvalidObjectError("the Note is not public");
  const raw = typeof json.content === "string" ? json.content : "";
  const text = json.mediaType === "text/markdown" ? raw : noteHtmlToText(raw);
  const clean = cleanCommentText([...text].slice(0, MAX_COMMENT_CHARS).join(""));
  if (!clean.ok) throw new InvalidObjectError("the Note has no text");
  const published = typeof json.published === "string" ? new Date(json.published) : new Date();
  return { id, authorUri, inReplyTo, text: clean.text, published: Number.isNaN(published.getTime()) ? new Date() : published };
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Decodes the character references HTML text may hold (named basics and numeric ones). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && code !== 0 ? String.fromCodePoint(code) : "";
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function attribute(attributes: string, name: string): string | null {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(` ${attributes}`);
  return match ? decodeEntities(match[1] ?? match[2] ?? match[3] ?? "") : null;
}

/**
 * A tag's inside: attributes, whose quoted values may hold ">". Every repetition is bounded, so hostile input
 * (thousands of "<" with no ">") costs linear time, not quadratic.
 */
const TAG = `(?:[^>"'<]|"[^"]{0,2000}"|'[^']{0,2000}'){0,2000}`;

/** The most HTML a Note is read from; comment text is at most 10,000 characters anyway. */
const MAX_HTML_CHARS = 100_000;

/** Drops elements whose content is never text (scripts, styles, frames), content included; unclosed: to the end. */
function dropElements(html: string, names: readonly string[]): string {
  const lower = html.toLowerCase();
  let out = "";
  let at = 0;
  const open = new RegExp(`<(${names.join("|")})\\b`, "gi");
  for (let match = open.exec(lower); match; match = open.exec(lower)) {
    if (match.index < at) continue;
    out += html.slice(at, match.index);
    const close = lower.indexOf(`</${match[1]}`, match.index);
    const end = close < 0 ? -1 : lower.indexOf(">", close);
    at = end < 0 ? html.length : end + 1;
    open.lastIndex = at;
  }
  return out + html.slice(at);
}

/** Text of an HTML fragment with every tag dropped (used inside links, where no structure matters). */
function plainText(html: string): string {
  return decodeEntities(html.replace(new RegExp(`<${TAG}>`, "g"), "")).replace(/\s+/g, " ").trim();
}

/**
 * The text of a Note's HTML, as comment text: paragraphs and line breaks kept, every tag and attribute dropped,
 * script and style content discarded. A link to an http(s) address stays a link (as Markdown, or as the bare URL
 * when its text is the URL, as Mastodon shows them); mentions and hashtags keep their text; any other link is
 * reduced to its text.
 */
export function noteHtmlToText(html: string): string {
  let text = dropElements(html.slice(0, MAX_HTML_CHARS), ["script", "style", "template", "iframe", "object", "noscript", "svg", "math"]);
  text = text.replace(new RegExp(`<a\\b(${TAG})>([\\s\\S]{0,4000}?)</a\\s*>`, "gi"), (_, attributes: string, inner: string) => {
    const label = plainText(inner);
    const href = attribute(attributes, "href") ?? "";
    const classes = attribute(attributes, "class") ?? "";
    const linkable = /^https?:\/\/[^\s()<>\[\]]+$/i.test(href);
    if (!linkable || /\b(mention|hashtag)\b/.test(classes) || /^[@#]/.test(label)) return label;
    const bare = href.replace(/^https?:\/\//i, "").replace(/\/$/, "");
    const shown = label.replace(/^https?:\/\//i, "").replace(/\/$/, "");
    const shortened = shown.endsWith("…") && shown.length > 1 && bare.startsWith(shown.slice(0, -1));
    if (!label || shown === bare || shortened) return ` ${href} `;
    return `[${label.replace(/[[\]]/g, "")}](${href})`;
  });
  text = text
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|blockquote|h[1-6])\s*>/gi, "\n\n")
    .replace(new RegExp(`<${TAG}>`, "g"), "")
    .replace(/<[^<>]*$/, "");
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}
