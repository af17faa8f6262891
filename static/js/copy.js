// Copy buttons (data-copy="<id of the element whose text is copied>") for a value shown once, such as a
// new client secret (templates/members/service_detail.html). A file of its own: the Content-Security-Policy
// allows no inline script. The button shows only where there is a clipboard to write to; the result is
// said in words in the live region next to it (data-copy-status-for), so a screen reader hears it too.
document.addEventListener("DOMContentLoaded", function () {
  if (!(navigator.clipboard && window.isSecureContext)) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    const source = document.getElementById(button.dataset.copy);
    const status = document.querySelector("[data-copy-status-for='" + button.dataset.copy + "']");
    const say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    if (!source) {
      return;
    }
    say("");
    navigator.clipboard.writeText(source.textContent.trim()).then(
      function () {
        say(button.dataset.copied);
      },
      function () {
        say(button.dataset.copyFailed);
      }
    );
  });
});
