// Wide tables scroll inside their own box instead of making the whole page scroll sideways
// (issue 16: nothing scrolls sideways at 375 px). Each table in the page's main part gets a
// .table-scroll box if its template gave it none; a box whose table is wider than it becomes a
// named, focusable region so keyboard users can scroll it too (WCAG 2.1.1; axe's
// scrollable-region-focusable). Without script, tables are as before.
(function () {
  const label = document.currentScript && document.currentScript.dataset.label;

  // The region's name: the table's caption, else the heading it comes under, else "Table".
  function nameOf(box) {
    const caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    let heading = null;
    document.querySelectorAll("main h1, main h2, main h3").forEach(function (h) {
      if (h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) heading = h;
    });
    return heading ? heading.textContent.trim() : label || "";
  }

  function wrap(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-scroll")) return;
      const box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function update() {
    document.querySelectorAll("main .table-scroll").forEach(function (box) {
      // Only boxes this script made regions are changed back (a template may have its own).
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.hasAttribute("role")) return;
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
        box.dataset.scrollRegion = "";
      } else if ("scrollRegion" in box.dataset) {
        // A name on a plain box is not allowed (ARIA): it goes with the role.
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }

  function run(root) {
    wrap(root || document);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () { run(document); });
  // Content htmx swaps in (a filtered list, a form section) gets the same treatment.
  document.addEventListener("htmx:load", function (event) { run(event.target); });
  let pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
})();
