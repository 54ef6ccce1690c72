/**
 * A tiny XML builder for feeds: text and attribute values are always escaped, and characters that XML 1.0
 * forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped, since one of them in a title makes
 * a strict reader reject the whole feed. No CDATA: escaped text needs no `]]>` special case.
 */

/** Markup already built by this module; the only thing inserted without escaping. */
export class Xml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type XmlChild = Xml | string | number | null | undefined | false | readonly XmlChild[];
export type XmlAttributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

// Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// The `u` flag makes a valid surrogate pair one code point, so only lone surrogates match the D800-DFFF range.
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Drops the characters XML 1.0 cannot carry at all, even escaped. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(INVALID_XML_CHARS, "");
}

/** Escapes text for element content or a double-quoted attribute value. */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/;

function checkName(name: string): string {
  // Names come from this codebase, never from users; a bad one is a programming error.
  if (!NAME.test(name)) throw new Error(`not an XML name: ${name}`);
  return name;
}

function childMarkup(child: XmlChild): string {
  if (child === null || child === undefined || child === false) return "";
  if (child instanceof Xml) return child.markup;
  if (Array.isArray(child)) return (child as readonly XmlChild[]).map(childMarkup).join("");
  return escapeXml(String(child));
}

/** An element; attributes that are null, undefined or false are left out, children are escaped unless built here. */
export function el(name: string, attributes: XmlAttributes | null, ...children: XmlChild[]): Xml {
  let attrs = "";
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    attrs += ` ${checkName(key)}="${escapeXml(String(value))}"`;
  }
  const inner = children.map(childMarkup).join("");
  return new Xml(inner === "" ? `<${checkName(name)}${attrs}/>` : `<${checkName(name)}${attrs}>${inner}</${name}>`);
}

/** A whole document with its XML declaration. */
export function xmlDocument(root: Xml): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.markup}\n`;
}
