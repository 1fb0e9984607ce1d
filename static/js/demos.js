// Live status of demo runs. Each queued or running run's status element
// names a JSON endpoint; it is polled until the run ends, and then the demo's
// part of the page is replaced by the server-rendered (sanitised) version.
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function replaceDemo(article) {
    fetch(article.dataset.fragmentUrl, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        var holder = document.createElement("div");
        holder.innerHTML = data.html;
        var fresh = holder.querySelector("article.demo");
        if (fresh) {
          article.replaceWith(fresh);
          watch(fresh);
        }
      });
  }

  function watch(article) {
    var status = article.querySelector("[data-status-url]");
    if (!status) {
      return;
    }
    var url = status.dataset.statusUrl;
    var lastState = null;

    function poll() {
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (run) {
          if (!run) {
            setTimeout(poll, INTERVAL_MS * 2);
            return;
          }
          if (!run.active) {
            replaceDemo(article);
            return;
          }
          var state = run.status + ":" + run.progress_cell;
          if (lastState !== null && state !== lastState && run.status === "running") {
            var cell = status.querySelector(".demo-progress-cell");
            var count = status.querySelector(".demo-cell-count");
            var bar = status.querySelector("progress");
            if (cell && count && bar) {
              cell.textContent = run.progress_cell;
              count.textContent = run.cell_count;
              bar.max = run.cell_count;
              bar.value = run.progress_cell;
            } else {
              replaceDemo(article);
              return;
            }
          }
          lastState = state;
          setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          setTimeout(poll, INTERVAL_MS * 2);
        });
    }

    setTimeout(poll, INTERVAL_MS);
  }

  document.querySelectorAll("article.demo").forEach(watch);
})();
