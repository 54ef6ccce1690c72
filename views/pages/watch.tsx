/** The watch page: player, title, channel, stats, description and tags; Open Graph and oEmbed for unfurling. */
import type { Children } from "@kitajs/html";
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { Csrf } from "../components/form.tsx";
import { P2PNotice } from "../components/p2p-notice.tsx";
import { formatDuration } from "../format.ts";
import { RateButtons } from "../components/rate-buttons.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { SaveToPlaylist } from "../components/save-to-playlist.tsx";
import { Share } from "../components/share.tsx";
import { CommentsSection } from "../components/comments.tsx";
import type { WatchExtras } from "../../src/videos/watch-extras.ts";
import { renderMarkdown } from "../markdown.ts";
import { i18nFor } from "../../src/i18n/i18n.ts";
import { uploadMessages } from "./upload.tsx";
import { LiveArea, LiveOwnerPanel, type LiveOwnerView, type LiveWatchView } from "../components/live.tsx";

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
  readonly commentsEnabled?: boolean;
  /** Marked sensitive by its uploader: viewers who blur or hide such videos get a notice first. */
  readonly sensitive?: boolean;
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
  /** Mirror folders holding the same files as the master playlist's folder; players spread segment requests over them. */
  readonly mirrors?: readonly string[];
  /** Set for a live on air: the player keeps this latency behind the live edge. */
  readonly live?: "low" | "normal";
  /** A video of another instance: where it comes from, and its page there. */
  readonly origin?: { readonly host: string; readonly watchUrl: string };
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
  /** Ratings, subscription, comments and watch later around the player. */
  readonly extras?: WatchExtras;
  /** A live: its area replaces the player, and follows the live's state. */
  readonly live?: LiveWatchView;
  /** The live's streaming settings, for its owner or an administrator. */
  readonly liveOwner?: LiveOwnerView;
}

const NO_EXTRAS: WatchExtras = { likes: 0, dislikes: 0, myRating: null, subscribed: false, subscribers: 0, commentCount: 0, inWatchLater: false };

export function WatchPage({ page, video, canManage, publicUrl, p2p = false, p2pNotice = null, extras = NO_EXTRAS, live, liveOwner }: WatchPageProps) {
  const url = `${publicUrl}/w/${video.shortId}`;
  const ready = video.state === "published";
  const t = page.t;
  // Someone who reached the page by its link still gets the video, behind a notice, even with the "hide" policy.
  const gated = ready && Boolean(video.sensitive) && (page.viewer?.sensitivePolicy ?? "blur") !== "show";
  const head = (
    <>
      <link rel="stylesheet" href={page.assets.playerCss} />
      {/* The master playlist is fetched while the player's script loads and runs; the player's own request for it
          (an anonymous XHR, as this preload is) then takes it from the preload cache. */}
      {ready && !live && !gated ? <link rel="preload" href={video.masterUrl} as="fetch" crossorigin="anonymous" /> : ""}
      <link rel="canonical" href={url} />
      <meta property="og:type" content="video.other" />
      <meta property="og:site_name" content={page.instanceName} />
      <meta property="og:title" content={video.name} />
      <meta property="og:description" content={video.description.slice(0, 300)} />
      <meta property="og:url" content={url} />
      <meta property="og:image" content={/^https?:/.test(video.posterUrl) ? video.posterUrl : publicUrl + video.posterUrl} />
      <meta property="og:video:url" content={`${publicUrl}/videos/embed/${video.shortId}`} />
      <meta name="twitter:card" content="player" />
      <link rel="alternate" type="application/json+oembed" href={`${publicUrl}/services/oembed?url=${encodeURIComponent(url)}`} title={video.name} />
      {video.privacy !== 1 ? <meta name="robots" content="noindex" /> : ""}
    </>
  );
  return (
    <Layout page={page} title={video.name} description={video.description.slice(0, 200)} head={head} scripts={ready ? [p2p ? page.assets.playerP2p : page.assets.playerHttp] : [page.assets.uploadJs]}>
      <section class="watch">
        {gated ? (
          <SensitiveGate page={page}>{live ? <LiveArea page={page} live={live} player={video} /> : <Player video={video} page={page} />}</SensitiveGate>
        ) : live ? (
          <LiveArea page={page} live={live} player={video} />
        ) : ready ? (
          <Player video={video} page={page} />
        ) : (
          <Processing video={video} canManage={canManage} page={page} />
        )}
        {ready && p2pNotice ? <P2PNotice kind={p2pNotice} page={page} /> : ""}
        <h1 class="watch-title" safe>
          {video.name}
        </h1>
        <div class="watch-bar">
          <a href={video.origin ? video.origin.watchUrl : `/c/${video.channelHandle}`} class="watch-channel">
            <Avatar url={video.channelAvatarUrl} name={video.channelDisplayName} size={40} />
            <strong safe>{video.channelDisplayName}</strong>
          </a>
          {video.origin ? (
            <a class="muted watch-origin" href={video.origin.watchUrl} rel="noopener" safe>
              {page.t("video.origin", { host: video.origin.host })}
            </a>
          ) : (
            <SubscribeButton page={page} channelHandle={video.channelHandle} subscribed={extras.subscribed} subscribers={extras.subscribers} />
          )}
          <span class="muted" id="views" safe>{`${page.t("video.views", { count: video.views })} · ${page.i18n.age(video.publishedAt ?? video.createdAt, page.now)}`}</span>
          <span class="watch-actions">
            {ready ? (
              <>
                <RateButtons page={page} shortId={video.shortId} likes={extras.likes} dislikes={extras.dislikes} mine={extras.myRating} />
                <SaveToPlaylist page={page} shortId={video.shortId} inWatchLater={extras.inWatchLater} />
                {video.privacy !== 3 ? <Share page={page} shortId={video.shortId} name={video.name} publicUrl={publicUrl} /> : ""}
              </>
            ) : (
              ""
            )}
            {video.downloadUrl && ready ? (
              <a class="button" href={video.downloadUrl} download={`${video.shortId}.mp4`} safe>
                {t("watch.download")}
              </a>
            ) : (
              ""
            )}
            {canManage ? (
              <a class="button" href={`/w/${video.shortId}/edit`} safe>
                {t("common.edit")}
              </a>
            ) : (
              ""
            )}
          </span>
        </div>
        {liveOwner ? <LiveOwnerPanel page={page} owner={liveOwner} /> : ""}
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
        <p class="muted shortcuts" safe>
          {t("watch.shortcuts")}
        </p>
        {ready ? <CommentsSection page={page} shortId={video.shortId} enabled={video.commentsEnabled ?? true} count={extras.commentCount} /> : ""}
      </section>
    </Layout>
  );
}

/** The notice over a sensitive video; the player stays blurred until the viewer asks to see it. */
function SensitiveGate({ page, children }: { page: PageContext; children?: Children }) {
  return (
    <div class="sensitive-gate" x-data="{ shown: false }">
      <div class="sensitive-notice" role="note" x-show="!shown">
        <p>
          <strong safe>{page.t("watch.sensitive.notice")}</strong>{" "}
          <span safe>{page.t("watch.sensitive.detail")}</span>
        </p>
        <button type="button" class="button" id="sensitive-reveal" x-on:click="shown = true" safe>
          {page.t("watch.sensitive.reveal")}
        </button>
      </div>
      <div class="sensitive-cover sensitive-hidden" x-bind:class="{ 'sensitive-hidden': !shown }" x-on:click="shown = true">
        {children as "safe"}
      </div>
    </div>
  );
}

/** The player box, shared by the watch page and the embed page (which may not pass `page`: English then). */
export function Player({ video, page }: { video: WatchView; page?: PageContext }) {
  const t = page?.t ?? i18nFor("en").t;
  return (
    <div class="player-box" style={`aspect-ratio: ${video.audioOnly || !video.height ? "16 / 9" : `${video.width} / ${video.height}`}`}>
      <video
        id="player"
        class="video-js vjs-fill vjs-big-play-centered"
        controls
        poster={video.posterUrl || undefined}
        data-src={video.masterUrl}
        data-video-id={String(video.id)}
        data-duration={formatDuration(video.duration)}
        data-swarm-id={video.swarmId ?? `tubelet:${video.uuid}`}
        data-trackers={JSON.stringify(video.trackers ?? [])}
        data-stun={JSON.stringify(video.stunServers ?? [])}
        data-hashes={video.hashesUrl ?? ""}
        data-mirrors={JSON.stringify(video.mirrors ?? [])}
        data-p2p-settings={JSON.stringify(video.p2pSettings ?? {})}
        data-live={video.live}
        {...{ playsinline: true }}
      ></video>
      <label class="quality">
        <span safe>{t("watch.quality")}</span>{" "}
        <select id="quality" aria-label={t("watch.quality")}>
          <option value="auto" safe>
            {t("watch.qualityAuto")}
          </option>
        </select>
      </label>
    </div>
  );
}

function Processing({ video, canManage, page }: { video: WatchView; canManage: boolean; page: PageContext }) {
  const t = page.t;
  const label =
    video.state === "failed"
      ? t("watch.state.failed")
      : video.state === "transcoding"
        ? t("watch.state.transcoding", { progress: video.progress })
        : t("watch.state.queued");
  return (
    <div class="player-box processing" id="status">
      <div>
        <p class="status-line" id="status-line" safe>
          {label}
        </p>
        {video.state === "failed" && video.stateReason ? <p class="error" safe>{video.stateReason}</p> : ""}
        {video.state !== "failed" ? (
          <progress
            id="status-progress"
            max="100"
            value={String(video.progress)}
            data-events={`/w/${video.shortId}/events`}
            data-messages={uploadMessages(page)}
          ></progress>
        ) : canManage ? (
          <form method="post" action={`/w/${video.shortId}/retry`}>
            <Csrf token={page.csrfToken} />
            <button class="button" type="submit" safe>
              {t("watch.retry")}
            </button>
          </form>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}
