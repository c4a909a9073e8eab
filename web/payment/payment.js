// Shows the outcome the provider's page sent the payer back with, and links to the consultation.
(function () {
  "use strict";
  var query = new URLSearchParams(window.location.search);
  var outcome = query.get("result") === "paid" ? "paid" : "cancelled";
  document.getElementById(outcome).hidden = false;
  var match = window.location.pathname.match(/^\/consultations\/([^/]+)\/payment/);
  if (match) {
    document.getElementById("room").href = "/room/?consultation=" + encodeURIComponent(match[1]);
  }
})();
