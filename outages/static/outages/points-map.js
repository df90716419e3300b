// The map of points of help: one coloured pin per point of the GeoJSON feed
// (/points/points.geojson), or a single pin on a point's page (data-single).
// Popups are built from DOM nodes: names are never parsed as HTML. Points
// closer than a pin's size are clustered, so every pin stays a whole target.
(function () {
  "use strict";
  const element = document.getElementById("points-map");
  if (!element || typeof L === "undefined") return;
  const data = element.dataset;
  const status = document.getElementById("map-status");
  const say = (text) => { if (status) status.textContent = text; };
  element.hidden = false;
  const map = L.map(element, { scrollWheelZoom: false }).setView(
    [parseFloat(data.lat), parseFloat(data.lon)], parseInt(data.zoom, 10)
  );
  L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);

  if (data.single !== undefined) {
    L.marker([parseFloat(data.lat), parseFloat(data.lon)], { title: data.single, alt: data.single }).addTo(map);
    return;
  }

  const ICONS = { invincibility: "💪", shelter: "🛡️", heating: "🔥", water_truck: "🚚", drinking_water: "🚰" };

  function pin(p) {
    const el = document.createElement("span");
    el.className = "point-pin point-pin-" + p.status;
    el.textContent = ICONS[p.kind] || "📍";
    return L.divIcon({ html: el, className: "", iconSize: [34, 34], iconAnchor: [17, 17], popupAnchor: [0, -16] });
  }

  function line(text, className) {
    const node = document.createElement("span");
    node.className = "d-block small" + (className ? " " + className : "");
    node.textContent = text;
    return node;
  }

  function popup(p) {
    const box = document.createElement("div");
    const title = document.createElement("a");
    title.href = p.url;
    title.className = "fw-semibold";
    title.textContent = p.name;
    box.append(title, line(p.kind_label), line(p.address));
    let state = p.status_label;
    if (p.generator_on) state += " · ⚡ " + data.generator;
    box.append(line(state, "point-status point-status-" + p.status));
    if (p.confirmed_at) {
      const when = new Date(p.confirmed_at);
      box.append(line(data.confirmed + ": " + when.toLocaleString(document.documentElement.lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })));
    }
    if (p.hours) box.append(line(p.hours));
    if (p.offer_labels.length) box.append(line(p.offer_labels.join(", ")));
    return box;
  }

  const layer = L.markerClusterGroup
    ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 60, animate: false })
    : L.layerGroup();
  map.addLayer(layer);

  say(data.loading);
  fetch(data.source, { headers: { Accept: "application/geo+json, application/json" } })
    .then((response) => { if (!response.ok) throw new Error(response.status); return response.json(); })
    .then((collection) => {
      const bounds = [];
      collection.features.forEach((f) => {
        const [lon, lat] = f.geometry.coordinates;
        bounds.push([lat, lon]);
        L.marker([lat, lon], { icon: pin(f.properties), title: f.properties.name, alt: f.properties.name, keyboard: true })
          .bindPopup(() => popup(f.properties))
          .addTo(layer);
      });
      if (bounds.length > 1) map.fitBounds(bounds, { padding: [40, 40], animate: false });
      say(data.shown.replace("%(count)s", collection.features.length));
    })
    .catch(() => say(data.failed));
})();
