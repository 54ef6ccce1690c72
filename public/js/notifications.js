// notifications: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// Keeps the header bell's unread count live over Server-Sent Events. EventSource reconnects by itself when the
// stream drops (the server says how soon with `retry:`); it gives up only on a refusal (401, 429), which is final.
(() => {
  const bell = document.getElementById("bell");
  const badge = document.getElementById("bell-count");
  if (!bell || !badge || typeof EventSource !== "function") return;

  const show = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    const count = Number(message.count);
    if (!Number.isFinite(count) || count < 0) return;
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.classList.toggle("hidden", count === 0);
    if (typeof message.label === "string") bell.setAttribute("aria-label", message.label);
  };
  let source = null;
  const connect = () => {
    source = new EventSource("/my/notifications/events");
    source.addEventListener("unread", show);
  };
  connect();
  // Closing when the page is left spares the server a stream that would only time out; a page brought back
  // from the back-forward cache opens a new one.
  window.addEventListener("pagehide", () => source && source.close());
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connect();
  });
})();
