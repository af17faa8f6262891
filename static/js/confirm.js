// Buttons with data-confirm ask before they submit their form (components/confirm_button.html).
// A file of its own, not an onclick attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("click", function (event) {
  const button = event.target.closest && event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
