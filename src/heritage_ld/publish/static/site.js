/* Language switch: ?lang= beats the saved preference (localStorage), which beats the site's default.
   The chosen language goes on <html data-lang lang>; CSS in each page hides the other languages of a value
   that has the chosen one. Without this script every language is shown. */
(function () {
  "use strict";
  var html = document.documentElement;
  var links = document.querySelectorAll("[data-set-lang]");
  var known = Array.prototype.map.call(links, function (a) { return a.getAttribute("data-set-lang"); });
  function saved() {
    try { return window.localStorage.getItem("heritage-ld.lang"); } catch (e) { return null; }
  }
  function apply(lang) {
    html.setAttribute("data-lang", lang);
    html.setAttribute("lang", lang);
    Array.prototype.forEach.call(links, function (a) {
      a.setAttribute("aria-current", a.getAttribute("data-set-lang") === lang ? "true" : "false");
    });
  }
  function choose(lang, remember) {
    if (known.indexOf(lang) < 0) { return; }
    apply(lang);
    if (remember) {
      try { window.localStorage.setItem("heritage-ld.lang", lang); } catch (e) { /* private mode */ }
    }
  }
  var fromQuery = new URLSearchParams(window.location.search).get("lang");
  var initial = [fromQuery, saved(), html.getAttribute("data-default-lang")].filter(function (l) {
    return l && known.indexOf(l) >= 0;
  })[0];
  if (initial) { choose(initial, initial === fromQuery); }
  Array.prototype.forEach.call(links, function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var lang = a.getAttribute("data-set-lang");
      choose(lang, true);
      var url = new URL(window.location.href);
      url.searchParams.set("lang", lang);
      window.history.replaceState(null, "", url.toString());
    });
  });
}());
