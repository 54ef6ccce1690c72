/**
 * The RTMP chunk stream (Adobe RTMP spec 1.0, section 5.3): an incremental reader that turns bytes into whole
 * messages, and a writer for our replies. Pure over Uint8Array, no I/O, so it can be fed any split of the
 * input (and fuzzed). Chunk headers of format 1-3 carry timestamp deltas; messages come out with absolute
 * 32-bit timestamps.
 */
import { concatBytes } from "./amf0.ts";

/** One complete RTMP message. */
export interface RtmpMessage {
  /** Chunk stream id it arrived on (2-65599). */
  readonly csid: number;
  readonly typeId: number;
  /** Message stream id (0 for the connection, 1 for the stream we hand out in createStream). */
  readonly streamId: number;
  /** Absolute timestamp in milliseconds, modulo 2^32. */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

/** Message type ids the ingest cares about. */
export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  commandAmf3: 17,
  dataAmf0: 18,
  commandAmf0: 20,
} as const;

export interface ChunkReaderLimits {
  /** Largest Set Chunk Size accepted (the protocol allows 2^31-1; one chunk is buffered whole). */
  readonly maxChunkSize: number;
  /** Largest message length accepted in a chunk header. */
  readonly maxMessageSize: number;
  /** How many chunk streams one connection may use; each keeps a little state. */
  readonly maxChunkStreams: number;
}

export type ChunkReadResult =
  | { readonly kind: "message"; readonly message: RtmpMessage }
  | { readonly kind: "more" }
  | { readonly kind: "error"; readonly reason: string };

/** The chunk size every RTMP connection starts with. */
export const DEFAULT_CHUNK_SIZE = 128;
const EXTENDED_TIMESTAMP = 0xffffff;
const MESSAGE_HEADER_LENGTH = [11, 7, 3, 0] as const;

interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** Whether the last header on this chunk stream used the 4-byte extended timestamp (so fmt 3 chunks carry it too). */
  extended: boolean;
  /** The message being assembled, if a chunk of it has arrived but not all. */
  partial: { parts: Uint8Array[]; received: number } | null;
}

/**
 * Incremental chunk-stream parser: `push` bytes as they come, call `read` until it says "more". Never throws;
 * malformed input yields an "error" result, after which the reader stays failed. Set Chunk Size and Abort
 * Message are applied here (they change how the following chunks parse) and are also returned.
 */
export class ChunkReader {
  private readonly parts: Uint8Array[] = [];
  private offset = 0; // into parts[0]
  private queued = 0; // unparsed bytes across parts
  private assembling = 0; // bytes held in partial messages
  private readonly streams = new Map<number, ChunkStreamState>();
  private failure: string | null = null;
  private size = DEFAULT_CHUNK_SIZE;

  constructor(private readonly limits: ChunkReaderLimits) {}

  /** Queues bytes for parsing. The reader keeps references to them, so callers must not reuse the array. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.failure) return;
    this.parts.push(bytes);
    this.queued += bytes.length;
  }

  /** Bytes held: unparsed input plus partly assembled messages. */
  get bufferedBytes(): number {
    return this.queued + this.assembling;
  }

  /** The publisher's current chunk size. */
  get chunkSize(): number {
    return this.size;
  }

  /** Parses chunks until a message completes, more input is needed, or the input is malformed. */
  read(): ChunkReadResult {
    for (;;) {
      if (this.failure) return { kind: "error", reason: this.failure };
      const step = this.readChunk();
      if (typeof step === "string") {
        this.fail(step);
        continue;
      }
      if (step === null) return { kind: "more" };
      if (step === true) continue;
      const applied = this.applyControl(step);
      if (applied) this.fail(applied);
      else return { kind: "message", message: step };
    }
  }

  /** Drops every held byte and refuses further input (the connection is closing). */
  discard(): void {
    this.fail("discarded");
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.parts.length = 0;
    this.queued = 0;
    this.streams.clear();
    this.assembling = 0;
  }

  /** One chunk: null = need more bytes, true = consumed a chunk that completed nothing, string = error. */
  private readChunk(): RtmpMessage | true | null | string {
    const head = this.peek(Math.min(this.queued, 18));
    if (!head || head.length === 0) return null;
    const fmt = head[0]! >> 6;
    let pos = 1;
    let csid = head[0]! & 0x3f;
    if (csid === 0 || csid === 1) {
      const extra = csid === 0 ? 1 : 2;
      if (head.length < 1 + extra) return null;
      csid = csid === 0 ? 64 + head[1]! : 64 + head[1]! + head[2]! * 256;
      pos += extra;
    }
    const state = this.streams.get(csid);
    if (fmt !== 0 && !state) return `chunk format ${fmt} on chunk stream ${csid} with no previous header`;
    if (!state && this.streams.size >= this.limits.maxChunkStreams) return "too many chunk streams";
    if (fmt !== 3 && state?.partial) return `new message header on chunk stream ${csid} before its previous message was complete`;
    const headerLength = MESSAGE_HEADER_LENGTH[fmt as 0 | 1 | 2 | 3];
    if (head.length < pos + headerLength) return null;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let timestampField = 0;
    let length = state?.length ?? 0;
    let typeId = state?.typeId ?? 0;
    let streamId = state?.streamId ?? 0;
    if (fmt <= 2) timestampField = (head[pos]! << 16) | (head[pos + 1]! << 8) | head[pos + 2]!;
    if (fmt <= 1) {
      length = (head[pos + 3]! << 16) | (head[pos + 4]! << 8) | head[pos + 5]!;
      typeId = head[pos + 6]!;
    }
    if (fmt === 0) streamId = view.getUint32(pos + 7, true);
    pos += headerLength;
    const extended = fmt === 3 ? state!.extended : timestampField === EXTENDED_TIMESTAMP;
    if (extended) {
      if (head.length < pos + 4) return null;
      timestampField = view.getUint32(pos);
      pos += 4;
    }
    if (fmt <= 1 && length > this.limits.maxMessageSize) return `message of ${length} bytes exceeds the limit of ${this.limits.maxMessageSize}`;
    const received = state?.partial?.received ?? 0;
    const payloadLength = Math.min(this.size, length - received);
    if (this.queued < pos + payloadLength) return null;
    return this.consumeChunk({ csid, fmt, state, timestampField, extended, length, typeId, streamId, headerBytes: pos, payloadLength });
  }

  private consumeChunk(c: {
    csid: number; fmt: number; state: ChunkStreamState | undefined; timestampField: number; extended: boolean;
    length: number; typeId: number; streamId: number; headerBytes: number; payloadLength: number;
  }): RtmpMessage | true | string {
    let state = c.state;
    if (!state) {
      state = { timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, partial: null };
      this.streams.set(c.csid, state);
    }
    if (!state.partial) {
      // A new message: work out its absolute timestamp. After fmt 0 the "delta" a later fmt 3 reuses is the
      // fmt 0 timestamp itself (spec 5.3.1.2.4; ffmpeg and librtmp agree).
      if (c.fmt === 0) {
        state.timestamp = c.timestampField;
        state.delta = c.timestampField;
      } else {
        if (c.fmt !== 3 || c.extended) state.delta = c.timestampField;
        state.timestamp = (state.timestamp + state.delta) >>> 0;
      }
      if (c.fmt !== 3) state.extended = c.extended;
      state.length = c.length;
      state.typeId = c.typeId;
      state.streamId = c.streamId;
      if (this.assembling + c.length > this.limits.maxMessageSize * 2) return "too many bytes in partly received messages";
      state.partial = { parts: [], received: 0 };
      this.assembling += c.length;
    }
    this.skip(c.headerBytes);
    const payload = this.take(c.payloadLength);
    const partial = state.partial!;
    if (payload.length > 0) partial.parts.push(payload);
    partial.received += payload.length;
    if (partial.received < state.length) return true;
    state.partial = null;
    this.assembling -= state.length;
    const whole = partial.parts.length === 1 ? partial.parts[0]! : concatBytes(partial.parts);
    return { csid: c.csid, typeId: state.typeId, streamId: state.streamId, timestamp: state.timestamp, payload: whole };
  }

  /** Applies Set Chunk Size and Abort Message; returns an error string when they are malformed. */
  private applyControl(message: RtmpMessage): string | null {
    if (message.typeId !== MessageType.setChunkSize && message.typeId !== MessageType.abort) return null;
    if (message.payload.length < 4) return `control message ${message.typeId} is shorter than 4 bytes`;
    const value = new DataView(message.payload.buffer, message.payload.byteOffset, 4).getUint32(0);
    if (message.typeId === MessageType.setChunkSize) {
      const size = value & 0x7fffffff; // the top bit "must be zero"; ignoring it is what ffmpeg does too
      if (size < 1 || size > this.limits.maxChunkSize) return `chunk size ${size} outside 1..${this.limits.maxChunkSize}`;
      this.size = size;
      return null;
    }
    const aborted = this.streams.get(value);
    if (aborted?.partial) {
      this.assembling -= aborted.length;
      aborted.partial = null;
    }
    return null;
  }

  /** The first `n` unparsed bytes as one contiguous array (joining queued parts only when they straddle). */
  private peek(n: number): Uint8Array | null {
    if (this.queued < n || this.parts.length === 0) return null;
    const first = this.parts[0]!;
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    let count = 0;
    let covered = -this.offset;
    while (covered < n) covered += this.parts[count++]!.length;
    const joined = concatBytes(this.parts.slice(0, count)).subarray(this.offset);
    this.parts.splice(0, count, joined);
    this.offset = 0;
    return joined.subarray(0, n);
  }

  private skip(n: number): void {
    this.take(n);
  }

  /** Removes `n` bytes from the front of the queue and returns them (a copy only when they span parts). */
  private take(n: number): Uint8Array {
    const bytes = this.peek(n) ?? new Uint8Array(0);
    this.offset += n;
    this.queued -= n;
    while (this.parts.length > 0 && this.offset >= this.parts[0]!.length) {
      this.offset -= this.parts[0]!.length;
      this.parts.shift();
    }
    return bytes;
  }
}

/** A message to send, before chunking. */
export interface OutgoingMessage {
  readonly csid: number;
  readonly typeId: number;
  readonly streamId: number;
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

/** Splits one message into chunks: a format 0 header, then format 3 continuations. */
export function encodeChunks(message: OutgoingMessage, chunkSize: number): Uint8Array {
  const { csid, payload } = message;
  const extended = message.timestamp >= EXTENDED_TIMESTAMP;
  const basic = basicHeader(csid);
  const parts: Uint8Array[] = [];
  const first = new Uint8Array(basic.length + 11 + (extended ? 4 : 0));
  first.set(basic); // format 0: the top two bits stay zero
  const view = new DataView(first.buffer);
  const p = basic.length;
  const ts = extended ? EXTENDED_TIMESTAMP : message.timestamp;
  first[p] = (ts >> 16) & 0xff;
  first[p + 1] = (ts >> 8) & 0xff;
  first[p + 2] = ts & 0xff;
  first[p + 3] = (payload.length >> 16) & 0xff;
  first[p + 4] = (payload.length >> 8) & 0xff;
  first[p + 5] = payload.length & 0xff;
  first[p + 6] = message.typeId;
  view.setUint32(p + 7, message.streamId, true);
  if (extended) view.setUint32(p + 11, message.timestamp >>> 0);
  parts.push(first);
  for (let offset = 0; offset < payload.length; offset += chunkSize) {
    if (offset > 0) {
      const continuation = basicHeader(csid);
      continuation[0]! |= 0xc0; // format 3
      parts.push(continuation);
      // Continuations repeat the extended timestamp (spec 5.3.1.3; ffmpeg and librtmp expect it).
      if (extended) parts.push(u32(message.timestamp >>> 0));
    }
    parts.push(payload.subarray(offset, offset + chunkSize));
  }
  return concatBytes(parts);
}

function basicHeader(csid: number): Uint8Array {
  if (csid < 2 || csid > 65599) throw new RangeError(`chunk stream id ${csid} outside 2..65599`);
  if (csid < 64) return Uint8Array.of(csid);
  if (csid < 320) return Uint8Array.of(0, csid - 64);
  return Uint8Array.of(1, (csid - 64) & 0xff, (csid - 64) >> 8);
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}
