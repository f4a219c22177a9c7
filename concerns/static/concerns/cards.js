// The contact cards' print page: after the 打印 button has recorded the print, open the
// browser's print dialog (kept out of the template: the CSP forbids inline scripts).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  ready(function () {
    if (document.body.dataset.autoprint) window.print();
  });
})();
