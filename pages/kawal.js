// Live progress of an application's evaluations: polls the page's JSON endpoint (the same
// job records `kawal jobs` shows) and updates the table; reloads once every job has ended.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-poll");
  var active = box.getAttribute("data-active") === "true";
  if (!url || !active) { return; }
  function update() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        (data.jobs || []).forEach(function (j) {
          var cell = document.getElementById("job-" + j.id + "-status");
          if (cell) { cell.textContent = j.status_label; }
        });
        var live = document.getElementById("progress-live");
        if (live) { live.textContent = data.summary; }
        if (data.active) { setTimeout(update, 2000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(update, 5000); });
  }
  setTimeout(update, 2000);
})();
