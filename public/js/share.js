// share: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// The watch page's share panel: the link and embed code, optionally starting where the player is now, and copy buttons.
(() => {
  /** The player's position: video.js moves id="player" to its wrapper, the <video> sits inside it. */
  function playerTime() {
    const video = document.querySelector("#player video") || document.querySelector("video#player");
    return video && Number.isFinite(video.currentTime) ? Math.floor(video.currentTime) : 0;
  }

  /** 90 -> "1m30s", the form PeerTube's links use and the player's ?start= reads. */
  function startParam(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
  }

  /** 90 -> "1:30", 3723 -> "1:02:03", for the label beside the checkbox. */
  function clock(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = String(seconds % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  const byId = (id) => document.getElementById(id);

  /** The query the share links carry: the start time when asked for and past the beginning. */
  function query(seconds) {
    return byId("share-start").checked && seconds > 0 ? `?start=${startParam(seconds)}` : "";
  }

  /** Rewrites the link and the embed code for the time read when the panel opened or the box was ticked. */
  function update(root) {
    const seconds = Number(root.dataset.seconds || 0);
    const q = query(seconds);
    byId("share-link").value = root.dataset.url + q;
    // The server wrote the code (escaped once, in one place); only its src gains the start time.
    const { embedCode, embedUrl } = root.dataset;
    byId("share-embed").value = embedCode.replace(`src="${embedUrl}"`, `src="${embedUrl}${q}"`);
    byId("share-clock").textContent = clock(seconds);
  }

  function readTime(root) {
    root.dataset.seconds = String(playerTime());
    byId("share-status").textContent = "";
    update(root);
  }

  function setOpen(root, open) {
    byId("share-panel").hidden = !open;
    root.querySelector("[data-share-toggle]").setAttribute("aria-expanded", String(open));
    if (open) readTime(root);
  }

  async function copy(root, id) {
    const field = byId(id);
    try {
      await navigator.clipboard.writeText(field.value);
      byId("share-status").textContent = root.dataset.copied;
    } catch {
      // No clipboard access (an insecure origin, a refused permission): select it for a manual copy.
      field.focus();
      field.select();
      byId("share-status").textContent = root.dataset.copyFailed;
    }
  }

  document.addEventListener("click", (event) => {
    const root = document.querySelector("[data-share]");
    if (!root) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!target || !root.contains(target)) return setOpen(root, false); // a click outside closes it
    if (target.closest("[data-share-toggle]")) return setOpen(root, byId("share-panel").hidden);
    const copyButton = target.closest("[data-share-copy]");
    if (copyButton) void copy(root, copyButton.getAttribute("data-share-copy"));
  });
  document.addEventListener("change", (event) => {
    const root = document.querySelector("[data-share]");
    if (root && event.target === byId("share-start")) readTime(root);
  });
  document.addEventListener("focusin", (event) => {
    if (event.target === byId("share-link") || event.target === byId("share-embed")) event.target.select();
  });
  document.addEventListener("keydown", (event) => {
    const root = document.querySelector("[data-share]");
    if (root && event.key === "Escape" && !byId("share-panel").hidden) setOpen(root, false);
  });
})();
