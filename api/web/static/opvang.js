// Opvang dashboard: a little progressive enhancement. Every page works without it.
"use strict";

(function () {
  // A scenario run's page: follow its progress, reload once it has finished.
  function followJob(section) {
    var url = section.getAttribute("data-status-url");
    var status = section.querySelector(".job-status");
    var message = section.querySelector(".job-message");
    var bar = section.querySelector("progress");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (job) {
          if (status) { status.textContent = job.status; }
          if (message) { message.textContent = job.message; }
          if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
        })
        .catch(function () { window.setTimeout(function () { window.location.reload(); }, 3000); });
    }
    window.setTimeout(poll, 1000);
  }

  // Forms that take a while (a matching round): say so, and do not send twice.
  function markBusy(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
        button.textContent = form.getAttribute("data-busy");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var job = document.getElementById("job");
    if (job && job.getAttribute("data-finished") === "no") { followJob(job); }
    document.querySelectorAll("form[data-busy]").forEach(markBusy);
  });
})();
