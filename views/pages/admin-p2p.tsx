/** Administration: how much of the video traffic peers carried, per day and per video. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { SLOT, aroundSlot } from "../format.ts";
import { AdminNav } from "../components/admin-nav.tsx";
import { TableHead } from "../components/table-head.tsx";

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

function TrafficTable({ page, rows, first }: { page: PageContext; rows: readonly TrafficRow[]; first: string }) {
  return (
    <table class="table">
      <TableHead headings={[first, page.t("admin.p2p.fromServer"), page.t("admin.p2p.fromPeers"), page.t("admin.p2p.share")]} />
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
  const t = page.t;
  const [before, after] = aroundSlot(t("admin.p2p.summary", { share: SLOT, p2p: mb(total.p2pBytes), total: mb(total.p2pBytes + total.httpBytes) }));
  return (
    <Layout page={page} title={t("admin.p2p.title")}>
      <AdminNav page={page} current="/admin/p2p" />
      <h1 safe>{t("admin.p2p.heading")}</h1>
      <p>
        <span safe>{before}</span>
        <strong safe>{p2pShare(total)}</strong>
        <span safe>{after}</span>
      </p>
      <h2 safe>{t("admin.p2p.byDay")}</h2>
      <TrafficTable page={page} rows={days} first={t("admin.p2p.day")} />
      <h2 safe>{t("admin.p2p.topVideos")}</h2>
      <TrafficTable page={page} rows={videos} first={t("admin.p2p.video")} />
    </Layout>
  );
}
