// The WebSocket APIs (notifications, signaling) and the events, rendered by AsyncAPI's own
// component from /api/v1/asyncapi.json.
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  window.AsyncApiStandalone.render(
    {
      schema: { url: "/api/v1/asyncapi.json" },
      config: { show: { sidebar: true }, sidebar: { showOperations: "byDefault" } },
    },
    document.getElementById("asyncapi"),
  );
});
