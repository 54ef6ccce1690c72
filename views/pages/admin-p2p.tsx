/** Administration: how much of the video traffic peers carried, per day and per video. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";

export interface TrafficRow {
  readonly label: string;
  readonly href?: string;
  readonly httpBytes: number;
  readonly p2pBytes: number;
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The share of bytes that came from peers, as "63%"; a dash when nothing was played. */
export function p2pShare(row: { httpBytes: number; p2pBytes: number }): string {
  const total = row.httpBytes + row.p2pBytes;
  return total === 0 ? "–" : `${Math.round((row.p2pBytes / total) * 100)}%`;
}

function TrafficTable({ rows, first }: { rows: readonly TrafficRow[]; first: string }) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th scope="col" safe>
            {first}
          </th>
          <th scope="col">From the server</th>
          <th scope="col">From peers</th>
          <th scope="col">P2P share</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>{r.href ? <a href={r.href} safe>{r.label}</a> : <span safe>{r.label}</span>}</td>
            <td safe>{mb(r.httpBytes)}</td>
            <td safe>{mb(r.p2pBytes)}</td>
            <td safe>{p2pShare(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AdminP2PPage({ page, total, days, videos }: { page: PageContext; total: TrafficRow; days: readonly TrafficRow[]; videos: readonly TrafficRow[] }) {
  return (
    <Layout page={page} title="P2P statistics">
      <h1>Peer-to-peer statistics</h1>
      <p>
        Over the last 30 days peers carried <strong safe>{p2pShare(total)}</strong> of video bytes (<span safe>{mb(total.p2pBytes)}</span>{" "}
        of <span safe>{mb(total.p2pBytes + total.httpBytes)}</span>), as reported by players.
      </p>
      <h2>By day</h2>
      <TrafficTable rows={days} first="Day" />
      <h2>Videos with the most traffic</h2>
      <TrafficTable rows={videos} first="Video" />
    </Layout>
  );
}
