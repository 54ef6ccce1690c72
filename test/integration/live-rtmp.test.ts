/**
 * The RTMP ingest against real publishers: ffmpeg over TCP on an ephemeral port, the FLV handed to the session
 * checked with ffprobe, refusals seen from ffmpeg's side, and a flood of broken clients that must not leak
 * connections or stop a good publisher afterwards.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { concatBytes } from "../../src/live/rtmp/amf0.ts";
import { HANDSHAKE_PACKET_SIZE } from "../../src/live/rtmp/handshake.ts";
import { startRtmpServer, type EndReason, type PublishRequest, type RtmpLimits, type RtmpServer, type StreamInfo } from "../../src/live/rtmp/server.ts";
import { clientHandshake, loadFfmpegPublish, parseAll, prng, rechunk } from "../fixtures/rtmp/client.ts";
import { run, waitFor } from "../helpers/processes.ts";

interface Recorded {
  readonly key: string;
  info?: StreamInfo;
  readonly chunks: Uint8Array[];
  ends: EndReason[];
  /** Set when write() came before start(), which the contract forbids. */
  misordered: boolean;
}

/** Hooks that accept the given keys, refuse a key that is already publishing, and record everything. */
function recordingHooks(validKeys: readonly string[]) {
  const active = new Set<string>();
  const sessions: Recorded[] = [];
  const requests: PublishRequest[] = [];
  const hooks = {
    async authorize(request: PublishRequest) {
      requests.push(request);
      const key = request.streamKey;
      if (!validKeys.includes(key)) return { refuse: "unknown stream key" };
      if (active.has(key)) return { refuse: "this stream is already live" };
      active.add(key);
      const rec: Recorded = { key, chunks: [], ends: [], misordered: false };
      sessions.push(rec);
      return {
        start(info: StreamInfo) {
          rec.info = info;
        },
        write(flv: Uint8Array) {
          if (!rec.info) rec.misordered = true;
          rec.chunks.push(flv);
        },
        end(reason: EndReason) {
          rec.ends.push(reason);
          active.delete(key);
        },
      };
    },
  };
  return { hooks, sessions, requests };
}

const spawned: Subprocess[] = [];
const servers: RtmpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const proc of spawned.splice(0)) proc.kill("SIGKILL");
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function startServer(validKeys: readonly string[], limits?: Partial<RtmpLimits>) {
  const recording = recordingHooks(validKeys);
  const logs: string[] = [];
  const server = await startRtmpServer({ host: "127.0.0.1", port: 0, hooks: recording.hooks, limits, log: (m) => logs.push(m) });
  servers.push(server);
  return { server, logs, ...recording };
}

/** ffmpeg publishing a lavfi test pattern and/or tone; `realtime` paces it with -re. */
function ffmpegPublish(url: string, o: { video?: boolean; audio?: boolean; seconds?: number; realtime?: boolean } = {}) {
  const { video = true, audio = true, seconds = 2, realtime = false } = o;
  const args = ["ffmpeg", "-v", "error", "-nostdin"];
  if (realtime) args.push("-re");
  if (video) args.push("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25");
  if (audio) args.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");
  args.push("-t", String(seconds));
  if (video) args.push("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25");
  if (audio) args.push("-c:a", "aac", "-b:a", "64k");
  args.push("-f", "flv", url);
  const proc = Bun.spawn(args, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  spawned.push(proc);
  const stderr = new Response(proc.stderr).text();
  return { proc, exited: proc.exited, stderr };
}

/** The streams ffprobe finds in the FLV a session received. */
async function probeFlv(chunks: readonly Uint8Array[]) {
  const dir = await mkdtemp(join(tmpdir(), "tubelet-rtmp-"));
  try {
    const file = join(dir, "received.flv");
    await Bun.write(file, concatBytes(chunks));
    const result = await run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height:format=duration", "-of", "json", file]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration?: string } };
    return { streams: parsed.streams.map((s) => [s.codec_type, s.codec_name, s.width, s.height]), duration: Number(parsed.format.duration) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A raw TCP client: does the handshake properly (waits for S0+S1+S2), then sends `body`. */
async function rawPublish(port: number, body: Uint8Array): Promise<Socket> {
  const socket = createConnection({ host: "127.0.0.1", port });
  sockets.push(socket);
  socket.on("error", () => {});
  let received = 0;
  const handshaken = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 1 + 2 * HANDSHAKE_PACKET_SIZE) resolve();
    });
    socket.once("close", () => reject(new Error("closed during the handshake")));
  });
  const hs = clientHandshake();
  socket.write(hs.subarray(0, 1 + HANDSHAKE_PACKET_SIZE));
  await handshaken;
  socket.write(concatBytes([hs.subarray(1 + HANDSHAKE_PACKET_SIZE), body]));
  return socket;
}

describe("RTMP ingest with ffmpeg publishers", () => {
  test("H.264 + AAC: start() gets the make-up, the FLV plays in ffprobe, FCUnpublish ends it", async () => {
    const { server, sessions, requests } = await startServer(["good-key"]);
    const ffmpeg = ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/good-key?client=obs`);
    expect(await ffmpeg.exited).toBe(0);
    await waitFor("the session to end", () => sessions[0]?.ends.length);
    expect(requests).toEqual([{ app: "live", streamKey: "good-key", remoteAddress: "127.0.0.1", tcUrl: `rtmp://127.0.0.1:${server.port}/live` }]);
    const [session] = sessions;
    expect(session!.info).toEqual({ hasVideo: true, hasAudio: true, width: 320, height: 180, frameRate: 25, videoCodecId: 7, audioCodecId: 10 });
    expect(session!.ends).toEqual(["unpublished"]);
    expect(session!.misordered).toBe(false);
    const probe = await probeFlv(session!.chunks);
    expect(probe.streams).toEqual([["video", "h264", 320, 180], ["audio", "aac", undefined, undefined]]);
    expect(probe.duration).toBeGreaterThan(1.8);
    await waitFor("the connection to close", () => server.connections() === 0);
  });

  test("video only: the FLV header announces video only and ffprobe finds only H.264", async () => {
    const { server, sessions } = await startServer(["k"]);
    expect(await ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/k`, { audio: false }).exited).toBe(0);
    await waitFor("the session to end", () => sessions[0]?.ends.length);
    expect(sessions[0]!.info).toMatchObject({ hasVideo: true, hasAudio: false });
    expect(sessions[0]!.chunks[0]![4]).toBe(0x01);
    expect((await probeFlv(sessions[0]!.chunks)).streams).toEqual([["video", "h264", 320, 180]]);
  });

  test("audio only: the FLV header announces audio only and ffprobe finds only AAC", async () => {
    const { server, sessions } = await startServer(["k"]);
    expect(await ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/k`, { video: false }).exited).toBe(0);
    await waitFor("the session to end", () => sessions[0]?.ends.length);
    expect(sessions[0]!.info).toMatchObject({ hasVideo: false, hasAudio: true, audioCodecId: 10 });
    expect(sessions[0]!.chunks[0]![4]).toBe(0x04);
    expect((await probeFlv(sessions[0]!.chunks)).streams).toEqual([["audio", "aac", undefined, undefined]]);
  });

  test("other chunk sizes (1, 128, 60000) give byte-identical FLV", async () => {
    // ffmpeg 5.1 has no option for its chunk size (it always announces 4096), so the captured publish is
    // replayed re-chunked by a raw client.
    const { server, sessions } = await startServer(["fixture-key"]);
    const messages = parseAll(await loadFfmpegPublish());
    const outputs: Uint8Array[] = [];
    for (const size of [1, 128, 60_000]) {
      await rawPublish(server.port, rechunk(messages, size));
      await waitFor(`the chunk size ${size} session to end`, () => sessions[outputs.length]?.ends.length);
      expect(sessions[outputs.length]!.ends).toEqual(["unpublished"]);
      outputs.push(concatBytes(sessions[outputs.length]!.chunks));
    }
    expect(Buffer.compare(outputs[0]!, outputs[1]!)).toBe(0);
    expect(Buffer.compare(outputs[0]!, outputs[2]!)).toBe(0);
    expect((await probeFlv([outputs[0]!])).streams).toEqual([["video", "h264", 160, 90], ["audio", "aac", undefined, undefined]]);
  });
});

describe("RTMP ingest backpressure", () => {
  test("a slow write() pauses the socket: one write at a time, nothing buffered past the limit, nothing lost", async () => {
    // maxPendingBytes also bounds what may arrive while paused; if pause() did not reach TCP, a fast publisher
    // would overrun 64 KB within a second and the connection would be closed with an error.
    let inFlight = 0;
    let maxInFlight = 0;
    const chunks: Uint8Array[] = [];
    const ends: EndReason[] = [];
    const server = await startRtmpServer({
      host: "127.0.0.1",
      port: 0,
      limits: { maxPendingBytes: 64 * 1024 },
      log: () => {},
      hooks: {
        authorize: async () => ({
          start: () => {},
          async write(flv: Uint8Array) {
            maxInFlight = Math.max(maxInFlight, ++inFlight);
            chunks.push(flv);
            await new Promise((resolve) => setTimeout(resolve, 2)); // a transcoder that reads slowly
            inFlight--;
          },
          end: (reason: EndReason) => ends.push(reason),
        }),
      },
    });
    servers.push(server);
    const args = ["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "6",
      "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "3M", "-pix_fmt", "yuv420p", "-f", "flv", `rtmp://127.0.0.1:${server.port}/live/k`];
    const proc = Bun.spawn(args, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    spawned.push(proc);
    expect(await proc.exited).toBe(0);
    await waitFor("the session to end", () => ends.length);
    expect(ends).toEqual(["unpublished"]);
    expect(maxInFlight).toBe(1);
    expect(concatBytes(chunks).length).toBeGreaterThan(512 * 1024);
    const probe = await probeFlv(chunks);
    expect(probe.streams).toEqual([["video", "h264", 640, 360]]);
    expect(probe.duration).toBeGreaterThan(5.8);
  });
});

describe("RTMP ingest refusals and endings", () => {
  test("a wrong key is refused before any media: no session, ffmpeg exits non-zero with the reason", async () => {
    const { server, sessions, requests } = await startServer(["right-key"]);
    const ffmpeg = ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/wrong-key`, { realtime: true, seconds: 20 });
    expect(await ffmpeg.exited).not.toBe(0);
    expect(await ffmpeg.stderr).toContain("unknown stream key");
    expect(requests.map((r) => r.streamKey)).toEqual(["wrong-key"]);
    expect(sessions).toEqual([]);
    await waitFor("the connection to close", () => server.connections() === 0);
  });

  test("a second publisher on a live key is refused; killing the first mid-stream ends it with closed", async () => {
    const { server, sessions } = await startServer(["shared"]);
    const url = `rtmp://127.0.0.1:${server.port}/live/shared`;
    const first = ffmpegPublish(url, { realtime: true, seconds: 30 });
    await waitFor("the first publisher to start", () => sessions[0]?.info && sessions[0].chunks.length > 10);
    const second = ffmpegPublish(url, { realtime: true, seconds: 30 });
    expect(await second.exited).not.toBe(0);
    expect(await second.stderr).toContain("this stream is already live");
    expect(sessions).toHaveLength(1);
    const before = sessions[0]!.chunks.length;
    await waitFor("the first publisher to keep sending", () => sessions[0]!.chunks.length > before + 10);
    expect(sessions[0]!.ends).toEqual([]);
    first.proc.kill("SIGKILL");
    await waitFor("the first session to end", () => sessions[0]!.ends.length);
    expect(sessions[0]!.ends).toEqual(["closed"]);
    await waitFor("all connections to close", () => server.connections() === 0);
  });

  test("close() ends a live session with shutdown and stops listening", async () => {
    const { server, sessions } = await startServer(["k"]);
    const ffmpeg = ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/k`, { realtime: true, seconds: 30 });
    await waitFor("the publisher to start", () => sessions[0]?.info);
    await server.close();
    expect(sessions[0]!.ends).toEqual(["shutdown"]);
    expect(server.connections()).toBe(0);
    expect(await ffmpeg.exited).not.toBe(0);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: server.port });
      socket.once("error", () => resolve(true));
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
    });
    expect(refused).toBe(true);
  });

  test("connections beyond the per-address limit are closed at once", async () => {
    const { server } = await startServer([], { maxConnectionsPerIp: 2 });
    const open = [0, 1, 2].map(() => {
      const socket = createConnection({ host: "127.0.0.1", port: server.port });
      sockets.push(socket);
      socket.on("error", () => {});
      return new Promise<string>((resolve) => {
        socket.once("close", () => resolve("closed"));
        setTimeout(() => resolve("open"), 1_000);
      });
    });
    expect((await Promise.all(open)).sort()).toEqual(["closed", "open", "open"]);
    expect(server.connections()).toBe(2);
  });
});

describe("RTMP ingest under hostile clients", () => {
  test("garbage, truncated handshakes and mutated publishes from many sockets leak nothing; a good publisher still works", async () => {
    const limits = { handshakeTimeoutMs: 500, publishTimeoutMs: 1_000, idleTimeoutMs: 1_000, maxConnections: 200, maxConnectionsPerIp: 200 };
    const { server, sessions } = await startServer(["fixture-key", "good-key"], limits);
    const random = prng(42);
    const fixture = await loadFfmpegPublish();
    const hs = clientHandshake();
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
    const mutated = () => {
      const copy = concatBytes([hs, fixture]);
      for (let i = 0; i < 1 + Math.floor(random() * 6); i++) copy[3073 + Math.floor(random() * fixture.length)] = Math.floor(random() * 256);
      return copy.subarray(0, 3073 + Math.floor(random() * fixture.length));
    };
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) inputs.push(bytes(1 + Math.floor(random() * 5000))); // garbage
    for (let i = 0; i < 20; i++) inputs.push(hs.subarray(0, Math.floor(random() * hs.length))); // truncated handshake, then silence
    for (let i = 0; i < 40; i++) inputs.push(mutated()); // a publish with a few bytes changed, often cut short
    for (const input of inputs) {
      const socket = createConnection({ host: "127.0.0.1", port: server.port });
      sockets.push(socket);
      socket.on("error", () => {});
      socket.on("data", () => {}); // read (and ignore) what the server answers
      socket.write(input); // and never close: the server's deadlines must do it
    }
    await waitFor("some hostile connections to be open", () => server.connections() > 0);
    await waitFor("the server to close every hostile connection", () => server.connections() === 0, { timeoutMs: 20_000 });
    for (const session of sessions) expect(session.ends).toHaveLength(1); // every accepted mutated publish was ended, once
    const accepted = sessions.length;
    expect(await ffmpegPublish(`rtmp://127.0.0.1:${server.port}/live/good-key`, { seconds: 1 }).exited).toBe(0);
    await waitFor("the good session to end", () => sessions[accepted]?.ends.length);
    expect(sessions[accepted]!.ends).toEqual(["unpublished"]);
    expect((await probeFlv(sessions[accepted]!.chunks)).streams.map((s) => s[1])).toEqual(["h264", "aac"]);
    await waitFor("the good connection to close", () => server.connections() === 0);
  });
});
