/**
 * Load generator for the tracker benchmark, run as its own Bun process so its work is not counted against the
 * server and both trackers face exactly the same client. Loopback only.
 *
 *   bun bench/lib/tracker-load.ts throughput <ws-url> <connections> <depth> <warm-up s> <seconds> <hash,hash,...>
 *     Every socket keeps <depth> announces in flight, sending one more for each reply (a closed loop per socket;
 *     depth 1 is a viewer's pattern, a larger depth lets the server batch reads and writes); prints one
 *     JSON line: replies per second over the measured period, failures, and socket errors. The process exits
 *     without closing its sockets; the server sees them drop.
 *   bun bench/lib/tracker-load.ts idle <ws-url> <connections> <hash,hash,...>
 *     Opens the sockets (a few hundred at a time), announces once on each, prints "ready {json}" and then holds
 *     them silently until a line arrives on stdin; then closes them and prints "closed".
 */

/** Sockets connecting at once while opening many: enough to be quick, few enough not to overflow the accept queue. */
const CONNECT_BATCH = 250;

/** A 20-character peer id, unique per socket. */
function peerId(n: number): string {
  return `-BENCH1-${n.toString(36).padStart(12, "0")}`;
}

/** The announce bittorrent-tracker's WebSocket client sends, without offers: the tracker's own work only. */
function announceMessage(infoHash: string, peer: string, event: "started" | "update"): string {
  return JSON.stringify({ action: "announce", info_hash: infoHash, peer_id: peer, numwant: 0, uploaded: 0, downloaded: 0, left: 1, event });
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.addEventListener("open", () => resolve(ws), { once: true });
    ws.addEventListener("error", () => reject(new Error(`could not connect to ${url}`)), { once: true });
  });
}

/** Opens `count` sockets in batches. */
async function openMany(url: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, () => open(url)))));
  }
  return sockets;
}

/** Sends one message and resolves with the reply text. */
function request(ws: WebSocket, message: string): Promise<string> {
  return new Promise((resolve) => {
    ws.addEventListener("message", (event) => resolve(String(event.data)), { once: true });
    ws.send(message);
  });
}

/**
 * A client WebSocket frame (FIN, text, masked) for `text`. Clients must mask, but any mask will do, so each
 * socket builds its announce frame once and sends the same bytes every time.
 */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  if (payload.length >= 65_536) throw new Error("tracker-load: message too long");
  const header = payload.length < 126 ? [0x81, 0x80 | payload.length] : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  const mask = [0x12, 0x34, 0x56, 0x78];
  const frame = new Uint8Array(header.length + 4 + payload.length);
  frame.set(header, 0);
  frame.set(mask, header.length);
  payload.forEach((byte, i) => (frame[header.length + 4 + i] = byte ^ mask[i % 4]!));
  return frame;
}

interface LoopCounters {
  counting: boolean;
  replies: number;
  failures: number;
  errors: number;
}

/**
 * One tracker connection driven at the byte level: the HTTP upgrade, then for every complete frame from the
 * server, the next announce. A raw socket keeps the generator's cost per message far below a server's (no event
 * objects, no JSON), so the figures measure the server.
 */
function loopSocket(port: number, path: string, first: Uint8Array, again: Uint8Array, depth: number, counters: LoopCounters): Promise<void> {
  let upgraded = false;
  // `again` repeated `depth` times: the replies found in one read are answered with one write.
  const burst = new Uint8Array(again.length * depth);
  for (let k = 0; k < depth; k++) burst.set(again, k * again.length);
  let buffered: Uint8Array = new Uint8Array(0);
  return new Promise((resolve, reject) => {
    void Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(socket) {
          const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
          socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        },
        data(socket, chunk) {
          buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
          if (!upgraded) {
            const end = Buffer.from(buffered).indexOf("\r\n\r\n");
            if (end === -1) return;
            if (!Buffer.from(buffered.subarray(0, 12)).toString().includes(" 101")) return reject(new Error("upgrade refused"));
            upgraded = true;
            buffered = buffered.subarray(end + 4);
            socket.write(first);
            if (depth > 1) socket.write(burst.subarray(0, again.length * (depth - 1)));
            resolve();
          }
          // Server frames are unmasked: 2 header bytes, then a 16-bit length when the 7-bit one says 126.
          let at = 0;
          let replies = 0;
          while (buffered.length - at >= 2) {
            let length = buffered[at + 1]! & 0x7f;
            let header = 2;
            if (length === 126) {
              if (buffered.length - at < 4) break;
              length = (buffered[at + 2]! << 8) | buffered[at + 3]!;
              header = 4;
            } else if (length === 127) return reject(new Error("unexpected 64-bit frame"));
            if (buffered.length - at < header + length) break;
            if (counters.counting) {
              counters.replies++;
              // Replies start {"complete":...}; failures start {"action":"announce","failure reason"...}.
              if (buffered[at + header + 2] === 0x61) counters.failures++;
            }
            at += header + length;
            replies++;
          }
          buffered = buffered.subarray(at);
          // More replies than sockets ever have in flight cannot happen; clamp anyway so `burst` is long enough.
          const reply = burst.subarray(0, again.length * Math.min(replies, depth));
          if (replies > 0 && socket.write(reply) !== reply.length) counters.errors++;
        },
        close() {
          if (counters.counting) counters.errors++;
        },
        error(_socket, error) {
          reject(error);
        },
      },
    }).catch(reject);
  });
}

async function throughput(url: string, connections: number, depth: number, warmUpSeconds: number, seconds: number, hashes: string[]) {
  const { port, pathname } = new URL(url);
  const counters: LoopCounters = { counting: false, replies: 0, failures: 0, errors: 0 };
  await Promise.all(
    Array.from({ length: connections }, (_, i) => {
      const hash = hashes[i % hashes.length]!;
      return loopSocket(Number(port), pathname, maskedTextFrame(announceMessage(hash, peerId(i), "started")),
        maskedTextFrame(announceMessage(hash, peerId(i), "update")), depth, counters);
    }),
  );
  await Bun.sleep(warmUpSeconds * 1000);
  counters.counting = true;
  const started = performance.now();
  await Bun.sleep(seconds * 1000);
  counters.counting = false;
  const elapsed = (performance.now() - started) / 1000;
  const { replies, failures, errors } = counters;
  return { repliesPerSecond: replies / elapsed, replies, failures, errors, seconds: elapsed };
}

async function idle(url: string, connections: number, hashes: string[]) {
  const sockets = await openMany(url, connections);
  let failures = 0;
  for (let i = 0; i < sockets.length; i += CONNECT_BATCH) {
    const replies = await Promise.all(
      sockets.slice(i, i + CONNECT_BATCH).map((ws, k) => request(ws, announceMessage(hashes[(i + k) % hashes.length]!, peerId(i + k), "started"))),
    );
    failures += replies.filter((r) => r.includes("failure reason")).length;
  }
  let closedEarly = 0;
  for (const ws of sockets) ws.addEventListener("close", () => closedEarly++);
  console.log(`ready ${JSON.stringify({ connections: sockets.length, failures })}`);
  // Holds the sockets until the benchmark has read the server's memory.
  for await (const _line of console) break;
  console.log(`closed ${JSON.stringify({ closedEarly })}`);
  for (const ws of sockets) ws.close();
}

if (import.meta.main) {
  const [mode, url, ...rest] = process.argv.slice(2);
  if (!url?.startsWith("ws://127.0.0.1:")) throw new Error("tracker-load: the URL must be ws://127.0.0.1:<port>/...");
  if (mode === "throughput") {
    const [connections, depth, warmUp, seconds, hashes] = rest;
    console.log(JSON.stringify(await throughput(url, Number(connections), Number(depth), Number(warmUp), Number(seconds), hashes!.split(","))));
  } else if (mode === "idle") {
    const [connections, hashes] = rest;
    await idle(url, Number(connections), hashes!.split(","));
  } else {
    throw new Error(`tracker-load: unknown mode ${mode}`);
  }
  process.exit(0);
}
