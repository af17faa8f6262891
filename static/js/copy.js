// "Copy" buttons (members/login_source_detail.html): a button with data-copy="<element id>" copies
// that element's text and says so in its data-copied words. Without JavaScript the buttons stay
// hidden and the text can be selected by hand. A file of its own: the CSP allows no inline script.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copy + "-status");
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      if (status) {
        status.textContent = button.dataset.copied;
      }
    });
  });
});
