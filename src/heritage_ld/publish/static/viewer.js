/* Deep zoom on the item's static IIIF level-0 tiles with the vendored OpenSeadragon. */
(function () {
  "use strict";
  var el = document.getElementById("viewer");
  if (!el || !window.OpenSeadragon) { return; }
  var tiles = JSON.parse(el.getAttribute("data-tiles"));
  var preview = el.querySelector(".preview");
  if (preview) { preview.remove(); }
  window.heritageViewer = window.OpenSeadragon({
    element: el,
    drawer: "canvas",
    prefixUrl: el.getAttribute("data-prefix"),
    tileSources: tiles,
    sequenceMode: tiles.length > 1,
    showNavigator: true,
    crossOriginPolicy: false,
    keyboardShortcuts: true
  });
}());
