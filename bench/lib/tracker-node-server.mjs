/**
 * The reference for the tracker benchmark: stock bittorrent-tracker on Node.js, its ordinary WebSocket server
 * (`ws` package, its own HTTP server, stats page on), with a filter that allows the same swarms tubelet serves.
 * Run with `node`; BENCH_PORT is the loopback port, BENCH_INFO_HASHES the allowed hashes as 20-character strings.
 */
import Server from "bittorrent-tracker/server";

const port = Number(process.env.BENCH_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("BENCH_PORT must be the port to listen on");
// The tracker hands the filter hex of the announced bytes.
const allowed = new Set((process.env.BENCH_INFO_HASHES ?? "").split(",").filter(Boolean).map((h) => Buffer.from(h, "latin1").toString("hex")));

const server = new Server({
  http: false,
  udp: false,
  ws: true,
  filter: (infoHash, _params, cb) => cb(allowed.has(infoHash) ? null : new Error("unknown swarm")),
});
server.on("error", (error) => console.error(`tracker: ${error.message}`));
server.listen(port, "127.0.0.1", () => console.log(`bittorrent-tracker on Node ${process.version} listening on ${port}`));
