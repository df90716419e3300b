// The incident's area on a map, loaded only when asked for: Leaflet (our
// static copy) and the area embedded in the page as JSON (no extra request).
(() => {
  const button = document.getElementById("incident-map-open");
  const box = document.getElementById("incident-map");
  const status = document.getElementById("incident-map-status");
  const source = document.getElementById("incident-area");
  if (!button || !box || !source) return;

  function load(tag, attrs) {
    return new Promise((resolve, reject) => {
      const el = document.createElement(tag);
      Object.assign(el, attrs);
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = box.dataset.loading;
    try {
      await Promise.all([
        load("link", { rel: "stylesheet", href: button.dataset.leafletCss }),
        load("script", { src: button.dataset.leafletJs }),
      ]);
      const data = JSON.parse(source.textContent);
      box.hidden = false;
      button.hidden = true;
      const L = window.L;
      const map = L.map(box).setView([Number(box.dataset.lat), Number(box.dataset.lon)], Number(box.dataset.zoom));
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
      const layer = L.geoJSON(data, { style: () => ({ color: "#b35c00", weight: 2, fillOpacity: 0.2 }) }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] });
      status.textContent = "";
    } catch (_error) {
      status.textContent = box.dataset.failed;
      button.disabled = false;
    }
  });
})();
