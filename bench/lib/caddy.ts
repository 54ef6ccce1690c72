/** Caddy with the project's own Caddyfile in front of a benchmarked binary, as production runs it. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cleanup } from "./cleanup.ts";
import { BENCH_HOST, freePort, spawnServer, waitForOk, type ServerProcess } from "./process.ts";
import { PROJECT_ROOT } from "./tubelet.ts";

/** Starts Caddy on a free loopback port (plain HTTP, no admin endpoint) proxying to `upstream` and serving `dataDir`. */
export async function startCaddy(cleanup: Cleanup, options: { upstream: string; dataDir: string }): Promise<ServerProcess> {
  const caddy = Bun.which("caddy");
  if (!caddy) throw new Error("caddy is not installed; run scripts/setup.sh");
  const home = await mkdtemp(join(tmpdir(), "tubelet-bench-caddy-"));
  cleanup.defer(`remove ${home}`, () => rm(home, { recursive: true, force: true }));
  const port = freePort();
  const server = spawnServer(cleanup, "caddy", [caddy, "run", "--config", join(PROJECT_ROOT, "Caddyfile"), "--adapter", "caddyfile"], {
    port,
    env: {
      HOME: home,
      XDG_DATA_HOME: join(home, "data"),
      XDG_CONFIG_HOME: join(home, "config"),
      TUBELET_DOMAIN: `http://${BENCH_HOST}:${port}`,
      TUBELET_UPSTREAM: options.upstream,
      TUBELET_DATA_DIR: options.dataDir,
      TUBELET_CADDY_ADMIN: "off",
    },
  });
  await waitForOk(server);
  return server;
}
