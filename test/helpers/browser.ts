/** Headless Debian Chromium through playwright-core, a real server on an ephemeral port, and screenshot and console helpers. */
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config.ts";
import { createRedis } from "../../src/queue/redis.ts";
import { startServer } from "../../src/server.ts";
import { createTestDatabase, uniqueName, type TestDatabase } from "./db.ts";

/** The system browser; playwright never downloads one here. */
export const CHROMIUM_PATH = process.env.TUBELET_CHROMIUM ?? "/usr/bin/chromium";

// No GPU, no QUIC, no background traffic to Google: the browser only talks to the server under test.
/** Flags for headless Debian chromium on a closed network; other launchers add to these. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

/** Screenshots land here (gitignored) so a person can look at the pages after a run. */
export const ARTIFACTS_DIR = join(import.meta.dir, "..", "artifacts");

export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data folder, removed again on close. */
export async function launchBrowser(options: { baseURL?: string } = {}): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "tubelet-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL: options.baseURL,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test/artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

/** Waits for the page's player and starts it muted, as a viewer pressing play would (autoplay needs muting). */
export async function playMuted(page: Page): Promise<void> {
  await page.waitForFunction(() => "tubeletPlayer" in window);
  await page.evaluate(() => {
    const player = (window as unknown as { tubeletPlayer: { muted(v: boolean): void; play(): Promise<void> } }).tubeletPlayer;
    player.muted(true);
    return player.play();
  });
}

/**
 * Collects console errors, uncaught exceptions and failed requests of a page.
 * CSP violations reach the console as errors, so they are caught here too.
 */
export function watchConsole(page: Page) {
  const problems: string[] = [];
  const onConsole = (message: ConsoleMessage) => {
    // The location is the resource that failed for "Failed to load resource" messages, else the script.
    if (message.type() === "error") problems.push(`console: ${message.text()} [${message.location().url || page.url()}]`);
  };
  page.on("console", onConsole);
  page.on("pageerror", (error) => problems.push(`exception: ${error.message} [${page.url()}]`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // ERR_ABORTED is a request cut short by leaving the page (e.g. the favicon while a form submits);
    // a missing or blocked resource shows up as a console error instead.
    if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} ${reason}`);
  });
  return {
    /** Problems seen so far, minus the ones a test expects (e.g. the 404 status of an error page). */
    problems(ignore: RegExp[] = []): string[] {
      return problems.filter((p) => !ignore.some((re) => re.test(p)));
    },
    clear() {
      problems.length = 0;
    },
  };
}

/**
 * Matches Chromium's console line for a document that answered with an error status on purpose
 * (a 404 page, a refused form), and nothing else: a failing image or script is still reported.
 */
export function documentStatusNoise(documentUrl: string, status = 404): RegExp {
  const escaped = documentUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^console: Failed to load resource: the server responded with a status of ${status} .*\\[${escaped}\\]$`);
}

export interface E2eServer {
  readonly url: string;
  readonly db: TestDatabase;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Starts the whole server with startServer on a fresh database, a temporary data folder and a unique Redis prefix. */
export async function startE2eServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = await mkdtemp(join(tmpdir(), "tubelet-e2e-"));
  const config = parseConfig({
    TUBELET_PORT: "0",
    TUBELET_HOST: "127.0.0.1",
    DATABASE_URL: db.url,
    TUBELET_DATA_DIR: dataDir,
    TUBELET_REDIS_PREFIX: `${uniqueName("e2e")}:`,
    // No RTMP listener unless a test asks for one: 1935 is one port for the whole machine.
    TUBELET_RTMP_PORT: "0",
    // The same Redis as the rest of the run when the environment names one; parseConfig's default otherwise.
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer(config);
  } catch (error) {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: running.url,
    db,
    dataDir,
    async stop() {
      await running.stop();
      const redis = createRedis(config.redisUrl);
      const keys = await redis.keys(`${config.redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Writes a small solid-colour PNG with ffmpeg (lavfi) and returns its path. */
export async function makePng(dir: string, name = "avatar.png", color = "blue", size = "300x200"): Promise<string> {
  const path = join(dir, name);
  const proc = Bun.spawn(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", `color=c=${color}:s=${size}`, "-frames:v", "1", path], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`ffmpeg could not write ${path}: ${await new Response(proc.stderr).text()}`);
  return path;
}
