// search: the header box's suggestions as a combobox. htmx fills the list as the person types; this moves
// through it with the arrow keys (aria-activedescendant, focus stays in the box), opens the chosen suggestion
// with Enter, and closes the list with Escape or when focus leaves.
(() => {
  const box = () => document.getElementById("search-q");
  const list = () => document.getElementById("search-suggestions");
  const options = (l) => (l ? Array.from(l.querySelectorAll('[role="option"]')) : []);
  const selected = (l) => options(l).findIndex((o) => o.getAttribute("aria-selected") === "true");

  function highlight(index) {
    const input = box();
    const opts = options(list());
    opts.forEach((o, n) => o.setAttribute("aria-selected", String(n === index)));
    if (index >= 0 && opts[index]) {
      input.setAttribute("aria-activedescendant", opts[index].id);
      opts[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setOpen(open) {
    const input = box();
    const l = list();
    if (!input || !l) return;
    l.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (!open) highlight(-1);
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail && event.detail.target;
    if (!(target instanceof Element) || target.id !== "search-suggestions") return;
    setOpen(options(target).length > 0 && document.activeElement === box());
  });

  document.addEventListener("keydown", (event) => {
    const input = box();
    if (!input || event.target !== input) return;
    const l = list();
    const opts = options(l);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (opts.length === 0) return;
      event.preventDefault();
      if (l.hidden) setOpen(true);
      const n = selected(l);
      highlight(event.key === "ArrowDown" ? (n + 1) % opts.length : n <= 0 ? opts.length - 1 : n - 1);
    } else if (event.key === "Escape" && !l.hidden) {
      event.preventDefault();
      setOpen(false);
    } else if (event.key === "Enter" && !l.hidden) {
      const n = selected(l);
      if (n < 0) return; // no suggestion chosen: the form submits the search as usual
      event.preventDefault();
      window.location.assign(opts[n].href);
    }
  });

  // Keep focus in the box when a suggestion is pressed, so the list is still there when the click lands.
  document.addEventListener("mousedown", (event) => {
    const l = list();
    if (l && event.target instanceof Node && l.contains(event.target)) event.preventDefault();
  });

  document.addEventListener("focusout", (event) => {
    if (event.target === box()) setOpen(false);
  });

  document.addEventListener("focusin", (event) => {
    if (event.target === box() && options(list()).length > 0) setOpen(true);
  });
})();
