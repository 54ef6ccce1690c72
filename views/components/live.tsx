/**
 * A live on its watch page: the area that follows the live's state (waiting placeholder, player, ended notice),
 * which public/js/live.js refreshes from its fragment URL when the state events say it changed, and the owner's
 * panel with the RTMP server and the stream key.
 */
import type { PageContext } from "../context.ts";
import { Csrf } from "./form.tsx";
import { Player, type WatchView } from "../pages/watch.tsx";

export type LiveStateName = "waiting" | "live" | "ended";

export interface LiveWatchView {
  readonly state: LiveStateName;
  /** The publish session on air (null off air): the area is swapped when it changes. */
  readonly session: string | null;
  readonly permanent: boolean;
  readonly saveReplay: boolean;
  readonly latencyMode: "normal" | "low";
  /** Viewers with the page open, in this process. */
  readonly viewers: number;
  readonly replayUrl: string | null;
  /** Server-Sent Events of the live's state. */
  readonly eventsUrl: string;
  /** The area's inner HTML for the current state. */
  readonly fragmentUrl: string;
}

export interface LiveOwnerView {
  readonly rtmpUrl: string;
  readonly streamKey: string;
  readonly regenerateUrl: string;
  readonly state: LiveStateName;
  readonly saveReplay: boolean;
  readonly permanent: boolean;
  readonly latencyMode: "normal" | "low";
}

/** The live area; its data attributes tell live.js where to listen and what it shows now. */
export function LiveArea({ page, live, player }: { page: PageContext; live: LiveWatchView; player: WatchView }) {
  return (
    <div
      id="live-area"
      class="live-area"
      data-events={live.eventsUrl}
      data-fragment={live.fragmentUrl}
      data-state={live.state}
      data-session={live.session ?? ""}
      data-replay={live.replayUrl ?? ""}
    >
      <LivePlayerBox page={page} live={live} player={player} />
    </div>
  );
}

/** What the live area holds for the live's current state (also the fragment live.js fetches). */
export function LivePlayerBox({ page, live, player }: { page: PageContext; live: LiveWatchView; player: WatchView }) {
  const t = page.t;
  if (live.state === "live") {
    return (
      <>
        <Player video={player} page={page} />
        <p class="live-status">
          <span class="live-badge" safe>
            {t("video.live")}
          </span>{" "}
          <span class="muted" id="live-viewers" aria-live="polite" safe>
            {t("live.viewers", { count: live.viewers })}
          </span>
        </p>
      </>
    );
  }
  if (live.state === "waiting") {
    return (
      <div class="player-box live-placeholder" id="live-placeholder">
        <div>
          <p class="status-line" safe>
            {live.permanent ? t("live.state.waitingPermanent") : t("live.state.waiting")}
          </p>
          {live.permanent ? "" : <p class="muted" safe>{t("live.state.waitingHint")}</p>}
        </div>
      </div>
    );
  }
  return (
    <div class="player-box live-placeholder live-ended" id="live-placeholder">
      <div>
        <p class="status-line" safe>
          {t("live.state.ended")}
        </p>
        {live.replayUrl ? (
          <a class="button primary" id="live-replay" href={live.replayUrl} safe>
            {t("live.state.replay")}
          </a>
        ) : live.saveReplay ? (
          <p class="muted" safe>
            {t("live.state.replayComing")}
          </p>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}

/**
 * The owner's streaming settings. The key sits in a password field (masked on screen, so it does not leak into
 * a screen share), with Show and Copy buttons run by live.js; a new key is one confirmed htmx POST away.
 */
export function LiveOwnerPanel({ page, owner }: { page: PageContext; owner: LiveOwnerView }) {
  const t = page.t;
  const yesNo = (value: boolean) => (value ? t("live.panel.yes") : t("live.panel.no"));
  const stateText =
    owner.state === "live" ? t("live.panel.stateLive") : owner.state === "waiting" ? t("live.panel.stateWaiting") : t("live.panel.stateEnded");
  return (
    <section class="live-panel" id="live-panel" aria-labelledby="live-panel-title">
      <h2 id="live-panel-title" safe>
        {t("live.panel.title")}
      </h2>
      <div class="live-panel-row">
        <label for="live-rtmp-url" safe>
          {t("live.panel.server")}
        </label>
        <input id="live-rtmp-url" class="live-secret" type="text" readonly value={owner.rtmpUrl} spellcheck="false" />
        <button type="button" class="button live-copy" data-copy="live-rtmp-url" data-copied={t("live.panel.copied")} safe>
          {t("live.panel.copy")}
        </button>
      </div>
      <div class="live-panel-row">
        <label for="live-stream-key" safe>
          {t("live.panel.key")}
        </label>
        <input
          id="live-stream-key"
          class="live-secret"
          type="password"
          readonly
          value={owner.streamKey}
          autocomplete="off"
          spellcheck="false"
          aria-describedby="live-key-hint"
        />
        <button
          type="button"
          class="button live-reveal"
          data-reveal="live-stream-key"
          data-show={t("live.panel.reveal")}
          data-hide={t("live.panel.hide")}
          aria-pressed="false"
          safe
        >
          {t("live.panel.reveal")}
        </button>
        <button type="button" class="button live-copy" data-copy="live-stream-key" data-copied={t("live.panel.copied")} safe>
          {t("live.panel.copy")}
        </button>
        <form
          method="post"
          action={owner.regenerateUrl}
          class="inline"
          hx-post={owner.regenerateUrl}
          hx-confirm={t("live.panel.regenerateConfirm")}
          hx-target="#live-panel"
          hx-swap="outerHTML"
        >
          <Csrf token={page.csrfToken} />
          <button type="submit" class="button" disabled={owner.state === "live"} safe>
            {t("live.panel.regenerate")}
          </button>
        </form>
      </div>
      <p class="hint" id="live-key-hint" safe>
        {t("live.panel.keyHint")}
      </p>
      <p class="muted" safe>
        {`${t("live.panel.state")}: ${stateText} · ${t("live.panel.settings", {
          replay: yesNo(owner.saveReplay),
          permanent: yesNo(owner.permanent),
          latency: owner.latencyMode === "low" ? t("live.latency.low") : t("live.latency.normal"),
        })}`}
      </p>
    </section>
  );
}
