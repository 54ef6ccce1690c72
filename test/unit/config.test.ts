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

describe("parseConfig: P2P tracker", () => {
  test("defaults follow PeerTube's limits", () => {
    expect(parseConfig({}).p2p.tracker).toEqual({
      maxConnections: 10_000,
      maxConnectionsPerIp: 32,
      idleSeconds: 300,
      maxMessageBytes: 16_384,
      announcesPerSwarm: 15,
      announcesPerIp: 30,
      announceWindowSeconds: 300,
    });
    expect(Object.isFrozen(parseConfig({}).p2p.tracker)).toBe(true);
  });

  test("every limit can be set", () => {
    const tracker = parseConfig({
      TUBELET_TRACKER_MAX_CONNECTIONS: "5000",
      TUBELET_TRACKER_MAX_PER_IP: "8",
      TUBELET_TRACKER_IDLE_SECONDS: "60",
      TUBELET_TRACKER_MAX_MESSAGE_BYTES: "8192",
      TUBELET_TRACKER_ANNOUNCES_PER_SWARM: "20",
      TUBELET_TRACKER_ANNOUNCES_PER_IP: "50",
      TUBELET_TRACKER_ANNOUNCE_WINDOW_SECONDS: "600",
    }).p2p.tracker;
    expect(tracker).toEqual({
      maxConnections: 5000,
      maxConnectionsPerIp: 8,
      idleSeconds: 60,
      maxMessageBytes: 8192,
      announcesPerSwarm: 20,
      announcesPerIp: 50,
      announceWindowSeconds: 600,
    });
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ TUBELET_TRACKER_MAX_CONNECTIONS: "lots" }, /^TUBELET_TRACKER_MAX_CONNECTIONS: "lots" is not a whole number \(example: TUBELET_TRACKER_MAX_CONNECTIONS=10000\)$/],
    [{ TUBELET_TRACKER_MAX_PER_IP: "0" }, /^TUBELET_TRACKER_MAX_PER_IP: 0 is outside 1\.\.1000000/],
    // Bun's idle timeout takes 0..960 s and rounds 1..7 up to 8; 0 would mean never, which we do not allow.
    [{ TUBELET_TRACKER_IDLE_SECONDS: "5" }, /^TUBELET_TRACKER_IDLE_SECONDS: 5 is outside 8\.\.960/],
    [{ TUBELET_TRACKER_IDLE_SECONDS: "1000" }, /^TUBELET_TRACKER_IDLE_SECONDS: 1000 is outside 8\.\.960/],
    [{ TUBELET_TRACKER_MAX_MESSAGE_BYTES: "100" }, /^TUBELET_TRACKER_MAX_MESSAGE_BYTES: 100 is outside 1024\.\.1048576/],
    [{ TUBELET_TRACKER_ANNOUNCE_WINDOW_SECONDS: "-5" }, /^TUBELET_TRACKER_ANNOUNCE_WINDOW_SECONDS: "-5" is not a whole number/],
  ];
  test.each(bad)("refuses %p", (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe("parseConfig: live", () => {
  test("defaults: RTMP on 1935 on loopback, one live per user, ten per instance, six hours, 360p and 720p", () => {
    expect(parseConfig({}).live).toEqual({
      enabled: true,
      rtmpPort: 1935,
      rtmpHost: "127.0.0.1",
      rtmpPublicUrl: "rtmp://localhost/live",
      maxPerUser: 1,
      maxInstance: 10,
      maxSeconds: 21_600,
      resolutions: [360, 720],
      passthrough: false,
    });
    expect(Object.isFrozen(parseConfig({}).live)).toBe(true);
  });

  test("the RTMP URL told to publishers follows the public host name and a non-default port", () => {
    expect(parseConfig({ TUBELET_PUBLIC_URL: "https://video.example.org" }).live.rtmpPublicUrl).toBe("rtmp://video.example.org/live");
    expect(parseConfig({ TUBELET_PUBLIC_URL: "https://video.example.org", TUBELET_RTMP_PORT: "1936" }).live.rtmpPublicUrl).toBe(
      "rtmp://video.example.org:1936/live",
    );
  });

  test("every setting can be changed", () => {
    const live = parseConfig({
      TUBELET_LIVE_ALLOW: "false",
      TUBELET_RTMP_PORT: "0",
      TUBELET_RTMP_HOST: "0.0.0.0",
      TUBELET_RTMP_PUBLIC_URL: "rtmps://live.example.org:443/app/",
      TUBELET_LIVE_MAX_PER_USER: "3",
      TUBELET_LIVE_MAX_INSTANCE: "50",
      TUBELET_LIVE_MAX_SECONDS: "3600",
      TUBELET_LIVE_RESOLUTIONS: "1080, 240,720,720",
      TUBELET_LIVE_PASSTHROUGH: "true",
    }).live;
    expect(live).toEqual({
      enabled: false,
      rtmpPort: 0,
      rtmpHost: "0.0.0.0",
      rtmpPublicUrl: "rtmps://live.example.org:443/app",
      maxPerUser: 3,
      maxInstance: 50,
      maxSeconds: 3600,
      resolutions: [240, 720, 1080],
      passthrough: true,
    });
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ TUBELET_RTMP_PORT: "99999" }, /^TUBELET_RTMP_PORT: 99999 is outside 0\.\.65535 \(example: TUBELET_RTMP_PORT=1935\)$/],
    [{ TUBELET_RTMP_HOST: "every where" }, /^TUBELET_RTMP_HOST: "every where" is not a host name or address \(example: TUBELET_RTMP_HOST=0\.0\.0\.0\)$/],
    [{ TUBELET_RTMP_PUBLIC_URL: "http://example.org/live" }, /^TUBELET_RTMP_PUBLIC_URL: protocol must be rtmp: or rtmps:/],
    [{ TUBELET_RTMP_PUBLIC_URL: "live" }, /^TUBELET_RTMP_PUBLIC_URL: "live" is not a URL/],
    [{ TUBELET_LIVE_MAX_PER_USER: "0" }, /^TUBELET_LIVE_MAX_PER_USER: 0 is outside 1\.\.1000/],
    [{ TUBELET_LIVE_MAX_INSTANCE: "many" }, /^TUBELET_LIVE_MAX_INSTANCE: "many" is not a whole number/],
    [{ TUBELET_LIVE_MAX_SECONDS: "10" }, /^TUBELET_LIVE_MAX_SECONDS: 10 is outside 60\.\.604800/],
    [{ TUBELET_LIVE_RESOLUTIONS: "360,700" }, /^TUBELET_LIVE_RESOLUTIONS: each value must be one of 144, 240/],
    [{ TUBELET_LIVE_PASSTHROUGH: "yes" }, /^TUBELET_LIVE_PASSTHROUGH: "yes" is not one of false, true/],
    [{ TUBELET_LIVE_ALLOW: "no" }, /^TUBELET_LIVE_ALLOW: "no" is not one of true, false/],
  ];
  test.each(bad)("refuses %p", (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe("parseConfig: remote runners", () => {
  test("transcoding stays local unless asked, with a fallback and a job timeout", () => {
    expect(parseConfig({}).runners).toEqual({ mode: "local", fallbackSeconds: 30, jobTimeoutSeconds: 120 });
    const both = parseConfig({ TUBELET_TRANSCODING_MODE: "both", TUBELET_RUNNER_FALLBACK_SECONDS: "5", TUBELET_RUNNER_JOB_TIMEOUT_SECONDS: "60" });
    expect(both.runners).toEqual({ mode: "both", fallbackSeconds: 5, jobTimeoutSeconds: 60 });
  });
  test("an unknown mode names the variable and the choices", () => {
    expect(() => parseConfig({ TUBELET_TRANSCODING_MODE: "remote" })).toThrow('TUBELET_TRANSCODING_MODE: "remote" is not one of local, runners, both');
  });
});
