/* The door list on the device, in IndexedDB: keyed hashes of ticket codes
 * (never the codes), names, tiers and statuses per event; the sync cursor and
 * salt; and the scans made offline, kept (with their code) only until the
 * server has them.
 *
 * One database, "door", so wiping it (device link revoked, log out) is one call.
 */
(function () {
  "use strict";

  var NAME = "door";
  var VERSION = 1;
  var opening = null;

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        var tickets = db.createObjectStore("tickets", { keyPath: "key" });
        tickets.createIndex("event", "event");
        db.createObjectStore("meta", { keyPath: "event" });
        var pending = db.createObjectStore("pending", { keyPath: "nonce" });
        pending.createIndex("event", "event");
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = function () { opening = null; reject(request.error); };
      request.onblocked = function () { opening = null; reject(new Error("blocked")); };
    });
    return opening;
  }

  function run(stores, mode, work) {
    return open().then(function (db) {
      var tx = db.transaction(stores, mode);
      var result = work(tx);
      return done(tx).then(function () { return result; });
    });
  }

  function byEvent(storeName, event) {
    return open().then(function (db) {
      var index = db.transaction(storeName).objectStore(storeName).index("event");
      return promised(index.getAll(IDBKeyRange.only(event)));
    });
  }

  function key(event, hash) { return event + ":" + hash; }

  // ---- keyed hashes: how a scanned code finds its ticket in the list ----------

  function normalizeCode(text) { return String(text || "").replace(/[\s\-_.]/g, "").toUpperCase(); }

  var hmac = null; // {salt, key}: the event's key, imported once
  function hmacKey(salt) {
    if (hmac && hmac.salt === salt) return Promise.resolve(hmac.key);
    var raw = new TextEncoder().encode(salt);
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]).then(function (imported) {
      hmac = { salt: salt, key: imported };
      return imported;
    });
  }

  // Lowercase hex HMAC-SHA256 of the normalized code, keyed with the salt's UTF-8 bytes.
  function codeHash(code, salt) {
    return hmacKey(salt).then(function (imported) {
      return crypto.subtle.sign("HMAC", imported, new TextEncoder().encode(normalizeCode(code)));
    }).then(function (sig) {
      return Array.prototype.map.call(new Uint8Array(sig), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }

  var Store = {
    normalizeCode: normalizeCode,
    codeHash: codeHash,
    meta: function (event) {
      return open().then(function (db) {
        return promised(db.transaction("meta").objectStore("meta").get(event));
      });
    },
    saveMeta: function (meta) {
      return run(["meta"], "readwrite", function (tx) { tx.objectStore("meta").put(meta); });
    },
    // A full list replaces the event's tickets; a delta updates those it holds.
    // Tickets admitted here but not yet synced keep their local check-in.
    saveList: function (event, tickets, full, meta) {
      return byEvent("pending", event).then(function (pending) {
        var local = {};
        pending.forEach(function (scan) { local[scan.code_hash] = scan; });
        return run(["tickets", "meta"], "readwrite", function (tx) {
          var store = tx.objectStore("tickets");
          if (full) store.index("event").openKeyCursor(IDBKeyRange.only(event)).onsuccess = function (e) {
            var cursor = e.target.result;
            if (!cursor) return putAll();
            store.delete(cursor.primaryKey);
            cursor.continue();
          };
          else putAll();
          function putAll() {
            tickets.forEach(function (ticket) {
              var row = Object.assign({}, ticket, { key: key(event, ticket.code_hash), event: event });
              // Folded once here, so a search only compares (the server's key when it sent one).
              row.folded = ticket.search_key || window.DoorFold.fold(ticket.holder_name);
              var scan = local[ticket.code_hash];
              if (scan && !row.checked_in_at) {
                row.checked_in_at = scan.scanned_at;
                row.gate = scan.gate;
                row.here = true;
                if (scan.collect_minor) { row.status = "valid"; delete row.amount_due_minor; }
              }
              store.put(row);
            });
          }
          tx.objectStore("meta").put(meta);
        });
      });
    },
    ticket: function (event, hash) {
      return open().then(function (db) {
        return promised(db.transaction("tickets").objectStore("tickets").get(key(event, hash)));
      });
    },
    putTicket: function (row) {
      return run(["tickets"], "readwrite", function (tx) { tx.objectStore("tickets").put(row); });
    },
    tickets: function (event) { return byEvent("tickets", event); },
    orderPaid: function (event, orderId) {
      return byEvent("tickets", event).then(function (rows) {
        return run(["tickets"], "readwrite", function (tx) {
          rows.forEach(function (row) {
            if (row.order_id !== orderId || row.status !== "unpaid") return;
            row.status = "valid";
            delete row.amount_due_minor;
            tx.objectStore("tickets").put(row);
          });
        });
      });
    },
    // Guests whose folded name holds the folded query, as the attendee search answers them.
    search: function (event, query) {
      if (!query) return Promise.resolve([]);
      return byEvent("tickets", event).then(function (rows) {
        return rows.filter(function (row) {
          return (row.folded || window.DoorFold.fold(row.holder_name)).indexOf(query) !== -1;
        }).slice(0, 50).map(function (row) {
          return {
            holder_name: row.holder_name, tier: row.ticket_type, order_id: row.order_id,
            checked_in: !!row.checked_in_at, checked_in_at: row.checked_in_at,
            ticket_status: row.status, code: null, offline: true,
          };
        });
      });
    },
    // The "in / sold" count, from the list.
    counts: function (event) {
      return byEvent("tickets", event).then(function (rows) {
        var sold = 0, inside = 0;
        rows.forEach(function (row) {
          if (row.status === "revoked") return;
          sold += 1;
          if (row.checked_in_at) inside += 1;
        });
        return { sold: sold, checked_in: inside };
      });
    },
    // An offline admission: the scan to send, and the ticket marked in, together.
    admit: function (scan, row) {
      return run(["pending", "tickets"], "readwrite", function (tx) {
        tx.objectStore("pending").put(scan);
        tx.objectStore("tickets").put(row);
      });
    },
    pending: function (event) {
      return byEvent("pending", event).then(function (scans) {
        return scans.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      });
    },
    forget: function (nonces) {
      return run(["pending"], "readwrite", function (tx) {
        var store = tx.objectStore("pending");
        nonces.forEach(function (nonce) { store.delete(nonce); });
      });
    },
    // Everything on the device goes: the door list, the unsent scans, the cursor.
    wipe: function () {
      var closing = opening ? opening.then(function (db) { db.close(); }).catch(function () {}) : Promise.resolve();
      opening = null;
      return closing.then(function () {
        return new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(NAME);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      });
    },
  };

  window.DoorStore = Store;
})();
