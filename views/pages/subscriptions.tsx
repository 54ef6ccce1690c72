/** The Subscriptions page: newest videos of the channels a person follows, and those channels. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Avatar } from "../components/avatar.tsx";
import { SubscribeButton } from "../components/subscribe-button.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";

export interface SubscribedChannelView {
  readonly handle: string;
  readonly displayName: string;
  readonly avatarUrl: string | null;
  readonly subscribers: number;
}

export interface SubscriptionsPageProps {
  readonly page: PageContext;
  readonly videos: readonly VideoCardView[];
  readonly moreUrl: string | null;
  readonly channels: readonly SubscribedChannelView[];
  /** More channels are followed than listed. */
  readonly moreChannels: number;
}

/** Feed first, followed channels beside it (below it on narrow screens). */
export function SubscriptionsPage({ page, videos, moreUrl, channels, moreChannels }: SubscriptionsPageProps) {
  const t = page.t;
  return (
    <Layout page={page} title={t("subscriptions.title")}>
      <h1 safe>{t("subscriptions.title")}</h1>
      <div class="subscriptions">
        <section class="subscriptions-videos" aria-labelledby="subscriptions-videos">
          <h2 id="subscriptions-videos" safe>
            {t("subscriptions.videos")}
          </h2>
          {videos.length ? (
            <VideoGrid videos={videos} page={page} moreUrl={moreUrl} />
          ) : (
            <p class="muted empty" safe>
              {channels.length ? t("subscriptions.noVideos") : t("subscriptions.noChannels")}
            </p>
          )}
        </section>
        <section class="subscriptions-channels" aria-labelledby="subscriptions-channels">
          <h2 id="subscriptions-channels" safe>
            {t("subscriptions.channels")}
          </h2>
          {channels.length ? (
            <ul class="subscribed-channels">
              {channels.map((c) => (
                <li>
                  <a href={`/c/${c.handle}`} class="subscribed-channel">
                    <Avatar url={c.avatarUrl} name={c.displayName} size={40} />
                    <span class="channel-text">
                      <strong safe>{c.displayName}</strong>
                      <span class="muted" safe>{`@${c.handle}`}</span>
                    </span>
                  </a>
                  <SubscribeButton page={page} channelHandle={c.handle} subscribed={true} subscribers={c.subscribers} />
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted" safe>
              {t("subscriptions.noChannelsShort")}
            </p>
          )}
          {moreChannels > 0 ? (
            <p class="muted" safe>
              {t("subscriptions.moreChannels", { count: moreChannels })}
            </p>
          ) : (
            ""
          )}
        </section>
      </div>
    </Layout>
  );
}
