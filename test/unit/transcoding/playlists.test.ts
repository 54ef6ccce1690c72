import { describe, expect, test } from "bun:test";
import {
  avcCodecFromInit,
  completeMasterPlaylist,
  parseAttributes,
  parseMediaPlaylist,
  renditionBitrates,
  type VariantAttributes,
} from "../../../src/transcoding/playlists.ts";

// As written by ffmpeg 5.1 for a two-rendition fMP4 ladder: no FRAME-RATE, BANDWIDTH from encoder settings.
const FFMPEG_MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=415800,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2"
240p.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=2120800,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"
720p.m3u8
`;

const VARIANTS: VariantAttributes[] = [
  { uri: "240p.m3u8", bandwidth: 390123.4, averageBandwidth: 350000, codecs: "avc1.640015,mp4a.40.2", resolution: { width: 426, height: 240 }, frameRate: 30 },
  { uri: "720p.m3u8", bandwidth: 1900000, averageBandwidth: 1700000, codecs: "avc1.64001f,mp4a.40.2", resolution: { width: 1280, height: 720 }, frameRate: 30000 / 1001 },
];

describe("completeMasterPlaylist", () => {
  test("writes BANDWIDTH, AVERAGE-BANDWIDTH, CODECS, RESOLUTION and FRAME-RATE for every variant", () => {
    expect(completeMasterPlaylist(FFMPEG_MASTER, VARIANTS)).toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=390124,AVERAGE-BANDWIDTH=350000,CODECS="avc1.640015,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=30.000
240p.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=1900000,AVERAGE-BANDWIDTH=1700000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970
720p.m3u8
`);
  });

  test("audio-only variant: CODECS only, stale RESOLUTION dropped, other attributes kept", () => {
    const master = `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=140800,RESOLUTION=1x1,NAME="x,y"\naudio.m3u8\n`;
    const result = completeMasterPlaylist(master, [{ uri: "audio.m3u8", bandwidth: 131000, averageBandwidth: 129000, codecs: "mp4a.40.2" }]);
    expect(result).toBe(
      `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=131000,AVERAGE-BANDWIDTH=129000,CODECS="mp4a.40.2",NAME="x,y"\naudio.m3u8\n`,
    );
  });

  test("is idempotent", () => {
    const once = completeMasterPlaylist(FFMPEG_MASTER, VARIANTS);
    expect(completeMasterPlaylist(once, VARIANTS)).toBe(once);
  });

  test("refuses a master playlist that does not match the renditions", () => {
    expect(() => completeMasterPlaylist(FFMPEG_MASTER, VARIANTS.slice(0, 1))).toThrow(/did not produce: 720p.m3u8/);
    const extra = [...VARIANTS, { ...VARIANTS[0]!, uri: "1080p.m3u8" }];
    expect(() => completeMasterPlaylist(FFMPEG_MASTER, extra)).toThrow(/missing variants: 1080p.m3u8/);
  });
});

describe("parseMediaPlaylist", () => {
  test("reads the init segment and segments with durations", () => {
    const text = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="720p-init.mp4"
#EXTINF:4.000000,
720p-0000.m4s
#EXTINF:2.000000,
720p-0001.m4s
#EXT-X-ENDLIST
`;
    expect(parseMediaPlaylist(text)).toEqual({
      initSegment: "720p-init.mp4",
      segments: [
        { uri: "720p-0000.m4s", durationSeconds: 4 },
        { uri: "720p-0001.m4s", durationSeconds: 2 },
      ],
    });
  });

  test("parses quoted attribute values containing commas", () => {
    expect([...parseAttributes(`BANDWIDTH=1,CODECS="avc1.64001f,mp4a.40.2",URI="a.mp4"`)]).toEqual([
      ["BANDWIDTH", "1"],
      ["CODECS", `"avc1.64001f,mp4a.40.2"`],
      ["URI", "a.mp4"],
    ]);
  });
});

describe("renditionBitrates", () => {
  test("peak over full-length segments, average over everything including the init segment", () => {
    const segments = [
      { bytes: 500_000, durationSeconds: 4 },
      { bytes: 1_000_000, durationSeconds: 4 },
      { bytes: 200_000, durationSeconds: 0.5 },
    ];
    expect(renditionBitrates(segments, 1_000)).toEqual({ peak: 2_000_000, average: Math.ceil((1_701_000 * 8) / 8.5) });
  });

  test("a single short segment still counts as the peak", () => {
    expect(renditionBitrates([{ bytes: 1000, durationSeconds: 1 }])).toEqual({ peak: 8000, average: 8000 });
  });

  test("no segments, no bandwidth", () => {
    expect(renditionBitrates([])).toEqual({ peak: 0, average: 0 });
  });
});

describe("avcCodecFromInit", () => {
  test("reads profile, constraints and level from the avcC box", () => {
    // ... size, "avcC", configurationVersion=1, profile=0x64 (High), constraints=0x00, level=0x1f (3.1), ...
    const bytes = new Uint8Array([0, 0, 0, 0x2f, 0x61, 0x76, 0x63, 0x43, 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1]);
    expect(avcCodecFromInit(bytes)).toBe("avc1.64001f");
    const baseline = new Uint8Array([0x61, 0x76, 0x63, 0x43, 0x01, 0x42, 0xc0, 0x15]);
    expect(avcCodecFromInit(baseline)).toBe("avc1.42c015");
  });

  test("null without an avcC box", () => {
    expect(avcCodecFromInit(new TextEncoder().encode("ftypisom....moov"))).toBeNull();
    expect(avcCodecFromInit(new Uint8Array([0x61, 0x76, 0x63, 0x43, 0x01]))).toBeNull();
  });
});
