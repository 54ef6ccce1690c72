import { describe, expect, test } from "bun:test";
import { HEALTHY, hostPauseMs, nextHostHealth, waitBeforeDelivery, type HostHealth } from "../../../src/federation/host-health.ts";

const policy = { pauseAfter: 3, basePauseMs: 60_000, maxPauseMs: 3_600_000 };
const now = new Date("2025-03-01T12:00:00Z");

describe("hostPauseMs", () => {
  test.each([
    [0, 0],
    [2, 0],
    [3, 60_000],
    [4, 120_000],
    [5, 240_000],
    [8, 1_920_000],
    [9, 3_600_000],
    [500, 3_600_000],
  ])("%i consecutive failures → %i ms", (failures, pause) => {
    expect(hostPauseMs(failures, policy)).toBe(pause);
  });
});

describe("nextHostHealth", () => {
  test("failures count up and pause the host from the threshold on, longer each time", () => {
    let health: HostHealth = HEALTHY;
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) {
      health = nextHostHealth(health, "failure", now, policy);
      pauses.push(waitBeforeDelivery(health, now));
    }
    expect(health.consecutiveFailures).toBe(5);
    expect(pauses).toEqual([0, 0, 60_000, 120_000, 240_000]);
  });

  test("one success resets everything", () => {
    const failing: HostHealth = { consecutiveFailures: 7, pausedUntil: new Date(now.getTime() + 10_000) };
    expect(nextHostHealth(failing, "success", now, policy)).toEqual(HEALTHY);
  });

  test("a pause that has ended does not hold deliveries back", () => {
    expect(waitBeforeDelivery({ consecutiveFailures: 4, pausedUntil: new Date(now.getTime() - 1) }, now)).toBe(0);
    expect(waitBeforeDelivery(HEALTHY, now)).toBe(0);
  });
});
