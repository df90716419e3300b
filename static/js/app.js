// Progressive enhancement only: every page works without this file.
document.documentElement.classList.remove("no-js");

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-target]");
  if (!toggle) return;
  const target = document.querySelector(toggle.dataset.toggleTarget);
  if (!target) return;
  const open = target.classList.toggle("show");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});

// The installable app: register the service worker (offline copies, push)
// and hand it the page's own CSS and scripts, which loaded before it was in
// control, so that saved pages look right offline.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const assets = Array.from(
          document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon][href]"),
        ).map((element) => element.href || element.src);
        if (registration.active) registration.active.postMessage({ type: "cache-assets", urls: assets });
      })
      .catch(() => {});
  });
}

// Android's install prompt, offered on the /app/ page when the browser allows it.
let installPrompt = null;
window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  installPrompt = event;
  document.querySelectorAll("[data-install-prompt]").forEach((section) => {
    section.hidden = false;
  });
});
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-install-button]") || !installPrompt) return;
  installPrompt.prompt();
  installPrompt.userChoice.finally(() => {
    installPrompt = null;
    document.querySelectorAll("[data-install-prompt]").forEach((section) => {
      section.hidden = true;
    });
  });
});
