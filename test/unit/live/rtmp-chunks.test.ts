import { describe, expect, test } from "bun:test";
import { ChunkReader, encodeChunks, MessageType, type RtmpMessage } from "../../../src/live/rtmp/chunks.ts";
import { amfValues, GENEROUS_READER_LIMITS, loadFfmpegPublish, parseAll, rechunk } from "../../fixtures/rtmp/client.ts";

const fromHex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
const summary = (m: RtmpMessage) => ({ csid: m.csid, typeId: m.typeId, streamId: m.streamId, timestamp: m.timestamp, payload: Buffer.from(m.payload).toString("hex") });

describe("ChunkReader on a captured ffmpeg publish", async () => {
  const fixture = await loadFfmpegPublish();
  const whole = parseAll(fixture);

  test("yields the commands, metadata and media ffmpeg sent, in order", () => {
    const commands = whole.filter((m) => m.typeId === MessageType.commandAmf0).map((m) => amfValues(m)[0]);
    expect(commands).toEqual(["connect", "releaseStream", "FCPublish", "createStream", "publish", "FCUnpublish", "deleteStream"]);
    const publish = whole.find((m) => m.typeId === MessageType.commandAmf0 && amfValues(m)[0] === "publish")!;
    expect(publish.streamId).toBe(1);
    expect(amfValues(publish).slice(3)).toEqual(["fixture-key", "live"]);
    const data = whole.find((m) => m.typeId === MessageType.dataAmf0)!;
    expect(amfValues(data).slice(0, 2)).toEqual(["@setDataFrame", "onMetaData"]);
    expect(whole.filter((m) => m.typeId === MessageType.video)).toHaveLength(22);
    expect(whole.filter((m) => m.typeId === MessageType.audio)).toHaveLength(46);
  });

  test("applies ffmpeg's Set Chunk Size (4096): a 3702-byte video message arrives whole", () => {
    const reader = new ChunkReader(GENEROUS_READER_LIMITS);
    reader.push(fixture);
    while (reader.read().kind === "message");
    expect(reader.chunkSize).toBe(4096);
    expect(whole.some((m) => m.typeId === MessageType.video && m.payload.length === 3702)).toBe(true);
  });

  test("media timestamps are absolute and never go backwards per kind (fmt 1-3 deltas summed)", () => {
    for (const typeId of [MessageType.audio, MessageType.video]) {
      const times = whole.filter((m) => m.typeId === typeId).map((m) => m.timestamp);
      expect(times[0]).toBe(0);
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
      expect(times.at(-1)!).toBeGreaterThan(1_800);
      expect(times.at(-1)!).toBeLessThan(2_100);
    }
    // AAC at 22050 Hz: 1024 samples a frame, so consecutive audio timestamps are 46 or 47 ms apart.
    const audio = whole.filter((m) => m.typeId === MessageType.audio).map((m) => m.timestamp);
    for (let i = 3; i < audio.length; i++) expect([46, 47]).toContain(audio[i]! - audio[i - 1]!);
  });

  test("feeding one byte at a time gives the same messages", () => {
    const parts = Array.from(fixture, (byte) => Uint8Array.of(byte));
    expect(parseAll(parts).map(summary)).toEqual(whole.map(summary));
  });

  test("splitting the input in two at every possible boundary gives the same messages", () => {
    const expected = whole.map(summary);
    for (let cut = 1; cut < fixture.length; cut++) {
      const messages = parseAll([fixture.subarray(0, cut), fixture.subarray(cut)]);
      if (messages.length !== expected.length) throw new Error(`split at ${cut}: ${messages.length} messages`);
      for (let i = 0; i < messages.length; i++) {
        const a = messages[i]!;
        const b = whole[i]!;
        if (a.timestamp !== b.timestamp || a.typeId !== b.typeId || a.csid !== b.csid || Buffer.compare(a.payload, b.payload) !== 0) {
          throw new Error(`split at ${cut}: message ${i} differs`);
        }
      }
    }
  });

  test("re-chunking at other chunk sizes gives the same messages", () => {
    const expected = whole.filter((m) => m.typeId !== MessageType.setChunkSize).map(summary);
    for (const size of [1, 127, 128, 1000, 65_536]) {
      const messages = parseAll(rechunk(whole, size)).filter((m) => m.typeId !== MessageType.setChunkSize);
      expect(messages.map(summary)).toEqual(expected);
    }
  });
});

describe("chunk headers", () => {
  test("formats 0-3: fmt 0 is absolute, fmt 1 and 2 add deltas, fmt 3 repeats the last delta", () => {
    const bytes = fromHex(`
      04 0003e8 000002 08 01000000 aaaa
      44 000028 000001 08 bb
      84 000028 cc
      c4 dd`);
    expect(parseAll(bytes).map((m) => [m.timestamp, m.typeId, m.streamId, Buffer.from(m.payload).toString("hex")])).toEqual([
      [1000, 8, 1, "aaaa"],
      [1040, 8, 1, "bb"],
      [1080, 8, 1, "cc"],
      [1120, 8, 1, "dd"],
    ]);
  });

  test("fmt 3 after fmt 0 reuses the fmt 0 timestamp as its delta", () => {
    const bytes = fromHex("04 000064 000001 09 01000000 aa  c4 bb");
    expect(parseAll(bytes).map((m) => m.timestamp)).toEqual([100, 200]);
  });

  test("continuation chunks (fmt 3) inside a message do not change its timestamp", () => {
    const payload = new Uint8Array(300).map((_, i) => i & 0xff);
    const bytes = encodeChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 5000, payload }, 128);
    expect(bytes.length).toBe(12 + 300 + 2);
    const [message] = parseAll(bytes);
    expect(message!.timestamp).toBe(5000);
    expect(Buffer.compare(message!.payload, payload)).toBe(0);
  });

  test("extended timestamps: in fmt 0, fmt 1 and in fmt 3 continuations", () => {
    const payload = new Uint8Array(200).fill(1);
    const first = encodeChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 0x01000000, payload }, 128);
    // fmt 0 header carries 0xffffff and the 4-byte value; the continuation repeats the 4-byte value.
    expect(Buffer.from(first.subarray(0, 16)).toString("hex")).toBe("06ffffff0000c8090100000001000000");
    expect(Buffer.from(first.subarray(16 + 128, 16 + 128 + 5)).toString("hex")).toBe("c601000000");
    const second = fromHex("46 ffffff 000001 09 01020304 ee"); // fmt 1 with an extended delta
    const messages = parseAll([first, second]);
    expect(messages.map((m) => m.timestamp)).toEqual([0x01000000, 0x01000000 + 0x01020304]);
    expect(messages[0]!.payload.length).toBe(200);
  });

  test("timestamps wrap modulo 2^32", () => {
    const bytes = fromHex("04 ffffff 000001 08 01000000 fffffff0 aa  84 000020 bb");
    expect(parseAll(bytes).map((m) => m.timestamp)).toEqual([0xfffffff0, 0x10]);
  });

  test("two- and three-byte basic headers carry chunk stream ids 64-319 and up to 65599", () => {
    for (const csid of [2, 63, 64, 319, 320, 65_599]) {
      const [message] = parseAll(encodeChunks({ csid, typeId: 8, streamId: 1, timestamp: 1, payload: Uint8Array.of(9) }, 128));
      expect(message!.csid).toBe(csid);
    }
  });

  test("Abort Message discards the partial message on that chunk stream (chunk size 2 here)", () => {
    const bytes = fromHex(`
      06 000000 000004 09 01000000 aabb
      02 000000 000004 02 00000000 0000 c2 0006
      06 000001 000001 09 01000000 cc`);
    const reader = new ChunkReader({ ...GENEROUS_READER_LIMITS, maxChunkSize: 2 });
    reader.push(fromHex("02 000000 000004 01 00000000 00000002"));
    reader.push(bytes);
    const out: RtmpMessage[] = [];
    for (let r = reader.read(); r.kind === "message"; r = reader.read()) out.push(r.message);
    expect(out.filter((m) => m.typeId === 9).map((m) => Buffer.from(m.payload).toString("hex"))).toEqual(["cc"]);
  });
});

describe("chunk stream errors and limits", () => {
  const read = (bytes: Uint8Array, limits = GENEROUS_READER_LIMITS) => {
    const reader = new ChunkReader(limits);
    reader.push(bytes);
    let result = reader.read();
    while (result.kind === "message") result = reader.read();
    return { result, reader };
  };

  test("a Set Chunk Size above the limit, or zero, is an error", () => {
    const limits = { ...GENEROUS_READER_LIMITS, maxChunkSize: 65_536 };
    expect(read(fromHex("02 000000 000004 01 00000000 00010001"), limits).result).toEqual({ kind: "error", reason: "chunk size 65537 outside 1..65536" });
    expect(read(fromHex("02 000000 000004 01 00000000 00000000"), limits).result.kind).toBe("error");
    expect(read(fromHex("02 000000 000004 01 00000000 00010000"), limits).result.kind).toBe("more");
  });

  test("a message longer than maxMessageSize is refused from its header alone", () => {
    const { result } = read(fromHex("06 000000 100000 09 01000000"), { ...GENEROUS_READER_LIMITS, maxMessageSize: 0xfffff });
    expect(result).toEqual({ kind: "error", reason: "message of 1048576 bytes exceeds the limit of 1048575" });
  });

  test("fmt 1-3 on a chunk stream with no previous header is an error", () => {
    expect(read(fromHex("46 000000 000001 09 aa")).result.kind).toBe("error");
    expect(read(fromHex("c6 aa")).result.kind).toBe("error");
  });

  test("too many chunk streams is an error", () => {
    const bytes = [3, 4, 5, 6].map((csid) => encodeChunks({ csid, typeId: 8, streamId: 1, timestamp: 0, payload: Uint8Array.of(1) }, 128));
    expect(read(Buffer.concat(bytes), { ...GENEROUS_READER_LIMITS, maxChunkStreams: 3 }).result).toEqual({ kind: "error", reason: "too many chunk streams" });
  });

  test("after an error the reader stays failed and holds no bytes", () => {
    const { reader } = read(fromHex("c6 aa"));
    reader.push(new Uint8Array(1000));
    expect(reader.read().kind).toBe("error");
    expect(reader.bufferedBytes).toBe(0);
  });

  test("partial chunks wait for more bytes without consuming anything", () => {
    const bytes = encodeChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 7, payload: new Uint8Array(100).fill(3) }, 128);
    const reader = new ChunkReader(GENEROUS_READER_LIMITS);
    reader.push(bytes.subarray(0, 50));
    expect(reader.read()).toEqual({ kind: "more" });
    expect(reader.bufferedBytes).toBe(50);
    reader.push(bytes.subarray(50));
    const result = reader.read();
    expect(result.kind === "message" && result.message.timestamp).toBe(7);
  });
});
