// Filing a request: the map pin, "use my location" and the "Is it one of these?" lookup.
// Progressive enhancement: without this file the form takes a typed address or coordinates.
(function () {
  "use strict";

  const mapEl = document.getElementById("appeal-map");
  const form = document.getElementById("appeal-form");
  if (!mapEl || !form || typeof window.L === "undefined") return;

  const latInput = form.querySelector('input[name="latitude"]');
  const lonInput = form.querySelector('input[name="longitude"]');
  const locateBtn = document.getElementById("use-my-location");
  const clearBtn = document.getElementById("clear-pin");
  const status = document.getElementById("geo-status");
  const similarBox = document.getElementById("similar-appeals");
  const data = mapEl.dataset;

  form.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  form.querySelectorAll(".no-js-only").forEach((el) => { el.hidden = true; });
  mapEl.hidden = false;

  const map = L.map(mapEl, { tap: true }).setView(
    [parseFloat(data.centerLat), parseFloat(data.centerLon)],
    parseInt(data.zoom, 10)
  );
  L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.attribution }).addTo(map);

  let marker = null;
  let lookupTimer = null;

  function say(text) {
    if (status) status.textContent = text || "";
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function lookupSimilar(lat, lon) {
    if (!data.similarUrl || !similarBox) return;
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(() => {
      const params = new URLSearchParams({ category: data.category, latitude: lat, longitude: lon });
      const url = data.similarUrl + "?" + params.toString();
      // A plain fetch: the form page does without htmx (16 KB), see templates/base.html.
      fetch(url, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : ""))
        .then((html) => { similarBox.innerHTML = html; })
        .catch(() => {});
    }, 300);
  }

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
    if (clearBtn) clearBtn.hidden = false;
    lookupSimilar(round(lat), round(lon));
  }

  function removePin() {
    if (marker) map.removeLayer(marker);
    marker = null;
    latInput.value = "";
    lonInput.value = "";
    if (clearBtn) clearBtn.hidden = true;
    if (similarBox && data.similarUrl) similarBox.innerHTML = "";
    say("");
  }

  // A point already in the form (sent back with an error, or typed) shows as the pin.
  const startLat = parseFloat(latInput.value);
  const startLon = parseFloat(lonInput.value);
  if (Number.isFinite(startLat) && Number.isFinite(startLon)) {
    placePin(startLat, startLon, { write: false, pan: true });
  }

  map.on("click", (event) => {
    placePin(event.latlng.lat, event.latlng.lng);
    say(locateBtn ? locateBtn.dataset.placed : "");
  });

  // Coordinates typed by hand move the pin too.
  [latInput, lonInput].forEach((input) => {
    input.addEventListener("change", () => {
      const lat = parseFloat(latInput.value);
      const lon = parseFloat(lonInput.value);
      if (Number.isFinite(lat) && Number.isFinite(lon)) placePin(lat, lon, { write: false, pan: true });
    });
  });

  if (clearBtn) clearBtn.addEventListener("click", removePin);

  // Rendered hidden: shown only where the browser can locate the person.
  if (locateBtn) {
    if ("geolocation" in navigator && window.isSecureContext) {
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
  }

  // The map was hidden while the page laid out: let Leaflet measure it again.
  setTimeout(() => map.invalidateSize(), 0);
})();
