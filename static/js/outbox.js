// Requests written without a connection: kept on the device (IndexedDB) and
// sent when the connection returns, by Background Sync in the service worker
// where the browser has it, or by the next page that opens. Loaded by every
// page and imported by the service worker (static/js/sw.js).
//
// Exactly once: the form carries an idempotency key and the server returns
// the same request for the same key (appeals.services.appeal_submit); a Web
// Lock keeps a page and the worker from sending the same record together.
(function (scope) {
  "use strict";

  const DB_NAME = "mycity";
  const STORE = "outbox";
  const SYNC_TAG = "mycity-outbox";
  const LOCK = "mycity-outbox";
  const PHOTO_EDGE = 1600; // px: photos are shrunk on the device before they wait
  const PHOTO_QUALITY = 0.8;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  const records = () => withStore("readonly", (store) => store.getAll());
  const save = (record) => withStore("readwrite", (store) => store.put(record));
  const remove = (id) => withStore("readwrite", (store) => store.delete(id));

  async function currentToken(action) {
    // The token kept with the record may be stale (a new sign-in rotates it).
    const response = await fetch(action, { credentials: "same-origin" });
    const match = (await response.text()).match(/name="csrfmiddlewaretoken" value="([^"]+)"/);
    return match ? match[1] : null;
  }

  function body(record, token) {
    const data = new FormData();
    for (const [name, value] of record.fields) {
      data.append(name, name === "csrfmiddlewaretoken" && token ? token : value);
    }
    for (const file of record.files) data.append(file.field, file.blob, file.name);
    return data;
  }

  async function post(record, token) {
    return fetch(record.action, {
      method: "POST",
      body: body(record, token),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    });
  }

  async function sendOne(record) {
    let response = await post(record, null);
    if (response.status === 403) response = await post(record, await currentToken(record.action));
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && type.startsWith("application/json")) {
      const data = await response.json();
      await save({
        ...record,
        state: "sent",
        reference: data.reference || "",
        url: data.url,
        message: data.message || "",
        label: data.label || "",
        files: [],
      });
      return "sent";
    }
    if (response.ok) {
      // Redirected to the sign-in page: wait until the person signs in again.
      await save({ ...record, state: "pending", needsSignIn: true });
      return "pending";
    }
    // 429: too many in a short while; kept and sent again later, like a lost connection.
    // So is any 5xx (503 while the database is away, with Retry-After): thrown below.
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      let message = "";
      let retryUrl = record.action;
      if (type.startsWith("application/json")) {
        const data = await response.json();
        message = data.message || "";
        retryUrl = data.url || retryUrl;
      }
      await save({ ...record, state: "refused", message, retryUrl });
      return "refused";
    }
    throw new Error(`server answered ${response.status}`);
  }

  async function flushNow() {
    // In the order they were written: a survey's screens build on each other.
    const waiting = (await records()).sort((a, b) => a.createdAt - b.createdAt);
    for (const record of waiting) {
      if (record.state !== "pending") continue;
      try {
        await sendOne(record);
      } catch (error) {
        break; // the network is still down: the rest wait too
      }
    }
    return records();
  }

  function flush() {
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request(LOCK, flushNow);
    }
    return flushNow();
  }

  async function tellPages(result) {
    if (!scope.clients) return;
    const windows = await scope.clients.matchAll({ type: "window" });
    for (const client of windows) client.postMessage({ type: "outbox", records: result });
  }

  async function shrink(file) {
    if (!file.type.startsWith("image/") || typeof createImageBitmap !== "function") return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const ratio = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => {
        canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY);
      });
      return blob || file;
    } catch (error) {
      return file; // the server re-encodes it anyway
    }
  }

  async function keepFormData(action, formData, resize, title = "") {
    const fields = [];
    const files = [];
    for (const [name, value] of formData.entries()) {
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value.size > 0) {
        const blob = resize ? await shrink(value) : value;
        const base = value.name.replace(/\.[^.]*$/, "");
        files.push({ field: name, blob, name: blob === value ? value.name : `${base}.jpg` });
      }
    }
    const value = (name) => (fields.find(([field]) => field === name) || [null, ""])[1];
    const record = {
      id: value("idempotency_key") || crypto.randomUUID(),
      action,
      title: title || value("title"),
      fields,
      files,
      state: "pending",
      createdAt: Date.now(),
    };
    await save(record);
    return record;
  }

  const keep = (form) =>
    keepFormData(form.action, new FormData(form), true, form.dataset.outboxTitle || "");

  scope.MyCityOutbox = { SYNC_TAG, flush, records, remove, tellPages, keep, keepFormData };

  if (typeof document === "undefined") return; // the service worker stops here

  // ---- Pages -------------------------------------------------------------

  function text(panel, name, values) {
    let message = panel.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) message = message.replace(`{${key}}`, value);
    return message;
  }

  // Sent records are removed from the device once announced; the page keeps
  // announcing them while it is open, whoever (page or worker) sent them.
  const announced = new Map();

  function show(result) {
    const panel = document.getElementById("outbox-status");
    if (!panel) return;
    for (const record of result.filter((r) => r.state === "sent")) {
      announced.set(record.id, record);
      remove(record.id);
    }
    panel.replaceChildren();
    const pending = result.filter((record) => record.state === "pending");
    if (pending.length) {
      const line = document.createElement("p");
      line.className = "alert alert-warning mb-2";
      const waiting = pending.some((record) => record.needsSignIn) ? "msgSignIn" : "msgPending";
      line.textContent = text(panel, waiting, { count: pending.length });
      const list = document.createElement("ul");
      list.className = "mb-0 mt-1";
      for (const record of pending) {
        const item = document.createElement("li");
        item.textContent = record.title;
        list.append(item);
      }
      line.append(list);
      panel.append(line);
    }
    for (const record of announced.values()) {
      const line = document.createElement("p");
      line.className = "alert alert-success mb-2";
      // The server may word the outcome itself (a survey screen), else "registered as".
      line.textContent = `${record.message || text(panel, "msgSent", { title: record.title })} `;
      const link = document.createElement("a");
      link.href = record.url;
      link.textContent = record.reference || record.label;
      line.append(link);
      panel.append(line);
    }
    for (const record of result.filter((r) => r.state === "refused")) {
      const line = document.createElement("div");
      line.className = "alert alert-danger mb-2";
      const what = document.createElement("p");
      what.className = "mb-2";
      what.textContent = `${text(panel, "msgRefused", { title: record.title })} ${record.message || ""}`;
      const retry = document.createElement("a");
      retry.className = "btn btn-sm btn-outline-danger me-2";
      retry.href = record.retryUrl || record.action;
      retry.textContent = panel.dataset.msgOpenForm || "";
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-sm btn-link";
      discard.textContent = panel.dataset.msgDiscard || "";
      discard.addEventListener("click", () => remove(record.id).then(() => line.remove()));
      line.append(what, retry, discard);
      panel.append(line);
    }
    panel.hidden = !panel.childElementCount;
  }

  // While something waits and the page is open, try again: the "online" event
  // can come before the network really carries anything.
  const RETRY_MS = [2000, 5000, 15000, 30000, 60000];
  let retries = 0;
  let retryTimer = null;

  function flushAndShow() {
    if (!("indexedDB" in scope)) return;
    clearTimeout(retryTimer);
    const run = navigator.onLine ? flush() : records();
    run
      .then((result) => {
        show(result);
        const waiting = result.some((record) => record.state === "pending" && !record.needsSignIn);
        if (waiting && navigator.onLine) {
          retryTimer = setTimeout(flushAndShow, RETRY_MS[Math.min(retries, RETRY_MS.length - 1)]);
          retries += 1;
        } else {
          retries = 0;
        }
      })
      .catch(() => {});
  }

  async function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    try {
      const registration = await navigator.serviceWorker.ready;
      if (registration.sync) await registration.sync.register(SYNC_TAG);
    } catch (error) {
      // No Background Sync: the next page opened online sends it.
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-outbox]");
    if (!form || navigator.onLine || !("indexedDB" in scope)) return;
    event.preventDefault();
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    keep(form)
      .then((record) => {
        const key = form.elements.idempotency_key;
        if (key) {
          key.value = crypto.randomUUID(); // the next request is a new one
          form.reset();
        }
        records().then(show);
        askForSync();
        const panel = document.getElementById("outbox-status");
        if (panel) panel.focus();
        return record;
      })
      .catch(() => {
        // Storage refused (private mode, full disk): let the browser try to send it.
        form.submit();
      });
  });

  window.addEventListener("online", flushAndShow);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox") show(event.data.records);
    });
  }
  document.addEventListener("DOMContentLoaded", flushAndShow);
  document.addEventListener("submit", (event) => {
    // Signing out forgets the pages kept for this person.
    if (!event.target.matches("form[data-forget-pages]")) return;
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-pages" });
    }
  });
})(self);
