/** The watch page: player, title, channel, stats, description and tags; Open Graph and oEmbed for unfurling. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Csrf } from "../components/form.tsx";
import { formatAge, formatDuration, formatViews } from "../format.ts";
import { renderMarkdown } from "../markdown.ts";

export interface WatchView {
  readonly id: number;
  readonly shortId: string;
  readonly uuid: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly duration: number;
  readonly views: number;
  readonly publishedAt: Date | null;
  readonly createdAt: Date;
  readonly state: "queued" | "transcoding" | "published" | "failed";
  readonly stateReason: string | null;
  readonly progress: number;
  readonly privacy: 1 | 2 | 3;
  readonly audioOnly: boolean;
  readonly width: number;
  readonly height: number;
  readonly channelHandle: string;
  readonly channelDisplayName: string;
  readonly channelAvatarUrl: string | null;
  readonly masterUrl: string;
  readonly posterUrl: string;
  readonly thumbnailUrl: string;
  readonly downloadUrl: string | null;
}

export function WatchPage({ page, video, canManage, publicUrl }: { page: PageContext; video: WatchView; canManage: boolean; publicUrl: string }) {
  const url = `${publicUrl}/w/${video.shortId}`;
  const ready = video.state === "published";
  const head = (
    <>
      <link rel="stylesheet" href={page.assets.playerCss} />
      <link rel="canonical" href={url} />
      <meta property="og:type" content="video.other" />
      <meta property="og:site_name" content={page.instanceName} />
      <meta property="og:title" content={video.name} />
      <meta property="og:description" content={video.description.slice(0, 300)} />
      <meta property="og:url" content={url} />
      <meta property="og:image" content={publicUrl + video.posterUrl} />
      <meta property="og:video:url" content={`${publicUrl}/videos/embed/${video.shortId}`} />
      <meta name="twitter:card" content="player" />
      <link rel="alternate" type="application/json+oembed" href={`${publicUrl}/services/oembed?url=${encodeURIComponent(url)}`} title={video.name} />
      {video.privacy !== 1 ? <meta name="robots" content="noindex" /> : ""}
    </>
  );
  return (
    <Layout page={page} title={video.name} description={video.description.slice(0, 200)} head={head} scripts={ready ? [page.assets.videojs, page.assets.playerJs] : [page.assets.uploadJs]}>
      <section class="watch">
        {ready ? <Player video={video} /> : <Processing video={video} canManage={canManage} csrf={page.csrfToken} />}
        <h1 class="watch-title" safe>
          {video.name}
        </h1>
        <div class="watch-bar">
          <a href={`/c/${video.channelHandle}`} class="watch-channel">
            <Avatar url={video.channelAvatarUrl} name={video.channelDisplayName} size={40} />
            <strong safe>{video.channelDisplayName}</strong>
          </a>
          <span class="muted" id="views" safe>{`${formatViews(video.views)} · ${formatAge(video.publishedAt ?? video.createdAt, page.now)}`}</span>
          <span class="watch-actions">
            {video.downloadUrl && ready ? (
              <a class="button" href={video.downloadUrl} download={`${video.shortId}.mp4`}>
                Download
              </a>
            ) : (
              ""
            )}
            {canManage ? (
              <a class="button" href={`/w/${video.shortId}/edit`}>
                Edit
              </a>
            ) : (
              ""
            )}
          </span>
        </div>
        <div class="description">{renderMarkdown(video.description) as "safe"}</div>
        {video.tags.length ? (
          <ul class="tags">
            {video.tags.map((tag) => (
              <li safe>{`#${tag}`}</li>
            ))}
          </ul>
        ) : (
          ""
        )}
        <p class="muted shortcuts">Keyboard: space or k play/pause · j/l back/forward 10 s · ←/→ 5 s · f full screen · m mute</p>
      </section>
    </Layout>
  );
}

function Player({ video }: { video: WatchView }) {
  return (
    <div class="player-box" style={`aspect-ratio: ${video.audioOnly || !video.height ? "16 / 9" : `${video.width} / ${video.height}`}`}>
      <video
        id="player"
        class="video-js vjs-fill vjs-big-play-centered"
        controls
        poster={video.posterUrl}
        data-src={video.masterUrl}
        data-video-id={String(video.id)}
        data-duration={formatDuration(video.duration)}
        {...{ playsinline: true }}
      ></video>
      <label class="quality">
        Quality{" "}
        <select id="quality" aria-label="Quality">
          <option value="auto">Auto</option>
        </select>
      </label>
    </div>
  );
}

function Processing({ video, canManage, csrf }: { video: WatchView; canManage: boolean; csrf: string }) {
  const label =
    video.state === "failed" ? "Processing failed" : video.state === "transcoding" ? `Processing: ${video.progress}%` : "Waiting to be processed";
  return (
    <div class="player-box processing" id="status">
      <div>
        <p class="status-line" id="status-line" safe>
          {label}
        </p>
        {video.state === "failed" && video.stateReason ? <p class="error" safe>{video.stateReason}</p> : ""}
        {video.state !== "failed" ? (
          <progress id="status-progress" max="100" value={String(video.progress)} data-events={`/w/${video.shortId}/events`}></progress>
        ) : canManage ? (
          <form method="post" action={`/w/${video.shortId}/retry`}>
            <Csrf token={csrf} />
            <button class="button" type="submit">
              Try again
            </button>
          </form>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}
