/* The door scanner's service worker (served from /door/sw.js, which puts
 * self.DOOR_CONFIG = {version, assets, manifest, scope} in front of this file).
 *
 * - The scanner's files are cached when the worker installs; they are
 *   answered from the cache and refreshed behind (stale-while-revalidate).
 * - Scanner pages (navigations under the scope) go to the network first and
 *   are kept; with no network the kept copy answers, so a reload at a door
 *   without network still opens the scanner.
 * - The API is never touched: the page decides offline from its door list.
 * - A "wipe" message (device link revoked, logged out) empties every cache.
 */
"use strict";

var CONFIG = self.DOOR_CONFIG;
var ASSETS = "door-assets-" + CONFIG.version;
var PAGES = "door-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSETS).then(function (cache) {
      return cache.addAll(CONFIG.assets.concat([CONFIG.manifest]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("door-assets-") === 0 && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isScannerPage(url) {
  return url.origin === self.location.origin &&
    (url.pathname === CONFIG.scope || url.pathname.indexOf(CONFIG.scope + "/") === 0);
}

function fromNetworkThenKept(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); });
    } else if (response.status === 404) {
      // A device link revoked since: its kept page goes too.
      caches.open(PAGES).then(function (cache) { return cache.delete(request.url); });
    }
    return response;
  }).catch(function (err) {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request.url, { ignoreVary: true }).then(function (kept) {
        return kept || cache.match(request.url, { ignoreVary: true, ignoreSearch: true });
      });
    }).then(function (kept) {
      if (kept) return kept;
      throw err;
    });
  });
}

function keptThenRefreshed(event, cached) {
  var refresh = fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(ASSETS).then(function (cache) { return cache.put(event.request, copy); });
    }
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(function () { /* offline: the kept copy stands */ }));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (isScannerPage(url)) event.respondWith(fromNetworkThenKept(request));
    return;
  }
  var path = url.origin + url.pathname;
  var known = CONFIG.assets.concat([CONFIG.manifest]).some(function (asset) {
    return new URL(asset, self.location.origin).href === path;
  });
  if (!known) return;
  event.respondWith(
    caches.open(ASSETS).then(function (cache) {
      return cache.match(request, { ignoreSearch: true, ignoreVary: true });
    }).then(function (cached) { return keptThenRefreshed(event, cached); })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-page" && data.url) {
    // The page's first visit came before this worker controlled it.
    var url = new URL(data.url);
    if (url.origin === self.location.origin && isScannerPage(url)) {
      event.waitUntil(caches.open(PAGES).then(function (cache) {
        return fetch(data.url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok) return cache.put(data.url, response);
        });
      }).catch(function () { /* kept on the next visit */ }));
    }
  } else if (data.type === "wipe") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }));
  }
});
