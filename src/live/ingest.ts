/**
 * The live pipeline behind the RTMP listener: a publish is checked against the database before any media
 * is read, then its FLV goes into one ffmpeg that writes the live HLS ladder, a watcher keeps the segment
 * hash map current for P2P players, and when the publisher stops the live ends (and its replay is made).
 *
 * Owns: the transcoder and watcher of every live publishing to this process, and their timers.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Layout } from "../storage/layout.ts";
import type { AuthorizeResult, PublishRequest, PublishSession, RtmpHooks, StreamInfo } from "./rtmp/server.ts";
import { canPassThrough, LIVE_LIST_SIZE, LIVE_MASTER_PLAYLIST, LIVE_SEGMENT_SECONDS, liveHlsArgs, liveRenditionsFor } from "./transcode-args.ts";
import { startLiveTranscoder, type LiveTranscoder } from "./transcoder.ts";
import type { LiveHlsOptions } from "./transcode-args.ts";
import { watchLiveSegments, type LiveSegmentWatcher } from "./segment-hashes.ts";
import { beginLiveSession, beginRefusal, endLiveSession, findLiveForPublish, markLivePlayable, newLiveSessionId } from "./service.ts";

export interface LiveIngestDeps {
  readonly sql: Sql;
  readonly config: Config;
  readonly layout: Layout;
  /** Turns an ended live's segments into a video on demand; called after the live ended, errors are logged. */
  readonly saveReplay: (ended: EndedLive) => Promise<void>;
  readonly log?: (line: string) => void;
  /** Hands a live's transcoding to a remote runner instead of a local ffmpeg (transcoding mode "runners"). */
  readonly startOnRunner?: (live: { videoId: number; dir: string; output: Omit<LiveHlsOptions, "outputDir"> }) => Promise<LiveTranscoder>;
}

/** What is left of a live session once its publisher is gone. */
export interface EndedLive {
  readonly liveId: number;
  readonly videoId: number;
  readonly uuid: string;
  readonly userId: number;
  readonly session: string;
  readonly dir: string;
  readonly segmentSeconds: number;
}

export interface LiveIngest {
  readonly hooks: RtmpHooks;
  /** Resolves when every session that is ending has ended (its replay started); for tests and shutdown. */
  settled(): Promise<void>;
}

/** How often a starting live looks for its first segment; the watcher hashes every 250 ms. */
const PLAYABLE_POLL_MS = 100;
const UNKNOWN_KEY = "Unknown stream key. Copy the key from the live's page; it changes when regenerated.";
const LIVES_OFF = "Live streaming is turned off on this instance.";

/** Builds the RTMP hooks of an instance. */
export function createLiveIngest(deps: LiveIngestDeps): LiveIngest {
  const { sql, config } = deps;
  const log = deps.log ?? ((line: string) => console.log(line));
  const running = new Set<Promise<void>>();

  async function authorize(request: PublishRequest): Promise<AuthorizeResult> {
    if (!config.live.enabled) return { refuse: LIVES_OFF };
    const live = await findLiveForPublish(sql, request.streamKey);
    if (!live) return { refuse: UNKNOWN_KEY };
    const session = newLiveSessionId();
    const begun = await beginLiveSession(sql, {
      liveId: live.liveId,
      userId: live.userId,
      session,
      maxPerUser: config.live.maxPerUser,
      maxInstance: config.live.maxInstance,
    });
    const refusal = beginRefusal(begun, config);
    if (refusal) return { refuse: refusal };
    log(`live: ${live.uuid} publishing from ${request.remoteAddress} (session ${session})`);
    return publishSession({ ...live, session });
  }

  function publishSession(live: { liveId: number; videoId: number; uuid: string; userId: number; session: string; latencyMode: "normal" | "low"; saveReplay: boolean }): PublishSession {
    const dir = deps.layout.liveSessionDir(live.uuid, live.session);
    let transcoder: LiveTranscoder | null = null;
    let watcher: LiveSegmentWatcher | null = null;
    let started = false;
    let limitTimer: ReturnType<typeof setTimeout> | null = null;
    let readyPoll: ReturnType<typeof setInterval> | null = null;
    let tooLong = false;

    // Pages switch to the player when told the live is playable: only once the master playlist exists and a first
    // segment is hashed, or players would ask for a playlist that is not there yet and give up.
    const watchUntilPlayable = () => {
      readyPoll = setInterval(async () => {
        if (!watcher || Object.keys(watcher.current()).length === 0) return;
        if (!(await Bun.file(join(dir, LIVE_MASTER_PLAYLIST)).exists())) return;
        if (readyPoll) clearInterval(readyPoll);
        readyPoll = null;
        await markLivePlayable(sql, { liveId: live.liveId, session: live.session }).catch((error: Error) => log(`live: ${live.uuid}: ${error.message}`));
      }, PLAYABLE_POLL_MS);
    };

    const finish = async (reason: string) => {
      if (limitTimer) clearTimeout(limitTimer);
      if (readyPoll) clearInterval(readyPoll);
      // ffmpeg finishes the segment in progress and writes EXT-X-ENDLIST, so players stop at the end.
      await transcoder?.end().catch(() => transcoder?.kill());
      await watcher?.stop().catch(() => {});
      const state = await endLiveSession(sql, { liveId: live.liveId, session: live.session });
      log(`live: ${live.uuid} ended (${tooLong ? "longest live reached" : reason}), now ${state ?? "unchanged"}`);
      // Sessions of a permanent live each get a folder; only the one just ended may still be in use.
      await removeOtherSessions(deps.layout, live.uuid, live.session);
      if (live.saveReplay && started) {
        await deps.saveReplay({ ...live, dir, segmentSeconds: LIVE_SEGMENT_SECONDS[live.latencyMode] }).catch((error: Error) => {
          log(`live: replay of ${live.uuid} failed: ${error.message}`);
        });
      }
    };

    return {
      async start(info: StreamInfo) {
        started = true;
        const output = {
          latency: live.latencyMode,
          renditions: liveRenditionsFor(info, config.live.resolutions),
          passthrough: config.live.passthrough && canPassThrough(info),
          source: info,
          keepAllSegments: live.saveReplay,
          preset: config.videos.preset,
        };
        if (deps.startOnRunner) {
          await mkdir(dir, { recursive: true });
          transcoder = await deps.startOnRunner({ videoId: live.videoId, dir, output });
        } else {
          transcoder = await startLiveTranscoder({
            args: liveHlsArgs({ outputDir: dir, ...output }),
            outputDir: dir,
            onExit: (code, tail) => {
              if (code !== 0 && code !== 255) log(`live: ffmpeg for ${live.uuid} exited with ${code}: ${tail.trim().split("\n").pop()}`);
            },
          });
        }
        // Hashes outlive the playlist window by as much again: a player a little behind still verifies its peers.
        watcher = watchLiveSegments({ dir, keep: 2 * LIVE_LIST_SIZE[live.latencyMode] });
        watchUntilPlayable();
        limitTimer = setTimeout(() => {
          tooLong = true;
          transcoder?.kill();
        }, config.live.maxSeconds * 1000);
      },
      write(flv: Uint8Array) {
        if (tooLong) throw new Error("the longest live this instance allows is over");
        if (!transcoder) throw new Error("media before the stream started");
        return transcoder.write(flv);
      },
      end(reason) {
        const done = finish(reason).catch((error: Error) => log(`live: ending ${live.uuid} failed: ${error.message}`));
        running.add(done);
        void done.finally(() => running.delete(done));
      },
    };
  }

  return {
    hooks: { authorize },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

/** Removes the folders of a live's earlier sessions. */
async function removeOtherSessions(layout: Layout, uuid: string, keep: string): Promise<void> {
  const root = layout.liveDir(uuid);
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name !== keep).map((name) => rm(join(root, name), { recursive: true, force: true })));
}
