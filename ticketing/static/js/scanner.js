/* The door scanner: camera (vendored qr-scanner), typed codes, guest search,
 * a full-screen answer readable from a metre away, a beep and a buzz.
 *
 * Every check-in request carries a fresh nonce, and a retry after a network
 * failure re-sends the very same body, so the server answers it at most once.
 */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) return;

  var EVENT_ID = parseInt(root.dataset.eventId, 10);
  var TIME_ZONE = root.dataset.timezone || "UTC";
  var API = root.dataset.api;
  var TOKEN = root.dataset.token || "";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = csrfMeta ? csrfMeta.content : "";
  var SAME_CODE_QUIET_MS = 3000;
  var OK_SHOW_MS = 2500;
  var REFUSED_SHOW_MS = 6000;
  var STATS_EVERY_MS = 10000;

  var els = {
    video: document.getElementById("door-video"),
    cameraStatus: document.getElementById("camera-status"),
    result: document.getElementById("door-result"),
    word: document.getElementById("result-word"),
    name: document.getElementById("result-name"),
    tier: document.getElementById("result-tier"),
    detail: document.getElementById("result-detail"),
    next: document.getElementById("scan-next"),
    countIn: document.getElementById("count-in"),
    countSold: document.getElementById("count-sold"),
    codeForm: document.getElementById("code-form"),
    codeInput: document.getElementById("code-input"),
    searchForm: document.getElementById("search-form"),
    searchInput: document.getElementById("search-input"),
    searchStatus: document.getElementById("search-status"),
    searchResults: document.getElementById("search-results"),
    cameraSelect: document.getElementById("camera-select"),
    torch: document.getElementById("torch-button"),
    gate: document.getElementById("gate-input"),
    collect: document.getElementById("collect-button"),
  };

  // The page's words, translated by the server (data-strings on #scanner);
  // English stands in for any that is missing.
  var STRINGS = {};
  try { STRINGS = JSON.parse(root.dataset.strings || "{}"); } catch (e) { STRINGS = {}; }
  var LANG = document.documentElement.lang || "en";
  var COUNT = new Intl.NumberFormat(LANG === "en" ? "en-US" : LANG);
  function t(key, english) { return STRINGS[key] || english; }
  function parsed(json) { try { return JSON.parse(json || "{}"); } catch (e) { return {}; } }
  var REASONS = {
    ok: t("ok", "WELCOME"),
    already_checked_in: t("already_checked_in", "ALREADY IN"),
    invalid: t("invalid", "NOT A VALID TICKET"),
    wrong_event: t("wrong_event", "WRONG EVENT"),
    unpaid: t("unpaid", "NOT PAID"),
    revoked: t("revoked", "REFUNDED / CANCELED"),
    network: t("network", "NO CONNECTION"),
    error: t("error", "ERROR"),
  };

  // ---- small helpers ---------------------------------------------------

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function headers(json) {
    var h = { Accept: "application/json" };
    if (json) h["Content-Type"] = "application/json";
    if (TOKEN) h.Authorization = "Bearer " + TOKEN;
    else if (CSRF) h["X-CSRFToken"] = CSRF;
    return h;
  }

  function request(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 6000) : null;
    return fetch(API + path, {
      method: method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).finally(function () { if (timer) clearTimeout(timer); });
  }

  function localTime(iso) {
    if (!iso) return "";
    var when = new Date(iso);
    var sameDay = new Date().toDateString() === when.toDateString();
    var options = { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit" };
    if (!sameDay) { options.day = "numeric"; options.month = "short"; }
    try {
      return new Intl.DateTimeFormat(LANG === "en" ? "en-GB" : LANG, options).format(when);
    } catch (e) {
      return when.toLocaleString();
    }
  }

  // ---- sound and vibration ---------------------------------------------

  var audio = null;
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    return audio.state;
  }
  document.addEventListener("pointerdown", unlockAudio, { passive: true });
  document.addEventListener("keydown", unlockAudio);

  function tone(freq, start, length, type) {
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = type || "sine";
    osc.frequency.value = freq;
    var t0 = audio.currentTime + start;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.4, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + length);
    osc.connect(gain).connect(audio.destination);
    osc.start(t0);
    osc.stop(t0 + length + 0.02);
  }

  function signal(kind) {
    try {
      if (audio && audio.state === "running") {
        if (kind === "ok") { tone(880, 0, 0.12); tone(1320, 0.13, 0.15); }
        else if (kind === "already") { tone(520, 0, 0.18, "triangle"); tone(520, 0.25, 0.18, "triangle"); }
        else { tone(180, 0, 0.45, "square"); }
      }
    } catch (e) { /* sound is a bonus */ }
    if (navigator.vibrate) {
      navigator.vibrate(kind === "ok" ? 80 : kind === "already" ? [80, 80, 80] : [300, 100, 300]);
    }
  }

  // ---- the answer --------------------------------------------------------

  var hideTimer = null;
  // A full-screen answer the page makes itself (the door sale's, in scanner-sale.js).
  var holding = false;  // a screen that waits for a tap (COLLECT): no scan replaces it
  function screen(kind, status, texts, ms, hold) {
    holding = !!hold;
    els.collect.hidden = !hold;
    els.result.className = "door-result result-" + kind;
    els.result.dataset.status = status;
    els.word.textContent = texts.word || "";
    els.name.textContent = texts.name || "";
    els.tier.textContent = texts.tier || "";
    els.detail.textContent = texts.detail || "";
    els.result.hidden = false;
    signal(kind === "collect" ? "already" : kind);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, ms || OK_SHOW_MS);
  }

  var hooks = {};  // hooks.answer(status, body): scanner-cash.js shows an answer itself when true
  function show(status, body) {
    if (hooks.answer && hooks.answer(status, body || {})) return;
    holding = false;
    els.collect.hidden = true;
    var kind = status === "ok" ? "ok" : status === "already_checked_in" ? "already" : "refused";
    var ticket = (body && body.ticket) || {};
    els.result.className = "door-result result-" + kind;
    els.result.dataset.status = status;
    els.word.textContent = REASONS[status] || status.toUpperCase();
    els.name.textContent = ticket.holder_name || "";
    els.tier.textContent = ticket.tier || "";
    var detail = "";
    if (status === "already_checked_in") {
      detail = t("first_scanned", "First scanned at {time}").replace("{time}", localTime(body.first_checked_in_at)) +
        (body.gate ? " · " + body.gate : "");
    } else if (status !== "ok") {
      detail = (body && body.message) || "";
    }
    els.detail.textContent = detail;
    els.result.hidden = false;
    signal(kind);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, kind === "ok" ? OK_SHOW_MS : REFUSED_SHOW_MS);
  }

  function hide() {
    clearTimeout(hideTimer);
    holding = false;
    els.collect.hidden = true;
    els.result.hidden = true;
  }

  // ---- the door without network (door-offline.js) ------------------------

  var offline = window.DoorOffline ? window.DoorOffline.attach({
    root: root, api: API, eventId: EVENT_ID, timeZone: TIME_ZONE, lang: LANG, reasons: REASONS,
    headers: headers, show: show, localTime: localTime, unlockAudio: unlockAudio,
    startCamera: function () { startCamera(); },
  }) : null;

  // ---- checking in -------------------------------------------------------

  var busy = false;
  function checkIn(code, collectMinor) {
    if (busy) return Promise.resolve();
    busy = true;
    // A retry re-sends this very body (same nonce): the cash is recorded at most once.
    var body = { code: code, event_id: EVENT_ID, nonce: newNonce(), gate: els.gate.value.trim() };
    if (collectMinor) body.collect_minor = collectMinor;
    if (offline && offline.isOffline()) {
      return offline.decide(body).then(function (a) { offline.render(a, body); if (a.status === "ok") refreshStats(); }).finally(function () { busy = false; });
    }
    function attempt(triesLeft) {
      return request("POST", "/checkins", body).then(function (response) {
        return response.json().then(function (data) {
          if (data && data.status) return { status: data.status, data: data };
          return { status: "error", http: response.status, data: { message: (data && data.message) || t("error_status", "Error {status}").replace("{status}", response.status) } };
        });
      }).catch(function (err) {
        if (triesLeft > 0) {
          return new Promise(function (r) { setTimeout(r, 600); }).then(function () { return attempt(triesLeft - 1); });
        }
        return { status: "network", data: { message: t("not_reached", "The scan did not reach the server. Try again.") } };
      });
    }
    // With a door list on the device, a network failure is decided there (same nonce).
    return attempt(offline ? 0 : 2).then(function (answer) {
      // No answer, or the proxy's "unavailable" (502-504): a network problem, never red.
      if (offline && (answer.status === "network" || (answer.status === "error" && answer.http >= 502 && answer.http <= 504))) {
        offline.wentOffline();
        return offline.decide(body).then(function (a) { offline.render(a, body); if (a.status === "ok") refreshStats(); });
      }
      if (offline && answer.status === "error" && answer.http === 401) offline.unauthorized();
      show(answer.status, answer.data);
      if (offline) offline.noteOnline(body, answer);
      if (answer.status === "ok") refreshStats();
    }).finally(function () { busy = false; });
  }

  // ---- camera ------------------------------------------------------------

  var lastCode = null;
  var lastSeen = 0;
  var scanner = null;

  function onDecode(result) {
    var code = (result && result.data ? result.data : String(result || "")).trim();
    if (!code) return;
    var now = Date.now();
    // The same code held in front of the camera is sent once, not every frame.
    if (code === lastCode && now - lastSeen < SAME_CODE_QUIET_MS) { lastSeen = now; return; }
    if (busy || holding) return;  // the COLLECT screen waits for its tap
    lastCode = code;
    lastSeen = now;
    checkIn(code);
  }

  function startCamera() {
    if (!window.QrScanner) { els.cameraStatus.textContent = t("no_library", "The scanner library did not load: type codes instead."); return; }
    if (!window.isSecureContext) {
      els.cameraStatus.textContent = t("needs_https", "The camera needs https (or localhost). Type codes or search instead.");
      return;
    }
    var overlay = document.getElementById("scan-overlay");
    overlay.hidden = false; // qr-scanner shows and places it once the video plays
    scanner = new QrScanner(els.video, onDecode, {
      overlay: overlay, // ours has no inline style, which the CSP would refuse
      returnDetailedScanResult: true,
      preferredCamera: localStorage.getItem("door.camera") || "environment",
      highlightScanRegion: true,
      maxScansPerSecond: 8,
    });
    scanner.start().then(function () {
      els.cameraStatus.textContent = t("point", "Point the camera at a ticket's QR code.");
      root.classList.add("camera-on");
      listCameras();
      updateTorch();
    }).catch(function (err) {
      els.cameraStatus.textContent = t("no_camera", "No camera: {error}. Type codes or search instead.").replace("{error}", err && err.message ? err.message : err);
    });
  }

  function listCameras() {
    QrScanner.listCameras(true).then(function (cameras) {
      els.cameraSelect.innerHTML = "";
      cameras.forEach(function (camera) {
        var option = document.createElement("option");
        option.value = camera.id;
        option.textContent = camera.label || camera.id;
        els.cameraSelect.appendChild(option);
      });
      var chosen = localStorage.getItem("door.camera");
      if (chosen) els.cameraSelect.value = chosen;
    }).catch(function () { /* keep the default camera */ });
  }

  function updateTorch() {
    if (!scanner) return;
    scanner.hasFlash().then(function (has) {
      els.torch.hidden = !has;
      els.torch.textContent = scanner.isFlashOn() ? t("torch_off", "Torch off") : t("torch_on", "Torch on");
    }).catch(function () { els.torch.hidden = true; });
  }

  els.cameraSelect.addEventListener("change", function () {
    localStorage.setItem("door.camera", els.cameraSelect.value);
    if (scanner) scanner.setCamera(els.cameraSelect.value).then(updateTorch);
  });
  els.torch.addEventListener("click", function () {
    if (scanner) scanner.toggleFlash().then(updateTorch);
  });

  // ---- panels, typed codes, search --------------------------------------

  var panelButtons = document.querySelectorAll(".door-actions [data-panel]");
  Array.prototype.forEach.call(panelButtons, function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.panel);
      var opening = target.hidden;
      document.querySelectorAll(".door-panel").forEach(function (p) { p.hidden = true; });
      Array.prototype.forEach.call(panelButtons, function (b) { b.setAttribute("aria-pressed", "false"); });
      target.hidden = !opening;
      root.classList.toggle("panel-open", opening);
      button.setAttribute("aria-pressed", opening ? "true" : "false");
      var input = target.querySelector("input");
      if (opening && input) input.focus();
      if (opening) target.scrollIntoView({ block: "nearest" });
    });
  });

  els.codeForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var code = els.codeInput.value.trim();
    if (!code) return;
    checkIn(code).then(function () { els.codeInput.value = ""; });
  });

  els.searchForm.addEventListener("submit", function (e) {
    e.preventDefault();
    search(els.searchInput.value.trim());
  });

  function search(q) {
    if (!q) return;
    els.searchStatus.textContent = t("searching", "Searching…");
    request("GET", "/events/" + EVENT_ID + "/attendees?q=" + encodeURIComponent(q)).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok) { els.searchStatus.textContent = answer.data.message || t("search_failed", "Search failed."); return; }
      renderResults(answer.data);
    }).catch(function () {
      if (!offline) { els.searchStatus.textContent = t("no_connection", "No connection. Try again."); return; }
      offline.search(q).then(renderResults);
    });
  }

  function renderResults(items) {
    els.searchResults.innerHTML = "";
    els.searchStatus.textContent = items.length ? t("found", "{count} found").replace("{count}", items.length) : t("nobody", "Nobody found.");
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "door-result-item" + (item.checked_in ? " is-in" : "");
      var text = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = item.holder_name || item.buyer_name;
      var meta = document.createElement("small");
      meta.textContent = item.tier + " · " + t("order", "order #{id}").replace("{id}", item.order_id) +
        (item.checked_in ? " · " + t("in_since", "in since {time}").replace("{time}", localTime(item.checked_in_at)) : "") +
        (item.ticket_status === "revoked" ? " · " + t("revoked_short", "revoked") : "");
      text.appendChild(name);
      text.appendChild(document.createElement("br"));
      text.appendChild(meta);
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = item.checked_in ? t("in", "In") : t("check_in", "Check in");
      button.disabled = item.checked_in || !item.code; // offline results carry no code
      button.addEventListener("click", function () {
        checkIn(item.code).then(function () { search(els.searchInput.value.trim()); });
      });
      li.appendChild(text);
      li.appendChild(button);
      els.searchResults.appendChild(li);
    });
  }

  // ---- the live count ----------------------------------------------------

  function refreshStats() {
    request("GET", "/events/" + EVENT_ID + "/checkins/stats").then(function (r) {
      return r.ok ? r.json() : null;
    }).catch(function () {
      return offline ? offline.counts() : null;
    }).then(function (data) {
      if (!data) return;
      els.countIn.textContent = COUNT.format(data.checked_in);  // "1 500" in ru
      els.countSold.textContent = COUNT.format(data.sold);
    }).catch(function () { /* try again on the next tick */ });
  }

  // ---- start -------------------------------------------------------------

  els.gate.value = localStorage.getItem("door.gate") || "";
  els.gate.addEventListener("change", function () { localStorage.setItem("door.gate", els.gate.value.trim()); });
  els.next.addEventListener("click", function () { lastCode = null; hide(); });
  els.result.addEventListener("click", function (e) {
    if (e.target !== els.next && e.target !== els.collect && !holding) hide();
  });

  // What scanner-cash.js (collecting a reservation, the door sale) uses of this page.
  window.doorScanner = {
    t: t, parsed: parsed, lang: LANG, count: COUNT, request: request, screen: screen, hide: hide,
    checkIn: checkIn, refreshStats: refreshStats, hooks: hooks, eventId: EVENT_ID, newNonce: newNonce,
    collectButton: els.collect, result: els.result, detail: els.detail,
    gate: function () { return els.gate.value.trim(); },
  };

  refreshStats();
  setInterval(refreshStats, STATS_EVERY_MS);
  if (!offline) startCamera(); // else on "Start scanning", which also unlocks the sound
})();
