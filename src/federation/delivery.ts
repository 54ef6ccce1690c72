/** Outbound delivery: activities become `ap-deliver` jobs, one per inbox, signed and POSTed by the worker. */
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { Config } from "../config.ts";
import type { Queues, JobPayloads } from "../queue/queues.ts";
import { signerFor, type FederationDeps } from "./actors.ts";
import { RefusedFetchError } from "./fetcher.ts";
import { signOutbound } from "./signatures.ts";
import { isInboxBlocked } from "./block-queries.ts";
import { hostPauseMs, waitBeforeDelivery, type HostPausePolicy } from "./host-health.ts";
import { findHostHealth, recordHostFailure, recordHostSuccess } from "./queries.ts";

/** An activity to send, who signs it, and where it goes. */
export interface OutboundActivity {
  readonly signerActorId: number;
  readonly activity: Record<string, unknown>;
  readonly inboxes: readonly string[];
}

/**
 * Whether a failed delivery is worth another try: the receiver was down, slow or overloaded (5xx, 408, 429).
 * Other 4xx answers (gone, forbidden, bad request) would be the same next time.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Retry policy of deliveries, from config: attempts, and an exponential backoff from the first delay. */
export function deliveryJobOptions(config: Config): { attempts: number; backoffMs: number } {
  return { attempts: config.federation.deliveryAttempts, backoffMs: config.federation.deliveryBackoffMs };
}

/** Queues one delivery job per distinct inbox. */
export async function enqueueDeliveries(queues: Queues, config: Config, outbound: readonly OutboundActivity[]): Promise<void> {
  for (const item of outbound) {
    for (const inbox of new Set(item.inboxes)) {
      await queues.add("ap-deliver", { inbox, activity: item.activity, signerActorId: item.signerActorId }, deliveryJobOptions(config));
    }
  }
}

/** The host-pause policy of this instance's config. */
export function hostPausePolicy(config: Config): HostPausePolicy {
  const { hostPauseAfter, hostPauseMs, hostPauseMaxMs } = config.federation;
  return { pauseAfter: hostPauseAfter, basePauseMs: hostPauseMs, maxPauseMs: hostPauseMaxMs };
}

/**
 * The `ap-deliver` worker: signs now (the Date must be fresh on every retry) and POSTs. A paused host's job is put
 * back, delayed to the end of the pause, without spending an attempt; every outcome updates the host's health.
 */
export function createDeliveryHandler(deps: FederationDeps) {
  const policy = hostPausePolicy(deps.config);
  return async (payload: JobPayloads["ap-deliver"], job?: Job): Promise<void> => {
    // Nothing goes to a blocked server or actor, even what was queued before the block.
    if (await isInboxBlocked(deps.sql, payload.inbox)) return;
    const host = new URL(payload.inbox).host;
    const wait = waitBeforeDelivery(await findHostHealth(deps.sql, host), new Date());
    if (wait > 0 && job?.token) {
      await job.moveToDelayed(Date.now() + wait, job.token);
      throw new DelayedError();
    }
    try {
      await deliverOnce(deps, payload);
      await recordHostSuccess(deps.sql, host);
    } catch (error) {
      // The host answered, even if with a refusal: it is up. Only unreachable or failing hosts count.
      if (!(error instanceof UnrecoverableError)) await recordHostFailure(deps.sql, host, (n) => hostPauseMs(n, policy));
      throw error;
    }
  };
}

/** Signs and POSTs one delivery; throws UnrecoverableError when trying again cannot help. */
async function deliverOnce(deps: FederationDeps, payload: JobPayloads["ap-deliver"]): Promise<void> {
  const signer = await signerFor(deps.sql, deps.config, payload.signerActorId);
  const request = new Request(payload.inbox, {
    method: "POST",
    body: JSON.stringify(payload.activity),
    headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
  });
  let response: Response;
  try {
    response = await deps.fetcher.send(await signOutbound(request, signer));
  } catch (error) {
    if (error instanceof RefusedFetchError) throw new UnrecoverableError(error.message);
    throw error;
  }
  await response.body?.cancel();
  if (response.ok) return;
  const message = `${payload.inbox} answered ${response.status} to ${String(payload.activity.type)} ${String(payload.activity.id)}`;
  throw isRetryableStatus(response.status) ? new Error(message) : new UnrecoverableError(message);
}
