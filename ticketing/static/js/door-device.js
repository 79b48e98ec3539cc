/* The scanner phone itself: its service worker (offline reload), a screen
 * that stays awake while scanning, and wiping what the door left on it
 * (IndexedDB door list, caches) when the link is revoked or the volunteer
 * logs out. Used by door-offline.js.
 */
(function () {
  "use strict";

  var Store = window.DoorStore;

  function wipe() {
    var jobs = [Store.wipe()];
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "wipe" });
    }
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return caches.delete(name); }));
      }));
    }
    return Promise.all(jobs).catch(function () {});
  }

  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    if (wakeLock && !wakeLock.released) return;
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      document.documentElement.dataset.wakeLock = "on";
      lock.addEventListener("release", function () { document.documentElement.dataset.wakeLock = "off"; });
    }).catch(function () { /* battery saver, or not allowed: the screen may dim */ });
  }

  function installWorker(root) {
    if (!("serviceWorker" in navigator) || !root.dataset.sw) return;
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!navigator.serviceWorker.controller && registration.active) {
        // This first visit came before the worker: it keeps the page now.
        registration.active.postMessage({ type: "keep-page", url: location.href });
      }
    }).catch(function () { /* no offline reload, scanning still works */ });
  }

  // Logging out sends what is still unsent, then empties the phone (the
  // logout answer's Clear-Site-Data does it too, where the browser honours it).
  function watchLogout(flush) {
    document.querySelectorAll("form.nav-logout, form[data-door-logout]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.dataset.wiped) return;
        e.preventDefault();
        flush().catch(function () {}).then(wipe).then(function () {
          form.dataset.wiped = "1";
          form.submit();
        });
      });
    });
  }

  window.DoorDevice = { wipe: wipe, keepAwake: keepAwake, installWorker: installWorker, watchLogout: watchLogout };
})();
