// Web push on the notification settings page (citizens/notifications/_push.html).
// Without this file, or in a browser without push, the section keeps its
// "cannot receive" sentence and the device list with plain remove forms.
"use strict";

(function () {
  const section = document.querySelector("[data-push]");
  if (!section || section.dataset.pushReady) return;
  section.dataset.pushReady = "1";

  const key = section.dataset.vapidKey;
  const supported =
    window.isSecureContext &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window &&
    Boolean(key);
  if (!supported) return;

  const button = section.querySelector("[data-push-enable]");
  const unsupported = section.querySelector("[data-push-unsupported]");
  const denied = section.querySelector("[data-push-denied]");
  const status = section.querySelector("[data-push-status]");
  const messages = section.dataset;

  function say(text, kind) {
    status.textContent = text || "";
    status.classList.remove("text-success", "text-danger");
    if (kind) status.classList.add("text-" + kind);
  }

  function urlBase64ToUint8Array(base64String) {
    const padding = "=".repeat((4 - (base64String.length % 4)) % 4);
    const base64 = (base64String + padding).replace(/-/g, "+").replace(/_/g, "/");
    const raw = window.atob(base64);
    const output = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) output[i] = raw.charCodeAt(i);
    return output;
  }

  function csrfToken() {
    // base.html puts the token on <body> for htmx; the cookie is the fallback.
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) {
      // fall back to the cookie
    }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function madeWithOurKey(subscription) {
    const current = subscription.options && subscription.options.applicationServerKey;
    if (!current) return true; // older browsers do not tell
    const expected = urlBase64ToUint8Array(key);
    const actual = new Uint8Array(current);
    return actual.length === expected.length && actual.every((b, i) => b === expected[i]);
  }

  async function existingSubscription() {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return registration ? registration.pushManager.getSubscription() : null;
  }

  function markThisDevice(endpoint) {
    let found = false;
    section.querySelectorAll("[data-push-device]").forEach((item) => {
      const mine = item.dataset.pushDevice === endpoint;
      const badge = item.querySelector("[data-push-this-device]");
      if (badge) badge.hidden = !mine;
      found = found || mine;
    });
    return found;
  }

  async function turnOn() {
    button.disabled = true;
    denied.hidden = true;
    say(messages.msgWorking);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        // "default": the person closed the question without answering.
        denied.hidden = permission !== "denied";
        say("");
        return;
      }
      await navigator.serviceWorker.register(section.dataset.workerUrl, { scope: "/" });
      const registration = await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !madeWithOurKey(subscription)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: urlBase64ToUint8Array(key),
        });
      }
      const response = await fetch(section.dataset.subscribeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!response.ok) {
        let text = messages.msgFailed;
        try {
          const body = await response.json();
          if (body.error) text = body.error;
        } catch (error) {
          // keep the general message
        }
        say(text, "danger");
        return;
      }
      say(messages.msgDone, "success");
      // The device list is rendered by the server.
      window.location.reload();
    } catch (error) {
      say(messages.msgFailed, "danger");
    } finally {
      button.disabled = false;
    }
  }

  // Removing this browser also ends its subscription at the push service.
  section.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-push-remove]");
    if (!form) return;
    event.preventDefault();
    try {
      const subscription = await existingSubscription();
      if (subscription && subscription.endpoint === form.elements.endpoint.value) {
        await subscription.unsubscribe();
      }
    } catch (error) {
      // the server-side removal below is what matters
    }
    form.submit();
  });

  unsupported.hidden = true;
  button.hidden = false;
  button.addEventListener("click", turnOn);
  if (Notification.permission === "denied") denied.hidden = false;

  existingSubscription()
    .then((subscription) => {
      if (subscription && madeWithOurKey(subscription) && markThisDevice(subscription.endpoint)) {
        button.hidden = true;
        say(messages.msgOn, "success");
      }
    })
    .catch(() => {});
})();
