// playlists: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// The playlist page plays its items in order: when the video ends, the page of the next playable item opens
// (the server skips unavailable ones when it writes data-next). The owner reorders by drag and drop; the
// arrow buttons do the same without JavaScript. The watch page's save menu closes on an outside click.
(() => {
  const AUTOPLAY_KEY = "tubelet.playlistAutoplay";

  function autoplayOn() {
    try {
      return localStorage.getItem(AUTOPLAY_KEY) !== "off";
    } catch {
      return true;
    }
  }

  // app.js runs before the player bundle (both deferred, in document order), so the attribute set here
  // is the one video.js reads when it creates the player.
  const video = document.querySelector("video#player");
  if (video && document.getElementById("playlist-items") && new URLSearchParams(location.search).get("autoplay") === "1" && autoplayOn()) {
    video.setAttribute("autoplay", "");
  }

  const checkbox = document.getElementById("playlist-autoplay");
  if (checkbox instanceof HTMLInputElement) {
    checkbox.checked = autoplayOn();
    checkbox.addEventListener("change", () => {
      try {
        localStorage.setItem(AUTOPLAY_KEY, checkbox.checked ? "on" : "off");
      } catch {
        // Private browsing without storage: the choice lasts for this page only.
      }
    });
  }

  // `ended` does not bubble; listening in the capture phase catches it from video.js's inner <video>.
  document.addEventListener(
    "ended",
    (event) => {
      const target = event.target;
      if (!(target instanceof HTMLVideoElement) || !target.closest("#player, .player-box")) return;
      const list = document.getElementById("playlist-items");
      const next = list && list.dataset.next;
      if (next && autoplayOn()) location.assign(next);
    },
    true,
  );

  // Errors about a form (a name too long, a duplicate) come back as the fragment to show: swap them in.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    const status = detail.xhr.status;
    if (status < 400 || status >= 500 || !detail.target.closest("[data-playlists]")) return;
    if (/^\s*<!doctype/i.test(detail.serverResponse)) return;
    detail.shouldSwap = true;
    detail.isError = false;
  });

  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll("details.save-playlist[open]")) {
      if (!(event.target instanceof Node) || !menu.contains(event.target)) menu.removeAttribute("open");
    }
  });

  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const item = event.target instanceof Element ? event.target.closest(".playlist-item[data-move-url]") : null;
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.position || "");
    }
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    for (const el of document.querySelectorAll(".playlist-item.drop-target")) el.classList.remove("drop-target");
    dragged = null;
  });
  document.addEventListener("dragover", (event) => {
    const over = event.target instanceof Element ? event.target.closest(".playlist-item") : null;
    if (!dragged || !over || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    for (const el of document.querySelectorAll(".playlist-item.drop-target")) if (el !== over) el.classList.remove("drop-target");
    over.classList.add("drop-target");
  });
  document.addEventListener("drop", (event) => {
    const over = event.target instanceof Element ? event.target.closest(".playlist-item") : null;
    if (!dragged || !over || over === dragged || !window.htmx) return;
    event.preventDefault();
    const values = { position: over.dataset.position || "" };
    const list = document.getElementById("playlist-items");
    if (list && list.dataset.current) values.current = list.dataset.current;
    // The source element lends htmx the CSRF header that <body> declares for every request.
    window.htmx.ajax("POST", dragged.dataset.moveUrl, { source: dragged, target: "#playlist-items", swap: "outerHTML", values });
  });
})();
