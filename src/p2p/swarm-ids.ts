/**
 * Which swarms (info hashes) belong to a video: the same derivation as P2P Media Loader 2.3 with hls.js, so the
 * tracker can refuse swarms this instance does not serve.
 *
 * The player side MUST configure P2P Media Loader with our swarm id, or its hashes will not match:
 *
 *   new (HlsJsP2PEngine.injectMixin(Hls))({
 *     p2p: { core: { swarmId: swarmIdForVideo(uuid), announceTrackers: ["wss://<host>/tracker/socket"] } },
 *   })
 *
 * Without `core.swarmId`, P2P Media Loader uses the master playlist's URL (without query), so viewers of the same
 * video through a mirror, another host name or a signed URL would land in different swarms. The video's uuid is
 * global (federation keeps it), so `tubelet:<uuid>` puts every viewer of a video in one swarm per rendition,
 * whichever origin or mirror serves the files. Lives will use the same scheme with their video's uuid.
 *
 * How P2P Media Loader 2.3.x names a stream's swarm (p2p-media-loader-core src/utils/stream.ts and peer.ts,
 * p2p-media-loader-hlsjs src/segment-manager.ts):
 *   streamSwarmId = `v2-${swarmId}-${type}-${index}`     type "main" for EXT-X-STREAM-INF variants
 *   index         = base64(sha1(`${bitrate}-${codecs}-${width}-${height}-${language}-${channels}-${name}-${frameRate}-${videoRange}`))
 *                   from the variant's attributes as hls.js parses them (see variantStreamIndex)
 *   infoHash      = base64(first 15 bytes of sha1(streamSwarmId)): 20 ASCII characters, announced as is
 * The stream index depends on the master playlist's attributes, not on the variant's position or URL, so the
 * hashes come from the master playlist file itself. An upgrade of p2p-media-loader-core or hls.js must be checked
 * against the unit test, whose expected values were computed with the real libraries.
 *
 * Tubelet mixes audio into every variant, so there are no secondary (EXT-X-MEDIA audio) streams to hash.
 */
import { createHash } from "node:crypto";

/** Prefix of every swarm id this instance hands to players. */
export const SWARM_ID_PREFIX = "tubelet:";

/** P2P Media Loader's peer protocol version, part of every stream swarm id (PEER_PROTOCOL_VERSION in the core). */
const PEER_PROTOCOL_VERSION = "v2";

/** The `core.swarmId` the player sets for a video. */
export function swarmIdForVideo(uuid: string): string {
  return `${SWARM_ID_PREFIX}${uuid}`;
}

/**
 * The `core.swarmId` the player sets for one publish session of a live. Each session writes new segments (the
 * session is part of their URLs), so its viewers meet in a swarm of their own.
 */
export function swarmIdForLive(uuid: string, session: string): string {
  return `${SWARM_ID_PREFIX}${uuid}:${session}`;
}

/** One variant of a master playlist, with the fields hls.js puts on its LevelParsed. */
export interface ParsedVariant {
  readonly uri: string;
  /** BANDWIDTH, or AVERAGE-BANDWIDTH when BANDWIDTH is absent (NaN when neither is). */
  readonly bitrate: number;
  readonly videoCodec?: string;
  readonly width?: number;
  readonly height?: number;
  /** Raw attribute values, as strings. */
  readonly frameRate?: string;
  readonly videoRange?: string;
}

/** hls.js's list of video sample entry codes (src/utils/codecs.ts): which CODECS entries are video. */
const VIDEO_FOURCCS = new Set([
  "avc1", "avc2", "avc3", "avc4", "avcp", "av01", "dav1", "drac", "dva1", "dvav", "dvh1", "dvhe", "encv", "hev1",
  "hvc1", "mjp2", "mp4v", "mvc1", "mvc2", "mvc3", "mvc4", "resv", "rv60", "s263", "svc1", "svc2", "vc-1", "vp08",
  "vp09",
]);

/** hls.js's AttrList: `NAME=value` pairs, quotes removed from quoted values. */
function parseAttrList(input: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const match of input.matchAll(/(.+?)=(".*?"|.*?)(?:,|$)/g)) {
    const value = match[2]!;
    attrs.set(match[1]!.trim(), value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
  }
  return attrs;
}

/** Lists the EXT-X-STREAM-INF variants of a master playlist the way hls.js's M3U8Parser reads them. */
export function parseMasterVariants(master: string): ParsedVariant[] {
  if (!master.startsWith("#EXTM3U")) return [];
  const variants: ParsedVariant[] = [];
  const lines = master.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    // The URI is the next line that is neither empty nor a tag or comment.
    let j = i + 1;
    while (j < lines.length && (lines[j] === "" || lines[j]!.startsWith("#"))) j++;
    if (j >= lines.length) break;
    const attrs = parseAttrList(line.slice("#EXT-X-STREAM-INF:".length));
    const resolution = /^(\d+)x(\d+)$/.exec(attrs.get("RESOLUTION") ?? "");
    const videoCodecs = (attrs.get("CODECS") ?? "")
      .split(/[ ,]+/)
      .filter((codec) => codec && VIDEO_FOURCCS.has(codec.slice(0, 4)))
      .map((codec) => codec.split("/")[0]!);
    variants.push({
      uri: lines[j]!,
      bitrate: parseInt(attrs.get("BANDWIDTH") ?? "", 10) || parseInt(attrs.get("AVERAGE-BANDWIDTH") ?? "", 10),
      ...(videoCodecs.length ? { videoCodec: videoCodecs.join(",") } : {}),
      ...(resolution ? { width: parseInt(resolution[1]!, 10), height: parseInt(resolution[2]!, 10) } : {}),
      ...(attrs.has("FRAME-RATE") ? { frameRate: attrs.get("FRAME-RATE")! } : {}),
      ...(attrs.has("VIDEO-RANGE") ? { videoRange: attrs.get("VIDEO-RANGE")! } : {}),
    });
    i = j;
  }
  return variants;
}

/** Rewrites decimal RFC 4281 avc1 codecs in hex (avc1.66.30 -> avc1.42001e), as the core normalises them. */
function normaliseCodec(codec: string): string {
  const c = codec.trim().toLowerCase();
  const parts = c.split(".");
  if (parts.length !== 3 || (parts[0] !== "avc1" && parts[0] !== "avc")) return c;
  const profile = parseInt(parts[1]!, 10);
  const level = parseInt(parts[2]!, 10);
  if (Number.isNaN(profile) || Number.isNaN(level) || parts[1] !== String(profile) || parts[2] !== String(level)) return c;
  return `${parts[0]}.${profile.toString(16).padStart(2, "0")}00${level.toString(16).padStart(2, "0")}`;
}

/** The core's generateStreamShortId for a main (video) stream, from hls.js's view of the variant. */
export function variantStreamIndex(variant: ParsedVariant): string {
  // A variant without any bit rate is identified by its (zero) bit rate alone, as the hls.js integration does.
  const known = variant.bitrate !== 0;
  const codecs = known && variant.videoCodec ? variant.videoCodec.split(",").map(normaliseCodec).sort().join(",") : "";
  const width = known ? (variant.width ?? "") : "";
  const height = known ? (variant.height ?? "") : "";
  const frameRate = known && variant.frameRate && !Number.isNaN(Number(variant.frameRate)) ? Number(variant.frameRate).toString() : "";
  const videoRange = known && variant.videoRange ? variant.videoRange.toUpperCase().trim() : "";
  // Language, channels and name are audio-track fields: always empty for a main stream.
  const key = `${variant.bitrate}-${codecs}-${width}-${height}----${frameRate}-${videoRange}`;
  return createHash("sha1").update(key, "utf8").digest("base64");
}

/** The 20-character info hash a stream's tracker client announces (the core's getStreamHash). */
export function streamInfoHash(streamSwarmId: string): string {
  return createHash("sha1").update(streamSwarmId, "utf8").digest().subarray(0, 15).toString("base64");
}

/** The tracker's own key for an info hash: hex of its 20 bytes, as bittorrent-tracker's parser produces it. */
export function infoHashHex(infoHash: string): string {
  return Buffer.from(infoHash, "latin1").toString("hex");
}

export interface VideoSwarm {
  /** Rendition playlist URI, as written in the master playlist. */
  readonly playlist: string;
  readonly streamSwarmId: string;
  /** As announced: 20 ASCII characters. */
  readonly infoHash: string;
  readonly infoHashHex: string;
}

/** The swarms of a video's renditions, from its uuid and the text of its master playlist. */
export function infoHashesForVideo(uuid: string, masterPlaylist: string): VideoSwarm[] {
  return infoHashesForSwarm(swarmIdForVideo(uuid), masterPlaylist);
}

/** The swarms of a master playlist's renditions under a swarm id (a video's, or a live session's). */
export function infoHashesForSwarm(swarmId: string, masterPlaylist: string): VideoSwarm[] {
  return parseMasterVariants(masterPlaylist).map((variant) => {
    const streamSwarmId = `${PEER_PROTOCOL_VERSION}-${swarmId}-main-${variantStreamIndex(variant)}`;
    const infoHash = streamInfoHash(streamSwarmId);
    return { playlist: variant.uri, streamSwarmId, infoHash, infoHashHex: infoHashHex(infoHash) };
  });
}
