// Refreshes the dashboard's live figures from the totals API every 10 seconds.
// The page works without it; it only saves the organizer a reload.
(function () {
  "use strict";
  var box = document.getElementById("totals");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-totals-url");
  var currency = box.getAttribute("data-currency");
  var exponent = parseInt(box.getAttribute("data-exponent"), 10) || 0;
  // The page's language writes the number; the symbol goes where the server
  // puts it (before in English: "$25.00"; after elsewhere: "750,00 ₺").
  var lang = document.documentElement.lang || "en";
  var symbol = box.getAttribute("data-symbol") || currency;
  var number = new Intl.NumberFormat(lang === "en" ? "en-US" : lang, {
    minimumFractionDigits: exponent, maximumFractionDigits: exponent,
  });
  var count = new Intl.NumberFormat(lang === "en" ? "en-US" : lang);  // "1 500" in ru
  var format = {
    format: function (value) {
      var digits = number.format(value);
      return lang === "en" ? symbol + digits : digits + "\u00a0" + symbol;
    },
  };

  function show(totals) {
    document.querySelectorAll("[data-total]").forEach(function (el) {
      var key = el.getAttribute("data-total");
      var value = totals[key];
      if (value === undefined || value === null) return;
      if (key === "goal_progress") el.textContent = (value * 100).toFixed(1);
      else if (/_minor$/.test(key)) el.textContent = format.format(value / Math.pow(10, exponent));
      else el.textContent = count.format(value);
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
