// A small map of the appeal's exact point on its admin page (staff only).
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".admin-appeal-map")) {
    if (!window.L) return;
    const point = [Number(box.dataset.lat), Number(box.dataset.lon)];
    const map = L.map(box, { scrollWheelZoom: false }).setView(point, 17);
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    L.marker(point).addTo(map);
  }
});
