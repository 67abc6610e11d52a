// Guichet: live count of the characters still to type (the server accepts spaces,
// dashes, lower case and a QR prefix, so the count ignores them too).
(function () {
  "use strict";
  function setup() {
    var input = document.getElementById("id_code");
    var counter = document.getElementById("code-counter");
    if (!input || !counter) return;
    var length = parseInt(counter.getAttribute("data-length"), 10) || 6;
    function update() {
      var value = input.value.toUpperCase();
      var cut = Math.max(value.lastIndexOf(":"), value.lastIndexOf("/"));
      if (cut >= 0) value = value.slice(cut + 1);
      var typed = value.replace(/[^A-Z0-9]/g, "").length;
      var left = Math.max(length - typed, 0);
      counter.textContent = left === 0
        ? "Code complet"
        : "Il reste " + left + " caractère" + (left > 1 ? "s" : "") + " à saisir";
    }
    input.addEventListener("input", update);
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
