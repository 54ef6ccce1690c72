/**
 * FLV framing of an RTMP publish (FLV spec v10.1, annex E): RTMP audio (8), video (9) and data (18) message
 * payloads are exactly FLV tag bodies, so a tag is an 11-byte header, the payload and a back-pointer.
 * Also reads the stream's make-up from onMetaData or, lacking that, from the first media messages.
 */
import { Amf0EcmaArray, decodeAmf0, type Amf0Object, type Amf0Value } from "./amf0.ts";
import type { StreamInfo } from "./types.ts";

/** FLV tag types; they equal the RTMP message type ids. */
export const FlvTagType = { audio: 8, video: 9, script: 18 } as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

/** Video codec id 7 = AVC (H.264); audio codec id 10 = AAC. */
export const FLV_VIDEO_AVC = 7;
export const FLV_AUDIO_AAC = 10;

/**
 * The 9-byte FLV header and PreviousTagSize0. The flags must match the streams that will come: ffmpeg's
 * FLV demuxer waits (up to its probe limits) for every stream the flags announce.
 */
export function flvHeader(hasVideo: boolean, hasAudio: boolean): Uint8Array {
  const flags = (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0);
  return Uint8Array.of(0x46, 0x4c, 0x56, 1, flags, 0, 0, 0, 9, 0, 0, 0, 0);
}

/** One FLV tag with its trailing PreviousTagSize; `timestamp` is absolute ms (32 bits: 24 + extension byte). */
export function flvTag(type: FlvTagType, timestamp: number, payload: Uint8Array): Uint8Array {
  const size = payload.length;
  const tag = new Uint8Array(11 + size + 4);
  const view = new DataView(tag.buffer);
  tag[0] = type;
  tag[1] = (size >> 16) & 0xff;
  tag[2] = (size >> 8) & 0xff;
  tag[3] = size & 0xff;
  const ts = timestamp >>> 0;
  tag[4] = (ts >> 16) & 0xff;
  tag[5] = (ts >> 8) & 0xff;
  tag[6] = ts & 0xff;
  tag[7] = (ts >>> 24) & 0xff; // TimestampExtended: the upper 8 bits
  // bytes 8-10: StreamID, always 0
  tag.set(payload, 11);
  view.setUint32(11 + size, 11 + size);
  return tag;
}

export interface ScriptData {
  /** The FLV script tag body: "onMetaData" and its properties, without the RTMP "@setDataFrame" wrapper. */
  readonly body: Uint8Array;
  readonly properties: Amf0Object;
}

/**
 * Reads an RTMP data message. Publishers send `@setDataFrame("onMetaData", {...})` (ffmpeg, OBS) or plain
 * `onMetaData({...})`; anything else (cue points, text) returns null and is not forwarded.
 */
export function readMetadataMessage(payload: Uint8Array): ScriptData | null {
  try {
    let first = decodeAmf0(payload, 0);
    let start = 0;
    if (first.value === "@setDataFrame") {
      start = first.end;
      first = decodeAmf0(payload, start);
    }
    if (first.value !== "onMetaData") return null;
    const properties = decodeAmf0(payload, first.end).value;
    const object = properties instanceof Amf0EcmaArray ? properties.properties : properties;
    if (!isObject(object)) return null;
    return { body: payload.subarray(start), properties: object };
  } catch {
    return null; // malformed metadata is dropped; the media itself is still usable
  }
}

function isObject(value: Amf0Value): value is Amf0Object {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Amf0EcmaArray);
}

/**
 * StreamInfo from onMetaData, or null when it names no codec (then the media decides). A stream has video when
 * videocodecid is present and audio when audiocodecid is: ffmpeg writes each only for a stream it has.
 */
export function streamInfoFromMetadata(properties: Amf0Object): StreamInfo | null {
  const video = properties.videocodecid;
  const audio = properties.audiocodecid;
  const hasVideo = video !== undefined && video !== null && video !== false;
  const hasAudio = audio !== undefined && audio !== null && audio !== false;
  if (!hasVideo && !hasAudio) return null;
  const info: Mutable<StreamInfo> = { hasVideo, hasAudio };
  const width = positive(properties.width);
  const height = positive(properties.height);
  const frameRate = positive(properties.framerate) ?? positive(properties.videoframerate);
  if (hasVideo && width !== undefined) info.width = Math.round(width);
  if (hasVideo && height !== undefined) info.height = Math.round(height);
  if (hasVideo && frameRate !== undefined) info.frameRate = frameRate;
  const videoCodecId = codecId(video, { avc1: FLV_VIDEO_AVC });
  const audioCodecId = codecId(audio, { mp4a: FLV_AUDIO_AAC });
  if (videoCodecId !== undefined) info.videoCodecId = videoCodecId;
  if (audioCodecId !== undefined) info.audioCodecId = audioCodecId;
  return info;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function positive(value: Amf0Value): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value < 1e6 ? value : undefined;
}

/** FLV codec ids are 0-15; some encoders write a FourCC string instead. Anything else is unknown. */
function codecId(value: Amf0Value, fourccs: Record<string, number>): number | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 15) return value;
  if (typeof value === "string") return fourccs[value];
  return undefined;
}

/**
 * StreamInfo from the first media payloads seen (either may be absent). The codec id is the low nibble of
 * a video tag's first byte and the high nibble of an audio tag's; an enhanced-RTMP video header (top bit set)
 * carries a FourCC instead, so its id is left unknown.
 */
export function streamInfoFromMedia(firstVideo: Uint8Array | undefined, firstAudio: Uint8Array | undefined): StreamInfo {
  const info: Mutable<StreamInfo> = { hasVideo: firstVideo !== undefined, hasAudio: firstAudio !== undefined };
  const videoByte = firstVideo?.[0];
  const audioByte = firstAudio?.[0];
  if (videoByte !== undefined && (videoByte & 0x80) === 0) info.videoCodecId = videoByte & 0x0f;
  if (audioByte !== undefined) info.audioCodecId = audioByte >> 4;
  return info;
}
