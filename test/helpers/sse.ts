/** Reading Server-Sent Events in tests: the frames of one event name, parsed, with a wait for one that matches. */

export interface EventReader<T> {
  /** Every event of that name received so far, in order. */
  readonly events: T[];
  /** The first event (received or still to come within `ms`) that passes `check`; throws with what came otherwise. */
  until(check: (event: T) => boolean, ms?: number): Promise<T>;
  close(): Promise<void>;
}

/** Reads `event: <name>` frames with JSON data from a stream body. */
export function readEvents<T>(body: ReadableStream<Uint8Array>, name: string): EventReader<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const pattern = new RegExp(`^event: ${name}\\ndata: (.*)$`, "m");
  let buffer = "";
  let pending: ReturnType<typeof reader.read> | null = null;
  const events: T[] = [];
  return {
    events,
    async until(check, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find(check);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching ${name} event within ${ms} ms; got ${JSON.stringify(events)}`);
        // A read still pending after a timeout is kept for the next round, so no chunk is lost.
        pending ??= reader.read();
        const timer = new Promise<"timeout">((resolve) => setTimeout(resolve, left, "timeout"));
        const result = await Promise.race([pending, timer]);
        if (result === "timeout") continue;
        pending = null;
        if (result.done) throw new Error("the stream ended");
        buffer += decoder.decode(result.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const data = pattern.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (data) events.push(JSON.parse(data) as T);
        }
      }
    },
    close: () => reader.cancel(),
  };
}
