/**
 * The server side of the RTMP handshake (spec section 5.2): C0+C1 in, S0+S1+S2 out, then C2 in. This is the
 * "simple" handshake: S1 is random and S2 echoes C1. ffmpeg only checks the server's digest when it plays
 * (not when it publishes) and librtmp (OBS) only logs a mismatch, so no Flash-style digest is needed.
 */
import { concatBytes } from "./amf0.ts";

/** Size of C1, C2, S1 and S2. */
export const HANDSHAKE_PACKET_SIZE = 1536;
/** The only protocol version in use (C0/S0). */
export const RTMP_VERSION = 3;

export interface HandshakeProgress {
  /** S0+S1+S2, to send once C0+C1 have arrived. */
  readonly reply: Uint8Array | null;
  /** True once C2 has arrived; `rest` then holds the bytes that followed it (the first chunks). */
  readonly done: boolean;
  readonly rest: Uint8Array;
  readonly error: string | null;
}

/** Builds S0+S1+S2 from C1: S1 = zero time, zero "version", random filler; S2 = C1 echoed. */
export function handshakeReply(c1: Uint8Array, filler: Uint8Array): Uint8Array {
  const s1 = new Uint8Array(HANDSHAKE_PACKET_SIZE);
  s1.set(filler.subarray(0, HANDSHAKE_PACKET_SIZE - 8), 8);
  return concatBytes([Uint8Array.of(RTMP_VERSION), s1, c1.subarray(0, HANDSHAKE_PACKET_SIZE)]);
}

/** Accumulates the client's handshake bytes; holds at most C0+C1+C2. */
export class ServerHandshake {
  private readonly buffer = new Uint8Array(1 + 2 * HANDSHAKE_PACKET_SIZE);
  private filled = 0;
  private replied = false;
  private finished = false;

  /** `randomFiller` returns the 1528 random bytes of S1 (injected so tests are deterministic). */
  constructor(private readonly randomFiller: () => Uint8Array) {}

  /** Feeds bytes; returns what to send, whether the handshake is complete, and any bytes past C2. */
  push(bytes: Uint8Array): HandshakeProgress {
    if (this.finished) return { reply: null, done: true, rest: bytes, error: null };
    const used = Math.min(bytes.length, this.buffer.length - this.filled);
    this.buffer.set(bytes.subarray(0, used), this.filled);
    this.filled += used;
    if (this.filled >= 1 && this.buffer[0] !== RTMP_VERSION) {
      return { reply: null, done: false, rest: new Uint8Array(0), error: `unsupported RTMP version ${this.buffer[0]}` };
    }
    let reply: Uint8Array | null = null;
    if (!this.replied && this.filled >= 1 + HANDSHAKE_PACKET_SIZE) {
      this.replied = true;
      reply = handshakeReply(this.buffer.subarray(1, 1 + HANDSHAKE_PACKET_SIZE), this.randomFiller());
    }
    // C2 is not checked: clients fill it differently (echo of S1, or anything) and it proves nothing here.
    if (this.filled < this.buffer.length) return { reply, done: false, rest: new Uint8Array(0), error: null };
    this.finished = true;
    return { reply, done: true, rest: bytes.subarray(used), error: null };
  }
}
