/**
 * Server side of the transcoding benchmark: a real `tubelet serve` process on a throw-away instance, a user with
 * an OAuth token, a one-shot upload through the PeerTube-compatible API, and polling until the video is published.
 */
import { join } from "node:path";
import type { Cleanup } from "./cleanup.ts";
import { freePort, spawnServer, waitForOk, type ServerProcess } from "./process.ts";
import { BINARY, PROJECT_ROOT, binaryIsFresh, type BenchInstance } from "./tubelet.ts";

/**
 * The command that runs tubelet: dist/tubelet when it is present and fresh, else `bun src/main.ts`. The
 * benchmark does not rebuild a stale binary: that would measure whatever half-finished edit is in the tree,
 * and `bun src/main.ts` runs the same code on the same runtime.
 */
export function tubeletCommand(dataDir: string): { argv: string[]; cwd: string; label: string } {
  // The binary runs from the data folder, so a tubelet.toml lying in the project cannot change what is measured.
  if (binaryIsFresh()) return { argv: [BINARY], cwd: dataDir, label: "dist/tubelet" };
  // Bun takes the JSX settings from the project's tsconfig.json, found from the working directory.
  return { argv: [process.execPath, join(PROJECT_ROOT, "src", "main.ts")], cwd: PROJECT_ROOT, label: "bun src/main.ts" };
}

/** A started server with an uploader account on it. */
export interface UploadTarget {
  readonly server: ServerProcess;
  /** How the server was run: "dist/tubelet" or "bun src/main.ts". */
  readonly command: string;
  readonly base: string;
  readonly token: string;
  readonly channelId: number;
}

const USERNAME = "bench_uploader";
const PASSWORD = "Bench-Transcode-42";

/** Starts `serve` for `instance` with `extraEnv`, creates the uploader with `admin create-user` and logs in. */
export async function startUploadTarget(cleanup: Cleanup, instance: BenchInstance, extraEnv: Record<string, string>): Promise<UploadTarget> {
  const command = tubeletCommand(instance.dataDir);
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...instance.env(port), TUBELET_PUBLIC_URL: base, ...extraEnv };
  const server = spawnServer(cleanup, "tubelet", [...command.argv, "serve"], { port, env, cwd: command.cwd });
  await waitForOk(server, "/", 60_000);
  const admin = Bun.spawn([...command.argv, "admin", "create-user", "--username", USERNAME, "--email", "bench@example.org", "--password", PASSWORD], {
    cwd: command.cwd,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([admin.exited, new Response(admin.stdout).text(), new Response(admin.stderr).text()]);
  if (code !== 0) throw new Error(`admin create-user failed (exit ${code}): ${out}${err}`);

  const client = (await json(await fetch(`${base}/api/v1/oauth-clients/local`))) as Record<string, string>;
  const grant = new URLSearchParams({ ...client, grant_type: "password", username: USERNAME, password: PASSWORD });
  const token = ((await json(await fetch(`${base}/api/v1/users/token`, { method: "POST", body: grant }))) as { access_token: string }).access_token;
  const me = (await json(await fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }))) as {
    videoChannels: { id: number }[];
  };
  return { server, command: command.label, base, token, channelId: me.videoChannels[0]!.id };
}

async function json(response: Response): Promise<unknown> {
  if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/** One-shot upload (POST /api/v1/videos/upload); resolves when the server has answered, i.e. the upload is complete. */
export async function uploadVideo(target: UploadTarget, file: string, name: string): Promise<{ id: number; uuid: string }> {
  const form = new FormData();
  form.set("name", name);
  form.set("channelId", String(target.channelId));
  form.set("videofile", Bun.file(file), "source.mp4");
  const response = await fetch(`${target.base}/api/v1/videos/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${target.token}` },
  });
  return ((await json(response)) as { video: { id: number; uuid: string } }).video;
}

/**
 * Polls the video every `intervalMs` until the API reports it published (state 1) and returns performance.now()
 * of that answer; throws on state 7 (failed) or after `timeoutMs`. The answer can be up to one interval late.
 */
export async function waitUntilPublished(target: UploadTarget, id: number, { intervalMs = 100, timeoutMs = 600_000 } = {}): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const video = (await json(await fetch(`${target.base}/api/v1/videos/${id}`, { headers: { authorization: `Bearer ${target.token}` } }))) as {
      state: { id: number; reason: string | null; progress: number };
    };
    if (video.state.id === 1) return performance.now();
    if (video.state.id === 7) throw new Error(`transcoding failed: ${video.state.reason}`);
    if (target.server.process.exitCode !== null) throw new Error(`the server exited while transcoding:\n${target.server.output()}`);
    if (performance.now() > deadline) throw new Error(`not published after ${timeoutMs / 1000} s (progress ${video.state.progress}%)`);
    await Bun.sleep(intervalMs);
  }
}
