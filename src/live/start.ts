/**
 * Live streaming's part of start-up: lives the previous process left on air are ended (and their replays made),
 * then the RTMP listener opens. Runs in the web role, next to the pages whose state it changes.
 */
import type { UploadDeps } from "../videos/upload.ts";
import { startRtmpServer } from "./rtmp/server.ts";
import { createLiveIngest, type LiveIngestDeps } from "./ingest.ts";
import { createReplaySaver } from "./replay.ts";
import { endLeftoverLives } from "./service.ts";
import { LIVE_SEGMENT_SECONDS } from "./transcode-args.ts";

export interface RunningLive {
  /** The RTMP port listened on (the chosen one when configured as 0); null when live streaming is off. */
  readonly rtmpPort: number | null;
  /** Closes the listener (publishers are cut off, their lives end) and waits for the ends to finish. */
  stop(): Promise<void>;
}

/** Ends leftover lives, then listens for publishers unless TUBELET_RTMP_PORT is off or lives are disabled. */
export async function startLive(
  deps: UploadDeps,
  options: { listen: boolean; log?: (line: string) => void; startOnRunner?: LiveIngestDeps["startOnRunner"] },
): Promise<RunningLive> {
  const log = options.log ?? ((line: string) => console.log(line));
  const saveReplay = createReplaySaver(deps);
  const ingest = createLiveIngest({ sql: deps.sql, config: deps.config, layout: deps.layout, saveReplay, log, startOnRunner: options.startOnRunner });
  const leftovers = await endLeftoverLives(deps.sql);
  // In the background: a replay of a long live takes a while to remux, start-up should not wait for it.
  const replays = Promise.all(
    leftovers
      .filter((live) => live.saveReplay)
      .map((live) =>
        saveReplay({ ...live, dir: deps.layout.liveSessionDir(live.uuid, live.session), segmentSeconds: LIVE_SEGMENT_SECONDS[live.latencyMode] }).catch(
          (error: Error) => log(`live: replay of ${live.uuid} (cut off by a restart) failed: ${error.message}`),
        ),
      ),
  );
  if (leftovers.length > 0) log(`live: ended ${leftovers.length} live(s) left on air by the previous run`);
  const { config } = deps;
  const rtmp = options.listen && config.live.enabled && config.live.rtmpPort !== 0
    ? await startRtmpServer({ host: config.live.rtmpHost, port: config.live.rtmpPort, hooks: ingest.hooks })
    : null;
  return {
    rtmpPort: rtmp?.port ?? null,
    async stop() {
      await rtmp?.close();
      await ingest.settled();
      await replays;
    },
  };
}
