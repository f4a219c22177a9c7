// The site's few behaviours, kept out of the templates so that the Content Security Policy
// can forbid inline scripts and on*= handlers.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  ready(function () {
    // The phone menu.
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        toggle.setAttribute("aria-expanded", String(nav.classList.toggle("open")));
      });
    }
    // One key per form: a double tap or a retry on a weak signal registers a concern once.
    document.querySelectorAll("input[name=idempotency_key]").forEach(function (input) {
      if (!input.value) {
        input.value = (self.crypto && crypto.randomUUID)
          ? crypto.randomUUID() : String(Date.now()) + Math.random();
      }
    });
  });
  // Irreversible steps (办结, 上报, 销号, merging…) ask first: a form with data-confirm is sent
  // only once the question is answered yes. Captured on the document, so before htmx or any
  // other handler of the form sees the submit. Without JavaScript the form carries a required
  // checkbox instead (yishi/_confirm.html).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Buttons and filters anywhere on the page, including parts htmx swaps in later.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) select.form.submit();
  });
})();
