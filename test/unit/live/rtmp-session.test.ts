import { describe, expect, test } from "bun:test";
import { concatBytes, type Amf0Value } from "../../../src/live/rtmp/amf0.ts";
import { ChunkReader, encodeChunks, MessageType } from "../../../src/live/rtmp/chunks.ts";
import { HANDSHAKE_PACKET_SIZE } from "../../../src/live/rtmp/handshake.ts";
import { DEFAULT_RTMP_LIMITS, RtmpSession, streamKeyFromPublishName, type SessionAction } from "../../../src/live/rtmp/session.ts";
import type { RtmpLimits } from "../../../src/live/rtmp/types.ts";
import {
  amfValues, clientHandshake, command, connect, GENEROUS_READER_LIMITS, loadFfmpegPublish, media, metadata, parseAll,
} from "../../fixtures/rtmp/client.ts";

/** Drives one session and decodes what it sends back, as a client would. */
function harness(limits: RtmpLimits = DEFAULT_RTMP_LIMITS) {
  const session = new RtmpSession(limits, 0, () => new Uint8Array(1528));
  const fromServer = new ChunkReader(GENEROUS_READER_LIMITS);
  let handshakeLeft = 1 + 2 * HANDSHAKE_PACKET_SIZE;
  const actions: SessionAction[] = [];
  const record = (list: SessionAction[]) => {
    for (const action of list) {
      actions.push(action);
      if (action.kind !== "send") continue;
      const skip = Math.min(handshakeLeft, action.bytes.length);
      handshakeLeft -= skip;
      fromServer.push(action.bytes.subarray(skip));
    }
    return list;
  };
  return {
    session,
    actions,
    feed: (bytes: Uint8Array, now = 0) => record(session.receive(bytes, now)),
    accept: (now = 0) => record(session.authorized({ accepted: true }, now)),
    refuse: (reason: string) => record(session.authorized({ refuse: reason }, 0)),
    tick: (now: number) => record(session.tick(now)),
    /** Messages the server sent since the last call: [typeId, streamId, AMF values or raw hex]. */
    replies(): [number, number, Amf0Value[] | string][] {
      const out: [number, number, Amf0Value[] | string][] = [];
      for (let r = fromServer.read(); r.kind === "message"; r = fromServer.read()) {
        const m = r.message;
        out.push([m.typeId, m.streamId, m.typeId === MessageType.commandAmf0 ? amfValues(m) : Buffer.from(m.payload).toString("hex")]);
      }
      return out;
    },
    kinds: () => actions.filter((a) => a.kind !== "send").map((a) => a.kind),
    flv: () => concatBytes(actions.flatMap((a) => (a.kind === "media" ? [a.flv] : []))),
  };
}

/** Connected and createStream done; returns the harness. */
function ready(limits?: RtmpLimits) {
  const h = harness(limits);
  h.feed(concatBytes([clientHandshake(), connect(), command("createStream", 4, [null])]));
  return h;
}

function publish(key: string) {
  return command("publish", 5, [null, key, "live"], { streamId: 1, csid: 8 });
}

/** Parses FLV bytes into [type, timestamp, size] per tag, checking the back-pointers. */
function flvTags(bytes: Uint8Array): [number, number, number][] {
  expect(Buffer.from(bytes.subarray(0, 3)).toString()).toBe("FLV");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: [number, number, number][] = [];
  for (let pos = 13; pos < bytes.length; ) {
    const size = view.getUint32(pos) & 0xffffff;
    const timestamp = ((view.getUint32(pos + 4) >>> 8) | (bytes[pos + 7]! << 24)) >>> 0;
    tags.push([bytes[pos]!, timestamp, size]);
    expect(view.getUint32(pos + 11 + size)).toBe(11 + size);
    pos += 11 + size + 4;
  }
  return tags;
}

const status = (values: Amf0Value[] | string) => (values as [string, number, null, { code: string; description: string; level: string }])[3];

describe("RtmpSession with a captured ffmpeg publish", async () => {
  const fixture = await loadFfmpegPublish();

  test("answers connect and createStream, asks to authorize, and holds every later byte until accepted", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), fixture]));
    const replies = h.replies();
    expect(replies.slice(0, 3)).toEqual([
      [MessageType.windowAckSize, 0, "002625a0"],
      [MessageType.setPeerBandwidth, 0, "002625a002"],
      [MessageType.setChunkSize, 0, "00001000"],
    ]);
    expect(status(replies[3]![2]).code).toBe("NetConnection.Connect.Success");
    expect(replies[4]).toEqual([MessageType.commandAmf0, 0, ["_result", 4, null, 1]]);
    expect(h.kinds()).toEqual(["authorize"]);
    expect(h.actions.find((a) => a.kind === "authorize")).toEqual({ kind: "authorize", app: "live", streamKey: "fixture-key", tcUrl: "rtmp://127.0.0.1:41747/live" });
    expect(h.session.bufferedBytes).toBeGreaterThan(15_000); // the media, unparsed
    h.feed(Uint8Array.of(1, 2, 3)); // more bytes while the hook runs: still nothing
    expect(h.kinds()).toEqual(["authorize"]);
  });

  test("once accepted: Stream Begin, Publish.Start, start(info from onMetaData), then every tag as FLV, then unpublish", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), fixture]));
    h.replies();
    h.accept();
    const replies = h.replies();
    expect(replies[0]).toEqual([MessageType.userControl, 0, "000000000001"]);
    expect(replies[1]![1]).toBe(1);
    expect(status(replies[1]![2])).toEqual({ level: "status", code: "NetStream.Publish.Start", description: "Publishing." });
    const kinds = h.kinds();
    expect(kinds[1]).toBe("start");
    expect(kinds.at(-1)).toBe("unpublish");
    expect(h.actions.find((a) => a.kind === "start")).toEqual({
      kind: "start",
      info: { hasVideo: true, hasAudio: true, width: 160, height: 90, frameRate: 10, videoCodecId: 7, audioCodecId: 10 },
    });
    const tags = flvTags(h.flv());
    expect(h.flv()[4]).toBe(0x05);
    expect(tags[0]![0]).toBe(18);
    const messages = parseAll(fixture).filter((m) => m.typeId === 8 || m.typeId === 9);
    expect(tags.slice(1)).toEqual(messages.map((m) => [m.typeId, m.timestamp, m.payload.length]));
    expect(h.session.phase).toBe("unpublished");
  });

  test("refused: onStatus error with the reason, then close; nothing is started and no media leaves", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), fixture]));
    h.replies();
    h.refuse("this stream key is not live");
    const [reply] = h.replies();
    expect(status(reply![2])).toEqual({ level: "error", code: "NetStream.Publish.BadName", description: "this stream key is not live" });
    expect(h.kinds()).toEqual(["authorize", "close"]);
    expect(h.actions.at(-1)).toEqual({ kind: "close", reason: "refused", message: "this stream key is not live" });
    expect(h.session.bufferedBytes).toBe(0);
    expect(h.feed(fixture)).toEqual([]);
  });
});

describe("RtmpSession refusals", () => {
  test("publish before createStream is refused without asking the hook", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), connect(), publish("key")]));
    expect(h.kinds()).toEqual(["close"]);
    expect(status(h.replies().at(-1)![2]).description).toBe("publish before createStream");
  });

  test("a second publish on the same connection is refused", () => {
    const h = ready();
    h.feed(publish("key"));
    h.accept();
    h.feed(publish("other"));
    expect(h.kinds()).toEqual(["authorize", "close"]);
    expect(h.actions.at(-1)).toEqual({ kind: "close", reason: "refused", message: "this connection already published" });
  });

  test("connect to an application other than live is refused with _error", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), connect("admin")]));
    const [reply] = h.replies();
    expect(reply![2]).toMatchObject(["_error", 1, null, { level: "error", code: "NetConnection.Connect.Rejected" }]);
    expect(h.kinds()).toEqual(["close"]);
  });

  test("app spellings with a trailing slash or query still mean live", () => {
    for (const app of ["live/", "live?token=1"]) {
      const h = harness();
      h.feed(concatBytes([clientHandshake(), connect(app)]));
      expect(h.session.phase).toBe("connected");
    }
  });

  test("an empty stream key (also after stripping ?query) is refused without asking the hook", () => {
    for (const key of ["", "?a=b"]) {
      const h = ready();
      h.feed(publish(key));
      expect(h.kinds()).toEqual(["close"]);
    }
  });

  test("a ?query suffix is stripped from the key", () => {
    expect(streamKeyFromPublishName("abc?x=1&y=2")).toBe("abc");
    expect(streamKeyFromPublishName("abc")).toBe("abc");
    const h = ready();
    h.feed(publish("abc?secret=1"));
    expect(h.actions.find((a) => a.kind === "authorize")).toMatchObject({ streamKey: "abc" });
  });

  test("a command before connect, or a second connect, closes the connection", () => {
    const h = harness();
    h.feed(concatBytes([clientHandshake(), command("createStream", 2, [null])]));
    expect(h.actions.at(-1)).toEqual({ kind: "close", reason: "error", message: "expected connect, got createStream" });
    const again = ready();
    again.feed(connect());
    expect(again.actions.at(-1)).toMatchObject({ kind: "close", reason: "error" });
  });
});

describe("RtmpSession stream make-up", () => {
  const aac = (ts: number) => media(8, ts, Uint8Array.of(0xaf, 0x01, 0x21));
  const avc = (ts: number) => media(9, ts, Uint8Array.of(0x17, 0x01, 0, 0, 0));

  test("onMetaData before media starts the stream at once", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept();
    h.feed(metadata({ width: 640, height: 360, framerate: 25, videocodecid: 7 }));
    expect(h.actions.find((a) => a.kind === "start")).toEqual({ kind: "start", info: { hasVideo: true, hasAudio: false, width: 640, height: 360, frameRate: 25, videoCodecId: 7 } });
    h.feed(concatBytes([avc(0), aac(0), avc(40)]));
    // Audio the header did not announce is dropped: ffmpeg would otherwise meet an undeclared stream.
    expect(flvTags(h.flv()).map((t) => t[0])).toEqual([18, 9, 9]);
  });

  test("without metadata, audio and video both seen start the stream with both", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept();
    h.feed(avc(0));
    expect(h.kinds()).toEqual(["authorize"]);
    h.feed(aac(0));
    expect(h.actions.find((a) => a.kind === "start")).toEqual({ kind: "start", info: { hasVideo: true, hasAudio: true, videoCodecId: 7, audioCodecId: 10 } });
    expect(h.flv()[4]).toBe(0x05);
    expect(flvTags(h.flv())).toEqual([[9, 0, 5], [8, 0, 3]]);
  });

  test("without metadata, audio alone starts after probeMaxMessages messages", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept();
    for (let i = 0; i < 63; i++) h.feed(aac(i * 10));
    expect(h.kinds()).toEqual(["authorize"]);
    h.feed(aac(630));
    expect(h.actions.find((a) => a.kind === "start")).toEqual({ kind: "start", info: { hasVideo: false, hasAudio: true, audioCodecId: 10 } });
    expect(h.flv()[4]).toBe(0x04);
    expect(flvTags(h.flv())).toHaveLength(64);
  });

  test("without metadata, video alone starts once a probe window of media time has passed", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept();
    h.feed(concatBytes([avc(0), avc(500)]));
    expect(h.kinds()).toEqual(["authorize"]);
    h.feed(avc(1000));
    expect(h.actions.find((a) => a.kind === "start")).toMatchObject({ info: { hasVideo: true, hasAudio: false } });
  });

  test("without metadata, a probe that runs out of wall-clock time starts on the next tick", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept(100);
    h.feed(aac(0), 100);
    h.tick(1_099);
    expect(h.kinds()).toEqual(["authorize"]);
    h.tick(1_100);
    expect(h.kinds()).toEqual(["authorize", "start", "media", "media"]); // FLV header, then the held tag
  });
});

describe("RtmpSession control and limits", () => {
  test("answers a ping request with a ping response carrying the same value", () => {
    const h = ready();
    h.replies();
    h.feed(encodeChunks({ csid: 2, typeId: 4, streamId: 0, timestamp: 0, payload: Uint8Array.of(0, 6, 0, 0, 0x12, 0x34) }, 128));
    expect(h.replies()).toEqual([[4, 0, "000700001234"]]);
  });

  test("acknowledges each window of received bytes once the client set a window size", () => {
    const h = ready();
    h.feed(publish("k"));
    h.accept();
    h.replies();
    h.feed(encodeChunks({ csid: 2, typeId: 5, streamId: 0, timestamp: 0, payload: Uint8Array.of(0, 0, 0x10, 0) }, 128));
    expect(h.replies()).toEqual([]);
    h.feed(media(9, 0, new Uint8Array(5000).fill(0x17)));
    const acks = h.replies().filter((r) => r[0] === MessageType.acknowledgement);
    expect(acks).toHaveLength(1);
  });

  test("too many bytes while the hook runs closes the connection", () => {
    const h = ready({ ...DEFAULT_RTMP_LIMITS, maxPendingBytes: 1000 });
    h.feed(publish("k"));
    h.feed(new Uint8Array(1001));
    expect(h.actions.at(-1)).toEqual({ kind: "close", reason: "error", message: "too much data while the stream key was being checked" });
    expect(h.session.bufferedBytes).toBe(0);
  });

  test("deadlines: handshake, publish (hook included) and media idleness", () => {
    const limits = { ...DEFAULT_RTMP_LIMITS, handshakeTimeoutMs: 100, publishTimeoutMs: 200, idleTimeoutMs: 300 };
    const slow = harness(limits);
    slow.feed(Uint8Array.of(3));
    expect(slow.tick(100)).toEqual([]);
    expect(slow.tick(101)).toEqual([{ kind: "close", reason: "timeout", message: "handshake timed out" }]);
    const waiting = ready(limits);
    waiting.feed(publish("k"));
    expect(waiting.tick(201)).toEqual([{ kind: "close", reason: "timeout", message: "no accepted publish in time" }]);
    const idle = ready(limits);
    idle.feed(publish("k"));
    idle.accept(50);
    idle.feed(media(8, 0, Uint8Array.of(0xaf, 1)), 150);
    expect(idle.tick(450)).toEqual([]);
    expect(idle.tick(451)).toEqual([{ kind: "close", reason: "timeout", message: "no media in time" }]);
  });
});
