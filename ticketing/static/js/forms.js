// Page behaviours that used to be inline handlers (the CSP allows no inline script):
// <form data-confirm="Question?"> asks before it submits;
// <input data-select-on-focus> selects its whole value when clicked, to copy it;
// [data-focus-on-load] (an error summary) gets the focus when the page opens.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // An error summary takes the focus, so a phone's reader and keyboard start there;
  // its links move the focus to the field they name.
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary && document.activeElement !== summary) summary.focus();
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  });
  // <button data-copy="input-id" data-copied="Copied"> copies that input's value.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      var label = button.textContent;
      function copied() {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(copied, function () {
          input.select();
          if (document.execCommand("copy")) copied();
        });
      } else {
        input.select();
        if (document.execCommand("copy")) copied();
      }
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
    input.addEventListener("focus", function () { input.select(); });
  });
})();
