/**
 * Pausing hosts that keep failing. Every delivery to a host that fails (unreachable, 5xx, 408, 429) counts one
 * consecutive failure; any success resets the count. From `pauseAfter` consecutive failures on, the host is
 * paused: its delivery jobs wait (without spending an attempt) until the pause ends, and each further failure
 * doubles the pause, up to `maxPauseMs`. A server that is down for a day then costs one try per pause, not one per
 * queued activity. Pure policy here; the delivery worker stores the state in federation_host_health.
 */

export interface HostPausePolicy {
  /** Consecutive failures after which the host is paused. */
  readonly pauseAfter: number;
  /** The first pause; each further failure doubles it. */
  readonly basePauseMs: number;
  readonly maxPauseMs: number;
}

export interface HostHealth {
  readonly consecutiveFailures: number;
  /** Until when deliveries to the host wait; null when it is not paused. */
  readonly pausedUntil: Date | null;
}

export const HEALTHY: HostHealth = Object.freeze({ consecutiveFailures: 0, pausedUntil: null });

/** How long a host is paused after this many consecutive failures (0: not paused). */
export function hostPauseMs(consecutiveFailures: number, policy: HostPausePolicy): number {
  if (consecutiveFailures < policy.pauseAfter) return 0;
  const doublings = Math.min(consecutiveFailures - policy.pauseAfter, 30);
  return Math.min(policy.basePauseMs * 2 ** doublings, policy.maxPauseMs);
}

/** The host's health after one more delivery, by its outcome. */
export function nextHostHealth(health: HostHealth, outcome: "success" | "failure", now: Date, policy: HostPausePolicy): HostHealth {
  if (outcome === "success") return HEALTHY;
  const consecutiveFailures = health.consecutiveFailures + 1;
  const pause = hostPauseMs(consecutiveFailures, policy);
  return { consecutiveFailures, pausedUntil: pause > 0 ? new Date(now.getTime() + pause) : null };
}

/** How long a delivery to this host must wait before it is tried (0: go now). */
export function waitBeforeDelivery(health: HostHealth, now: Date): number {
  return health.pausedUntil ? Math.max(0, health.pausedUntil.getTime() - now.getTime()) : 0;
}
