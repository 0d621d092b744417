// Keyboard use of the place suggestions: Down arrow from the search box enters the list, Up/Down move,
// Escape closes it and returns to the box. Without this file the links are still reachable with Tab.
(() => {
  const inputFor = (list) => document.querySelector(`[aria-controls="${list.id}"]`);

  const close = (list) => {
    list.replaceChildren();
    const input = inputFor(list);
    if (input) input.focus();
  };

  document.addEventListener("keydown", (event) => {
    const input = event.target.closest("[data-suggest-input]");
    if (input) {
      const list = document.getElementById(input.getAttribute("aria-controls"));
      if (!list) return;
      if (event.key === "ArrowDown") {
        const first = list.querySelector("a");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape" && list.children.length) {
        event.preventDefault();
        list.replaceChildren();
      }
      return;
    }
    const link = event.target.closest(".suggestions a");
    if (!link) return;
    const list = link.closest(".suggestions");
    const links = Array.from(list.querySelectorAll("a"));
    const index = links.indexOf(link);
    if (event.key === "ArrowDown" && index < links.length - 1) {
      event.preventDefault();
      links[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index > 0) links[index - 1].focus();
      else (inputFor(list) || link).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(list);
    }
  });
})();
