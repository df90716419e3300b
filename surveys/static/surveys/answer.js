// Answering a survey: keeps the screen in hand in the session as it is filled
// in (a dropped connection loses nothing) and shows "other" only when chosen.
// Everything works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    var timer = null;
    function save() {
      var data = new FormData(form);
      data.append("autosave", "1");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).catch(function () {});
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(save, 800);
    }
    form.addEventListener("change", later);
    form.addEventListener("input", later);

    function syncOther() {
      form.querySelectorAll("[data-other-toggle]").forEach(function (box) {
        var input = document.getElementById(box.getAttribute("data-other-toggle"));
        if (!input) return;
        var label = form.querySelector('label[for="' + input.id + '"]');
        var hide = !box.checked && !input.value;
        input.classList.toggle("survey-other-hidden", hide);
        if (label) label.classList.toggle("survey-other-hidden", hide);
      });
    }
    form.addEventListener("change", syncOther);
    syncOther();
    var errors = document.getElementById("answer-errors");
    if (errors) errors.focus();
  });
})();
