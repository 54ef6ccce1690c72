/**
 * The baseline: a bare Bun.serve answering every request with one fixed HTML page of BENCH_HTML_BYTES bytes.
 * It runs as its own process so it is measured like tubelet (own heap, own event loop, same wrk settings).
 * A fetch handler builds a Response per request, as tubelet does; Bun's static routes would skip that work.
 */

const port = Number(process.env.BENCH_PORT);
const bytes = Number(process.env.BENCH_HTML_BYTES ?? 2200);
if (!Number.isInteger(port) || port <= 0) throw new Error("BENCH_PORT must be the port to listen on");

/** An HTML page of exactly `size` bytes (ASCII only, so characters are bytes). */
function pageOfSize(size: number): string {
  const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head><body><main>';
  const foot = "</main></body></html>";
  let body = "";
  for (let i = 0; ; i++) {
    const paragraph = `<p>Channel ${i} has new videos.</p>`;
    if (head.length + body.length + paragraph.length + foot.length > size) break;
    body += paragraph;
  }
  // Whitespace makes up the last few bytes so no tag is cut in half.
  return head + body + " ".repeat(Math.max(0, size - head.length - body.length - foot.length)) + foot;
}

const html = pageOfSize(bytes);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch: () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
});
