// Live preview for the summary editor. The server renders the Markdown with
// the same pipeline as a saved summary, so the preview shows exactly what will
// be published; the returned HTML is already sanitised.
(function () {
  "use strict";

  var DELAY_MS = 400;

  function setUp(textarea) {
    var target = document.getElementById(textarea.dataset.previewTarget);
    var form = textarea.form;
    if (!target || !form) {
      return;
    }
    var url = target.dataset.previewUrl;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var inFlight = null;

    function render() {
      if (inFlight) {
        inFlight.abort();
      }
      inFlight = new AbortController();
      var body = new FormData();
      body.append("source", textarea.value);
      target.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
        signal: inFlight.signal,
      })
        .then(function (response) {
          return response.text().then(function (text) {
            return { ok: response.ok, text: text };
          });
        })
        .then(function (result) {
          target.removeAttribute("aria-busy");
          if (result.ok) {
            target.innerHTML = result.text;
          } else {
            var message = document.createElement("p");
            message.className = "preview-error";
            message.textContent = result.text || "The preview could not be rendered.";
            target.replaceChildren(message);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            target.removeAttribute("aria-busy");
            var message = document.createElement("p");
            message.className = "preview-error";
            message.textContent = "The preview is unavailable: " + error.message;
            target.replaceChildren(message);
          }
        });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, DELAY_MS);
    });
    if (textarea.value.trim()) {
      render();
    }
  }

  document.querySelectorAll("textarea[data-preview-target]").forEach(setUp);
})();
