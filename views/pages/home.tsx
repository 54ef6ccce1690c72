/** The home page and the about page. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { FeedLinks } from "../components/feed-links.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";

export interface HomePageProps {
  readonly page: PageContext;
  readonly videos: readonly VideoCardView[];
  readonly moreUrl: string | null;
  /** The most viewed of the week; empty hides the row. */
  readonly trending: readonly VideoCardView[];
}

export function HomePage({ page, videos, moreUrl, trending }: HomePageProps) {
  const t = page.t;
  return (
    <Layout
      page={page}
      title=""
      description={t("browse.homeDescription", { name: page.instanceName })}
      head={<FeedLinks page={page} owner={{ kind: "instance" }} name={page.instanceName} />}
    >
      {/* One string child: the layout looks for x-data in it to decide whether to load Alpine. */}
      <>
        <h1 class="visually-hidden" safe>
          {page.instanceName}
        </h1>
        {trending.length ? (
          <section aria-labelledby="home-trending">
            <div class="home-row-head">
              <h2 id="home-trending" safe>
                {t("browse.trending")}
              </h2>
              <a href="/browse/trending" safe>
                {t("browse.seeAll")}
              </a>
            </div>
            <VideoGrid videos={trending} page={page} />
          </section>
        ) : (
          ""
        )}
        <section aria-labelledby="home-recent">
          <div class="home-row-head">
            <h2 id="home-recent" safe>
              {t("browse.recent")}
            </h2>
            {videos.length ? (
              <a href="/browse/recent" safe>
                {t("browse.seeAll")}
              </a>
            ) : (
              ""
            )}
          </div>
          {videos.length === 0 ? (
            <div class="empty">
              <p safe>{t("browse.homeEmpty")}</p>
              {page.viewer ? (
                <a class="button primary" href="/videos/upload" safe>
                  {t("browse.homeUploadFirst")}
                </a>
              ) : (
                <a class="button primary" href="/register" safe>
                  {t("browse.homeRegister")}
                </a>
              )}
            </div>
          ) : (
            <VideoGrid videos={videos} page={page} moreUrl={moreUrl} />
          )}
        </section>
      </>
    </Layout>
  );
}

export function AboutPage({ page, version, signup }: { page: PageContext; version: string; signup: string }) {
  const t = page.t;
  // The API sentence holds a link; the catalog marks its place with {link}.
  const [before, after] = t("browse.aboutApi", { link: "\u0000" }).split("\u0000");
  return (
    <Layout page={page} title={t("browse.aboutTitle")}>
      {/* One string child: the layout looks for x-data in it to decide whether to load Alpine. */}
      <>
        <section class="card narrow">
          <h1 safe>{t("browse.aboutHeading", { name: page.instanceName })}</h1>
          <p safe>{t("browse.aboutText", { version })}</p>
          <p safe>{t(signup === "closed" ? "browse.signupClosed" : signup === "approval" ? "browse.signupApproval" : "browse.signupOpen")}</p>
          <p>
            <span safe>{before ?? ""}</span>
            <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
            <span safe>{after ?? ""}</span>
          </p>
        </section>
      </>
    </Layout>
  );
}
