/** The notice under the player: asks before P2P is used, or says that it is on and how to turn it off. */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";

export function P2PNotice({ kind, page }: { kind: "ask" | "info"; page: PageContext }) {
  const t = page.t;
  return (
    <form method="post" action="/p2p/consent" class="p2p-notice" id="p2p-notice">
      <Csrf token={page.csrfToken} />
      <input type="hidden" name="next" value={page.path} />
      {kind === "ask" ? (
        <>
          <p>
            <strong safe>{t("p2p.ask.title")}</strong> <span safe>{t("p2p.ask.text")}</span>
          </p>
          <span class="p2p-actions">
            <button class="button primary" type="submit" name="choice" value="on" safe>
              {t("p2p.ask.accept")}
            </button>
            <button class="button" type="submit" name="choice" value="off" safe>
              {t("p2p.ask.decline")}
            </button>
          </span>
        </>
      ) : (
        <>
          <p safe>{t("p2p.info.text")}</p>
          <span class="p2p-actions">
            <button class="button" type="submit" name="choice" value="off" safe>
              {t("p2p.info.turnOff")}
            </button>
          </span>
        </>
      )}
      <a href="/settings" safe>
        {t("p2p.settings")}
      </a>
    </form>
  );
}
