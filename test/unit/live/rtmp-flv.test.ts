import { describe, expect, test } from "bun:test";
import { Amf0EcmaArray, encodeAmf0 } from "../../../src/live/rtmp/amf0.ts";
import { flvHeader, flvTag, readMetadataMessage, streamInfoFromMedia, streamInfoFromMetadata } from "../../../src/live/rtmp/flv.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("FLV framing", () => {
  test("header flags follow the streams: audio 0x04, video 0x01", () => {
    expect(hex(flvHeader(true, true))).toBe("464c5601050000000900000000");
    expect(hex(flvHeader(true, false))).toBe("464c5601010000000900000000");
    expect(hex(flvHeader(false, true))).toBe("464c5601040000000900000000");
  });

  test("a tag is type, size, 24-bit timestamp + extension byte, stream id 0, payload, previous tag size", () => {
    expect(hex(flvTag(9, 0x12345678, Uint8Array.of(0x17, 0x01)))).toBe("09000002" + "345678" + "12" + "000000" + "1701" + "0000000d");
    expect(hex(flvTag(8, 40, new Uint8Array(0)))).toBe("08000000000028000000000000000b");
  });
});

describe("metadata", () => {
  const properties = { width: 1280, height: 720, framerate: 30, videocodecid: 7, audiocodecid: 10, encoder: "obs-output module" };

  test("@setDataFrame is unwrapped: the FLV script body starts at onMetaData", () => {
    const body = encodeAmf0("onMetaData", new Amf0EcmaArray(properties));
    const message = Buffer.concat([encodeAmf0("@setDataFrame"), body]);
    const read = readMetadataMessage(message)!;
    expect(hex(read.body)).toBe(hex(body));
    expect(read.properties).toEqual(properties);
    expect(readMetadataMessage(body)!.properties).toEqual(properties); // plain onMetaData, as some encoders send
  });

  test("other data messages and malformed metadata are not metadata", () => {
    expect(readMetadataMessage(encodeAmf0("@setDataFrame", "onTextData", { text: "hi" }))).toBeNull();
    expect(readMetadataMessage(Uint8Array.of(0x02, 0x00, 0x0a, 0x6f))).toBeNull();
    expect(readMetadataMessage(encodeAmf0("onMetaData", "not an object"))).toBeNull();
  });

  test("StreamInfo from metadata: codec ids decide which streams exist", () => {
    expect(streamInfoFromMetadata(properties)).toEqual({ hasVideo: true, hasAudio: true, width: 1280, height: 720, frameRate: 30, videoCodecId: 7, audioCodecId: 10 });
    expect(streamInfoFromMetadata({ width: 640, height: 360, videocodecid: 7 })).toEqual({ hasVideo: true, hasAudio: false, width: 640, height: 360, videoCodecId: 7 });
    expect(streamInfoFromMetadata({ audiocodecid: "mp4a", audiosamplerate: 48000 })).toEqual({ hasVideo: false, hasAudio: true, audioCodecId: 10 });
    expect(streamInfoFromMetadata({ videocodecid: "avc1", width: -5, framerate: Infinity })).toEqual({ hasVideo: true, hasAudio: false, videoCodecId: 7 });
    expect(streamInfoFromMetadata({ width: 640, height: 360 })).toBeNull();
  });

  test("StreamInfo from the first media payloads", () => {
    expect(streamInfoFromMedia(Uint8Array.of(0x17, 0), Uint8Array.of(0xaf, 0))).toEqual({ hasVideo: true, hasAudio: true, videoCodecId: 7, audioCodecId: 10 });
    expect(streamInfoFromMedia(undefined, Uint8Array.of(0x2f))).toEqual({ hasVideo: false, hasAudio: true, audioCodecId: 2 });
    expect(streamInfoFromMedia(Uint8Array.of(0x90, 0x68), undefined)).toEqual({ hasVideo: true, hasAudio: false }); // enhanced RTMP header
  });
});
