// live: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// A live's watch page follows the live's state over Server-Sent Events: when the state, the publish session or
// the replay changes, the live area is replaced by the server's fragment for the new state, and the player script is told
// to start on the new <video> (tubelet:live-player). Viewer counts only change a label. The owner's panel gets
// Show/Copy buttons for the stream key.
(() => {
  const PLAYER_SWAPPED_EVENT = "tubelet:live-player";

  function followState(area) {
    if (typeof EventSource !== "function") return;
    let source = null;
    let swapping = Promise.resolve();

    const swap = (state, session, replay) =>
      fetch(area.dataset.fragment, { headers: { accept: "text/html" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
        .then((html) => {
          area.innerHTML = html;
          area.dataset.state = state;
          area.dataset.session = session;
          area.dataset.replay = replay;
          document.dispatchEvent(new CustomEvent(PLAYER_SWAPPED_EVENT));
        })
        .catch(() => {
          // The next event (or the reconnect after a drop) tries again.
        });

    const onLive = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const session = message.session || "";
      const replay = message.replayUrl || "";
      // Swaps run one after another, so a quick live → ended never shows the older state last.
      if (message.state !== area.dataset.state || session !== area.dataset.session || replay !== (area.dataset.replay || "")) {
        area.dataset.state = message.state;
        area.dataset.session = session;
        area.dataset.replay = replay;
        swapping = swapping.then(() => swap(message.state, session, replay));
      }
      const viewers = document.getElementById("live-viewers");
      if (viewers && typeof message.viewersLabel === "string") viewers.textContent = message.viewersLabel;
    };

    const connect = () => {
      source = new EventSource(area.dataset.events);
      source.addEventListener("live", onLive);
    };
    connect();
    // Closing when the page is left spares the server a stream that would only time out.
    window.addEventListener("pagehide", () => source && source.close());
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) connect();
    });
  }

  function secretButtons() {
    document.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const reveal = target && target.closest("[data-reveal]");
      if (reveal) {
        const input = document.getElementById(reveal.dataset.reveal);
        if (!input) return;
        const shown = input.type === "password";
        input.type = shown ? "text" : "password";
        reveal.textContent = shown ? reveal.dataset.hide : reveal.dataset.show;
        reveal.setAttribute("aria-pressed", String(shown));
        return;
      }
      const copy = target && target.closest("[data-copy]");
      if (copy) {
        const input = document.getElementById(copy.dataset.copy);
        if (!input || !navigator.clipboard) return;
        const label = copy.textContent;
        navigator.clipboard.writeText(input.value).then(() => {
          copy.textContent = copy.dataset.copied;
          setTimeout(() => {
            copy.textContent = label;
          }, 1500);
        }, () => {});
      }
    });
  }

  const area = document.getElementById("live-area");
  if (area) followState(area);
  if (document.getElementById("live-panel")) secretButtons();
})();
