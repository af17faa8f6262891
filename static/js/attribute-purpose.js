// The service form asks the purpose of a requested attribute only once its box is ticked
// (templates/members/service_form.html): the purpose field of an unticked attribute is hidden, and
// shown again with what was typed in it when the box is ticked. Without script every field shows,
// and the server ignores the purpose of an unticked attribute.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-purpose-of]").forEach(function (row) {
    const box = document.getElementById(row.dataset.purposeOf);
    if (!box) {
      return;
    }
    box.setAttribute("aria-controls", row.id);
    const sync = function () {
      row.hidden = !box.checked;
    };
    box.addEventListener("change", sync);
    sync();
  });
});
