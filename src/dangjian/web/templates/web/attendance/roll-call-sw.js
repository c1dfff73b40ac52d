{% load i18n static %}{% get_current_language as LANGUAGE_CODE %}{% get_static_prefix as STATIC_PREFIX %}/* The offline roll call's service worker (docs/attendance.md, "Offline roll call"); scope /attendance/.

   It keeps a copy of each roll-call page the head teacher opened, and of the static files those pages use, so that
   the page opens again without network (on a bus at a teaching site). Pages: network first (a weak network gets
   a few seconds), the kept copy when there is no answer. Static files: the kept copy, refreshed in the background.
   Marks are not its business: roll-call-offline.js keeps them in IndexedDB and sends them through the API.
   The copies belong to the user who opened the pages: when another user's page asks, the copies are dropped. */

const CACHE = "dangjian-roll-call-v1";
const USER_KEY = "/attendance/sw-user";
const PAGE = /^\/attendance\/sessions\/\d+\/$/;
const NETWORK_WAIT_MS = 5000;
const OFFLINE_PAGE = "<!DOCTYPE html><html lang=\"{{ LANGUAGE_CODE|escapejs }}\"><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{{ offline_title|escapejs }}</title>" +
  "<p>{{ offline_text|escapejs }}</p></html>";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("dangjian-roll-call-") && name !== CACHE) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

async function cacheOf(user) {
  let cache = await caches.open(CACHE);
  const owner = await cache.match(USER_KEY);
  if (owner && (await owner.text()) !== String(user)) {
    await caches.delete(CACHE);
    cache = await caches.open(CACHE);
  }
  await cache.put(USER_KEY, new Response(String(user)));
  return cache;
}

async function keep(urls, user) {
  const cache = await cacheOf(user);
  await Promise.all(urls.map(async (url) => {
    try {
      const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
      if (response.ok && !response.redirected) { await cache.put(url, response); }
    } catch (error) {
      // offline already: the next visit keeps it
    }
  }));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    const here = new URL(self.registration.scope);
    const urls = data.urls.filter((url) => new URL(url, here).origin === here.origin);
    event.waitUntil(keep(urls, data.user));
  }
});

function within(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

async function page(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  try {
    const response = await within(fetch(request), NETWORK_WAIT_MS);
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(url.pathname);
    return kept || new Response(OFFLINE_PAGE, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  }
}

async function staticFile(request, event) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  const key = url.pathname + url.search;
  const kept = await cache.match(key);
  const fresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") { await cache.put(key, response.clone()); }
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => null));
    return kept;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }  // the API's PUT goes to the network, always
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && PAGE.test(url.pathname)) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("{{ STATIC_PREFIX|escapejs }}")) {
    event.respondWith(staticFile(request, event));
  }
});
