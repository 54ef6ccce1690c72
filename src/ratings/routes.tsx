/** Likes and dislikes: the watch page's buttons (htmx) and PeerTube's rating endpoints. */
import { Elysia } from "elysia";
import type { contextPlugin } from "../http/context.ts";
import { requireUser } from "../http/context.ts";
import { unauthorized } from "../http/errors.ts";
import { field } from "../http/forms.ts";
import { optionalApiUser, requireApiUser } from "../api/bearer.ts";
import { RateButtons } from "../../views/components/rate-buttons.tsx";
import { parseRating, rateVideo, ratingOf, videoForRating } from "./service.ts";

/** The watch page's rate buttons and the rating endpoints of the REST API. */
export function ratingRoutes(context: ReturnType<typeof contextPlugin>) {
  return new Elysia({ name: "ratings" })
    .use(context)
    .post("/w/:id/rate", async ({ deps, params, body, user, page, request }) => {
      const rater = requireUser(user);
      const rating = parseRating(field(body, "rating"), page.t);
      const video = await videoForRating(deps.sql, params.id, rater, page.t);
      const state = await rateVideo(deps, rater, video, rating);
      // A plain form post (no htmx) goes back to the video.
      if (request.headers.get("hx-request") !== "true") return new Response(null, { status: 303, headers: { location: `/w/${video.shortId}` } });
      return <RateButtons page={page} shortId={video.shortId} likes={state.likes} dislikes={state.dislikes} mine={state.mine} />;
    })
    .put("/api/v1/videos/:id/rate", async ({ deps, params, body, user, page, request, set }) => {
      const rater = await requireApiUser(deps.sql, request, { user, csrfToken: page.csrfToken });
      const rating = parseRating((body as Record<string, unknown> | null | undefined)?.rating, page.t);
      const video = await videoForRating(deps.sql, params.id, rater, page.t);
      await rateVideo(deps, rater, video, rating);
      set.status = 204;
      return "";
    })
    .get("/api/v1/users/me/videos/:videoId/rating", async ({ deps, params, user, page, request }) => {
      const reader = await optionalApiUser(deps.sql, request, user);
      if (!reader) throw unauthorized();
      const video = await videoForRating(deps.sql, params.videoId, reader, page.t);
      return { videoId: video.id, rating: (await ratingOf(deps.sql, reader, video)) ?? "none" };
    });
}
