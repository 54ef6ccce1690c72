import { describe, expect, test } from "bun:test";
import { HANDSHAKE_PACKET_SIZE, ServerHandshake } from "../../../src/live/rtmp/handshake.ts";

const filler = () => new Uint8Array(1528).fill(0xab);

function c0c1(): Uint8Array {
  const bytes = new Uint8Array(1 + HANDSHAKE_PACKET_SIZE);
  bytes[0] = 3;
  for (let i = 1; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  return bytes;
}

describe("server handshake", () => {
  test("C0+C1 in -> S0 (version 3) + S1 (zero time and version, random) + S2 (C1 echoed)", () => {
    const hs = new ServerHandshake(filler);
    const client = c0c1();
    const step = hs.push(client);
    expect(step.done).toBe(false);
    const reply = step.reply!;
    expect(reply.length).toBe(1 + 2 * HANDSHAKE_PACKET_SIZE);
    expect(reply[0]).toBe(3);
    expect(Array.from(reply.subarray(1, 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(reply.subarray(9, 1 + HANDSHAKE_PACKET_SIZE).every((b) => b === 0xab)).toBe(true);
    expect(Buffer.compare(reply.subarray(1 + HANDSHAKE_PACKET_SIZE), client.subarray(1))).toBe(0);
  });

  test("C2 completes it, and bytes after C2 are handed back", () => {
    const hs = new ServerHandshake(filler);
    hs.push(c0c1());
    const after = hs.push(Buffer.concat([new Uint8Array(HANDSHAKE_PACKET_SIZE), Uint8Array.of(1, 2, 3)]));
    expect(after).toEqual({ reply: null, done: true, rest: Uint8Array.of(1, 2, 3), error: null });
  });

  test("byte-at-a-time input replies exactly once, when C1 is complete", () => {
    const hs = new ServerHandshake(filler);
    const all = Buffer.concat([c0c1(), new Uint8Array(HANDSHAKE_PACKET_SIZE).fill(5)]);
    const replies: number[] = [];
    let done = -1;
    for (let i = 0; i < all.length; i++) {
      const step = hs.push(all.subarray(i, i + 1));
      if (step.reply) replies.push(i);
      if (step.done && done < 0) done = i;
    }
    expect(replies).toEqual([HANDSHAKE_PACKET_SIZE]);
    expect(done).toBe(all.length - 1);
  });

  test("a version other than 3 is an error (e.g. an HTTP request or RTMPE)", () => {
    expect(new ServerHandshake(filler).push(new TextEncoder().encode("GET / HTTP/1.1\r\n")).error).toBe("unsupported RTMP version 71");
    expect(new ServerHandshake(filler).push(Uint8Array.of(6)).error).toBe("unsupported RTMP version 6");
  });
});
