/** The notice under the player: asks before P2P is used, or says that it is on and how to turn it off. */
import { Csrf } from "./form.tsx";

export function P2PNotice({ kind, csrf, next }: { kind: "ask" | "info"; csrf: string; next: string }) {
  return (
    <form method="post" action="/p2p/consent" class="p2p-notice" id="p2p-notice">
      <Csrf token={csrf} />
      <input type="hidden" name="next" value={next} />
      {kind === "ask" ? (
        <>
          <p>
            <strong>Help share this video?</strong> With peer-to-peer, your browser also sends the parts you watch to other viewers, which
            takes load off this server. Other viewers can then see your IP address.
          </p>
          <span class="p2p-actions">
            <button class="button primary" type="submit" name="choice" value="on">
              Share (P2P on)
            </button>
            <button class="button" type="submit" name="choice" value="off">
              No thanks
            </button>
          </span>
        </>
      ) : (
        <>
          <p>Peer-to-peer is on: your browser shares the parts you watch with other viewers, who can see your IP address.</p>
          <span class="p2p-actions">
            <button class="button" type="submit" name="choice" value="off">
              Turn P2P off
            </button>
          </span>
        </>
      )}
      <a href="/settings">Settings</a>
    </form>
  );
}
