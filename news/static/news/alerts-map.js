// The alerts map, loaded only when asked for: Leaflet (our static copy) and
// a small GeoJSON of the active alerts' areas and points.
(() => {
  const button = document.getElementById("alerts-map-open");
  const box = document.getElementById("alerts-map");
  const status = document.getElementById("alerts-map-status");
  if (!button || !box) return;

  function load(tag, attrs) {
    return new Promise((resolve, reject) => {
      const el = document.createElement(tag);
      Object.assign(el, attrs);
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function escape(text) {
    const div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = box.dataset.loading;
    try {
      await Promise.all([
        load("link", { rel: "stylesheet", href: button.dataset.leafletCss }),
        load("script", { src: button.dataset.leafletJs }),
      ]);
      const response = await fetch(box.dataset.source, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      box.hidden = false;
      button.hidden = true;
      const L = window.L;
      const map = L.map(box).setView([Number(box.dataset.lat), Number(box.dataset.lon)], Number(box.dataset.zoom));
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
      const colours = { 1: "#0b4f8a", 2: "#b35c00", 3: "#b00020" };
      // Outages and closures (the city's incidents): their own colour, dashed.
      const incident = { color: "#6f2da8", weight: 2, dashArray: "6 4", fillOpacity: 0.12 };
      const layer = L.geoJSON(data, {
        style: (f) => (f.properties.incident ? incident : { color: colours[f.properties.severity] || "#0b4f8a", weight: 2, fillOpacity: 0.15 }),
        pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 8, color: colours[f.properties.severity] || "#0b4f8a", fillOpacity: 0.8 }),
        onEachFeature: (f, l) => {
          const p = f.properties;
          const name = p.name ? `<br>${escape(p.name)}` : "";
          l.bindPopup(`${escape(p.icon)} <a href="${encodeURI(p.url)}">${escape(p.title)}</a>${name}`);
        },
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] });
      status.textContent = "";
    } catch (_error) {
      status.textContent = box.dataset.failed;
      button.disabled = false;
    }
  });
})();
