/** A video in a grid: thumbnail with duration, title, channel, views and age. */
import { formatAge, formatDuration, formatViews } from "../format.ts";

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
  /** Shown to the owner on their channel page: "Transcoding 40%", "Failed", "Private". */
  readonly badge?: string;
}

export function VideoCard({ video, now }: { video: VideoCardView; now: Date }) {
  return (
    <li class="video-card">
      <a href={`/w/${video.shortId}`} class="thumb">
        {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="" width="280" height="158" loading="lazy" /> : <span class="thumb-empty" />}
        {video.duration > 0 ? <span class="duration" safe>{formatDuration(video.duration)}</span> : ""}
        {video.badge ? <span class="badge" safe>{video.badge}</span> : ""}
      </a>
      <a href={`/w/${video.shortId}`} class="video-title" safe>
        {video.name}
      </a>
      <a href={`/c/${video.channelHandle}`} class="muted video-channel" safe>
        {video.channelDisplayName}
      </a>
      <span class="muted video-meta" safe>{`${formatViews(video.views)} · ${formatAge(video.publishedAt ?? video.createdAt, now)}`}</span>
    </li>
  );
}

/** The grid, with an htmx "load more" button that replaces itself with the next page (also the fragment it loads). */
export function VideoGrid({ videos, now, moreUrl }: { videos: readonly VideoCardView[]; now: Date; moreUrl?: string | null }) {
  return (
    <>
      <ul class="video-grid">
        {videos.map((v) => (
          <VideoCard video={v} now={now} />
        ))}
      </ul>
      {moreUrl ? <MoreButton url={moreUrl} /> : ""}
    </>
  );
}

export function MoreButton({ url }: { url: string }) {
  return (
    <div class="more">
      <a class="button" href={url} hx-get={url} hx-target="closest .more" hx-swap="outerHTML">
        Load more
      </a>
    </div>
  );
}
