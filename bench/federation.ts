/**
 * Federation throughput, in one process on a real database. Fan-out: one video's Create delivered to 1,000 remote
 * followers whose inboxes are 50 paths of one local Bun.serve that only counts (no verification), through the
 * delivery worker's own code (sign, POST) at the worker's concurrency; once with shared inboxes (50 deliveries)
 * and once with every follower's own inbox (1,000). Inbound: signed activities POSTed to the shared inbox and
 * verified (signature, Digest, Date, key owner) with the key cached, against the cost of signing them. Comments:
 * the author's Linked Data signature every comment activity carries (JSON-LD canonicalization + RSA), against the
 * HTTP signature of one delivery.
 * CPU is this process's (user + system), which includes the counting server's small share.
 */
import { fetcherFor, type FederationDeps } from "../src/federation/actors.ts";
import { createDeliveryHandler } from "../src/federation/delivery.ts";
import { receiveInboxPost } from "../src/federation/inbox.ts";
import { generateActorKeys } from "../src/federation/keys.ts";
import { toNoteActivity, toNoteObject } from "../src/federation/note-objects.ts";
import { signActivityLd, signOutbound, type Signer } from "../src/federation/signatures.ts";
import { videoDeliveries } from "../src/federation/videos.ts";
import { findVideo } from "../src/videos/queries.ts";
import type { Queues } from "../src/queue/queues.ts";
import { createTestApp } from "../test/helpers/app.ts";
import { defaultChannelId, seedVideo } from "../test/helpers/videos.ts";
import { count, ms, printTable, ratio } from "./lib/table.ts";

const FOLLOWERS = 1000;
const INBOXES = 50;
/** As the server runs ap-deliver jobs (FEDERATION_CONCURRENCY in src/server.ts). */
const CONCURRENCY = 8;
const INBOUND = 500;
const COMMENTS = 200;

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export async function run(): Promise<void> {
  const app = await createTestApp({ TUBELET_FEDERATION_ALLOW_PRIVATE: "true", TUBELET_FEDERATION_MAX_INBOX_BYTES: "1048576" });
  const received = new Map<string, number>();
  const keys = await generateActorKeys();
  let sinkUrl = "";
  const sink = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method === "POST") {
        await request.arrayBuffer();
        received.set(path, (received.get(path) ?? 0) + 1);
        return new Response(null, { status: 202 });
      }
      // The remote actor whose key signs the inbound activities.
      const id = `${sinkUrl}/users/bench`;
      return Response.json({
        id, type: "Person", preferredUsername: "bench", inbox: `${id}/inbox`,
        publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem },
      }, { headers: { "content-type": "application/activity+json" } });
    },
  });
  sinkUrl = `http://127.0.0.1:${sink.port}`;
  try {
    const owner = await app.createUser("bench");
    const video = await seedVideo(app.db.sql, { channelId: await defaultChannelId(app.db.sql, owner.id), name: "Fan-out" });
    const row = (await findVideo(app.db.sql, { id: video.id }))!;
    const host = new URL(sinkUrl).host;
    // 1,000 remote followers of the channel, spread over 50 inbox paths of the one counting server.
    await app.db.sql`
      INSERT INTO actors (uri, kind, handle, domain, display_name, description, inbox_url, shared_inbox_url, public_key_pem, key_id, fetched_at)
      SELECT ${sinkUrl} || '/users/f' || i, 'person', 'f' || i, ${host}, 'f' || i, '',
             ${sinkUrl} || '/inbox/' || (i % ${INBOXES}) || '/f' || i, ${sinkUrl} || '/inbox/' || (i % ${INBOXES}),
             ${keys.publicKeyPem}, ${sinkUrl} || '/users/f' || i || '#main-key', now()
      FROM generate_series(1, ${FOLLOWERS}) AS i`;
    await app.db.sql`
      INSERT INTO subscriptions (subscriber_id, channel_id, state)
      SELECT a.id, ${row.channelActorId}, 'accepted' FROM actors a WHERE a.domain = ${host}`;
    const deps: FederationDeps = { sql: app.db.sql, config: app.config, fetcher: fetcherFor(app.config) };
    const deliver = createDeliveryHandler(deps);

    const rows: string[][] = [];
    for (const shared of [true, false]) {
      if (!shared) await app.db.sql`UPDATE actors SET shared_inbox_url = NULL WHERE domain = ${host}`;
      received.clear();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const outbound = await videoDeliveries(deps, row, "create");
      const create = outbound[0]!;
      await pool(create.inboxes, CONCURRENCY, (inbox) => deliver({ inbox, activity: create.activity, signerActorId: create.signerActorId }));
      const wall = performance.now() - started;
      const cpuUsed = cpuMs(cpu);
      const delivered = [...received.values()].reduce((a, b) => a + b, 0);
      rows.push([
        shared ? "Create → 1,000 followers, shared inboxes" : "Create → 1,000 followers, own inboxes",
        count(delivered),
        ms(wall),
        ms(cpuUsed),
        count(delivered / (wall / 1000)),
        (wall / delivered).toFixed(2),
        (cpuUsed / delivered).toFixed(2),
      ]);
    }
    console.log(`Fan-out (${FOLLOWERS} followers over ${INBOXES} inbox paths, ${CONCURRENCY} deliveries at once)\n`);
    printTable(["run", "deliveries", "wall ms", "CPU ms", "deliveries/s", "ms/delivery", "CPU ms/delivery"], rows);

    // Inbound: N distinct signed Likes of the video, each verified by the shared inbox's code path.
    const actor = `${sinkUrl}/users/bench`;
    const activities = Array.from({ length: INBOUND }, (_, i) => ({
      "@context": "https://www.w3.org/ns/activitystreams", id: `${actor}/likes/${i}`, type: "Like", actor,
      object: `${app.config.publicUrl}/videos/watch/${row.uuid}`,
    }));
    const signer = { keyId: `${actor}#main-key`, privateKeyPem: keys.privateKeyPem };
    const requestOf = (body: unknown) =>
      new Request(`${app.config.publicUrl}/inbox`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/activity+json" } });
    let cpu = process.cpuUsage();
    let started = performance.now();
    const signed: Request[] = [];
    for (const activity of activities) signed.push(await signOutbound(requestOf(activity), signer));
    const signWall = performance.now() - started;
    const signCpu = cpuMs(cpu);
    const queues: Queues = { add: async () => {}, close: async () => {} };
    // The first verification fetches and caches the key; the measured ones use the cache, as a busy inbox does.
    await receiveInboxPost({ ...deps, queues }, await signOutbound(requestOf({ ...activities[0], id: `${actor}/warm` }), signer), null);
    cpu = process.cpuUsage();
    started = performance.now();
    let accepted = 0;
    for (const request of signed) if ((await receiveInboxPost({ ...deps, queues }, request, null)).status === 202) accepted++;
    const verifyWall = performance.now() - started;
    const verifyCpu = cpuMs(cpu);
    console.log(`\nInbound (${INBOUND} signed activities to /inbox, one at a time, key cached)\n`);
    printTable(
      ["step", "count", "wall ms", "CPU ms", "per second", "ms each"],
      [
        ["sign (rsa-sha256 + Digest)", count(INBOUND), ms(signWall), ms(signCpu), count(INBOUND / (signWall / 1000)), (signWall / INBOUND).toFixed(2)],
        ["verify (signature, Digest, Date, owner)", count(accepted), ms(verifyWall), ms(verifyCpu), count(accepted / (verifyWall / 1000)), (verifyWall / accepted).toFixed(2)],
      ],
    );
    console.log(`\nverifications/s ÷ signings/s: ${ratio((accepted / verifyWall) / (INBOUND / signWall))}`);
    await measureCommentSigning(signer, signWall / INBOUND);
  } finally {
    sink.stop(true);
    await app.close();
  }
}

/** Linked Data signing of comment activities (done once per comment, when it is queued), per activity. */
async function measureCommentSigning(signer: Signer, httpSignMs: number): Promise<void> {
  const activities = Array.from({ length: COMMENTS }, (_, i) => {
    const uri = `https://tubelet.example/videos/watch/u/comments/${i}`;
    const note = toNoteObject({
      uri, inReplyTo: "https://origin.example/videos/watch/u", authorUri: "https://tubelet.example/accounts/bench",
      text: `Comment number ${i}, with a **little** Markdown`, published: new Date(), updated: new Date(),
      mentions: [{ href: "https://origin.example/accounts/alice", name: "@alice@origin.example" }],
    });
    return toNoteActivity("Create", `${uri}/activity`, note);
  });
  await signActivityLd(activities[0]!, signer); // loads the contexts once
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const activity of activities) await signActivityLd(activity, signer);
  const wall = performance.now() - started;
  console.log(`\nComments (${COMMENTS} Create(Note) activities signed for forwarding, one at a time)\n`);
  printTable(
    ["step", "count", "wall ms", "CPU ms", "per second", "ms each"],
    [["Linked Data signature (RsaSignature2017)", count(COMMENTS), ms(wall), ms(cpuMs(cpu)), count(COMMENTS / (wall / 1000)), (wall / COMMENTS).toFixed(2)]],
  );
  console.log(`\nLD signature ÷ HTTP signature, time each: ${ratio(wall / COMMENTS / httpSignMs)}`);
}
