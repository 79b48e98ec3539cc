// The buy form's running total, live as tickets, prices and a donation are chosen
// (without JavaScript the form's "Update total" button asks the server for it).
(function () {
  "use strict";
  var form = document.getElementById("buy-form");
  if (!form) return;
  var currency = form.getAttribute("data-currency");
  var exponent = parseInt(form.getAttribute("data-exponent"), 10) || 0;
  var locale = form.getAttribute("data-locale") || "en";
  var scale = Math.pow(10, exponent);
  var formatter;
  try {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency: currency });
  } catch (error) {
    return; // an unknown currency to this browser: the server's button stays
  }

  // "1 500,50", "1,500.50", "1500.5", "750": the last separator followed by at
  // most `exponent` digits is the decimal one; others group thousands.
  function minor(text) {
    var cleaned = String(text || "").replace(/[\s\u00a0\u202f']/g, "");
    if (!cleaned) return 0;
    var match = cleaned.match(/^(.*?)([.,](\d*))?$/);
    var whole = match[1], fraction = match[3];
    if (fraction !== undefined && fraction.length > exponent) {
      whole = cleaned; fraction = "";
    }
    whole = whole.replace(/[.,]/g, "");
    if (!/^\d*$/.test(whole) || (fraction && !/^\d*$/.test(fraction))) return NaN;
    fraction = ((fraction || "") + "000").slice(0, exponent);
    return parseInt(whole || "0", 10) * scale + (exponent ? parseInt(fraction, 10) : 0);
  }

  function total() {
    var sum = 0;
    form.querySelectorAll("select[data-price-minor]").forEach(function (select) {
      var quantity = parseInt(select.value, 10) || 0;
      var price = parseInt(select.getAttribute("data-price-minor"), 10) || 0;
      var own = select.getAttribute("data-price-input");
      if (own && form.elements[own]) price = minor(form.elements[own].value);
      sum += quantity * price;
    });
    var donation = form.elements.donation ? minor(form.elements.donation.value) : 0;
    return sum + donation;
  }

  function show() {
    var amount = total();
    if (isNaN(amount)) return; // a typo: the server says what is wrong on submit
    var text = formatter.format(amount / scale);
    form.querySelectorAll("[data-running-total]").forEach(function (el) { el.textContent = text; });
  }

  form.querySelectorAll("[data-update-total]").forEach(function (button) { button.hidden = true; });
  form.addEventListener("input", show);
  form.addEventListener("change", show);
  show();
})();
