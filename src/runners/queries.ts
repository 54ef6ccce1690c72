/** All SQL of remote runners: registration tokens, runners, and the jobs offered to them. */
import type { Sql } from "../db/client.ts";
import { setVideoState } from "../videos/queries.ts";

export type RunnerJobType = "vod-hls-transcoding" | "live-rtmp-hls-transcoding";
export type RunnerJobState = "pending" | "processing" | "completed" | "errored" | "cancelled";

export interface RegistrationTokenRow {
  id: number;
  token: string;
  createdAt: Date;
  registeredRunnersCount: number;
}

export interface RunnerRow {
  id: number;
  name: string;
  description: string | null;
  ip: string | null;
  lastContact: Date;
  createdAt: Date;
}

export interface RunnerJobRow {
  id: number;
  uuid: string;
  type: RunnerJobType;
  state: RunnerJobState;
  videoId: number | null;
  payload: Record<string, unknown>;
  runnerId: number | null;
  runnerName: string | null;
  progress: number;
  failures: number;
  errors: string[];
  createdAt: Date;
  pendingSince: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastContact: Date | null;
}

const JOB_COLUMNS = (sql: Sql) => sql`
  j.id::int, j.uuid::text, j.type, j.state, j.video_id::int AS "videoId", j.payload, j.runner_id::int AS "runnerId",
  r.name AS "runnerName", j.progress, j.failures, j.errors, j.created_at AS "createdAt", j.pending_since AS "pendingSince",
  j.started_at AS "startedAt", j.finished_at AS "finishedAt", j.last_contact AS "lastContact"`;

export async function insertRegistrationToken(sql: Sql, token: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`INSERT INTO runner_registration_tokens (token) VALUES (${token}) RETURNING id::int`;
  return row!.id;
}

export async function listRegistrationTokens(sql: Sql): Promise<RegistrationTokenRow[]> {
  return sql<RegistrationTokenRow[]>`
    SELECT t.id::int, t.token, t.created_at AS "createdAt",
           (SELECT count(*)::int FROM runners r WHERE r.registration_token_id = t.id) AS "registeredRunnersCount"
    FROM runner_registration_tokens t ORDER BY t.id DESC`;
}

/** Deletes a registration token; its runners go with it (ON DELETE CASCADE), and their jobs are offered again first. */
export async function deleteRegistrationToken(sql: Sql, id: number): Promise<boolean> {
  return sql.begin(async (tx) => {
    const runners = await tx<{ id: number }[]>`SELECT id::int FROM runners WHERE registration_token_id = ${id}`;
    for (const r of runners) await releaseJobsOfRunner(tx as unknown as Sql, r.id);
    return (await tx`DELETE FROM runner_registration_tokens WHERE id = ${id}`).count > 0;
  });
}

export async function findRegistrationToken(sql: Sql, token: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`SELECT id::int FROM runner_registration_tokens WHERE token = ${token}`;
  return row?.id ?? null;
}

/** Inserts a runner; null when the name is taken. */
export async function insertRunner(
  sql: Sql,
  r: { name: string; description: string | null; tokenHash: string; registrationTokenId: number; ip: string },
): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO runners (name, description, token_hash, registration_token_id, ip)
    VALUES (${r.name}, ${r.description}, ${r.tokenHash}, ${r.registrationTokenId}, ${r.ip})
    ON CONFLICT (name) DO NOTHING RETURNING id::int`;
  return row?.id ?? null;
}

/** The runner holding a token (by its hash), marking that it was heard from. */
export async function touchRunnerByTokenHash(sql: Sql, tokenHash: string, ip: string): Promise<RunnerRow | null> {
  const [row] = await sql<RunnerRow[]>`
    UPDATE runners SET last_contact = now(), ip = ${ip} WHERE token_hash = ${tokenHash}
    RETURNING id::int, name, description, ip, last_contact AS "lastContact", created_at AS "createdAt"`;
  return row ?? null;
}

export async function listRunners(sql: Sql): Promise<RunnerRow[]> {
  return sql<RunnerRow[]>`
    SELECT id::int, name, description, ip, last_contact AS "lastContact", created_at AS "createdAt" FROM runners ORDER BY id`;
}

/** Removes a runner (its token stops working at once); the jobs it held are offered again. */
export async function deleteRunner(sql: Sql, id: number): Promise<boolean> {
  return sql.begin(async (tx) => {
    await releaseJobsOfRunner(tx as unknown as Sql, id);
    return (await tx`DELETE FROM runners WHERE id = ${id}`).count > 0;
  });
}

/** The runner's open jobs are offered again; their videos wait in the queue again, as after an abort. */
async function releaseJobsOfRunner(sql: Sql, runnerId: number): Promise<void> {
  const released = await sql<{ videoId: number | null; type: RunnerJobType }[]>`
    UPDATE runner_jobs SET state = 'pending', runner_id = NULL, job_token_hash = NULL, progress = 0, pending_since = now()
    WHERE runner_id = ${runnerId} AND state = 'processing'
    RETURNING video_id::int AS "videoId", type`;
  for (const job of released) if (job.videoId !== null && job.type === "vod-hls-transcoding") await setVideoState(sql, job.videoId, "queued");
}

/** Offers a job; null when the video already has an open one (the unique index makes a second offer a no-op). */
export async function insertJob(
  sql: Sql,
  j: { uuid: string; type: RunnerJobType; videoId: number; payload: Record<string, unknown> },
): Promise<string | null> {
  const [row] = await sql<{ uuid: string }[]>`
    INSERT INTO runner_jobs (uuid, type, state, video_id, payload)
    VALUES (${j.uuid}, ${j.type}, 'pending', ${j.videoId}, ${sql.json(j.payload as never)})
    ON CONFLICT (video_id) WHERE state IN ('pending', 'processing') DO NOTHING RETURNING uuid::text`;
  return row?.uuid ?? null;
}

export async function listPendingJobs(sql: Sql, types: readonly RunnerJobType[], limit: number): Promise<RunnerJobRow[]> {
  return sql<RunnerJobRow[]>`
    SELECT ${JOB_COLUMNS(sql)} FROM runner_jobs j LEFT JOIN runners r ON r.id = j.runner_id
    WHERE j.state = 'pending' AND j.type IN ${sql(types as RunnerJobType[])} ORDER BY j.pending_since, j.id LIMIT ${limit}`;
}

export async function findJob(sql: Sql, uuid: string): Promise<RunnerJobRow | null> {
  const [row] = await sql<RunnerJobRow[]>`
    SELECT ${JOB_COLUMNS(sql)} FROM runner_jobs j LEFT JOIN runners r ON r.id = j.runner_id WHERE j.uuid = ${uuid}`;
  return row ?? null;
}

/** Gives a pending job to a runner; null when another runner took it first (or it was cancelled). */
export async function acceptJob(sql: Sql, uuid: string, runnerId: number, jobTokenHash: string): Promise<RunnerJobRow | null> {
  const [row] = await sql<{ id: number }[]>`
    UPDATE runner_jobs SET state = 'processing', runner_id = ${runnerId}, job_token_hash = ${jobTokenHash}, progress = 0,
           started_at = now(), last_contact = now()
    WHERE uuid = ${uuid} AND state = 'pending' RETURNING id::int`;
  return row ? findJob(sql, uuid) : null;
}

/** The job a runner holds with this job token; null unless the runner, the token and the job all match. */
export async function findJobOfRunner(sql: Sql, uuid: string, runnerId: number, jobTokenHash: string): Promise<RunnerJobRow | null> {
  const [row] = await sql<RunnerJobRow[]>`
    SELECT ${JOB_COLUMNS(sql)} FROM runner_jobs j LEFT JOIN runners r ON r.id = j.runner_id
    WHERE j.uuid = ${uuid} AND j.runner_id = ${runnerId} AND j.job_token_hash = ${jobTokenHash}`;
  return row ?? null;
}

export async function touchJob(sql: Sql, id: number, progress: number | null): Promise<void> {
  await sql`
    UPDATE runner_jobs SET last_contact = now(), progress = coalesce(${progress}, progress)
    WHERE id = ${id} AND state = 'processing'`;
}

/** Ends a processing job as completed; false if it was no longer the caller's (timed out, cancelled). */
export async function completeJob(sql: Sql, id: number, runnerId: number): Promise<boolean> {
  const result = await sql`
    UPDATE runner_jobs SET state = 'completed', progress = 100, job_token_hash = NULL, finished_at = now()
    WHERE id = ${id} AND runner_id = ${runnerId} AND state = 'processing'`;
  return result.count > 0;
}

/**
 * Records a failed attempt: back to pending, or errored once `maxFailures` is reached. The holder is the runner
 * that reported it, or (for the timeout sweep) "silent since": then a runner that spoke again in between keeps
 * its job. Returns the new state, or null when the job was no longer processing for that holder.
 */
export async function failJob(
  sql: Sql,
  id: number,
  holder: { runnerId: number } | { silentBefore: Date },
  reason: string,
  maxFailures: number,
): Promise<{ state: RunnerJobState; failures: number; errors: string[] } | null> {
  const runnerId = "runnerId" in holder ? holder.runnerId : null;
  const silentBefore = "silentBefore" in holder ? holder.silentBefore : null;
  const [row] = await sql<{ state: RunnerJobState; failures: number; errors: string[] }[]>`
    UPDATE runner_jobs SET failures = failures + 1, errors = array_append(errors, ${reason}::text),
           state = CASE WHEN failures + 1 >= ${maxFailures} THEN 'errored' ELSE 'pending' END,
           finished_at = CASE WHEN failures + 1 >= ${maxFailures} THEN now() ELSE NULL END,
           runner_id = NULL, job_token_hash = NULL, progress = 0, pending_since = now()
    WHERE id = ${id} AND state = 'processing'
      AND (${runnerId}::bigint IS NULL OR runner_id = ${runnerId})
      AND (${silentBefore}::timestamptz IS NULL OR last_contact < ${silentBefore})
    RETURNING state, failures, errors`;
  return row ?? null;
}

/** A runner gives a job back without it counting as a failure (it is shutting down, say). */
export async function abortJob(sql: Sql, id: number, runnerId: number): Promise<boolean> {
  const result = await sql`
    UPDATE runner_jobs SET state = 'pending', runner_id = NULL, job_token_hash = NULL, progress = 0, pending_since = now()
    WHERE id = ${id} AND runner_id = ${runnerId} AND state = 'processing'`;
  return result.count > 0;
}

/** Processing jobs whose runner has been silent since `before`. */
export async function listSilentJobs(sql: Sql, before: Date): Promise<{ id: number; uuid: string; type: RunnerJobType; videoId: number | null; runnerName: string | null }[]> {
  return sql`
    SELECT j.id::int, j.uuid::text, j.type, j.video_id::int AS "videoId", r.name AS "runnerName"
    FROM runner_jobs j LEFT JOIN runners r ON r.id = j.runner_id
    WHERE j.state = 'processing' AND j.last_contact < ${before}`;
}

/** Takes pending jobs nobody accepted since `before` away from runners (for a local worker); returns them. */
export async function takeUnclaimedJobs(sql: Sql, before: Date): Promise<{ uuid: string; videoId: number | null }[]> {
  return sql`
    UPDATE runner_jobs SET state = 'cancelled', finished_at = now(), errors = array_append(errors, 'No runner took the job in time; a local worker transcodes it.')
    WHERE state = 'pending' AND pending_since < ${before} AND type = 'vod-hls-transcoding'
    RETURNING uuid::text, video_id::int AS "videoId"`;
}

/** Cancels an open job (administrators); false if it was already finished. */
export async function cancelJob(sql: Sql, uuid: string): Promise<RunnerJobRow | null> {
  const [row] = await sql<{ id: number }[]>`
    UPDATE runner_jobs SET state = 'cancelled', job_token_hash = NULL, finished_at = now()
    WHERE uuid = ${uuid} AND state IN ('pending', 'processing') RETURNING id::int`;
  return row ? findJob(sql, uuid) : null;
}

export async function deleteJob(sql: Sql, uuid: string): Promise<boolean> {
  return (await sql`DELETE FROM runner_jobs WHERE uuid = ${uuid}`).count > 0;
}

export async function listJobs(sql: Sql, limit = 100): Promise<RunnerJobRow[]> {
  return sql<RunnerJobRow[]>`
    SELECT ${JOB_COLUMNS(sql)} FROM runner_jobs j LEFT JOIN runners r ON r.id = j.runner_id
    ORDER BY j.id DESC LIMIT ${limit}`;
}
