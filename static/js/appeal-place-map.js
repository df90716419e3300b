// The small map of an appeal's place on its page (appeals/templates/appeals/_place.html).
// The exact point gets a marker (its author and staff); the public point an area
// of about 100 m, as rounded. Without JS the address and a link stay.
(function () {
  "use strict";
  const APPROXIMATE_RADIUS_M = 100;

  function draw(box) {
    if (typeof L === "undefined" || box.dataset.ready) return;
    box.dataset.ready = "1";
    const point = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
    const exact = box.dataset.exact === "1";
    // Small and inside a scrolling page: one finger scrolls the page, not the map.
    const map = L.map(box, {
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      tap: false,
      zoomControl: true,
      attributionControl: true,
    }).setView(point, exact ? 17 : 16);
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
    if (exact) {
      L.circleMarker(point, { radius: 9, color: "#fff", weight: 3, fillColor: "#0b4f8a", fillOpacity: 1 }).addTo(map);
    } else {
      L.circle(point, { radius: APPROXIMATE_RADIUS_M, color: "#0b4f8a", weight: 2, fillOpacity: 0.15 }).addTo(map);
    }
  }

  function drawAll() {
    document.querySelectorAll(".appeal-place-map").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  // The appeal's body is swapped whole by htmx after an author's action.
  document.addEventListener("htmx:afterSettle", drawAll);
})();
