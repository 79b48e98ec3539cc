// Refreshes the dashboard's live figures from the totals API every 10 seconds.
// The page works without it; it only saves the organizer a reload.
(function () {
  "use strict";
  var box = document.getElementById("totals");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-totals-url");
  var currency = box.getAttribute("data-currency");
  var exponent = parseInt(box.getAttribute("data-exponent"), 10) || 0;
  var format = new Intl.NumberFormat("en-US", {
    style: "currency", currency: currency,
    minimumFractionDigits: exponent, maximumFractionDigits: exponent,
  });

  function show(totals) {
    document.querySelectorAll("[data-total]").forEach(function (el) {
      var key = el.getAttribute("data-total");
      var value = totals[key];
      if (value === undefined || value === null) return;
      if (key === "goal_progress") el.textContent = (value * 100).toFixed(1);
      else if (/_minor$/.test(key)) el.textContent = format.format(value / Math.pow(10, exponent));
      else el.textContent = String(value);
    });
    var bar = box.querySelector("[data-progress]");
    if (bar && totals.goal_progress !== null) {
      var pct = Math.max(0, Math.min(100, Math.round(totals.goal_progress * 100)));
      bar.setAttribute("width", String(pct));
      bar.closest("[role=progressbar]").setAttribute("aria-valuenow", String(pct));
    }
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (totals) { if (totals) show(totals); })
      .catch(function () { /* offline for a moment: keep the figures shown */ });
  }

  setInterval(poll, 10000);
})();
