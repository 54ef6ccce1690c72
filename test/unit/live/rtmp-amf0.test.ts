import { describe, expect, test } from "bun:test";
import { Amf0EcmaArray, Amf0Error, decodeAmf0, decodeAmf0All, encodeAmf0, type Amf0Value } from "../../../src/live/rtmp/amf0.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

describe("AMF0 known byte sequences", () => {
  const cases: [string, Amf0Value, string][] = [
    ["number 1", 1, "00 3ff0000000000000"],
    ["number -0.5", -0.5, "00 bfe0000000000000"],
    ["true", true, "01 01"],
    ["false", false, "01 00"],
    ["string", "live", "02 0004 6c697665"],
    ["empty string", "", "02 0000"],
    ["utf-8 string", "é", "02 0002 c3a9"],
    ["null", null, "05"],
    ["undefined", undefined, "06"],
    ["object", { app: "live" }, "03 0003 617070 02 0004 6c697665 000009"],
    ["strict array", [1, "a"], "0a 00000002 00 3ff0000000000000 02 0001 61"],
    ["ecma array", new Amf0EcmaArray({ width: 160 }), "08 00000001 0005 7769647468 00 4064000000000000 000009"],
    ["date", new Date(0), "0b 0000000000000000 0000"],
  ];
  for (const [name, value, bytes] of cases) {
    test(`${name} encodes and decodes`, () => {
      expect(hex(encodeAmf0(value))).toBe(bytes.replace(/\s+/g, ""));
      expect(decodeAmf0(fromHex(bytes)).value).toEqual(value);
    });
  }

  test("strings longer than 65535 bytes become long strings (0x0c) and back", () => {
    const long = "x".repeat(70_000);
    const bytes = encodeAmf0(long);
    expect(hex(bytes.subarray(0, 5))).toBe("0c00011170");
    expect(decodeAmf0(bytes)).toEqual({ value: long, end: bytes.length });
  });

  test("the connect command ffmpeg 5.1 sends", () => {
    const bytes = fromHex(
      "020007636f6e6e656374 003ff0000000000000 03 0003617070 0200046c697665 000474797065 02000a6e6f6e70726976617465 000009",
    );
    expect(decodeAmf0All(bytes)).toEqual(["connect", 1, { app: "live", type: "nonprivate" }]);
  });

  test("typed objects and XML documents decode to their content", () => {
    expect(decodeAmf0(fromHex("10 0001 43 0001 61 05 000009")).value).toEqual({ a: null });
    expect(decodeAmf0(fromHex("0f 00000002 3c61")).value).toBe("<a");
  });
});

describe("AMF0 round trips", () => {
  test("nested values survive encode -> decode", () => {
    const value: Amf0Value = { a: [1, 2, { b: "c", d: null }], e: new Amf0EcmaArray({ f: true, g: new Date(1_700_000_000_000) }), h: undefined };
    expect(decodeAmf0(encodeAmf0(value)).value).toEqual(value);
  });

  test("several values in sequence decode in order", () => {
    const values: Amf0Value[] = ["_result", 1, null, { code: "NetConnection.Connect.Success" }];
    expect(decodeAmf0All(encodeAmf0(...values))).toEqual(values);
  });
});

describe("AMF0 hostile input", () => {
  test("a __proto__ key is an own property, never the prototype", () => {
    const bytes = fromHex("03 0009 5f5f70726f746f5f5f 03 0005 61646d696e 0101 000009 000009");
    const decoded = decodeAmf0(bytes).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect(Object.keys(decoded)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test("truncated values, references and unknown markers throw Amf0Error", () => {
    for (const bytes of ["00 3ff0", "02 0005 6c69", "03 0003 617070", "07 0001", "11", "0a ffffffff 05"]) {
      expect(() => decodeAmf0All(fromHex(bytes))).toThrow(Amf0Error);
    }
  });

  test("nesting deeper than the limit throws Amf0Error instead of overflowing the stack", () => {
    const deep = new Uint8Array(200_000).fill(0x0a);
    expect(() => decodeAmf0(deep)).toThrow(Amf0Error);
  });
});
