// layout: the header's menu button on narrow screens, the account menu, and the footer's language switcher,
// without Alpine, so pages that need no Alpine component do not download it.
(() => {
  document.addEventListener("click", (event) => {
    const toggle = event.target instanceof Element ? event.target.closest(".menu-toggle") : null;
    if (!toggle) return;
    const nav = document.getElementById(toggle.getAttribute("aria-controls") || "nav");
    const open = nav ? nav.classList.toggle("nav-open") : false;
    toggle.setAttribute("aria-expanded", String(open));
  });
  // The account menu is a <details>: it opens by itself; it closes on a click elsewhere or Escape, as menus do.
  const closeAccountMenus = (except) => {
    for (const menu of document.querySelectorAll("details.account-menu[open]")) if (menu !== except) menu.open = false;
  };
  document.addEventListener("click", (event) => {
    closeAccountMenus(event.target instanceof Element ? event.target.closest("details.account-menu") : null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.account-menu[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary")?.focus();
  });
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (select instanceof HTMLSelectElement && select.classList.contains("autosubmit") && select.form) select.form.requestSubmit();
  });
})();
