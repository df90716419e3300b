// Saved places (/me/places/): put the place's pin on the map or use "my location".
// Progressive enhancement: without this file the address or the coordinates do it.
(function () {
  "use strict";

  const mapEl = document.getElementById("place-map");
  const form = document.getElementById("place-form");
  if (!mapEl || !form || typeof window.L === "undefined") return;

  const latInput = form.querySelector('input[name="latitude"]');
  const lonInput = form.querySelector('input[name="longitude"]');
  const locateBtn = document.getElementById("place-locate");
  const status = document.getElementById("place-status");
  const data = mapEl.dataset;

  form.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  form.querySelectorAll(".no-js-only").forEach((el) => { el.hidden = true; });
  mapEl.hidden = false;

  const map = L.map(mapEl, { tap: true, scrollWheelZoom: false }).setView(
    [parseFloat(data.centerLat), parseFloat(data.centerLon)], parseInt(data.zoom, 10)
  );
  L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.attribution }).addTo(map);

  let marker = null;
  function say(text) { if (status) status.textContent = text || ""; }
  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function placePin(lat, lon, { write = true, pan = false } = {}) {
    const point = [lat, lon];
    if (marker) {
      marker.setLatLng(point);
    } else {
      marker = L.marker(point, { draggable: true, keyboard: true, title: data.pinLabel, alt: data.pinLabel }).addTo(map);
      marker.on("dragend", () => {
        const moved = marker.getLatLng();
        placePin(moved.lat, moved.lng);
      });
    }
    if (pan) map.setView(point, Math.max(map.getZoom(), 16));
    if (write) {
      latInput.value = round(lat);
      lonInput.value = round(lon);
    }
  }

  const startLat = parseFloat(latInput.value);
  const startLon = parseFloat(lonInput.value);
  if (Number.isFinite(startLat) && Number.isFinite(startLon)) {
    placePin(startLat, startLon, { write: false, pan: true });
  }

  map.on("click", (event) => {
    placePin(event.latlng.lat, event.latlng.lng);
    say(data.placed);
  });

  [latInput, lonInput].forEach((input) => {
    input.addEventListener("change", () => {
      const lat = parseFloat(latInput.value);
      const lon = parseFloat(lonInput.value);
      if (Number.isFinite(lat) && Number.isFinite(lon)) placePin(lat, lon, { write: false, pan: true });
    });
  });

  if (locateBtn && "geolocation" in navigator && window.isSecureContext) {
    locateBtn.hidden = false;
    locateBtn.addEventListener("click", () => {
      say(locateBtn.dataset.locating);
      locateBtn.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          locateBtn.disabled = false;
          placePin(position.coords.latitude, position.coords.longitude, { pan: true });
          say(locateBtn.dataset.found);
        },
        () => {
          locateBtn.disabled = false;
          say(locateBtn.dataset.denied);
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
})();
