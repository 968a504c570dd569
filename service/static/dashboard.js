// The dashboard works without this script; with it, ages stay current and a wall screen
// (a page left open) reloads itself every five minutes while it is visible.
(function () {
  "use strict";
  var RELOAD_MS = 5 * 60 * 1000;
  var UNITS = [["天", 86400], ["小时", 3600], ["分钟", 60]];

  function age(seconds) {
    if (seconds < 60) { return "刚刚"; }
    for (var i = 0; i < UNITS.length; i++) {
      if (seconds >= UNITS[i][1]) { return Math.floor(seconds / UNITS[i][1]) + UNITS[i][0] + "前"; }
    }
    return "刚刚";
  }

  function refreshAges() {
    var now = Date.now();
    document.querySelectorAll("time[data-age]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(then)) { el.textContent = age((now - then) / 1000); }
    });
  }

  var loaded = Date.now();
  setInterval(function () {
    refreshAges();
    if (document.visibilityState === "visible" && Date.now() - loaded > RELOAD_MS &&
        !document.querySelector("input:focus")) {
      window.location.reload();
    }
  }, 60 * 1000);
  document.addEventListener("DOMContentLoaded", refreshAges);
}());
