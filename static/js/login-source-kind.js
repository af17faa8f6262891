// The login source form shows only the fields of the chosen kind (templates/members/login_source_form.html):
// each kind-specific field says its kinds in data-kinds; the others are hidden and disabled, so they are
// neither submitted nor in the way. Without script the server does the same after each submission.
document.addEventListener("DOMContentLoaded", function () {
  const select = document.querySelector("select[data-login-source-kind]");
  if (!select) {
    return;
  }
  const groups = document.querySelectorAll("[data-kinds]");
  const sync = function () {
    groups.forEach(function (group) {
      const shown = group.dataset.kinds.split(" ").indexOf(select.value) !== -1;
      group.hidden = !shown;
      group.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !shown;
      });
    });
  };
  select.addEventListener("change", sync);
  sync();
});
