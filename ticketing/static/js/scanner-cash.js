/* Money at the door, on the scanner page (after scanner.js, whose
 * window.doorScanner it uses):
 * - an unpaid reservation's scan shows an amber COLLECT screen with the
 *   amount, the name and how many tickets the order holds; one tap on
 *   "Cash received" re-scans with collect_minor (the server takes exactly
 *   the amount due) and the answer turns green;
 * - the door sale: tier and count, the amount to take, one tap sells the
 *   tickets and lets the guests in (POST /api/v1/events/{id}/door-sales).
 * Door staff see only the amount to take, never totals.
 */
(function () {
  "use strict";

  var door = window.doorScanner;
  var root = document.getElementById("scanner");
  if (!door || !root) return;
  var t = door.t;
  var TICKETS_IN_ORDER = door.parsed(root.dataset.ticketsInOrder);
  var TICKETS_SOLD = door.parsed(root.dataset.ticketsSold);
  var PLURAL = window.Intl && Intl.PluralRules ? new Intl.PluralRules(door.lang) : null;
  var CURRENCY = root.dataset.currency || "USD";
  var EXPONENT = parseInt(root.dataset.exponent || "2", 10);
  var MONEY_LOCALE = { en: "en-US", ru: "ru-RU", uk: "uk-UA", tr: "tr-TR" }[door.lang] || door.lang;
  var COLLECT_SHOW_MS = 60000;

  // "3 tickets in this order" in the page's language: the form for n's plural category.
  function plural(forms, n, english) {
    var form = forms[PLURAL ? PLURAL.select(n) : (n === 1 ? "one" : "other")] || forms.other || english;
    return form.replace("{count}", door.count.format(n));
  }

  // Money for people, the locale's way ("₺750", "750 ₺"); cents only when there are some.
  function money(minor, currency) {
    var unit = Math.pow(10, EXPONENT);
    var digits = minor % unit === 0 ? 0 : EXPONENT;
    try {
      return new Intl.NumberFormat(MONEY_LOCALE, {
        style: "currency", currency: currency || CURRENCY, currencyDisplay: "narrowSymbol",
        minimumFractionDigits: digits, maximumFractionDigits: digits,
      }).format(minor / unit);
    } catch (e) {
      return (minor / unit).toFixed(digits) + " " + (currency || CURRENCY);
    }
  }

  // ---- collecting a reservation's cash ------------------------------------

  var pending = null;  // {code, amount} of the COLLECT screen up now

  door.hooks.answer = function (status, body) {
    pending = null;
    if (status !== "unpaid" || typeof body.amount_due_minor !== "number" || body.amount_due_minor <= 0) {
      return false;
    }
    var ticket = body.ticket || {};
    pending = { code: ticket.code, amount: body.amount_due_minor };
    door.screen("collect", "collect", {
      word: t("collect", "COLLECT {amount}").replace("{amount}", money(body.amount_due_minor, body.currency)),
      name: body.buyer_name || ticket.holder_name,
      tier: plural(TICKETS_IN_ORDER, body.tickets_in_order || 1, "{count} tickets in this order"),
    }, COLLECT_SHOW_MS, true);
    door.collectButton.disabled = false;
    return true;
  };

  door.collectButton.addEventListener("click", function () {
    if (!pending) return;
    var collect = pending;
    door.collectButton.disabled = true;
    door.checkIn(collect.code, collect.amount).then(function () {
      var status = door.result.dataset.status;
      if (status === "error" || status === "network") {
        door.detail.textContent = t("collect_failed", "The cash was not recorded: {message}")
          .replace("{message}", door.detail.textContent);
      }
    });
  });

  // ---- selling at the door ------------------------------------------------

  var els = {
    saleForm: document.getElementById("sale-form"),
    saleTier: document.getElementById("sale-tier"),
    saleCount: document.getElementById("sale-count"),
    saleAmount: document.getElementById("sale-amount"),
    saleStatus: document.getElementById("sale-status"),
    saleSubmit: document.getElementById("sale-submit"),
  };
  if (!els.saleForm) return;

  function saleChoice() {
    var option = els.saleTier.options[els.saleTier.selectedIndex];
    var count = parseInt(els.saleCount.value, 10);
    if (!(count >= 1)) count = 1;
    if (count > 20) count = 20;
    return { tierId: parseInt(option.value, 10), tier: option.textContent, count: count, amount: parseInt(option.dataset.price, 10) * count };
  }

  function showSaleAmount() {
    var choice = saleChoice();
    els.saleAmount.textContent = t("take", "Take {amount}").replace("{amount}", money(choice.amount));
  }

  // A sale whose answer was lost keeps its nonce: tapping again re-sends it and
  // the server answers with the first sale instead of selling twice.
  var pendingSale = null;
  function saleNonce(choice) {
    var key = choice.tierId + "x" + choice.count;
    if (!pendingSale || pendingSale.key !== key) pendingSale = { key: key, nonce: door.newNonce() };
    return pendingSale.nonce;
  }

  function sell() {
    var choice = saleChoice();
    els.saleSubmit.disabled = true;
    els.saleStatus.textContent = "";
    // Never retried on its own; a tap after a lost answer sends the same nonce.
    var body = { ticket_type_id: choice.tierId, quantity: choice.count, nonce: saleNonce(choice), gate: door.gate() };
    door.request("POST", "/events/" + door.eventId + "/door-sales", body).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      pendingSale = null; // answered: the next sale is a new one
      if (!answer.ok) {
        els.saleStatus.textContent = t("sale_failed", "Not sold: {message}").replace("{message}", answer.data.message || "");
        return;
      }
      els.saleCount.value = "1";
      showSaleAmount();
      showSold(answer.data);
      door.refreshStats();
    }).catch(function () {
      els.saleStatus.textContent = t("no_connection", "No connection. Try again.");
    }).finally(function () { els.saleSubmit.disabled = false; });
  }

  function showSold(sale) {
    door.screen("ok", "sold", {
      word: t("sold", "SOLD · WELCOME"),
      name: plural(TICKETS_SOLD, sale.quantity, "{count} tickets sold and in"),
      tier: sale.tier,
    });
  }

  els.saleTier.addEventListener("change", showSaleAmount);
  els.saleCount.addEventListener("input", showSaleAmount);
  document.getElementById("sale-less").addEventListener("click", function () {
    els.saleCount.value = String(Math.max(1, saleChoice().count - 1));
    showSaleAmount();
  });
  document.getElementById("sale-more").addEventListener("click", function () {
    els.saleCount.value = String(Math.min(20, saleChoice().count + 1));
    showSaleAmount();
  });
  els.saleForm.addEventListener("submit", function (e) { e.preventDefault(); sell(); });
  showSaleAmount();
})();
