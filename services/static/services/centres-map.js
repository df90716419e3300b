// The centres' map: one marker per centre listed on the page (their data-*
// attributes). Without JavaScript the list alone shows everything.
(function () {
  "use strict";
  const element = document.getElementById("centres-map");
  if (!element || typeof L === "undefined") return;
  const data = element.dataset;
  const items = document.querySelectorAll("[data-centre-lat]");
  element.hidden = false;
  const map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  const bounds = [];
  items.forEach(function (item) {
    const point = [parseFloat(item.dataset.centreLat), parseFloat(item.dataset.centreLon)];
    if (Number.isNaN(point[0]) || Number.isNaN(point[1])) return;
    bounds.push(point);
    // Built from DOM nodes: names are never parsed as HTML.
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = "#" + item.id;
    link.textContent = item.dataset.centreName;
    const state = document.createElement("span");
    state.className = "d-block small";
    state.textContent = item.dataset.centreOpen;
    box.append(link, state);
    L.marker(point, { title: item.dataset.centreName, alt: item.dataset.centreName }).addTo(map).bindPopup(box);
  });
  // The first view is set once, without animation, after the markers are known.
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30], animate: false });
  else if (bounds.length === 1) map.setView(bounds[0], 15);
  else map.setView([parseFloat(data.lat), parseFloat(data.lon)], parseInt(data.zoom, 10));
})();
