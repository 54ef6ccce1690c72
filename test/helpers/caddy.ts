/**
 * The project's Caddyfile in front of a Tubelet over https, with Caddy's own certificate authority (`tls
 * internal`), for tests whose clients need a real TLS origin (WebFinger handles are looked up over https).
 * The Caddyfile is adapted to JSON and only these things change: the certificate comes from the internal issuer,
 * the root is never installed into the machine's trust store, certificates are kept in a throwaway folder, and no
 * listener is opened on port 80 (so tests never collide). Clients trust `rootCertFile`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, GiveUp, run, startService, waitFor, type Service } from "./processes.ts";

const CADDYFILE = join(import.meta.dir, "..", "..", "Caddyfile");

export interface TlsCaddy {
  /** `https://localhost:PORT` */
  readonly origin: string;
  /** Caddy's local root certificate (PEM), which signed the site's certificate. */
  readonly rootCertFile: string;
  readonly service: Service;
  stop(): Promise<void>;
}


/** Starts Caddy on `https://localhost:port` in front of `upstream` (host:port), serving `dataDir` under /static/. */
export async function startTlsCaddy(options: { port: number; upstream: string; dataDir: string }): Promise<TlsCaddy> {
  const caddy = Bun.which("caddy");
  if (!caddy) throw new Error("caddy is not installed; run scripts/setup.sh --test");
  const home = await mkdtemp(join(tmpdir(), "tubelet-caddy-tls-"));
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    TUBELET_DOMAIN: `localhost:${options.port}`,
    TUBELET_UPSTREAM: options.upstream,
    TUBELET_DATA_DIR: options.dataDir,
    TUBELET_CADDY_ADMIN: "off",
  };
  const adapted = await run([caddy, "adapt", "--config", CADDYFILE, "--adapter", "caddyfile"], { env });
  if (adapted.code !== 0) throw new Error(`caddy adapt failed: ${adapted.stderr}`);
  const config = JSON.parse(adapted.stdout);
  const storage = join(home, "storage");
  config.storage = { module: "file_system", root: storage };
  config.apps.pki = { certificate_authorities: { local: { install_trust: false } } };
  config.apps.tls = { automation: { policies: [{ subjects: ["localhost"], issuers: [{ module: "internal" }] }] } };
  config.apps.http.http_port = await freePort();
  for (const server of Object.values(config.apps.http.servers) as Record<string, unknown>[]) server.automatic_https = { disable_redirects: true };
  const configFile = join(home, "caddy.json");
  await Bun.write(configFile, JSON.stringify(config));

  const service = startService([caddy, "run", "--config", configFile], { env });
  const rootCertFile = join(storage, "pki", "authorities", "local", "root.crt");
  const origin = `https://localhost:${options.port}`;
  try {
    const ca = await waitFor("Caddy's local root certificate", async () => ((await Bun.file(rootCertFile).exists()) ? Bun.file(rootCertFile).text() : null));
    await waitFor(`${origin} to answer over TLS`, async () => {
      if (service.proc.exitCode !== null) throw new GiveUp(`caddy exited:\n${service.output()}`);
      const response = await fetch(`${origin}/`, { tls: { ca }, signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.status < 500;
    }, { timeoutMs: 20_000 });
  } catch (error) {
    await service.stop();
    await rm(home, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\ncaddy output:\n${service.output()}`);
  }
  return {
    origin,
    rootCertFile,
    service,
    async stop() {
      await service.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
