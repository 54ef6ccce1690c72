/** What an administrator may type to follow an instance: a host (with a port) or an actor's URL, and nothing else. */
import { describe, expect, test } from "bun:test";
import { parseInstanceTarget } from "../../../src/federation/instance-follows.ts";

describe("parseInstanceTarget", () => {
  const cases: [string, ReturnType<typeof parseInstanceTarget>][] = [
    ["video.example", { kind: "host", host: "video.example" }],
    ["  Video.Example.  ", { kind: "host", host: "video.example" }],
    ["video.example:8443", { kind: "host", host: "video.example:8443" }],
    ["192.168.1.20:9000", { kind: "host", host: "192.168.1.20:9000" }],
    ["https://video.example", { kind: "host", host: "video.example" }],
    ["https://video.example/", { kind: "host", host: "video.example" }],
    ["https://video.example/accounts/peertube", { kind: "url", url: "https://video.example/accounts/peertube" }],
    ["http://10.0.0.5:9000/accounts/peertube", { kind: "url", url: "http://10.0.0.5:9000/accounts/peertube" }],
    ["localhost", null],
    ["not a host", null],
    ["@peertube@video.example", null],
    ["ftp://video.example/x", null],
    ["video.example/path", null],
    ["", null],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => expect(parseInstanceTarget(input)).toEqual(expected));
  }
});
