/* The door without network: the scanner keeps deciding from a door list on
 * the device and sends what it admitted once the network is back.
 *
 * - Installs the service worker (door-device.js: scanner files and page kept).
 * - Syncs the door list (GET .../door-list: full once, then deltas every few
 *   seconds) into IndexedDB (door-store.js): keyed hashes, never codes.
 * - decide(body): with no network, HMAC-SHA256 of the normalized code with the
 *   event's salt finds the ticket: green, amber (already in, when, where), red
 *   as online, or amber COLLECT for an unpaid reservation. Never red for a
 *   network problem.
 * - Offline scans go to POST .../checkins/batch when the network returns;
 *   conflicts (admitted elsewhere first) are listed on the device.
 * - A 401 confirmed by the next sync (device link revoked) or logging out
 *   wipes the device's copy (door-device.js).
 * - "Start scanning" starts the camera, unlocks the sound, keeps the screen awake.
 *
 * scanner.js calls DoorOffline.attach(ctx) and a few hooks (see there).
 */
(function () {
  "use strict";

  var SYNC_EVERY_MS = 5000;
  var FIRST_SYNC_MS = 800;
  var BATCH_MAX = 1000; // the most POST .../checkins/batch takes at once
  var Store = window.DoorStore;
  var Device = window.DoorDevice;
  var fold = window.DoorFold.fold;

  var ctx = null;
  var el = {};
  var S = {};
  var state = { refused: 0, online: navigator.onLine, syncing: false, flushing: false, meta: null, wiped: false };

  function s(name, english) { return S[name] || english; }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }

  var normalizeCode = Store.normalizeCode;
  var codeHash = Store.codeHash;

  // ---- talking to the API --------------------------------------------------

  function call(method, path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 15000);
    return fetch(ctx.api + path, {
      method: method,
      headers: ctx.headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: controller.signal,
    }).then(function (response) {
      clearTimeout(timer);
      setOnline(response.status < 502 || response.status > 504); // the proxy's "unavailable": offline
      // Two refusals in a row (the next sync confirms) mean the link was revoked.
      if (response.status === 401) {
        state.refused += 1;
        if (state.refused >= 2) revoked();
        throw new Error("unauthorized");
      }
      state.refused = 0;
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        return response.json().catch(function () { return {}; }).then(function (body) { error.body = body; throw error; });
      }
      return response.json();
    }, function (err) {
      clearTimeout(timer);
      setOnline(false);
      throw err;
    });
  }

  function sync() {
    if (state.syncing || state.wiped) return Promise.resolve();
    state.syncing = true;
    var event = ctx.eventId;
    return Store.meta(event).then(function (meta) {
      var since = meta && meta.cursor ? "?since=" + encodeURIComponent(meta.cursor) : "";
      return call("GET", "/events/" + event + "/door-list" + since).catch(function (err) {
        // A cursor the server no longer knows: start again from the full list.
        if (err.status === 422 && since) return call("GET", "/events/" + event + "/door-list");
        throw err;
      }).then(function (list) {
        var next = {
          event: event,
          cursor: list.cursor,
          salt: list.salt,
          currency: list.currency,
          synced_at: new Date().toISOString(),
          conflicts: (meta && meta.conflicts) || [],
        };
        return Store.saveList(event, list.tickets || [], !!list.full || !meta, next).then(function () {
          state.meta = next;
          ctx.root.dataset.syncedAt = next.synced_at; // for people and tests: the list is here
        });
      });
    }).then(flush).catch(function () { /* offline or refused: the next tick tries again */ })
      .finally(function () { state.syncing = false; banner(); });
  }

  function flush() {
    if (state.flushing || state.wiped) return Promise.resolve();
    var event = ctx.eventId;
    return Store.pending(event).then(function (scans) {
      scans = scans.slice(0, BATCH_MAX); // the rest on the next tick
      if (!scans.length) return;
      state.flushing = true;
      var byNonce = {};
      var body = {
        event_id: event,
        scans: scans.map(function (scan) {
          byNonce[scan.nonce] = scan;
          var item = { code: scan.code, nonce: scan.nonce, scanned_at: scan.scanned_at };
          if (scan.gate) item.gate = scan.gate;
          if (scan.collect_minor) item.collect_minor = scan.collect_minor;
          return item;
        }),
      };
      return call("POST", "/checkins/batch", body).then(function (answer) {
        var results = answer.results || [];
        var problems = results.filter(function (r) { return r.conflict || r.status !== "ok"; }).map(function (r) {
          var scan = byNonce[r.nonce] || {};
          return {
            name: scan.holder_name || "", tier: scan.tier || "", status: r.status, conflict: !!r.conflict,
            scanned_at: scan.scanned_at, first: r.checked_in_at || null, gate: r.gate || "",
          };
        });
        return record(problems, results.map(function (r) { return r.nonce; }));
      }, function (err) {
        // Scans the server will never take (e.g. a week old): listed, not resent forever.
        var bad = err.status === 422 && err.body && err.body.errors && err.body.errors.scans;
        if (!bad) throw err;
        var dropped = Object.keys(bad).map(function (i) { return body.scans[+i]; }).filter(Boolean);
        if (!dropped.length) throw err;
        return record(dropped.map(function (item) {
          var scan = byNonce[item.nonce];
          return { name: scan.holder_name || "", tier: scan.tier || "", status: "error", scanned_at: scan.scanned_at };
        }), dropped.map(function (item) { return item.nonce; }));
      }).finally(function () { state.flushing = false; });
    });
  }

  // Sent (or given up): the scans leave the phone; problems are listed on it.
  function record(problems, nonces) {
    var event = ctx.eventId;
    return Store.forget(nonces).then(function () {
      return Store.meta(event);
    }).then(function (meta) {
      if (!meta) return;
      meta.conflicts = problems.concat(meta.conflicts || []).slice(0, 50);
      state.meta = meta;
      return Store.saveMeta(meta);
    });
  }

  function revoked() {
    if (state.wiped) return;
    state.wiped = true;
    Device.wipe().then(function () {
      el.banner.hidden = false;
      el.banner.className = "door-offline door-offline-revoked";
      el.bannerText.textContent = s("revoked", "This device link was revoked: the door list was removed from this phone.");
    });
  }

  // ---- the banner: offline, last synced, unsent scans, conflicts ------------

  function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    banner();
  }

  function isOffline() { return !navigator.onLine || !state.online; }

  function hhmm(iso) {
    if (!iso) return "";
    return new Intl.DateTimeFormat(ctx.lang === "en" ? "en-GB" : ctx.lang, {
      hour: "2-digit", minute: "2-digit", timeZone: ctx.timeZone,
    }).format(new Date(iso));
  }

  function banner() {
    if (state.wiped || !ctx) return;
    Store.pending(ctx.eventId).then(function (pending) {
      var meta = state.meta;
      var parts = [];
      if (isOffline()) {
        parts.push(meta && meta.synced_at
          ? fill(s("offline", "Offline — last synced {time}"), { time: hhmm(meta.synced_at) })
          : s("offline_no_list", "Offline — no door list on this phone yet"));
      }
      if (pending.length) parts.push(fill(s("unsent", "Scans to send: {count}"), { count: pending.length }));
      el.bannerText.textContent = parts.join(" · ");
      el.banner.className = "door-offline" + (isOffline() ? " is-offline" : "");
      el.banner.dataset.state = isOffline() ? "offline" : "online";
      el.banner.hidden = parts.length === 0;
      renderConflicts(meta ? meta.conflicts || [] : []);
    }).catch(function () {});
  }

  function renderConflicts(conflicts) {
    el.conflicts.innerHTML = "";
    el.conflictBox.hidden = conflicts.length === 0;
    conflicts.forEach(function (c) {
      var li = document.createElement("li");
      var status = c.status === "already_checked_in" ? s("conflict_in", "already let in elsewhere")
        : c.status === "ok" ? s("conflict_also", "also let in elsewhere, later")
        : c.status === "error" ? s("not_taken", "not accepted by the server")
        : (ctx.reasons[c.status] || c.status);
      li.textContent = (c.name || "?") + (c.tier ? " (" + c.tier + ")" : "") + " — " + status +
        (c.first ? " " + fill(s("at", "at {time}"), { time: ctx.localTime(c.first) }) : "") + (c.gate ? " · " + c.gate : "");
      el.conflicts.appendChild(li);
    });
  }

  // ---- deciding without network -------------------------------------------

  function decide(body) {
    var event = ctx.eventId;
    return Store.meta(event).then(function (meta) {
      if (!meta || !meta.salt) return { status: "no_list", data: {} };
      return codeHash(body.code, meta.salt).then(function (hash) {
        return Store.ticket(event, hash).then(function (row) { return judge(body, hash, row, meta); });
      });
    }).catch(function () { return { status: "no_list", data: {} }; });
  }

  function judge(body, hash, row, meta) {
    if (!row) return { status: "invalid", data: { message: s("unknown", "This code is not on the door list.") } };
    var ticket = { holder_name: row.holder_name, tier: row.ticket_type };
    if (row.checked_in_at) {
      return { status: "already_checked_in", data: { ticket: ticket, first_checked_in_at: row.checked_in_at, gate: row.gate || "", offline: true } };
    }
    if (row.status === "revoked" || row.status === "refunded" || row.status === "canceled") return { status: "revoked", data: { ticket: ticket } };
    if (row.status === "unpaid") {
      if (!row.amount_due_minor) return { status: "unpaid", data: { ticket: ticket } };
      if (body.collect_minor !== row.amount_due_minor) {
        return { status: "collect", data: { ticket: ticket, amount_due_minor: row.amount_due_minor, currency: meta.currency, order_tickets: row.order_tickets || 1, offline: true } };
      }
    }
    var now = new Date().toISOString();
    var scan = {
      nonce: body.nonce, event: ctx.eventId, code: normalizeCode(body.code), code_hash: hash,
      scanned_at: now, gate: body.gate || "", holder_name: row.holder_name, tier: row.ticket_type,
    };
    if (body.collect_minor) scan.collect_minor = body.collect_minor;
    var admitted = Object.assign({}, row, { checked_in_at: now, gate: body.gate || "", here: true });
    if (body.collect_minor) { admitted.status = "valid"; delete admitted.amount_due_minor; }
    return Store.admit(scan, admitted).then(function () {
      // The cash paid the whole reservation: its other tickets are valid now.
      if (body.collect_minor && row.order_id) return Store.orderPaid(ctx.eventId, row.order_id);
    }).then(function () {
      banner();
      return { status: "ok", data: { ticket: ticket, checked_in_at: now, offline: true } };
    });
  }

  function money(minor, currency) {
    try {
      var digits = new Intl.NumberFormat("en", { style: "currency", currency: currency }).resolvedOptions().maximumFractionDigits;
      return new Intl.NumberFormat(ctx.lang, { style: "currency", currency: currency }).format(minor / Math.pow(10, digits));
    } catch (e) { return (minor / 100).toFixed(2) + " " + (currency || ""); }
  }

  // What an offline answer looks like: the same screens as online, plus two of its own.
  // An answer of the offline door's own, with the amber sound (never the red buzz).
  function amber(status, data, classes, word, detailText) {
    ctx.show("already_checked_in", { ticket: data.ticket });
    var result = el.result();
    result.className = "door-result " + classes;
    result.dataset.status = status;
    el.word().textContent = word;
    var detail = document.getElementById("result-detail");
    detail.textContent = detailText;
    return detail;
  }

  function render(answer, body) {
    if (answer.status === "no_list") {
      amber("no_list", {}, "result-offline", s("no_list", "CANNOT CHECK OFFLINE"),
        s("no_list_detail", "No door list on this phone yet: check the ticket by hand, or wait for the network."));
      return;
    }
    if (answer.status === "collect" && window.doorScanner && window.doorScanner.hooks && window.doorScanner.hooks.answer) {
      // scanner-cash.js draws COLLECT as online; its "Cash received" scans again with
      // collect_minor, which decide() admits offline.
      ctx.show("unpaid", Object.assign({}, answer.data, {
        ticket: Object.assign({ code: body.code }, answer.data.ticket), tickets_in_order: answer.data.order_tickets,
      }));
      return;
    }
    if (answer.status === "collect") {
      var detail = amber("collect", answer.data, "result-already result-collect", s("collect", "COLLECT"), "");
      detail.textContent = fill(s("collect_amount", "Collect {amount} in cash"), { amount: money(answer.data.amount_due_minor, answer.data.currency) }) +
        (answer.data.order_tickets > 1 ? " · " + fill(s("collect_tickets", "tickets in this reservation: {count}"), { count: answer.data.order_tickets }) : "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "door-next door-cash";
      button.textContent = s("cash_received", "Cash received");
      button.addEventListener("click", function (e) {
        e.stopPropagation();
        var paid = Object.assign({}, body, { collect_minor: answer.data.amount_due_minor });
        decide(paid).then(function (next) { render(next, paid); });
      });
      detail.appendChild(document.createElement("br"));
      detail.appendChild(button);
      return;
    }
    ctx.show(answer.status, answer.data);
    if (answer.data && answer.data.offline) el.result().classList.add("is-offline");
  }

  function search(q) { return Store.search(ctx.eventId, fold(q)); }
  function counts() { return Store.counts(ctx.eventId); }

  // An online answer updates the device's list at once (a delta follows).
  function noteOnline(body, answer) {
    if (answer.status !== "ok" || !state.meta) return;
    var event = ctx.eventId;
    codeHash(body.code, state.meta.salt).then(function (hash) {
      return Store.ticket(event, hash).then(function (row) {
        if (!row) return;
        row.checked_in_at = (answer.data && answer.data.checked_in_at) || new Date().toISOString();
        row.gate = body.gate || "";
        if (row.status === "unpaid") { row.status = "valid"; delete row.amount_due_minor; }
        return Store.putTicket(row);
      });
    }).catch(function () {});
  }

  function startScanning() {
    ctx.root.dataset.sound = ctx.unlockAudio() || "";
    Device.keepAwake();
    el.start.hidden = true;
    ctx.startCamera();
  }

  function attach(context) {
    ctx = context;
    var box = document.getElementById("door-offline");
    if (!box) return null;
    try { S = JSON.parse(box.dataset.strings || "{}"); } catch (e) { S = {}; }
    el = {
      banner: box,
      bannerText: document.getElementById("door-offline-text"),
      conflictBox: document.getElementById("door-conflicts"),
      conflicts: document.getElementById("door-conflict-list"),
      start: document.getElementById("door-start"),
      result: function () { return document.getElementById("door-result"); },
      word: function () { return document.getElementById("result-word"); },
    };
    el.start.addEventListener("click", startScanning);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && el.start.hidden) Device.keepAwake();
    });
    window.addEventListener("online", function () { state.online = true; sync(); });
    window.addEventListener("offline", function () { setOnline(false); });
    Device.watchLogout(flush);
    Store.meta(ctx.eventId).then(function (meta) { state.meta = meta || null; banner(); }).catch(function () {});
    // The page's own first requests go first; then the list, then the worker
    // (which fetches this page again to keep it): a calmer start for the server.
    setTimeout(function () {
      sync().finally(function () { Device.installWorker(ctx.root); });
      setInterval(function () { if (navigator.onLine) sync(); }, SYNC_EVERY_MS);
    }, FIRST_SYNC_MS);
    return {
      isOffline: isOffline,
      decide: decide,
      render: render,
      search: search,
      counts: counts,
      noteOnline: noteOnline,
      wentOffline: function () { setOnline(false); },
      // A scan refused with 401: the next sync confirms (or not) a revoked link.
      unauthorized: function () { state.refused += 1; sync(); },
    };
  }

  window.DoorOffline = { attach: attach, fold: fold, codeHash: codeHash };
})();
