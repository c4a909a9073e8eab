// Keneya's service worker: the app shell and the pages already seen open without a network.
// Navigations and API reads go to the network first and fall back to what was last seen; the
// hashed assets are served from the cache. Nothing is cached for another origin, nothing that
// changes anything, and the cache is emptied when the person signs out (a shared phone).
const CACHE = "keneya-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("message", (event) => {
  if (event.data === "signed-out") event.waitUntil(caches.delete(CACHE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/v1/auth/") || url.pathname.startsWith("/_")) return;
  // Downloads of clinical documents (the FHIR export, attachments' links) are never kept on a
  // phone that others may use; the record's pages are, until sign-out.
  if (/^\/api\/v1\/records\/[^/]+\/(fhir|attachments)/.test(url.pathname)) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    // Every path of the app is the same page: keep it once, as "/".
    event.respondWith(networkFirst(request, new Request("/")));
  } else if (url.pathname.startsWith("/api/v1/")) {
    event.respondWith(networkFirst(request, request));
  }
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    if (answer.ok) await cache.put(key, answer.clone());
    // Reloaded without a network, the page has no access token yet (it cannot renew it): a
    // read the API refuses for want of one shows what this person last saw, until sign-out.
    if (answer.status === 401 && !request.headers.has("Authorization")) {
      return (await cache.match(key, { ignoreVary: true })) ?? answer;
    }
    return answer;
  } catch (offline) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
    throw offline;
  }
}
