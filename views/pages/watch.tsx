/** The watch page: player, title, channel, stats, description and tags; Open Graph and oEmbed for unfurling. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Csrf } from "../components/form.tsx";
import { P2PNotice } from "../components/p2p-notice.tsx";
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
  /** The SHA-256 map of the segments, which the P2P player checks peers' segments against. */
  readonly hashesUrl?: string;
  /** The swarm this video's viewers meet in; the server decides its scheme. */
  readonly swarmId?: string;
  /** ws(s) URLs of the WebTorrent trackers. */
  readonly trackers?: readonly string[];
  /** STUN URLs; empty means peers only connect over addresses they already have. */
  readonly stunServers?: readonly string[];
  /** Instance-tuned P2P Media Loader settings (highDemandTimeWindow, httpDownloadInitialTimeoutMs, ...). */
  readonly p2pSettings?: Readonly<Record<string, number>>;
}

export interface WatchPageProps {
  readonly page: PageContext;
  readonly video: WatchView;
  readonly canManage: boolean;
  readonly publicUrl: string;
  /** Load the P2P player (the viewer accepted P2P) instead of the HTTP-only one. */
  readonly p2p?: boolean;
  /** The consent notice under the player, if any. */
  readonly p2pNotice?: "ask" | "info" | null;
}

export function WatchPage({ page, video, canManage, publicUrl, p2p = false, p2pNotice = null }: WatchPageProps) {
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
    <Layout page={page} title={video.name} description={video.description.slice(0, 200)} head={head} scripts={ready ? [p2p ? page.assets.playerP2p : page.assets.playerHttp] : [page.assets.uploadJs]}>
      <section class="watch">
        {ready ? <Player video={video} /> : <Processing video={video} canManage={canManage} csrf={page.csrfToken} />}
        {ready && p2pNotice ? <P2PNotice kind={p2pNotice} csrf={page.csrfToken} next={page.path} /> : ""}
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
        <p class="muted shortcuts">Keyboard: space or k play/pause · j/l back/forward 10 s · ←/→ 5 s · f full screen · m mute · i stats</p>
      </section>
    </Layout>
  );
}

/** The player box, shared by the watch page and the embed page. */
export function Player({ video }: { video: WatchView }) {
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
        data-swarm-id={video.swarmId ?? `tubelet:${video.uuid}`}
        data-trackers={JSON.stringify(video.trackers ?? [])}
        data-stun={JSON.stringify(video.stunServers ?? [])}
        data-hashes={video.hashesUrl ?? ""}
        data-p2p-settings={JSON.stringify(video.p2pSettings ?? {})}
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
