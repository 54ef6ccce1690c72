/** P2P consent (the notice under the player; the settings page is in src/settings/), the players' statistics beacon, and the admin statistics page. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireAdmin } from "../http/context.ts";
import { HttpError, badRequest, notFound } from "../http/errors.ts";
import { field, safeNext } from "../http/forms.ts";
import { setP2PPreference } from "../accounts/queries.ts";
import { findVisibleVideo } from "../videos/service.ts";
import { AdminP2PPage } from "../../views/pages/admin-p2p.tsx";
import { P2P_COOKIE } from "./consent.ts";
import { dailyTotals, topVideosByTraffic } from "./queries.ts";
import { parseP2PReport } from "./stats.ts";

const YEAR_SECONDS = 365 * 86_400;

export function p2pRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "p2p" })
    .use(context)
    .post("/p2p/consent", async ({ deps, body, user, cookie, redirect }) => {
      const choice = field(body, "choice");
      if (choice !== "on" && choice !== "off") throw badRequest("Choose whether to share (on) or not (off).");
      // The cookie lets the server render the right player bundle before anything loads.
      cookie[P2P_COOKIE]!.set({ value: choice, path: "/", maxAge: YEAR_SECONDS, sameSite: "lax", httpOnly: true, secure: deps.config.secureCookies });
      if (user) await setP2PPreference(deps.sql, user.id, choice);
      return redirect(safeNext(field(body, "next")), 303);
    })
    .post("/api/v1/videos/:id/p2p-stats", async ({ deps, params, body, ip, user, set }) => {
      // sendBeacon may post the JSON as text/plain.
      const report = parseP2PReport(typeof body === "string" ? safeJson(body) : body);
      if (!report) throw badRequest("A report has httpBytes, p2pBytes and uploadedBytes as whole numbers of bytes.");
      const video = await findVisibleVideo(deps, params.id, user);
      if (!video || video.state !== "published") throw notFound("Video not found");
      if (!(await deps.p2pStats.record(video.id, report, ip))) throw new HttpError(429, "Too many reports; send one every 10 seconds.");
      set.status = 204;
      return "";
    })
    .get("/admin/p2p", async ({ deps, user, page }) => {
      requireAdmin(user);
      const [days, videos] = await Promise.all([dailyTotals(deps.sql, 30), topVideosByTraffic(deps.sql, 50)]);
      const total = days.reduce((sum, d) => ({ ...sum, httpBytes: sum.httpBytes + d.httpBytes, p2pBytes: sum.p2pBytes + d.p2pBytes }), {
        label: "Total",
        httpBytes: 0,
        p2pBytes: 0,
      });
      return (
        <AdminP2PPage
          page={page}
          total={total}
          days={days.map((d) => ({ ...d, label: d.day.toISOString().slice(0, 10) }))}
          videos={videos.map((v) => ({ ...v, label: v.name, href: `/w/${v.shortId}` }))}
        />
      );
    });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
