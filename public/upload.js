// Upload page: PeerTube's resumable protocol in 8 MB chunks with a progress bar, retrying after network
// errors from the last byte the server holds; then the processing status, pushed by the server over SSE.
// Also used on a watch page whose video is still processing, to follow its status.
(() => {
  const CHUNK = 8 * 1024 * 1024;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const $ = (id) => document.getElementById(id);

  // The page passes its texts, in its language, as JSON in data-messages; these English ones are the fallback.
  const ENGLISH = {
    starting: "Starting…",
    progress: "Uploaded {done} of {total}",
    complete: "Upload complete. Waiting to be processed…",
    cancelled: "Upload cancelled.",
    watchIt: "Watch it",
    chooseFile: "Choose a file to upload.",
    tooLarge: "This file is {size}; the largest file accepted here is {max}.",
    connectionFailing: "The connection keeps failing; try again later.",
    serverAnswered: "The server answered {status}.",
    queued: "Waiting to be processed",
    transcoding: "Processing: {progress}%",
    published: "Published.",
    failed: "Processing failed: {reason}",
    unknownReason: "unknown reason",
  };
  function readMessages() {
    const el = document.querySelector("[data-messages]");
    try {
      return { ...ENGLISH, ...JSON.parse(el?.dataset.messages || "{}") };
    } catch {
      return ENGLISH;
    }
  }
  const MESSAGES = readMessages();
  const msg = (name, params = {}) => MESSAGES[name].replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));

  function humanBytes(n) {
    const units = ["bytes", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return i === 0 ? `${n} bytes` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return { detail: body.detail || msg("serverAnswered", { status: response.status }), fields: body["invalid-params"] || {} };
    } catch {
      return { detail: msg("serverAnswered", { status: response.status }), fields: {} };
    }
  }

  /** Follows a video's processing over SSE; reloads into the player when it is published. */
  function followStatus(eventsUrl, onUpdate) {
    const source = new EventSource(eventsUrl);
    source.addEventListener("status", (event) => {
      const status = JSON.parse(event.data);
      onUpdate(status);
      if (status.state === "published" || status.state === "failed") source.close();
    });
    return source;
  }

  function statusText(s) {
    if (s.state === "queued") return msg("queued");
    if (s.state === "transcoding") return msg("transcoding", { progress: s.progress });
    if (s.state === "published") return msg("published");
    return msg("failed", { reason: s.reason || msg("unknownReason") });
  }

  const watching = document.querySelector("progress[data-events]");
  if (watching) {
    followStatus(watching.dataset.events, (s) => {
      watching.value = s.progress;
      $("status-line").textContent = statusText(s);
      if (s.state === "published" || s.state === "failed") location.reload();
    });
  }

  const form = $("upload-form");
  if (!form) return;
  let cancelled = false;
  let location_ = null;

  function showFieldErrors(fields) {
    for (const el of form.querySelectorAll(".field .error")) if (el.id !== "f-file-error") el.textContent = "";
    for (const [name, info] of Object.entries(fields)) {
      const el = $(`f-${name}-error`);
      if (el) el.textContent = info.msg;
    }
  }

  function metadata(file) {
    const data = new FormData(form);
    return {
      name: data.get("name"),
      description: data.get("description"),
      channelId: Number(data.get("channelId")),
      privacy: Number(data.get("privacy")),
      category: data.get("category") || null,
      language: data.get("language") || null,
      tags: String(data.get("tags") || "").split(",").map((t) => t.trim()).filter(Boolean),
      commentsEnabled: data.get("commentsEnabled") === "on",
      downloadEnabled: data.get("downloadEnabled") === "on",
      nsfw: data.get("nsfw") === "on",
      filename: file.name,
    };
  }

  async function sendChunks(file) {
    let offset = 0;
    let failures = 0;
    while (!cancelled) {
      const end = Math.min(offset + CHUNK, file.size) - 1;
      let response;
      try {
        response = await fetch(location_, {
          method: "PUT",
          headers: { "content-range": `bytes ${offset}-${end}/${file.size}`, "x-csrf-token": csrf },
          body: file.slice(offset, end + 1),
        });
      } catch {
        // The network dropped: ask the server what it holds, then go on from there.
        if (++failures > 8) throw new Error(msg("connectionFailing"));
        await new Promise((r) => setTimeout(r, 1000 * failures));
        const status = await fetch(location_, { method: "PUT", headers: { "content-range": `bytes */${file.size}`, "x-csrf-token": csrf } }).catch(() => null);
        const range = status?.headers.get("range");
        offset = range ? Number(range.split("-")[1]) + 1 : 0;
        continue;
      }
      if (response.status === 308) {
        const range = response.headers.get("range");
        offset = range ? Number(range.split("-")[1]) + 1 : 0;
        failures = 0;
        $("upload-bar").value = Math.floor((offset / file.size) * 100);
        $("upload-status").textContent = msg("progress", { done: humanBytes(offset), total: humanBytes(file.size) });
        continue;
      }
      if (!response.ok) throw Object.assign(new Error("refused"), { response });
      return (await response.json()).video;
    }
    return null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("f-file").files[0];
    $("upload-error").textContent = "";
    $("f-file-error").textContent = "";
    if (!file) { $("f-file-error").textContent = msg("chooseFile"); return; }
    if (file.size > Number(form.dataset.maxBytes)) {
      $("f-file-error").textContent = msg("tooLarge", { size: humanBytes(file.size), max: humanBytes(Number(form.dataset.maxBytes)) });
      return;
    }
    cancelled = false;
    $("upload-button").disabled = true;
    $("upload-progress").hidden = false;
    $("upload-status").textContent = msg("starting");
    try {
      const start = await fetch("/api/v1/videos/upload-resumable", {
        method: "POST",
        headers: { "content-type": "application/json", "x-upload-content-length": String(file.size), "x-csrf-token": csrf },
        body: JSON.stringify(metadata(file)),
      });
      if (start.status !== 201) throw Object.assign(new Error("refused"), { response: start });
      location_ = start.headers.get("location");
      const video = await sendChunks(file);
      if (!video) return;
      $("upload-bar").value = 100;
      $("upload-cancel").hidden = true;
      $("upload-button").hidden = true;
      $("upload-status").textContent = msg("complete");
      followStatus(`/w/${video.shortUUID}/events`, (s) => {
        $("upload-bar").value = s.state === "published" ? 100 : s.progress;
        $("upload-status").textContent = statusText(s);
        if (s.state === "published") {
          const link = document.createElement("a");
          link.href = `/w/${video.shortUUID}`;
          link.textContent = ` ${msg("watchIt")}`;
          link.id = "watch-link";
          $("upload-status").append(link);
        }
      });
    } catch (error) {
      $("upload-progress").hidden = true;
      $("upload-button").disabled = false;
      if (error.response) {
        const { detail, fields } = await problem(error.response);
        $("upload-error").textContent = detail;
        showFieldErrors(fields);
      } else {
        $("upload-error").textContent = error.message;
      }
    }
  });

  $("upload-cancel").addEventListener("click", async () => {
    cancelled = true;
    if (location_) await fetch(location_, { method: "DELETE", headers: { "x-csrf-token": csrf } }).catch(() => {});
    $("upload-progress").hidden = true;
    $("upload-button").disabled = false;
    $("upload-error").textContent = msg("cancelled");
  });

  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("dragging");
    if (e.dataTransfer.files.length) $("f-file").files = e.dataTransfer.files;
  });
})();
