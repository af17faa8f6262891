// A "select all" checkbox (data-select-all="<name>") ticks or clears every checkbox of that name in
// its form, and shows itself only where this script runs: without it, each row is ticked by hand.
// A file of its own: the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    const form = all.form;
    const boxes = function () {
      return Array.from(form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]'));
    };
    if (!form || boxes().length === 0) {
      return;
    }
    const wrapper = all.closest("[hidden]");
    if (wrapper) {
      wrapper.hidden = false;
    }
    const update = function () {
      const ticked = boxes().filter(function (box) { return box.checked; }).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all) {
        update();
      }
    });
    update();
  });
});
