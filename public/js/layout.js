// layout: the header's menu button on narrow screens and the footer's language switcher, without Alpine,
// so pages that need no Alpine component do not download it.
(() => {
  document.addEventListener("click", (event) => {
    const toggle = event.target instanceof Element ? event.target.closest(".menu-toggle") : null;
    if (!toggle) return;
    const nav = document.getElementById(toggle.getAttribute("aria-controls") || "nav");
    const open = nav ? nav.classList.toggle("nav-open") : false;
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (select instanceof HTMLSelectElement && select.classList.contains("autosubmit") && select.form) select.form.requestSubmit();
  });
})();
