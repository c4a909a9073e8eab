// The REST reference: Swagger UI over the merged OpenAPI document, "Try it out" against this
// origin; "Authorize" takes an access token (POST /api/v1/auth/login) for the protected routes.
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    // No call home to validator.swagger.io: nothing leaves this origin.
    validatorUrl: null,
  });
});
