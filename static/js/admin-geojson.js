// A small Leaflet preview under the alert's GeoJSON textarea. Click the map
// to add a point (a water truck, an invincibility point); "Draw an area"
// collects clicks into a polygon. The textarea stays the source of truth:
// pasted GeoJSON is previewed as it is typed.
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("textarea.geojson-input");
  if (!input || !window.L) return;
  const L = window.L;
  const box = document.createElement("div");
  box.className = "geojson-map";
  const tools = document.createElement("div");
  tools.className = "geojson-tools";
  const status = document.createElement("p");
  status.className = "geojson-status help";
  status.setAttribute("role", "status");
  const d = input.dataset;
  const labels = { area: d.labelArea, finish: d.labelFinish, clear: d.labelClear, bad: d.labelBad, point: d.labelPoint };
  const areaButton = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: labels.area });
  const clearButton = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: labels.clear });
  tools.append(areaButton, clearButton);
  // After the field's whole row: inside it, the admin's flex layout covers the map.
  (input.closest(".form-row") || input).after(box, tools, status);
  status.textContent = labels.point;

  const map = L.map(box).setView([Number(d.lat), Number(d.lon)], 12);
  L.tileLayer(d.tiles, { maxZoom: 19, attribution: d.attribution }).addTo(map);
  const layer = L.geoJSON().addTo(map);
  let drawing = null;

  function read() {
    const text = input.value.trim();
    if (!text) return { type: "FeatureCollection", features: [] };
    const data = JSON.parse(text);
    if (data.type === "FeatureCollection") return data;
    if (data.type === "Feature") return { type: "FeatureCollection", features: [data] };
    return { type: "FeatureCollection", features: [{ type: "Feature", geometry: data, properties: {} }] };
  }
  function show() {
    layer.clearLayers();
    try {
      const data = read();
      layer.addData(data);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
      status.textContent = labels.point;
    } catch (_error) {
      status.textContent = labels.bad;
    }
  }
  function add(geometry) {
    let data;
    try { data = read(); } catch (_error) { data = { type: "FeatureCollection", features: [] }; }
    data.features.push({ type: "Feature", geometry, properties: {} });
    input.value = JSON.stringify(data);
    show();
  }
  map.on("click", (event) => {
    const point = [Number(event.latlng.lng.toFixed(6)), Number(event.latlng.lat.toFixed(6))];
    if (drawing) {
      drawing.push(point);
      status.textContent = `${drawing.length} …`;
    } else {
      add({ type: "Point", coordinates: point });
    }
  });
  areaButton.addEventListener("click", () => {
    if (!drawing) {
      drawing = [];
      areaButton.textContent = labels.finish;
      return;
    }
    if (drawing.length >= 3) add({ type: "Polygon", coordinates: [[...drawing, drawing[0]]] });
    drawing = null;
    areaButton.textContent = labels.area;
  });
  clearButton.addEventListener("click", () => { input.value = ""; show(); });
  input.addEventListener("input", show);
  show();
});
