/** The home page and the about page. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { VideoGrid, type VideoCardView } from "../components/video-card.tsx";

export function HomePage({ page, videos, moreUrl }: { page: PageContext; videos: readonly VideoCardView[]; moreUrl: string | null }) {
  return (
    <Layout page={page} title="" description={`Videos on ${page.instanceName}`}>
      <h1 class="visually-hidden" safe>
        {page.instanceName}
      </h1>
      <h2>Recently added</h2>
      {videos.length === 0 ? (
        <section class="empty">
          <p>No videos yet.</p>
          {page.viewer ? (
            <a class="button primary" href="/videos/upload">
              Upload the first one
            </a>
          ) : (
            <a class="button primary" href="/register">
              Create an account to publish
            </a>
          )}
        </section>
      ) : (
        <VideoGrid videos={videos} now={page.now} moreUrl={moreUrl} />
      )}
    </Layout>
  );
}

export function AboutPage({ page, version, signup }: { page: PageContext; version: string; signup: string }) {
  return (
    <Layout page={page} title="About">
      <section class="card narrow">
        <h1 safe>{`About ${page.instanceName}`}</h1>
        <p>
          This instance runs Tubelet <span safe>{version}</span>, free software for publishing and watching videos. Instances can follow
          each other, and viewers share what they watch with each other to lighten the load on the server.
        </p>
        <p>{signup === "closed" ? "Registration is closed." : signup === "approval" ? "New accounts are approved by an administrator." : "Anyone can create an account."}</p>
        <p>
          Developers: the REST API is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        </p>
      </section>
    </Layout>
  );
}
