// "Nearest to me" on the register: the browser's location, rounded to about
// 100 m, goes to the server as ?near=lat,lon, which sorts the points by
// distance. Without JavaScript the district and the address do the same job.
(function () {
  "use strict";
  const button = document.getElementById("points-near");
  const status = document.getElementById("points-near-status");
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (status) status.textContent = button.dataset.asking;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        const url = new URL(window.location.href);
        url.searchParams.set(
          "near",
          position.coords.latitude.toFixed(3) + "," + position.coords.longitude.toFixed(3),
        );
        url.searchParams.delete("address");
        window.location.assign(url.toString());
      },
      function () {
        if (status) status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
})();
