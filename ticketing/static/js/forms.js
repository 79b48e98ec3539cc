// Page behaviours that used to be inline handlers (the CSP allows no inline script):
// <form data-confirm="Question?"> asks before it submits;
// <input data-select-on-focus> selects its whole value when clicked, to copy it.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
    input.addEventListener("focus", function () { input.select(); });
  });
})();
