// The welcome step: choose the home district on a map, or by "use my location".
// Progressive enhancement: without this file the list of districts does the job.
(function () {
  "use strict";

  const form = document.getElementById("welcome-form");
  const mapEl = document.getElementById("welcome-map");
  const dataEl = document.getElementById("welcome-districts");
  if (!form || !mapEl || !dataEl || typeof window.L === "undefined") return;

  const latInput = form.querySelector('input[name="latitude"]');
  const lonInput = form.querySelector('input[name="longitude"]');
  const status = document.getElementById("welcome-status");
  const locateBtn = document.getElementById("welcome-locate");
  const data = mapEl.dataset;
  const districts = JSON.parse(dataEl.textContent);

  form.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  form.querySelectorAll(".no-js-only").forEach((el) => { el.hidden = true; });
  mapEl.hidden = false;

  function say(text) { if (status) status.textContent = text || ""; }
  function radioFor(id) { return form.querySelector('input[name="district"][value="' + id + '"]'); }

  const map = L.map(mapEl, { tap: true }).setView(
    [parseFloat(data.centerLat), parseFloat(data.centerLon)], parseInt(data.zoom, 10)
  );
  L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.attribution }).addTo(map);

  const layers = {};
  let marker = null;

  function highlight(id) {
    Object.keys(layers).forEach((key) => {
      layers[key].setStyle({ weight: key === String(id) ? 4 : 1, fillOpacity: key === String(id) ? 0.35 : 0.1 });
    });
  }

  function choose(district, latlng) {
    const radio = radioFor(district.id);
    if (radio) radio.checked = true;
    // The radio carries the choice; a point would only repeat it.
    latInput.value = "";
    lonInput.value = "";
    highlight(district.id);
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    say(data.chosen + " " + district.name);
  }

  const bounds = L.latLngBounds([]);
  districts.forEach((district) => {
    const layer = L.geoJSON(district.boundary, { style: { color: "#0b4f8a", weight: 1, fillOpacity: 0.1 } });
    layer.on("click", (event) => {
      L.DomEvent.stopPropagation(event);
      choose(district, event.latlng);
    });
    layer.bindTooltip(district.name);
    layer.addTo(map);
    layers[String(district.id)] = layer;
    bounds.extend(layer.getBounds());
  });
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
  map.on("click", () => say(data.outside));

  form.querySelectorAll('input[name="district"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      latInput.value = "";
      lonInput.value = "";
      highlight(radio.value);
      say("");
    });
  });
  const checked = form.querySelector('input[name="district"]:checked');
  if (checked) highlight(checked.value);

  // Only where the browser can locate the person (and the page is secure enough to ask).
  if (locateBtn && "geolocation" in navigator && window.isSecureContext) {
    locateBtn.hidden = false;
    locateBtn.addEventListener("click", () => {
      say(locateBtn.dataset.locating);
      locateBtn.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          locateBtn.disabled = false;
          const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          map.setView(latlng, Math.max(map.getZoom(), 14));
          // The server finds the district that contains the point.
          form.querySelectorAll('input[name="district"]').forEach((radio) => { radio.checked = false; });
          latInput.value = Math.round(latlng.lat * 1e6) / 1e6;
          lonInput.value = Math.round(latlng.lng * 1e6) / 1e6;
          if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: false }).addTo(map);
          highlight(null);
          say(locateBtn.dataset.found);
        },
        () => {
          locateBtn.disabled = false;
          say(locateBtn.dataset.denied);
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
      );
    });
  }

  setTimeout(() => map.invalidateSize(), 0);
})();
