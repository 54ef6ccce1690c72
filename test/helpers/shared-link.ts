/**
 * A link of fixed capacity that several downloads share, for benchmarks that need a slow origin: every body
 * streamed through it waits for its turn chunk by chunk, so N downloads at once each get about 1/N of the rate,
 * as they would behind one uplink. Bytes are reported as they are handed on, so a download the client abandons
 * counts only what it received (give or take one chunk).
 */
export interface SharedLink {
  readonly bytesPerSecond: number;
  stream(body: Uint8Array, onSent: (bytes: number) => void): ReadableStream<Uint8Array>;
}

export function createSharedLink(bytesPerSecond: number, chunkBytes = 16 * 1024): SharedLink {
  if (!(bytesPerSecond > 0)) throw new Error(`a shared link needs a positive rate, got ${bytesPerSecond}`);
  // When the link has sent everything reserved so far; a new chunk goes out after that.
  let busyUntil = 0;
  const transmit = async (bytes: number) => {
    const now = performance.now();
    busyUntil = Math.max(now, busyUntil) + (bytes * 1000) / bytesPerSecond;
    await Bun.sleep(Math.max(0, busyUntil - now));
  };
  return {
    bytesPerSecond,
    stream(body, onSent) {
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (offset >= body.byteLength) return controller.close();
          const chunk = body.subarray(offset, offset + chunkBytes);
          offset += chunk.byteLength;
          await transmit(chunk.byteLength);
          controller.enqueue(chunk);
          onSent(chunk.byteLength);
        },
      }, { highWaterMark: 0 });
    },
  };
}
