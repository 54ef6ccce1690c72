import { describe, expect, test } from "bun:test";
import {
  addressKey,
  admitConnection,
  connectionClosed,
  connectionOpened,
  countAnnounceFromIp,
  countAnnounceToSwarm,
  newAnnounceWindow,
  newConnectionCounts,
  type AnnounceLimits,
} from "../../../src/p2p/limits.ts";

const LIMITS: AnnounceLimits = { perSwarm: 15, perIp: 30, windowMs: 300_000 };
const A = "203.0.113.1";
const B = "203.0.113.2";

describe("announce limits", () => {
  test("the 16th announce from one address to one swarm is refused; other swarms and addresses are not affected", () => {
    const window = newAnnounceWindow(0);
    const verdicts = Array.from({ length: 16 }, (_, i) => countAnnounceToSwarm(window, LIMITS, A, "h1", i));
    expect(verdicts.slice(0, 15).every(Boolean)).toBe(true);
    expect(verdicts[15]).toBe(false);
    expect(countAnnounceToSwarm(window, LIMITS, A, "h2", 20)).toBe(true);
    expect(countAnnounceToSwarm(window, LIMITS, B, "h1", 20)).toBe(true);
  });

  test("the 31st announce from one address is refused, and refused ones keep counting", () => {
    const window = newAnnounceWindow(0);
    for (let i = 0; i < 30; i++) expect(countAnnounceFromIp(window, LIMITS, A, i)).toBe(true);
    expect(countAnnounceFromIp(window, LIMITS, A, 31)).toBe(false);
    expect(countAnnounceFromIp(window, LIMITS, A, 32)).toBe(false);
    expect(window.perIp.get(A)).toBe(32);
    expect(countAnnounceFromIp(window, LIMITS, B, 33)).toBe(true);
  });

  test("a new window starts with fresh counters", () => {
    const window = newAnnounceWindow(1000);
    for (let i = 0; i < 16; i++) countAnnounceToSwarm(window, LIMITS, A, "h1", 1000 + i);
    for (let i = 0; i < 31; i++) countAnnounceFromIp(window, LIMITS, A, 1000 + i);
    expect(countAnnounceToSwarm(window, LIMITS, A, "h1", 1000 + 299_999)).toBe(false);
    expect(countAnnounceToSwarm(window, LIMITS, A, "h1", 1000 + 300_000)).toBe(true);
    expect(countAnnounceFromIp(window, LIMITS, A, 1000 + 300_001)).toBe(true);
    expect(window.startedAt).toBe(301_000);
    expect(window.perSwarm.size).toBe(1);
  });
});

describe("connection limits", () => {
  const limits = { total: 3, perIp: 2 };

  test("per-address and total caps", () => {
    const counts = newConnectionCounts();
    expect(admitConnection(counts, limits, A)).toBe("ok");
    connectionOpened(counts, A);
    connectionOpened(counts, A);
    expect(admitConnection(counts, limits, A)).toBe("ip");
    expect(admitConnection(counts, limits, B)).toBe("ok");
    connectionOpened(counts, B);
    expect(admitConnection(counts, limits, B)).toBe("total");
  });

  test("closing frees the slot and forgets addresses with nothing open", () => {
    const counts = newConnectionCounts();
    connectionOpened(counts, A);
    connectionOpened(counts, A);
    connectionClosed(counts, A);
    expect(counts.perIp.get(A)).toBe(1);
    expect(admitConnection(counts, limits, A)).toBe("ok");
    connectionClosed(counts, A);
    expect(counts.perIp.has(A)).toBe(false);
    expect(counts.total).toBe(0);
    connectionClosed(counts, A); // a stray close never goes negative
    expect(counts.total).toBe(0);
  });
});

describe("addressKey", () => {
  test.each([
    ["203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::ab", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["unknown", "unknown"],
    ["1::2::3", "1::2::3"],
    ["2001:db8:zz::1", "2001:db8:zz::1"],
  ])("%s -> %s", (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  test("addresses of one IPv6 /64 share a key, other /64s do not", () => {
    expect(addressKey("2001:db8:a:b::1")).toBe(addressKey("2001:db8:a:b:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:a:b::1")).not.toBe(addressKey("2001:db8:a:c::1"));
  });
});
