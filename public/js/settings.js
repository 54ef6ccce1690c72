// settings: browser code of this feature, concatenated with the others into one deferred app.js (no inline scripts: CSP).
// Settings forms post in place with htmx. The server answers a refused form (400, 409, 413, 415, 429) with the
// form again, showing what went wrong; htmx does not swap error responses by default, so swap those here.
// Any other failure (an expired CSRF token, a lost session) gets the form's own short message instead.
(() => {
  const formOf = (element) => (element instanceof Element ? element.closest("[data-settings-form]") : null);

  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = formOf(event.detail.elt);
    const xhr = event.detail.xhr;
    if (!form || !xhr || xhr.status < 400) return;
    if (/^\s*<form[^>]*data-settings-form/.test(xhr.responseText || "")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    showFailure(form);
  });

  document.addEventListener("htmx:sendError", (event) => {
    const form = formOf(event.detail.elt);
    if (form) showFailure(form);
  });

  function showFailure(form) {
    const status = form.querySelector(".settings-status");
    if (!status) return;
    status.textContent = form.getAttribute("data-failed") || "";
    status.className = "settings-status error";
    status.setAttribute("role", "alert");
  }
})();
