// Searchable pickers (accounts/widgets.py): typing in the search box above a list of
// organisations or people hides the choices that do not match, and groups left empty.
(function () {
  "use strict";
  function matches(text, query) {
    return !query || text.toLowerCase().indexOf(query) !== -1;
  }
  function filterSelect(select, query) {
    select.querySelectorAll("option").forEach(function (option) {
      if (!option.value) return;
      option.hidden = !matches(option.textContent, query);
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.querySelectorAll("option"), function (o) {
        return !o.hidden;
      });
    });
  }
  function filterBoxes(box, query) {
    box.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      var item = input.closest("label");
      if (item && item.parentElement) {
        item.parentElement.hidden = !input.checked && !matches(item.textContent, query);
      }
    });
    box.querySelectorAll(".picker-group").forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.querySelectorAll("input"), function (i) {
        var item = i.closest("label");
        return item && item.parentElement && !item.parentElement.hidden;
      });
    });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-picker-filter]")) return;
    var target = document.getElementById(input.getAttribute("data-picker-filter"));
    if (!target) return;
    var query = input.value.trim().toLowerCase();
    if (target.tagName === "SELECT") filterSelect(target, query);
    else filterBoxes(target, query);
  });
})();
