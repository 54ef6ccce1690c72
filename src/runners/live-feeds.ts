/**
 * Lives transcoded on a runner (`live-rtmp-hls-transcoding`). The instance keeps the RTMP ingest; the FLV it
 * receives goes into a feed instead of a local ffmpeg. The runner that accepts the job reads the feed over HTTP
 * (from its first byte: ffmpeg needs the FLV header and codec configuration), runs the same live ffmpeg arguments,
 * and uploads segments and playlists as they appear (`/update`, multipart). The instance checks each file's name
 * against the live's renditions and its form (MPEG-TS packets, a playlist naming only known files), writes it
 * atomically into the session folder, and its own watcher keeps the hash map, as for a local live.
 *
 * A feed lives in the web process holding the RTMP connection, so the runner must reach that process. A runner
 * that drops the stream ends the live's transcoding (a live cannot be replayed to another runner).
 *
 * Owns: the feeds of this process's lives on runners, keyed by job uuid.
 */
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LiveHlsOptions } from "../live/transcode-args.ts";
import { LIVE_LIST_SIZE, LIVE_MASTER_PLAYLIST, LIVE_SOURCE_RENDITION } from "../live/transcode-args.ts";
import type { LiveTranscoder } from "../live/transcoder.ts";
import { mediaSequenceOf } from "../live/segment-hashes.ts";
import { LiveTranscoderClosedError } from "../live/transcoder.ts";
import { HttpError, badRequest } from "../http/errors.ts";
import * as q from "./queries.ts";
import type { RunnersDeps } from "./service.ts";
import type { ResultFile } from "./vod-result.ts";

/** FLV held for a runner that has not connected yet; past it the live's transcoding gives up. */
export const MAX_PENDING_FLV_BYTES = 64 * 1_048_576;
/** Largest live segment accepted from a runner. */
export const MAX_LIVE_SEGMENT_BYTES = 64 * 1_048_576;
const TS_PACKET = 188;

/** What the runner is told: liveHlsArgs's options without the output folder (the runner picks its own). */
export type LiveJobOutput = Omit<LiveHlsOptions, "outputDir">;

interface Feed {
  readonly dir: string;
  readonly renditions: readonly string[];
  readonly keepAllSegments: boolean;
  readonly listSize: number;
  pending: Uint8Array[];
  pendingBytes: number;
  consumer: ReadableStreamDefaultController<Uint8Array> | null;
  consumed: boolean;
  ended: boolean;
  finish(code: number): void;
}

export interface LiveFeeds {
  /** A transcoder whose ffmpeg runs on a runner: offers the job and feeds whichever runner accepts it. */
  start(deps: RunnersDeps, live: { videoId: number; dir: string; output: LiveJobOutput }): Promise<LiveTranscoder>;
  /** The FLV stream for the runner holding the job (once). */
  stream(jobUuid: string): Response;
  /** Checks and writes files a runner uploaded for a live. */
  accept(jobUuid: string, files: readonly ResultFile[]): Promise<void>;
  /** The runner finished (0) or gave up (non-zero). */
  end(jobUuid: string, code: number): void;
}

/** Checks one uploaded live file; throws a 400 naming the problem. */
export function checkLiveFile(file: ResultFile, renditions: readonly string[]): "segment" | "playlist" {
  const escaped = renditions.map((r) => r.replace(/[^\w-]/g, ""));
  if (new RegExp(`^(?:${escaped.join("|")})-\\d{5}\\.ts$`).test(file.name)) {
    if (file.bytes.length === 0 || file.bytes.length > MAX_LIVE_SEGMENT_BYTES || file.bytes.length % TS_PACKET !== 0 || file.bytes[0] !== 0x47) {
      throw badRequest(`${file.name} is not a whole MPEG-TS segment.`);
    }
    return "segment";
  }
  if (file.name !== LIVE_MASTER_PLAYLIST && !escaped.some((r) => file.name === `${r}.m3u8`)) throw badRequest(`Unexpected live file ${JSON.stringify(file.name.slice(0, 100))}.`);
  const text = new TextDecoder().decode(file.bytes);
  if (!text.startsWith("#EXTM3U") || file.bytes.length > 65_536) throw badRequest(`${file.name} is not a playlist.`);
  const allowed = new RegExp(`^(?:(?:${escaped.join("|")})\\.m3u8|(?:${escaped.join("|")})-\\d{5}\\.ts)$`);
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line && !line.startsWith("#") && !allowed.test(line)) throw badRequest(`${file.name} names an unexpected file.`);
  }
  return "playlist";
}

/** The feed registry of one process. */
export function createLiveFeeds(): LiveFeeds {
  const feeds = new Map<string, Feed>();

  const push = (feed: Feed, chunk: Uint8Array) => {
    if (feed.consumer) {
      feed.consumer.enqueue(chunk);
      return;
    }
    feed.pending.push(chunk);
    feed.pendingBytes += chunk.length;
    if (feed.pendingBytes > MAX_PENDING_FLV_BYTES) feed.finish(1);
  };

  return {
    async start(deps, live) {
      const uuid = crypto.randomUUID();
      let resolveExit!: (code: number) => void;
      const exited = new Promise<number>((resolve) => { resolveExit = resolve; });
      const feed: Feed = {
        // The names liveHlsArgs gives the variants: the source as is, or one per rendition (one for audio only).
        dir: live.dir, renditions: live.output.passthrough ? [LIVE_SOURCE_RENDITION] : live.output.renditions.map((r) => r.name), keepAllSegments: live.output.keepAllSegments,
        listSize: live.output.listSize ?? LIVE_LIST_SIZE[live.output.latency],
        pending: [], pendingBytes: 0, consumer: null, consumed: false, ended: false,
        finish(code) {
          if (feed.ended) return;
          feed.ended = true;
          feeds.delete(uuid);
          try {
            feed.consumer?.close();
          } catch {
            // The runner already hung up.
          }
          void q.cancelJob(deps.sql, uuid).catch(() => undefined);
          resolveExit(code);
        },
      };
      feeds.set(uuid, feed);
      const payload = { input: { streamUrl: `${deps.config.publicUrl}/api/v1/runners/jobs/${uuid}/files/live/stream` }, output: live.output };
      await q.insertJob(deps.sql, { uuid, type: "live-rtmp-hls-transcoding", videoId: live.videoId, payload });
      deps.announceJobs();
      let closing = false;
      return {
        pid: 0,
        exited,
        async write(chunk) {
          if (feed.ended || closing) throw new LiveTranscoderClosedError("the runner's live transcoding has ended");
          push(feed, chunk);
        },
        async end() {
          closing = true;
          // The end of the HTTP body is the end of ffmpeg's input on the runner: it writes the last segments and ENDLIST.
          try {
            feed.consumer?.close();
          } catch {
            // Already closed.
          }
          if (!feed.consumer) feed.finish(0);
          const timer = setTimeout(() => feed.finish(1), 15_000);
          try {
            return await exited;
          } finally {
            clearTimeout(timer);
          }
        },
        kill() {
          feed.finish(137);
        },
      };
    },
    stream(jobUuid) {
      const feed = feeds.get(jobUuid);
      if (!feed || feed.consumed) throw new HttpError(409, "This live's stream is not available (already being read, or ended).");
      feed.consumed = true;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of feed.pending) controller.enqueue(chunk);
          feed.pending = [];
          feed.pendingBytes = 0;
          feed.consumer = controller;
        },
        // The runner hung up: its transcoding of this live is over.
        cancel() {
          feed.consumer = null;
          feed.finish(1);
        },
      });
      return new Response(body, { headers: { "content-type": "video/x-flv" } });
    },
    async accept(jobUuid, files) {
      const feed = feeds.get(jobUuid);
      if (!feed) throw new HttpError(409, "This live is not transcoded here any more.");
      const kinds = files.map((f) => checkLiveFile(f, feed.renditions));
      // Segments before the playlists that name them, so a player never reads a name whose file is not there yet.
      const order = files.map((f, i) => ({ f, kind: kinds[i] })).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "segment" ? -1 : 1));
      for (const { f, kind } of order) {
        const target = join(feed.dir, f.name);
        const temporary = `${target}.${process.pid}.upload`;
        await writeFile(temporary, f.bytes);
        await rename(temporary, target);
        if (kind === "playlist" && f.name !== LIVE_MASTER_PLAYLIST && !feed.keepAllSegments) {
          await pruneSegments(feed.dir, f.name.replace(/\.m3u8$/, ""), mediaSequenceOf(new TextDecoder().decode(f.bytes)) - feed.listSize);
        }
      }
    },
    end(jobUuid, code) {
      feeds.get(jobUuid)?.finish(code);
    },
  };
}

/** Removes a rendition's segments older than `before` (ffmpeg's delete_segments does this for a local live). */
async function pruneSegments(dir: string, rendition: string, before: number): Promise<void> {
  if (!(before > 0)) return;
  const names = await readdir(dir).catch(() => [] as string[]);
  const pattern = new RegExp(`^${rendition}-(\\d{5})\\.ts$`);
  await Promise.all(names.filter((n) => Number(pattern.exec(n)?.[1] ?? Infinity) < before).map((n) => rm(join(dir, n), { force: true })));
}
