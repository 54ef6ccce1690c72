import { expect, test } from "bun:test";
import { parseConfig } from "../../src/config.ts";
import { contentPolicy } from "../../src/server.ts";

/** The sources a directive allows. */
function directive(policy: string, name: string): string[] {
  const found = policy.split(";").map((d) => d.trim().split(/\s+/)).find(([n]) => n === name);
  return found ? found.slice(1) : [];
}

test("players may reach playlists, segments and trackers of other origins; scripts stay our own", () => {
  const policy = contentPolicy(parseConfig({}));
  expect(directive(policy, "connect-src")).toEqual(["'self'", "https:", "wss:"]);
  expect(directive(policy, "media-src")).toContain("https:");
  expect(directive(policy, "img-src")).toContain("https:");
  expect(directive(policy, "script-src")).toEqual(["'self'", "'unsafe-eval'"]);
  expect(directive(policy, "connect-src")).not.toContain("http:");
  expect(directive(policy, "connect-src")).not.toContain("*");
});

test("plain http and ws only where federation may reach private addresses", () => {
  const policy = contentPolicy(parseConfig({ TUBELET_FEDERATION_ALLOW_PRIVATE: "true" }));
  expect(directive(policy, "connect-src")).toEqual(["'self'", "https:", "http:", "wss:", "ws:"]);
});
