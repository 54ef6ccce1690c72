// Watch page player: video.js with its built-in HLS engine (VHS), a quality menu built from the ladder,
// keyboard shortcuts, and one view beacon after a few seconds of playback.
(() => {
  const element = document.getElementById("player");
  if (!element || !window.videojs) return;
  const player = window.videojs(element, {
    fluid: false,
    fill: true,
    playbackRates: [0.5, 1, 1.25, 1.5, 2],
    userActions: { hotkeys: true },
    html5: { vhs: { overrideNative: true } },
  });
  player.src({ src: element.dataset.src, type: "application/x-mpegURL" });
  window.tubeletPlayer = player;

  // Quality: "auto" lets VHS adapt; a height pins that rendition.
  const select = document.getElementById("quality");
  const levels = player.qualityLevels();
  levels.on("addqualitylevel", () => {
    const heights = [...new Set(Array.from({ length: levels.length }, (_, i) => levels[i].height).filter(Boolean))].sort((a, b) => b - a);
    select.replaceChildren(new Option("Auto", "auto"), ...heights.map((h) => new Option(`${h}p`, String(h))));
  });
  select.addEventListener("change", () => {
    for (let i = 0; i < levels.length; i++) levels[i].enabled = select.value === "auto" || String(levels[i].height) === select.value;
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || target.closest?.("input, textarea, select, [contenteditable]")) return;
    const seek = { ArrowLeft: -5, ArrowRight: 5, j: -10, l: 10 }[event.key];
    if (seek !== undefined) player.currentTime(Math.max(0, player.currentTime() + seek));
    else if (event.key === "k" || (event.key === " " && target === document.body)) player.paused() ? player.play() : player.pause();
    else if (event.key === "f") player.isFullscreen() ? player.exitFullscreen() : player.requestFullscreen();
    else if (event.key === "m") player.muted(!player.muted());
    else return;
    event.preventDefault();
  });

  // A view counts after 5 s of playback (or the whole video, if shorter), once per page load.
  let sent = false;
  player.on("timeupdate", () => {
    const duration = player.duration() || 0;
    if (sent || player.currentTime() < Math.min(5, duration * 0.9)) return;
    sent = true;
    navigator.sendBeacon(`/api/v1/videos/${element.dataset.videoId}/views`);
  });
})();
