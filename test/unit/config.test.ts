import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../src/config.ts";

describe("parseConfig", () => {
  test("defaults serve a local instance", () => {
    const config = parseConfig({});
    expect(config.port).toBe(9000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.publicUrl).toBe("http://localhost:9000");
    expect(config.publicHost).toBe("localhost:9000");
    expect(config.dataDir).toBe("./data");
    expect(config.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/tubelet");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.secureCookies).toBe(false);
    expect(config.signup).toBe("open");
  });

  test("the result is frozen", () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow();
  });

  test("an https public URL makes cookies Secure and drops a trailing slash", () => {
    const config = parseConfig({ TUBELET_PUBLIC_URL: "https://video.example.org/" });
    expect(config.publicUrl).toBe("https://video.example.org");
    expect(config.publicHost).toBe("video.example.org");
    expect(config.secureCookies).toBe(true);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["non-numeric port", { TUBELET_PORT: "abc" }, /^TUBELET_PORT: "abc" is not a whole number \(example: TUBELET_PORT=9000\)$/],
    ["port out of range", { TUBELET_PORT: "70000" }, /^TUBELET_PORT: 70000 is outside 0\.\.65535/],
    ["public URL not a URL", { TUBELET_PUBLIC_URL: "video.example.org" }, /^TUBELET_PUBLIC_URL: "video.example.org" is not a URL/],
    ["public URL with a path", { TUBELET_PUBLIC_URL: "https://example.org/tube" }, /^TUBELET_PUBLIC_URL: must be an origin/],
    ["public URL ftp", { TUBELET_PUBLIC_URL: "ftp://example.org" }, /^TUBELET_PUBLIC_URL: protocol must be http: or https:/],
    ["database URL of another kind", { DATABASE_URL: "mysql://root@localhost/x" }, /^DATABASE_URL: protocol must be postgres: or postgresql:/],
    ["database URL without a database", { DATABASE_URL: "postgres://postgres@127.0.0.1:5432" }, /^DATABASE_URL: names no database/],
    ["redis URL garbage", { REDIS_URL: "localhost:6379" }, /^REDIS_URL: protocol must be redis: or rediss:/],
    ["unknown signup mode", { TUBELET_SIGNUP: "maybe" }, /^TUBELET_SIGNUP: "maybe" is not one of open, closed, approval/],
    ["bad host", { TUBELET_HOST: "not a host" }, /^TUBELET_HOST: "not a host" is not a host name or address/],
  ];
  for (const [name, env, message] of bad) {
    test(`refuses ${name} with the variable, the problem and an example`, () => {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain("(example: ");
    });
  }
});
