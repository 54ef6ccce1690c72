/**
 * Deterministic fuzzing of the ingest's parsers: random and mutated inputs (a seeded PRNG, so every run sees the
 * same cases) must never throw out of the public API, never hit an internal error, and never hold more memory
 * than the limits allow.
 */
import { describe, expect, test } from "bun:test";
import { Amf0Error, concatBytes, decodeAmf0All, encodeAmf0 } from "../../../src/live/rtmp/amf0.ts";
import { ChunkReader } from "../../../src/live/rtmp/chunks.ts";
import { DEFAULT_RTMP_LIMITS, RtmpSession, type SessionAction } from "../../../src/live/rtmp/session.ts";
import type { RtmpLimits } from "../../../src/live/rtmp/types.ts";
import { clientHandshake, loadFfmpegPublish, parseAll, prng, rechunk } from "../../fixtures/rtmp/client.ts";

/** Small limits, so that inputs of a few tens of KB can exceed them. */
const LIMITS: RtmpLimits = { ...DEFAULT_RTMP_LIMITS, maxChunkSize: 4096, maxMessageSize: 4096, maxChunkStreams: 16, maxPendingBytes: 4096 };
/** Most a reader may hold once drained: one incomplete chunk (header <= 18 bytes) plus partly assembled messages. */
const READER_BOUND = 18 + LIMITS.maxChunkSize + 2 * LIMITS.maxMessageSize;
/** Most a session may hold: the reader, or the bytes queued while authorizing, plus the media probe. */
const SESSION_BOUND = Math.max(READER_BOUND, LIMITS.maxPendingBytes) + LIMITS.maxPendingBytes + LIMITS.maxMessageSize;

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const randomBytes = (random: Random, n: number) => Uint8Array.from({ length: n }, () => int(random, 256));

/** Applies 1-8 random edits: bit flips, overwrites, insertions, deletions, duplications, truncation. */
function mutate(random: Random, input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const edits = 1 + int(random, 8);
  for (let e = 0; e < edits && bytes.length > 0; e++) {
    const at = int(random, bytes.length);
    switch (int(random, 6)) {
      case 0: bytes[at]! ^= 1 << int(random, 8); break;
      case 1: bytes[at] = [0, 0xff, 0x7f, 0x80, 0x03, 0xc3, 0x02][int(random, 7)]!; break;
      case 2: bytes = concatBytes([bytes.subarray(0, at), randomBytes(random, 1 + int(random, 64)), bytes.subarray(at)]); break;
      case 3: bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at + 1 + int(random, 200))]); break;
      case 4: bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at, at + int(random, 500)), bytes.subarray(at)]); break;
      default: bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

/**
 * Grammar-based input: well-formed chunks (at the default chunk size of 128) of every format, with random chunk
 * stream ids, lengths and timestamps, interleaved so that many messages are in assembly at once, which byte
 * mutations rarely reach. Occasionally a rule is broken on purpose.
 */
function randomChunks(random: Random): Uint8Array {
  const parts: Uint8Array[] = [];
  const streams = new Map<number, { length: number; left: number; extended: boolean }>();
  for (let n = 1 + int(random, 400); n > 0; n--) {
    const csid = 2 + int(random, random() < 0.5 ? 6 : 40);
    const state = streams.get(csid);
    const partial = state !== undefined && state.left > 0;
    let fmt = partial ? 3 : state ? int(random, 4) : 0;
    if (random() < 0.02) fmt = int(random, 4); // sometimes out of order
    const header = [(fmt << 6) | csid];
    const ts = random() < 0.1 ? 0xffffff : int(random, 0x1000);
    let length = state?.length ?? 0;
    if (fmt <= 2) header.push(ts >> 16, (ts >> 8) & 0xff, ts & 0xff);
    if (fmt <= 1) {
      length = random() < 0.02 ? int(random, 0x1000000) : int(random, 5000);
      header.push(length >> 16, (length >> 8) & 0xff, length & 0xff, [8, 9, 9, 18, 20][int(random, 5)]!);
    }
    if (fmt === 0) header.push(1, 0, 0, 0);
    const extended = fmt === 3 ? (state?.extended ?? false) : ts === 0xffffff;
    if (extended) header.push(0, 0, 1, 0);
    const left = partial ? state.left : length;
    const size = Math.min(128, left);
    parts.push(Uint8Array.from(header), randomBytes(random, size));
    streams.set(csid, { length, left: left - size, extended });
  }
  return concatBytes(parts);
}

/** Splits bytes into random pieces (1 byte to 8 KB). */
function pieces(random: Random, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const n = 1 + int(random, random() < 0.3 ? 16 : 8192);
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** Drives a session with `input`, answering authorize at random; checks the invariants after every step. */
function driveSession(random: Random, input: Uint8Array): SessionAction[] {
  const session = new RtmpSession(LIMITS, 0, () => new Uint8Array(1528));
  const all: SessionAction[] = [];
  let now = 0;
  let awaiting = false;
  let accepted = false;
  const check = (actions: SessionAction[]) => {
    for (const action of actions) {
      all.push(action);
      if (action.kind === "close" && action.message.startsWith("internal")) throw new Error(`internal error: ${action.message}`);
      if (action.kind === "authorize") awaiting = true;
      if ((action.kind === "start" || action.kind === "media") && !accepted) throw new Error(`${action.kind} before the key was accepted`);
    }
    if (session.bufferedBytes > SESSION_BOUND) throw new Error(`session holds ${session.bufferedBytes} bytes`);
  };
  for (const piece of pieces(random, input)) {
    now += int(random, 300);
    check(session.receive(piece, now));
    if (awaiting && random() < 0.5) {
      awaiting = false;
      accepted = random() < 0.8;
      check(session.authorized(accepted ? { accepted: true } : { refuse: "no" }, now));
    }
    if (random() < 0.2) check(session.tick(now));
  }
  check(session.tick(now + 60_000));
  if (session.phase === "closed") expect(session.receive(input.subarray(0, 100), now)).toEqual([]);
  const starts = all.filter((a) => a.kind === "start").length;
  if (starts > 1) throw new Error("started twice");
  const firstMedia = all.find((a) => a.kind === "media");
  if (firstMedia && Buffer.from(firstMedia.flv.subarray(0, 3)).toString() !== "FLV") throw new Error("first write is not an FLV header");
  return all;
}

describe("fuzz", async () => {
  const fixture = await loadFfmpegPublish();
  const publish = concatBytes([clientHandshake(), fixture]);
  const messages = parseAll(fixture);

  test("the unmutated publish goes all the way through (the harness can succeed)", () => {
    const actions = driveSession(() => 0.4, publish); // 3277-byte pieces, the key accepted at once
    expect(actions.filter((a) => a.kind !== "send" && a.kind !== "media").map((a) => a.kind)).toEqual(["authorize", "start", "unpublish", "close"]);
    expect(actions.filter((a) => a.kind === "media")).toHaveLength(1 + 22 + 46);
  });

  test("ChunkReader: 3000 random and mutated inputs never throw and stay within the buffer bound", () => {
    const random = prng(1);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const kind = i % 4;
      const input = kind === 0 ? randomBytes(random, int(random, 20_000))
        : kind === 1 ? randomChunks(random)
        : mutate(random, kind === 2 ? fixture : rechunk(messages, 1 + int(random, 300)));
      const reader = new ChunkReader(LIMITS);
      for (const piece of pieces(random, input)) {
        reader.push(piece);
        let result = reader.read();
        while (result.kind === "message") result = reader.read();
        if (result.kind === "error") errors++;
        if (reader.bufferedBytes > READER_BOUND) throw new Error(`case ${i}: reader holds ${reader.bufferedBytes} bytes`);
      }
    }
    expect(errors).toBeGreaterThan(500); // the mutations really do produce malformed streams
  });

  test("RtmpSession: 3000 random and mutated publishes never throw, never fail internally, never leak media", () => {
    const random = prng(2);
    const closes = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      let input: Uint8Array;
      if (i % 5 === 4) input = concatBytes([clientHandshake(), randomChunks(random)]);
      else if (i % 4 === 0) input = randomBytes(random, int(random, 8000));
      else if (i % 4 === 1) input = concatBytes([clientHandshake(), randomBytes(random, int(random, 30_000))]);
      else if (i % 4 === 2) input = mutate(random, publish);
      else input = concatBytes([clientHandshake(), mutate(random, rechunk(messages, 1 + int(random, 5000)))]);
      let actions: SessionAction[];
      try {
        actions = driveSession(random, input);
      } catch (error) {
        throw new Error(`case ${i}: ${(error as Error).message}`);
      }
      for (const a of actions) if (a.kind === "close") closes.set(a.reason, (closes.get(a.reason) ?? 0) + 1);
    }
    expect(closes.get("error") ?? 0).toBeGreaterThan(500);
  });

  test("AMF0: 5000 mutated commands only ever throw Amf0Error", () => {
    const random = prng(3);
    const command = encodeAmf0("connect", 1, { app: "live", tcUrl: "rtmp://h/live", nested: { list: [1, "two", null, new Date(0)] } });
    for (let i = 0; i < 5000; i++) {
      const input = i % 2 ? mutate(random, command) : randomBytes(random, int(random, 200));
      try {
        decodeAmf0All(input);
      } catch (error) {
        if (!(error instanceof Amf0Error)) throw new Error(`case ${i}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  });
});
