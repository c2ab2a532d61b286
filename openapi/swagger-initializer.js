// Points Swagger UI at the document the app serves itself (GET /openapi.json),
// so the page shows exactly what this checkout's code answers.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // "Try it out" calls this same origin; a token from /api/login or /admin/api/login goes in "Authorize"
    persistAuthorization: false,
    presets: [ SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset ],
    plugins: [ SwaggerUIBundle.plugins.DownloadUrl ],
    layout: 'StandaloneLayout',
  });
});
