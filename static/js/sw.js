// The service worker of My City, served from /sw.js so that its scope is the
// whole site. It
// - shows web push notifications (payload: see
//   citizens/notifications/channels/webpush.py), opens their link on a tap,
//   and acknowledges the critical alerts that would otherwise come by SMS;
// - keeps a copy of the pages that ask for it (<html data-offline-keep>: the
//   home page, alerts, the resident's own requests, service centres, the
//   request form, the register of points of help and its map) and of our
//   static files, and of the data those pages load (KEPT_DATA: the points'
//   GeoJSON), and serves them when the network
//   is gone, marked <html data-offline-copy> so the page shows "as of HH:MM";
// - sends requests written offline (static/js/outbox.js) on Background Sync.
// Pages are network first: a fresh page always wins when the network answers.
"use strict";

try {
  importScripts("/static/js/outbox.js");
} catch (error) {
  // Without the outbox the worker still shows pushes and offline copies.
}

// Each quoted static path here is rewritten to the file's hashed name when
// /sw.js is served (citizens/notifications/views/push.py), so these names never
// go stale, and a deployment that changes one of these files changes the worker.
const DEFAULT_ICON = "/static/img/icons/icon-192.png";
// What every page needs, kept at install so that the offline page looks right
// even before a page has handed the worker its own files.
const PRECACHE = [
  "/static/css/bootstrap-used.min.css",
  "/static/css/mycity.css",
  "/static/js/app.js",
  "/static/js/outbox.js",
  "/static/img/favicon.svg",
];
const ASSETS = "mycity-assets-v1";
const PAGES = "mycity-pages-v1";
const OFFLINE_URL = "/offline/";
const KEEP_MARK = "data-offline-keep";
// A slow network may keep a kept page waiting this long before the copy is shown.
const NETWORK_PATIENCE_MS = 7000;
// The offline page lists the city's alerts with their times: while the network
// works it is fetched again at most this often, so it is never older than that
// when the connection drops.
const OFFLINE_FRESH_MS = 5 * 60 * 1000;
let offlineCheckedAt = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all([
      caches
        .open(PAGES)
        .then((cache) => cache.add(new Request(OFFLINE_URL, { credentials: "same-origin" }))),
      // A missing asset must not stop the worker from installing.
      caches.open(ASSETS).then((cache) =>
        cache
          .addAll(PRECACHE)
          .then(() => Promise.all(PRECACHE.map((href) => dropOtherVersions(cache, href))))
          .catch(() => undefined),
      ),
    ]).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("mycity-") && name !== ASSETS && name !== PAGES)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "cache-assets" && Array.isArray(data.urls)) {
    event.waitUntil(
      caches.open(ASSETS).then((cache) =>
        Promise.all(
          data.urls
            .map((raw) => new URL(raw, self.location.origin))
            .filter(isStatic)
            .map((url) =>
              cache
                .match(url.href)
                .then(
                  (hit) =>
                    hit ||
                    cache.add(url.href).then(() => dropOtherVersions(cache, url.href)),
                )
                .catch(() => undefined),
            ),
        ),
      ),
    );
  } else if (data.type === "forget-pages") {
    event.waitUntil(forgetPages());
  }
});

function forgetPages() {
  // Someone signs out: their own pages must not stay readable on this device.
  return caches.open(PAGES).then((cache) =>
    cache.keys().then((requests) =>
      Promise.all(
        requests
          .filter((request) => new URL(request.url).pathname !== OFFLINE_URL)
          .map((request) => cache.delete(request)),
      ),
    ),
  );
}

// collectstatic's hashed names (app.3f2a9c1b7e4d.js) never change content.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

// js/app.3f2a9c1b7e4d.js and js/app.js are two versions of one file. (No quoted
// static path in a comment: each is rewritten to its hashed name when served.)
function fileOf(pathname) {
  return pathname.replace(/\.[0-9a-f]{12}(\.[a-z0-9]+)$/, "$1");
}

// The version just kept is the current one: each deployment's files would
// otherwise pile up on the phone, next to the ones still in use.
async function dropOtherVersions(cache, href) {
  const kept = new URL(href, self.location.origin).pathname;
  const requests = await cache.keys();
  await Promise.all(
    requests
      .filter((request) => {
        const pathname = new URL(request.url).pathname;
        return pathname !== kept && fileOf(pathname) === fileOf(kept);
      })
      .map((request) => cache.delete(request)),
  );
}

async function staticFirst(request) {
  const cache = await caches.open(ASSETS);
  const hashed = HASHED.test(new URL(request.url).pathname);
  const hit = await cache.match(request);
  if (hit && hashed) return hit;
  try {
    const response = await fetch(request);
    if (response.ok) {
      cache
        .put(request, response.clone())
        .then(() => dropOtherVersions(cache, request.url))
        .catch(() => undefined);
    }
    return response;
  } catch (error) {
    if (hit) return hit;
    throw error;
  }
}

function pageKey(request) {
  const url = new URL(request.url);
  url.hash = "";
  return url.href;
}

async function markedCopy(response) {
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.set("Content-Type", "text/html; charset=utf-8");
  return new Response(text.replace("<html ", "<html data-offline-copy "), {
    status: 200,
    headers,
  });
}

async function keepIfAsked(request, response) {
  const cache = await caches.open(PAGES);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) return;
  const text = await response.text();
  if (text.includes(KEEP_MARK)) {
    await cache.put(pageKey(request), new Response(text, { headers: { "Content-Type": type } }));
  } else {
    await cache.delete(pageKey(request));
  }
}

// Data (not pages) kept the same way: network first, the last copy offline.
// The register's map reads the points from it (outages/urls.py).
const KEPT_DATA = /^\/points\/points\.geojson$/;

async function dataNetworkFirst(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(pageKey(request), response.clone());
    return response;
  } catch (error) {
    const copy = await cache.match(pageKey(request));
    if (copy) return copy;
    throw error;
  }
}

async function offlineFallback(request) {
  const cache = await caches.open(PAGES);
  const copy = (await cache.match(pageKey(request))) || (await cache.match(OFFLINE_URL));
  if (copy) return markedCopy(copy);
  return new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

async function refreshOfflinePage() {
  // The worker is stopped when idle, so the saved copy's own Date header says its age.
  if (Date.now() - offlineCheckedAt < 60 * 1000) return;
  offlineCheckedAt = Date.now();
  const cache = await caches.open(PAGES);
  const saved = await cache.match(OFFLINE_URL);
  const savedAt = saved ? Date.parse(saved.headers.get("Date") || "") : NaN;
  if (Date.now() - savedAt < OFFLINE_FRESH_MS) return;
  const response = await fetch(new Request(OFFLINE_URL, { credentials: "same-origin" }));
  if (response.ok && !response.redirected) await cache.put(OFFLINE_URL, response);
}

async function networkFirst(event) {
  const request = event.request;
  const cache = await caches.open(PAGES);
  const copy = await cache.match(pageKey(request));
  const network = fetch(request).then((response) => {
    event.waitUntil(keepIfAsked(request, response.clone()).catch(() => undefined));
    event.waitUntil(refreshOfflinePage().catch(() => undefined));
    return response;
  });
  if (!copy) return network.catch(() => offlineFallback(request));
  const patience = new Promise((resolve) => {
    setTimeout(() => resolve(null), NETWORK_PATIENCE_MS);
  });
  try {
    const first = await Promise.race([network, patience]);
    if (first) return first;
  } catch (error) {
    // The network failed outright: the copy below.
  }
  return markedCopy(copy);
}

// Forms whose submission is kept on the device if the network drops while
// sending (the page keeps it itself when it already knows it is offline).
const KEEP_WHEN_OFFLINE = /^\/requests\/new\/$/;

async function sendOrKeep(request) {
  const spare = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    if (!self.MyCityOutbox) throw error;
    await self.MyCityOutbox.keepFormData(spare.url, await spare.formData(), false);
    if (self.registration.sync) {
      self.registration.sync.register(self.MyCityOutbox.SYNC_TAG).catch(() => undefined);
    }
    return offlineFallback(new Request(OFFLINE_URL));
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (url.pathname === "/accounts/logout/") event.waitUntil(forgetPages());
    if (request.mode === "navigate" && KEEP_WHEN_OFFLINE.test(url.pathname)) {
      event.respondWith(sendOrKeep(request));
    }
    return;
  }
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event));
  } else if (KEPT_DATA.test(url.pathname)) {
    event.respondWith(dataNetworkFirst(request));
  }
});

self.addEventListener("sync", (event) => {
  if (self.MyCityOutbox && event.tag === self.MyCityOutbox.SYNC_TAG) {
    event.waitUntil(self.MyCityOutbox.flush().then((result) => self.MyCityOutbox.tellPages(result)));
  }
});

function sameSiteUrl(raw) {
  // Only our own pages are opened from a notification: a link to another
  // origin keeps its path on ours.
  try {
    const url = new URL(raw || "/", self.location.origin);
    return new URL(url.pathname + url.search + url.hash, self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: data.body || "",
    data: { url: sameSiteUrl(data.url) },
    icon: data.icon || DEFAULT_ICON,
    lang: data.lang || "",
  };
  if (data.tag) options.tag = data.tag;
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(data.title || "My City", options),
      acknowledge(data.receipt),
    ]),
  );
});

// A critical alert says where to acknowledge it: without this receipt the
// server sends the alert by SMS after a few minutes, as it would to a phone
// with no data connection (citizens/notifications/sms/fallback.py). The
// token in the link is the authorisation; a failure is left to the SMS.
function acknowledge(receipt) {
  if (typeof receipt !== "string") return Promise.resolve();
  let url;
  try {
    url = new URL(receipt, self.location.origin);
  } catch (error) {
    return Promise.resolve();
  }
  if (url.origin !== self.location.origin) return Promise.resolve();
  return fetch(url.href, { method: "POST", credentials: "omit", cache: "no-store" }).catch(
    () => undefined,
  );
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameSiteUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target && "focus" in client) return client.focus();
      }
      if (self.clients.openWindow) return self.clients.openWindow(target);
      return undefined;
    }),
  );
});
