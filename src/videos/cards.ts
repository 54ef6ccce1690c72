/** Video rows as the cards of a grid. */
import type { VideoCardView } from "../../views/components/video-card.tsx";
import { videoUrls } from "../storage/layout.ts";
import { PRIVACY_LABELS } from "./metadata.ts";
import type { VideoListRow } from "./queries.ts";

/** With `forOwner`, cards carry a badge for what only the owner sees: processing state and privacy. */
export function toCardView(v: VideoListRow, forOwner = false): VideoCardView {
  const badge = !forOwner
    ? undefined
    : v.state === "failed"
      ? "Failed"
      : v.state !== "published"
        ? `Processing ${v.progress}%`
        : v.privacy !== 1
          ? PRIVACY_LABELS[v.privacy]
          : undefined;
  // A live has no thumbnail file (yet): its card shows the empty frame with the LIVE badge. A remote video shows
  // its origin's thumbnail and host; its channel has no page here, so the channel links to the video's origin page.
  if (v.apId !== null) {
    return { ...v, thumbnailUrl: v.originThumbnailUrl, badge, originHost: v.channelDomain ?? new URL(v.apId).host, channelUrl: v.originWatchUrl ?? undefined };
  }
  return { ...v, thumbnailUrl: v.state === "published" && !v.isLive ? videoUrls(v.uuid).thumbnail : null, badge };
}
