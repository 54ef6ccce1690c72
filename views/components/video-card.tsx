/** A video in a grid: thumbnail with duration, title, channel, views and age. */
import type { PageContext } from "../context.ts";
import { formatDuration } from "../format.ts";

export interface VideoCardView {
  readonly shortId: string;
  readonly name: string;
  readonly duration: number;
  readonly thumbnailUrl: string | null;
  readonly channelHandle: string;
  readonly channelDisplayName: string;
  readonly views: number;
  readonly publishedAt: Date | null;
  readonly createdAt: Date;
  /** Marked sensitive by its uploader: blurred unless the viewer chose to see such videos as they are. */
  readonly sensitive?: boolean;
  readonly isLive?: boolean;
  /** Shown to the owner on their channel page: "Transcoding 40%", "Failed", "Private". */
  readonly badge?: string;
  /** Videos of other instances: the origin's host, shown beside the channel, and where the channel link goes. */
  readonly originHost?: string | null;
  readonly channelUrl?: string;
}

export function VideoCard({ video, page }: { video: VideoCardView; page: PageContext }) {
  const blurred = Boolean(video.sensitive) && (page.viewer?.sensitivePolicy ?? "blur") !== "show";
  return (
    <li class={blurred ? "video-card sensitive" : "video-card"}>
      <a href={`/w/${video.shortId}`} class="thumb">
        {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="" width="280" height="158" loading="lazy" /> : <span class="thumb-empty" />}
        {video.isLive ? <span class="live-badge" safe>{page.t("video.live")}</span> : ""}
        {video.duration > 0 && !video.isLive ? <span class="duration" safe>{formatDuration(video.duration)}</span> : ""}
        {video.badge ? <span class="badge" safe>{video.badge}</span> : ""}
        {blurred ? <span class="sensitive-label" safe>{page.t("video.sensitive")}</span> : ""}
      </a>
      <a href={`/w/${video.shortId}`} class="video-title" safe>
        {video.name}
      </a>
      <a href={video.channelUrl ?? `/c/${video.channelHandle}`} class="muted video-channel" safe>
        {video.originHost ? `${video.channelDisplayName} · ${video.originHost}` : video.channelDisplayName}
      </a>
      <span class="muted video-meta" safe>{`${page.t("video.views", { count: video.views })} · ${page.i18n.age(video.publishedAt ?? video.createdAt, page.now)}`}</span>
    </li>
  );
}

/** The grid, with an htmx "load more" button that replaces itself with the next page (also the fragment it loads). */
export function VideoGrid({ videos, page, moreUrl }: { videos: readonly VideoCardView[]; page: PageContext; moreUrl?: string | null }) {
  return (
    <>
      <ul class="video-grid">
        {videos.map((v) => (
          <VideoCard video={v} page={page} />
        ))}
      </ul>
      {moreUrl ? <MoreButton url={moreUrl} label={page.t("common.loadMore")} /> : ""}
    </>
  );
}

export function MoreButton({ url, label }: { url: string; label: string }) {
  return (
    <div class="more">
      <a class="button" href={url} hx-get={url} hx-target="closest .more" hx-swap="outerHTML" safe>
        {label}
      </a>
    </div>
  );
}
