// After a refused submission the focus goes to the form's error summary (components/error_summary.html), so a
// keyboard or screen-reader user starts from the list of problems; each links to its field.
document.addEventListener("DOMContentLoaded", function () {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  // A link in the summary puts the focus in the field itself, not only scrolls to it.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    const control = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (control) {
      event.preventDefault();
      control.focus();
      control.scrollIntoView({ block: "center" });
    }
  });
});
