/** Viewer settings: the P2P choice (kept in the profile when logged in, in a cookie otherwise). */
import type { PageContext } from "../context.ts";
import { Layout } from "../layout.tsx";
import { Alert, Csrf } from "../components/form.tsx";

export function SettingsPage({ page, p2p, instanceDefault, notice }: { page: PageContext; p2p: "on" | "off" | null; instanceDefault: "off" | "ask" | "on"; notice?: string }) {
  const fallback = instanceDefault === "on" ? "on" : "off";
  const current = p2p ?? fallback;
  return (
    <Layout page={page} title="Settings">
      <h1>Settings</h1>
      <Alert message={notice} kind="info" />
      <section class="card">
        <h2>Peer-to-peer sharing</h2>
        {instanceDefault === "off" ? (
          <p>This instance does not use peer-to-peer: videos always come from its servers.</p>
        ) : (
          <form method="post" action="/p2p/consent" class="form">
            <Csrf token={page.csrfToken} />
            <input type="hidden" name="next" value="/settings?saved=1" />
            <p>
              While you watch, your browser can share the parts of the video it already has with other viewers. This takes load off the
              server, but other viewers can see your IP address.
            </p>
            <label>
              <input type="radio" name="choice" value="on" checked={current === "on"} /> Share with other viewers (P2P on)
            </label>
            <label>
              <input type="radio" name="choice" value="off" checked={current === "off"} /> Only download from the server (P2P off)
            </label>
            <p class="hint">{page.viewer ? "Saved in your profile, on every device." : "Saved in this browser. Log in to keep it on every device."}</p>
            <button type="submit" class="button primary">
              Save
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}
