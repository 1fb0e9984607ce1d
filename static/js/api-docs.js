// Starts Swagger UI on the API docs page (templates/drf_spectacular/
// swagger_ui.html). The schema address, Swagger UI's settings and the CSRF
// token come from data attributes, because the Content-Security-Policy
// allows no inline script.
(function () {
  "use strict";

  var SAFE_METHODS = ["GET", "HEAD", "OPTIONS", undefined];

  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var data = root.dataset;
  var settings = data.settings ? JSON.parse(data.settings) : {};

  // "Try it out" sends requests with the session cookie, and the API checks
  // the CSRF token on every write made with a session.
  function addCsrfToken(request) {
    var method = request.method ? request.method.toUpperCase() : undefined;
    if (
      SAFE_METHODS.indexOf(method) === -1 &&
      request.credentials === "same-origin" &&
      data.csrfHeader
    ) {
      request.headers[data.csrfHeader] = data.csrfToken;
    }
    return request;
  }

  var options = {
    url: data.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: addCsrfToken,
  };
  Object.keys(settings).forEach(function (name) {
    options[name] = settings[name];
  });
  window.ui = SwaggerUIBundle(options);
})();
