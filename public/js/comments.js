// comments: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// htmx does the requests; this file tidies up after them: resets the new-comment form, removes a sent reply form,
// closes a reply form on Cancel, sends with Ctrl+Enter, and shows why the server refused something.
(() => {
  const SCOPE = ".comments, .rate";

  /** The refusal's sentence: from our error page (or any element marked data-error), else a generic line. */
  function refusalMessage(xhr, elt) {
    const generic = elt.closest("[data-error-generic]")?.getAttribute("data-error-generic") || "Error";
    const text = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
    if (!text) return generic;
    const doc = new DOMParser().parseFromString(text, "text/html");
    const found = doc.querySelector("[data-error]") || doc.querySelector(".error-page h1 + p");
    return (found && found.textContent.trim()) || generic;
  }

  /** The nearest place that shows a refusal: the form's own slot, else the section's. */
  function errorSlot(elt) {
    const holder = elt.closest("form") || elt.closest(".comment-main") || elt.closest(SCOPE);
    return holder?.querySelector("[data-error-slot]") || elt.closest(SCOPE)?.querySelector("[data-error-slot]") || null;
  }

  document.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail.elt;
    if (!(elt instanceof Element) || !elt.closest(SCOPE)) return;
    const slot = errorSlot(elt);
    if (event.detail.failed) {
      if (slot) slot.textContent = refusalMessage(event.detail.xhr, elt);
      return;
    }
    if (slot) slot.textContent = "";
    if (!(elt instanceof HTMLFormElement)) return;
    if (elt.dataset.after === "reset") elt.reset();
    if (elt.dataset.after === "remove") elt.remove();
  });

  document.addEventListener("click", (event) => {
    const cancel = event.target instanceof Element ? event.target.closest(".comment-cancel") : null;
    if (cancel) cancel.closest("form")?.remove();
  });

  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest(".comment-form")) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && box.form) {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });

  // A link to one comment (from a notification) loads the section at once; bring that comment into view when it lands.
  document.addEventListener("htmx:afterSettle", (event) => {
    const hash = location.hash;
    if (!hash.startsWith("#comment-") || !(event.detail.elt instanceof Element) || !event.detail.elt.closest(".comments")) return;
    const target = document.getElementById(hash.slice(1));
    if (target && !target.dataset.shown) {
      target.dataset.shown = "1";
      target.scrollIntoView({ block: "center" });
    }
  });
})();
