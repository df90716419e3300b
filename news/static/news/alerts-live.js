// Keeps the urgent-alert banner current on an open page: a conditional GET
// every 10 seconds (the server answers 304 when nothing changed), paused
// while the tab is hidden and run at once when it comes back.
(() => {
  const banner = document.getElementById("alert-banner");
  const items = document.getElementById("alert-banner-items");
  if (!banner || !items || !window.fetch) return;
  const url = banner.dataset.liveUrl;
  const PERIOD = 10000;
  let timer = null;
  let busy = false;
  let etag = banner.dataset.etag || "";

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      // "no-cache": the browser revalidates with If-None-Match and hands us
      // the cached body on a 304, so an unchanged banner costs a few bytes.
      const response = await fetch(url, { cache: "no-cache", credentials: "same-origin" });
      const tag = response.headers.get("ETag") || "";
      if (response.ok && tag !== etag) {
        // Only a real change is written, so screen readers announce it once.
        items.innerHTML = await response.text();
        etag = tag;
      }
    } catch (_error) {
      // Offline or the server is busy: the next tick tries again.
    } finally {
      busy = false;
    }
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, PERIOD);
  }
  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      stop();
    } else {
      poll();
      start();
    }
  });
  if (!document.hidden) start();
  // The server had no banner data at hand (a cold cache): ask now, not in 10 s.
  if (banner.dataset.stale) poll();
})();
