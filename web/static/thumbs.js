// Thumbnails come from the platforms' CDNs, whose links expire: one that
// does not load is hidden (the tile behind it stays), never a broken icon.
(function () {
  "use strict";
  function fail(img) { img.classList.add("failed"); }
  document.querySelectorAll("img.pthumb, img.thumb-sm").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) { fail(img); }
    img.addEventListener("error", function () { fail(img); });
  });
})();
