// Starts Swagger UI on the spec URL given by the page (no inline script: strict CSP).
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: el.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true });
})();
