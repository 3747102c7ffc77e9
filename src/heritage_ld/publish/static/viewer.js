/* Deep zoom on the item's static IIIF level-0 tiles with the vendored OpenSeadragon.
   When the viewer cannot load the tiles (the site opened from disk: browsers refuse to read info.json over
   file://; or a tile source that fails), the page shows a plain image of the largest static size instead. */
(function () {
  "use strict";
  var el = document.getElementById("viewer");
  if (!el) { return; }
  var preview = el.querySelector(".preview");
  var full = el.getAttribute("data-full");

  function still() {
    el.classList.add("still");
    if (!preview) { return; }
    if (full && preview.getAttribute("src") !== full) { preview.setAttribute("src", full); }
    if (!preview.parentNode) { el.appendChild(preview); }
  }

  if (!window.OpenSeadragon || window.location.protocol === "file:") { still(); return; }
  var tiles = JSON.parse(el.getAttribute("data-tiles"));
  if (preview) { preview.remove(); }
  var viewer = window.OpenSeadragon({
    element: el,
    drawer: "canvas",
    prefixUrl: el.getAttribute("data-prefix"),
    tileSources: tiles,
    sequenceMode: tiles.length > 1,
    showNavigator: true,
    crossOriginPolicy: false,
    keyboardShortcuts: true
  });
  viewer.addHandler("open-failed", function () {
    viewer.destroy();
    window.heritageViewer = null;
    el.textContent = "";
    still();
  });
  window.heritageViewer = viewer;
}());
