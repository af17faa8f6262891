// The header navigation's Menu button (templates/base.html): below 768 px the links fold behind it.
// Without this script the class below is never set, the button stays hidden and the links open.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("nav[data-collapsible]").forEach(function (nav) {
    const button = nav.querySelector(".nav-toggle");
    if (!button || !document.getElementById(button.getAttribute("aria-controls"))) return;
    nav.classList.add("nav-collapsible");
    button.addEventListener("click", function () {
      button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    });
    // Escape closes the open menu from anywhere inside it and gives the focus back to the button.
    nav.addEventListener("keydown", function (event) {
      // (Only where the button shows: at 768 px and wider the links are always open.)
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent) {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });
});
