/**
 * oEmbed (https://oembed.com) for watch pages: what /services/oembed answers, so chat apps, forums and CMSs
 * turn a pasted link into the embedded player. Pure: the request and the video in, the JSON out.
 */
import type { Config } from "../config.ts";
import { HttpError } from "../http/errors.ts";
import { videoUrls } from "../storage/layout.ts";
import { formatTimeParam, parseTimeParam } from "../../public/player/page-params.ts";
import { EMBED_HEIGHT, EMBED_WIDTH, embedCode } from "../../views/components/share.tsx";

export interface OembedRequest {
  /** The short id or UUID of the video the URL points at. */
  readonly videoId: string;
  /** Compact start time ("1m30s") when the URL had ?start=. */
  readonly start: string | undefined;
  readonly maxWidth: number | undefined;
  readonly maxHeight: number | undefined;
}

// Our watch pages, PeerTube's watch URLs and embed URLs all name a video.
const VIDEO_PATH = /^\/(?:w|videos\/watch|videos\/embed)\/([\w-]{1,64})\/?$/;

function positive(raw: unknown): number | undefined {
  const n = typeof raw === "string" && /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  return n > 0 ? n : undefined;
}

/** Reads url, maxwidth, maxheight and format; null when the URL is not a video page of this instance. */
export function parseOembedRequest(query: Readonly<Record<string, unknown>>, publicUrl: string): OembedRequest | null {
  // The spec's answer to a format it does not serve.
  if (query.format !== undefined && query.format !== "json") throw new HttpError(501, "Only the JSON format of oEmbed is available.");
  let url: URL;
  try {
    url = new URL(String(query.url ?? ""));
  } catch {
    return null;
  }
  const match = VIDEO_PATH.exec(url.pathname);
  if (url.origin !== publicUrl || !match) return null;
  const start = parseTimeParam(url.searchParams.get("start"));
  return { videoId: match[1]!, start: start === null ? undefined : formatTimeParam(start), maxWidth: positive(query.maxwidth), maxHeight: positive(query.maxheight) };
}

/** 560×315 unless the consumer asks for less, keeping 16:9. */
export function oembedSize(maxWidth?: number, maxHeight?: number): { width: number; height: number } {
  let width = Math.min(EMBED_WIDTH, maxWidth ?? EMBED_WIDTH);
  if (maxHeight !== undefined && (width * 9) / 16 > maxHeight) width = (maxHeight * 16) / 9;
  width = Math.max(1, Math.floor(width));
  return { width, height: Math.max(1, Math.floor((width * EMBED_HEIGHT) / EMBED_WIDTH)) };
}

/** The video fields oEmbed describes. */
export interface OembedVideo {
  readonly uuid: string;
  readonly shortId: string;
  readonly name: string;
  readonly channelHandle: string;
  readonly channelDisplayName: string;
}

/** The oEmbed "video" answer, whose html is the same iframe as the share panel's. */
export function toOembed(video: OembedVideo, config: Pick<Config, "publicUrl" | "instanceName">, request: OembedRequest) {
  const { width, height } = oembedSize(request.maxWidth, request.maxHeight);
  const html = embedCode({ publicUrl: config.publicUrl, shortId: video.shortId, title: video.name, start: request.start, width, height });
  return {
    type: "video",
    version: "1.0",
    title: video.name,
    author_name: video.channelDisplayName,
    author_url: `${config.publicUrl}/c/${video.channelHandle}`,
    provider_name: config.instanceName,
    provider_url: config.publicUrl,
    thumbnail_url: config.publicUrl + videoUrls(video.uuid).thumbnail,
    thumbnail_width: 280,
    thumbnail_height: 158,
    width,
    height,
    html,
  };
}
