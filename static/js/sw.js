// The service worker of My City, served from /sw.js so that its scope is the
// whole site. It shows web push notifications (payload: see
// citizens/notifications/channels/webpush.py) and opens their link on a tap.
// No fetch handler yet: pages load from the network as usual.
"use strict";

const DEFAULT_ICON = "/static/img/favicon.svg";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
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
  event.waitUntil(self.registration.showNotification(data.title || "My City", options));
});

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
