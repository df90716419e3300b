// The public map of requests: clustered markers for the visible area only,
// reloaded (debounced) when the map stops moving. The page's filters travel
// in data-query to /requests/map.json. Without JS the page links to the list.
(function () {
  "use strict";
  const element = document.getElementById("appeals-map");
  if (!element || typeof L === "undefined") return;
  const data = element.dataset;
  const status = document.getElementById("map-status");
  const say = (text) => { if (status) status.textContent = text; };
  const count = (template, n) => template.replace("%(count)s", n.toLocaleString(document.documentElement.lang));

  const map = L.map(element, { scrollWheelZoom: true }).setView(
    [parseFloat(data.lat), parseFloat(data.lon)], parseInt(data.zoom, 10)
  );
  L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  const cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);
  // A whole city comes as grid cells counted by the server: {count} at each cell's centre.
  const cells = L.layerGroup().addTo(map);
  // Live outages: their areas, under the markers, each with a popup to its page.
  const outages = L.layerGroup().addTo(map);
  let outagesShown = "";

  function cellMarker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const n = feature.properties.count;
    const el = document.createElement("span");
    el.className = "map-cell";
    el.textContent = n.toLocaleString(document.documentElement.lang);
    const size = n >= 1000 ? 52 : n >= 100 ? 46 : 40;
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ html: el, className: "", iconSize: [size, size], iconAnchor: [size / 2, size / 2] }),
      title: count(data.cell, n),
      alt: count(data.cell, n),
      keyboard: true,
    });
    marker.on("click", () => map.setView([lat, lon], Math.min(map.getZoom() + 2, 18)));
    return marker;
  }

  function icon(feature) {
    const el = document.createElement("span");
    el.className = "map-marker";
    el.textContent = feature.properties.icon || "📍";
    return L.divIcon({ html: el, className: "", iconSize: [34, 34], iconAnchor: [17, 17], popupAnchor: [0, -16] });
  }

  // Built from DOM nodes: titles are residents' text and never parsed as HTML.
  function popup(p) {
    const box = document.createElement("div");
    const title = document.createElement("a");
    title.className = "map-popup-title";
    title.href = p.url;
    title.textContent = p.title;
    const meta = document.createElement("span");
    meta.className = "map-popup-meta";
    meta.textContent = p.reference + " · " + p.status_label;
    const open = document.createElement("a");
    open.href = p.url;
    open.textContent = data.open + " →";
    box.append(title, meta);
    if (p.place) {
      const place = document.createElement("span");
      place.className = "map-popup-meta";
      place.textContent = p.place;
      box.append(place);
    }
    box.append(open);
    return box;
  }

  function outagePopup(p) {
    const box = document.createElement("div");
    const title = document.createElement("a");
    title.className = "map-popup-title";
    title.href = p.url;
    title.textContent = (p.icon ? p.icon + " " : "") + p.title;
    const meta = document.createElement("span");
    meta.className = "map-popup-meta";
    meta.textContent = (p.until ? data.outageUntil : data.outageSince)
      .replace("%(since)s", p.since).replace("%(until)s", p.until);
    const open = document.createElement("a");
    open.href = p.url;
    open.textContent = data.outageOpen + " →";
    box.append(title, meta, open);
    return box;
  }

  function showOutages(collection) {
    const key = JSON.stringify(collection ? collection.features.map((f) => f.properties) : []);
    if (key === outagesShown) return; // the same outages: keep the layer (and an open popup)
    outagesShown = key;
    outages.clearLayers();
    if (!collection) return;
    collection.features.forEach((f) => {
      L.geoJSON(f, { style: { color: "#b02a37", weight: 2, fillOpacity: 0.12 }, interactive: true })
        .bindPopup(() => outagePopup(f.properties))
        .addTo(outages);
    });
  }

  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  let controller = null;
  let timer = null;
  let lastUrl = "";

  function load() {
    const b = map.getBounds();
    const bbox = [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90),
    ].map((v) => v.toFixed(4)).join(",");
    const params = new URLSearchParams(data.query || "");
    params.set("bbox", bbox);
    const url = data.source + "?" + params.toString();
    if (url === lastUrl) return;
    lastUrl = url;
    if (controller) controller.abort();
    controller = new AbortController();
    say(data.loading);
    fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json, application/json" } })
      .then((response) => { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then((collection) => {
        showOutages(collection.incidents);
        cluster.clearLayers();
        cells.clearLayers();
        if (collection.grid) {
          collection.features.forEach((f) => cells.addLayer(cellMarker(f)));
          const total = collection.features.reduce((sum, f) => sum + f.properties.count, 0);
          say(count(data.cells, total));
          return;
        }
        const markers = collection.features.map((f) => {
          const [lon, lat] = f.geometry.coordinates;
          return L.marker([lat, lon], { icon: icon(f), title: f.properties.title, keyboard: true })
            .bindPopup(() => popup(f.properties));
        });
        cluster.addLayers(markers);
        const n = collection.features.length;
        say(collection.truncated ? count(data.truncated, n) : n ? count(data.shown, n) : data.none);
      })
      .catch((error) => {
        if (error.name === "AbortError") return;
        lastUrl = "";
        say(data.failed);
      });
  }

  map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(load, 350); });
  load();
})();
