import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
// The real derivation, straight from the library the player bundles (its package root would load WebRTC code).
import { generateStreamShortId, getStreamSwarmId } from "../../../node_modules/p2p-media-loader-core/lib/utils/stream.js";
import { getStreamHash } from "../../../node_modules/p2p-media-loader-core/lib/utils/peer.js";
import {
  infoHashesForVideo,
  infoHashHex,
  parseMasterVariants,
  streamInfoHash,
  swarmIdForVideo,
  variantStreamIndex,
  type ParsedVariant,
} from "../../../src/p2p/swarm-ids.ts";

const UUID = "0b7ab5c4-3c1e-4bde-9f1e-6d3c2b1a0f9e";

// A master playlist as the transcoder writes it (completeMasterPlaylist).
const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=390124,AVERAGE-BANDWIDTH=350000,CODECS="avc1.640015,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000
240p.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=1900000,AVERAGE-BANDWIDTH=1700000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970
720p.m3u8
`;

const AUDIO_ONLY = `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=131000,AVERAGE-BANDWIDTH=129000,CODECS="mp4a.40.2"\naudio.m3u8\n`;

// Not ours, but legal: CRLF, a comment before the URI, AVERAGE-BANDWIDTH alone, a decimal avc1 codec listed after
// the audio one, lower-case VIDEO-RANGE, and BANDWIDTH=0 with no AVERAGE-BANDWIDTH (hls.js's `0 || NaN` gives NaN).
const ODD =
  '#EXTM3U\r\n#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=800000,CODECS="mp4a.40.2, avc1.77.30",RESOLUTION=640x360,FRAME-RATE=25,VIDEO-RANGE=sdr\r\n' +
  "# a comment\r\nhttps://cdn.example.net/v/360p.m3u8?token=x\r\n" +
  '#EXT-X-STREAM-INF:BANDWIDTH=0,CODECS="avc1.64001f",RESOLUTION=1280x720\r\n720p.m3u8\r\n';

/**
 * Expected values computed by running the real libraries end to end: hls.js 1.7.4's M3U8Parser on the playlist,
 * then the statements of p2p-media-loader-hlsjs 2.3.1 (SegmentManager.processMainManifest) and the core's
 * generateStreamShortId, getStreamSwarmId and getStreamHash, with `core.swarmId = "tubelet:<uuid>"`.
 */
const EXPECTED: [string, string, [string, string, string][]][] = [
  ["transcoder output", MASTER, [
    ["240p.m3u8", "3VURQqDn38FVtpSA9ga4CXXj2E8=", "kWJctuVzgoz237azshic"],
    ["720p.m3u8", "xerXgjxn7DMl2W9si7/vCTKtp2Q=", "ocuGptjujbpv/jlKPzAg"],
  ]],
  ["audio only", AUDIO_ONLY, [["audio.m3u8", "A6Ow6wtkkzqmuF/HMADNLk2VHyU=", "+k9EI3BBieYyegD/2zWi"]]],
  ["unusual but legal", ODD, [
    ["https://cdn.example.net/v/360p.m3u8?token=x", "6yzBW/wk8SmMPw1GsRdiYc2UfKQ=", "4sL7UeF7uEwEyW5XMNHV"],
    ["720p.m3u8", "1w2IFxEPs1bmRVo6GM2U2zewZus=", "RvN17kVnaT1Vb+pvsFig"],
  ]],
];

describe("infoHashesForVideo", () => {
  test.each(EXPECTED)("%s: the hashes P2P Media Loader 2.3 announces", (_name, master, expected) => {
    const swarms = infoHashesForVideo(UUID, master);
    expect(swarms.map((s) => [s.playlist, s.streamSwarmId, s.infoHash])).toEqual(
      expected.map(([playlist, index, hash]) => [playlist, `v2-tubelet:${UUID}-main-${index}`, hash]),
    );
    for (const s of swarms) {
      expect(s.infoHash).toHaveLength(20);
      expect(s.infoHashHex).toBe(Buffer.from(s.infoHash).toString("hex"));
    }
  });

  test("the swarm id is tubelet:<uuid>, whatever URL serves the files", () => {
    expect(swarmIdForVideo(UUID)).toBe(`tubelet:${UUID}`);
    const mirrored = MASTER.replace(/^(\d+p\.m3u8)$/gm, "https://mirror.example.net/static/videos/x/hls/$1");
    expect(infoHashesForVideo(UUID, mirrored).map((s) => s.infoHash)).toEqual(infoHashesForVideo(UUID, MASTER).map((s) => s.infoHash));
  });

  test("another video, or other rendition attributes, give other swarms", () => {
    const mine = infoHashesForVideo(UUID, MASTER).map((s) => s.infoHash);
    expect(infoHashesForVideo("5f0c7f7e-8a3b-4c55-9d0e-2a1b3c4d5e6f", MASTER).map((s) => s.infoHash)).not.toContain(mine[0]);
    expect(infoHashesForVideo(UUID, MASTER.replace("390124", "390125"))[0]!.infoHash).not.toBe(mine[0]);
  });

  test("no variants without #EXTM3U, or without a URI line", () => {
    expect(infoHashesForVideo(UUID, MASTER.slice(1))).toEqual([]);
    expect(infoHashesForVideo(UUID, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n")).toEqual([]);
    expect(infoHashesForVideo(UUID, "")).toEqual([]);
  });
});

describe("parseMasterVariants", () => {
  test("reads what hls.js puts on a level", () => {
    expect(parseMasterVariants(ODD)).toEqual([
      { uri: "https://cdn.example.net/v/360p.m3u8?token=x", bitrate: 800000, videoCodec: "avc1.77.30", width: 640, height: 360, frameRate: "25", videoRange: "sdr" },
      { uri: "720p.m3u8", bitrate: Number.NaN, videoCodec: "avc1.64001f", width: 1280, height: 720 },
    ]);
  });
});

describe("against p2p-media-loader-core's own functions", () => {
  const variants: ParsedVariant[] = [
    { uri: "a", bitrate: 390124, videoCodec: "avc1.640015", width: 426, height: 240, frameRate: "30.000" },
    { uri: "b", bitrate: 2500000, videoCodec: "avc1.4d401f,avc1.66.30", width: 1920, height: 1080, frameRate: "59.940", videoRange: " pq " },
    { uri: "c", bitrate: 0, videoCodec: "avc1.64001f", width: 1280, height: 720, frameRate: "30" },
    { uri: "d", bitrate: 64000 },
    { uri: "e", bitrate: Number.NaN, frameRate: "abc" },
  ];

  test.each(variants.map((v) => [v.uri, v] as const))("variant %s: same stream index and info hash", (_uri, v) => {
    const missing = v.bitrate === 0;
    const index = generateStreamShortId({
      bitrate: v.bitrate,
      codecs: missing ? undefined : v.videoCodec,
      width: missing ? undefined : v.width,
      height: missing ? undefined : v.height,
      frameRate: missing ? undefined : v.frameRate,
      videoRange: missing ? undefined : v.videoRange,
    });
    expect(variantStreamIndex(v)).toBe(index);
    const streamSwarmId = getStreamSwarmId(swarmIdForVideo(UUID), { type: "main", index } as never);
    expect(streamInfoHash(streamSwarmId)).toBe(getStreamHash(streamSwarmId));
  });

  test("the info hash is base64 of the first 15 bytes of a SHA-1", () => {
    const sid = `v2-tubelet:${UUID}-main-x`;
    expect(streamInfoHash(sid)).toBe(createHash("sha1").update(sid).digest().subarray(0, 15).toString("base64"));
    expect(infoHashHex("kWJctuVzgoz237azshic")).toBe("6b574a637475567a676f7a323337617a73686963");
  });
});
