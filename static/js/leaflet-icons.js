// Leaflet looks for its default marker images next to the name leaflet.css
// gives them, which collectstatic's hashed names (marker-icon.2b3e1faf89f9.png)
// break: the page names the hashed images on this script's tag
// (templates/includes/leaflet.html). Runs after leaflet.js, before map scripts.
"use strict";

(function () {
  const script = document.currentScript;
  if (!window.L || !script) return;
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: script.dataset.icon,
    iconRetinaUrl: script.dataset.iconRetina,
    shadowUrl: script.dataset.shadow,
  });
})();
