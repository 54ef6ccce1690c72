/**
 * A live transcoded by a remote runner plays in Chromium: the instance keeps the RTMP ingest and hands the FLV to
 * a `tubelet runner` process, which sends segments and playlists back; the instance keeps the hash map itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { parseConfig } from "../../src/config.ts";
import { registerUser } from "../../src/accounts/service.ts";
import { runTestcard } from "../../src/live/testcard.ts";
import { generateRegistrationToken } from "../../src/runners/service.ts";
import { launchBrowser, screenshot, startE2eServer, type E2eServer, type TestBrowser } from "../helpers/browser.ts";
import { connectLiveApi } from "../helpers/live-network.ts";
import { freePort, startService, waitFor, type Service } from "../helpers/processes.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
let server: E2eServer;
let browser: TestBrowser;
let runner: Service;
let runnerDir: string;
let rtmpPort: number;

beforeAll(async () => {
  rtmpPort = await freePort();
  server = await startE2eServer({
    TUBELET_TRANSCODING_MODE: "runners",
    TUBELET_RTMP_PORT: String(rtmpPort),
    TUBELET_LIVE_RESOLUTIONS: "240",
    TUBELET_X264_PRESET: "ultrafast",
  });
  const config = parseConfig({ DATABASE_URL: server.db.url });
  await registerUser({ sql: server.db.sql, config }, { username: "streamer", email: "streamer@example.org", password: "Correct-Horse-42" }, { bypassSignupMode: true });
  runnerDir = await mkdtemp(join(tmpdir(), "tubelet-live-runner-"));
  const { registrationToken } = await generateRegistrationToken(server.db.sql);
  runner = startService(
    ["bun", MAIN, "runner", "--url", server.url, "--token", registrationToken, "--name", "live-box", "--state", join(runnerDir, "state.json"),
      "--work-dir", join(runnerDir, "work"), "--heartbeat-seconds", "1", "--poll-seconds", "2"],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
  );
  await waitFor("the runner to register", () => runner.output().includes("working for"), { timeoutMs: 30_000 });
  browser = await launchBrowser({ baseURL: server.url });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await server?.stop();
  if (runnerDir) await rm(runnerDir, { recursive: true, force: true });
}, 30_000);

async function playhead(page: Page): Promise<number> {
  return page.evaluate(() => (document.querySelector("#live-area video") as HTMLVideoElement | null)?.currentTime ?? 0);
}

describe("a live on a runner", () => {
  test("plays in Chromium from the segments the runner sent, and ends when the publisher stops", async () => {
    const api = await connectLiveApi(server.url, "streamer", "Correct-Horse-42");
    const live = await api.createLive({ name: "Runner live", latency: "low" });
    const stop = new AbortController();
    let stderr = "";
    const publisher = runTestcard({
      url: `rtmp://127.0.0.1:${rtmpPort}/live`, key: live.streamKey, durationSeconds: 120, signal: stop.signal,
      width: 426, height: 240, fps: 25, onStderr: (text) => (stderr += text),
    });
    try {
      const page = await browser.newPage();
      await page.goto(live.watchPath);
      await page.waitForFunction(() => "tubeletPlayer" in window && document.querySelector("#live-area video") !== null, undefined, { timeout: 60_000 }).catch((error: Error) => {
        throw new Error(`${error.message}\nrunner: ${runner.output()}\npublisher: ${stderr}`);
      });
      await page.evaluate(() => {
        const player = (window as unknown as { tubeletPlayer: { muted(v: boolean): void; play(): Promise<void> | undefined } }).tubeletPlayer;
        player.muted(true);
        void player.play()?.catch(() => {});
      });
      const start = await playhead(page);
      await waitFor("the live to play 3 s", async () => (await playhead(page)) >= start + 3, { timeoutMs: 45_000, intervalMs: 200 });
      await screenshot(page, "runner-live-playing", { fullPage: false });

      const [job] = await server.db.sql<{ type: string; state: string; runner: string }[]>`
        SELECT j.type, j.state, r.name AS runner FROM runner_jobs j JOIN runners r ON r.id = j.runner_id`;
      expect(job).toEqual({ type: "live-rtmp-hls-transcoding", state: "processing", runner: "live-box" });
      // The hash map is the instance's own, over the segments the runner sent.
      const sessionRoot = join(server.dataDir, "live", live.uuid);
      const [session] = await readdir(sessionRoot);
      const hashes = JSON.parse(await Bun.file(join(sessionRoot, session!, "segments-sha256.json")).text()) as Record<string, string>;
      // The newest segment: older ones leave the folder as the window slides.
      const [name, hex] = Object.entries(hashes).filter(([n]) => n.endsWith(".ts")).sort(([a], [b]) => b.localeCompare(a))[0]!;
      const bytes = await Bun.file(join(sessionRoot, session!, name)).arrayBuffer();
      expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(hex);
    } finally {
      stop.abort();
      await publisher.catch(() => {});
    }
    await waitFor("the runner's job to complete after the publisher stopped", async () => {
      const [row] = await server.db.sql<{ state: string }[]>`SELECT state FROM runner_jobs`;
      return row?.state === "completed";
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(runner.output()).toContain("live job");
  }, 150_000);
});
