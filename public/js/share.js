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

  document.addEventListener("alpine:init", () => {
    window.Alpine.data("share", () => ({
      open: false,
      withStart: false,
      seconds: 0,
      status: "",
      toggle() {
        this.open = !this.open;
        if (this.open) this.readTime();
      },
      close() {
        this.open = false;
      },
      readTime() {
        this.seconds = playerTime();
        this.status = "";
      },
      get query() {
        return this.withStart && this.seconds > 0 ? `?start=${startParam(this.seconds)}` : "";
      },
      get startLabel() {
        return clock(this.seconds);
      },
      get link() {
        return this.$root.dataset.url + this.query;
      },
      get embed() {
        // The server wrote the code (escaped once, in one place); only its src gains the start time.
        const { embedCode, embedUrl } = this.$root.dataset;
        return embedCode.replace(`src="${embedUrl}"`, `src="${embedUrl}${this.query}"`);
      },
      async copy(id) {
        const field = document.getElementById(id);
        const text = id === "share-embed" ? this.embed : this.link;
        try {
          await navigator.clipboard.writeText(text);
          this.status = this.$root.dataset.copied;
        } catch {
          // No clipboard access (an insecure origin, a refused permission): select it for a manual copy.
          field.focus();
          field.select();
          this.status = this.$root.dataset.copyFailed;
        }
      },
    }));
  });
})();
