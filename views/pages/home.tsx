/** The home page: what is new on the instance. */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { ChannelList, type ChannelView } from "./channels.tsx";

export function HomePage({ page, channels }: { page: PageContext; channels: readonly ChannelView[] }) {
  return (
    <Layout page={page} title="" description={`Videos on ${page.instanceName}`}>
      <section class="hero">
        <h1 safe>{`Welcome to ${page.instanceName}`}</h1>
        <p>Watch, share and publish videos on a federated platform.</p>
      </section>
      <h2>New channels</h2>
      <ChannelList channels={channels} />
    </Layout>
  );
}
