/**
 * AMF0 (Action Message Format 0), the encoding of RTMP command and data messages: encoder and decoder as
 * pure functions over Uint8Array. Covers the types publishers send (number, boolean, string, object, null,
 * undefined, ECMA array, strict array, date, long string, typed object, XML document); references and AMF3
 * switches are refused. Spec: Adobe "Action Message Format -- AMF 0" (2006).
 */

/** A decoded AMF0 value. Objects have no prototype, so a hostile `__proto__` key is just a key. */
export type Amf0Value = number | boolean | string | null | undefined | Date | Amf0Value[] | Amf0Object | Amf0EcmaArray;

/** An anonymous AMF0 object (marker 0x03). */
export interface Amf0Object {
  readonly [key: string]: Amf0Value;
}

/** An AMF0 ECMA array (marker 0x08): an associative array, as carried by onMetaData. */
export class Amf0EcmaArray {
  constructor(readonly properties: Amf0Object) {}
}

/** The input is not well-formed AMF0 (truncated, unknown marker, too deep). */
export class Amf0Error extends Error {
  override name = "Amf0Error";
}

const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  xmlDocument: 0x0f,
  typedObject: 0x10,
} as const;

/** Nesting deeper than this is refused: no publisher needs it, and it bounds the decoder's recursion. */
export const AMF0_MAX_DEPTH = 32;

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

/** Decodes one AMF0 value at `offset`; returns it with the offset just past it. Throws Amf0Error. */
export function decodeAmf0(bytes: Uint8Array, offset = 0): { value: Amf0Value; end: number } {
  const reader = new Amf0Reader(bytes, offset);
  const value = reader.value(0);
  return { value, end: reader.pos };
}

/** Decodes every AMF0 value in `bytes` (a command: name, transaction id, arguments). Throws Amf0Error. */
export function decodeAmf0All(bytes: Uint8Array): Amf0Value[] {
  const reader = new Amf0Reader(bytes, 0);
  const values: Amf0Value[] = [];
  while (reader.pos < bytes.length) values.push(reader.value(0));
  return values;
}

class Amf0Reader {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new Amf0Error(`AMF0 value truncated at byte ${this.pos}`);
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  private f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  private utf8(length: number): string {
    this.need(length);
    const text = utf8Decoder.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  value(depth: number): Amf0Value {
    if (depth > AMF0_MAX_DEPTH) throw new Amf0Error("AMF0 nesting too deep");
    const marker = this.u8();
    switch (marker) {
      case MARKER.number: return this.f64();
      case MARKER.boolean: return this.u8() !== 0;
      case MARKER.string: return this.utf8(this.u16());
      case MARKER.longString:
      case MARKER.xmlDocument: return this.utf8(this.u32());
      case MARKER.object: return this.properties(depth);
      case MARKER.typedObject: this.utf8(this.u16()); return this.properties(depth);
      case MARKER.ecmaArray: this.u32(); return new Amf0EcmaArray(this.properties(depth)); // the count is only a hint
      case MARKER.null: return null;
      case MARKER.undefined:
      case MARKER.unsupported: return undefined;
      case MARKER.strictArray: return this.strictArray(depth);
      case MARKER.date: {
        const ms = this.f64();
        this.u16(); // time zone: "reserved, should be 0" per spec
        return new Date(ms);
      }
      default: throw new Amf0Error(`unsupported AMF0 marker 0x${marker.toString(16)} at byte ${this.pos - 1}`);
    }
  }

  private properties(depth: number): Amf0Object {
    const object: Record<string, Amf0Value> = Object.create(null);
    for (;;) {
      const key = this.utf8(this.u16());
      if (key === "" && this.bytes[this.pos] === MARKER.objectEnd) {
        this.pos++;
        return object;
      }
      object[key] = this.value(depth + 1);
    }
  }

  private strictArray(depth: number): Amf0Value[] {
    const count = this.u32();
    const values: Amf0Value[] = [];
    // The count is attacker-controlled: grow as values are actually read instead of preallocating.
    for (let i = 0; i < count; i++) values.push(this.value(depth + 1));
    return values;
  }
}

/** Encodes values one after another (a command is its name, transaction id and arguments in sequence). */
export function encodeAmf0(...values: Amf0Value[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const value of values) writeValue(parts, value, 0);
  return concatBytes(parts);
}

function writeValue(parts: Uint8Array[], value: Amf0Value, depth: number): void {
  if (depth > AMF0_MAX_DEPTH) throw new Amf0Error("AMF0 nesting too deep");
  if (value === null) parts.push(Uint8Array.of(MARKER.null));
  else if (value === undefined) parts.push(Uint8Array.of(MARKER.undefined));
  else if (typeof value === "number") parts.push(numberBytes(MARKER.number, value));
  else if (typeof value === "boolean") parts.push(Uint8Array.of(MARKER.boolean, value ? 1 : 0));
  else if (typeof value === "string") parts.push(...stringBytes(value));
  else if (value instanceof Date) {
    parts.push(numberBytes(MARKER.date, value.getTime()), Uint8Array.of(0, 0));
  } else if (Array.isArray(value)) {
    parts.push(Uint8Array.of(MARKER.strictArray, ...u32Bytes(value.length)));
    for (const item of value) writeValue(parts, item, depth + 1);
  } else if (value instanceof Amf0EcmaArray) {
    parts.push(Uint8Array.of(MARKER.ecmaArray, ...u32Bytes(Object.keys(value.properties).length)));
    writeProperties(parts, value.properties, depth);
  } else {
    parts.push(Uint8Array.of(MARKER.object));
    writeProperties(parts, value, depth);
  }
}

function writeProperties(parts: Uint8Array[], object: Amf0Object, depth: number): void {
  for (const [key, item] of Object.entries(object)) {
    parts.push(shortUtf8(key));
    writeValue(parts, item, depth + 1);
  }
  parts.push(Uint8Array.of(0, 0, MARKER.objectEnd));
}

function numberBytes(marker: number, value: number): Uint8Array {
  const bytes = new Uint8Array(9);
  bytes[0] = marker;
  new DataView(bytes.buffer).setFloat64(1, value);
  return bytes;
}

function stringBytes(value: string): Uint8Array[] {
  const utf8 = utf8Encoder.encode(value);
  if (utf8.length <= 0xffff) return [Uint8Array.of(MARKER.string, utf8.length >> 8, utf8.length & 0xff), utf8];
  return [Uint8Array.of(MARKER.longString, ...u32Bytes(utf8.length)), utf8];
}

/** A property name: 16-bit length and UTF-8, no marker. */
function shortUtf8(value: string): Uint8Array {
  const utf8 = utf8Encoder.encode(value);
  if (utf8.length > 0xffff) throw new Amf0Error("AMF0 property names are at most 65535 bytes");
  const bytes = new Uint8Array(2 + utf8.length);
  bytes[0] = utf8.length >> 8;
  bytes[1] = utf8.length & 0xff;
  bytes.set(utf8, 2);
  return bytes;
}

function u32Bytes(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Joins byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
