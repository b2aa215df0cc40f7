// Live caption counts and media preview on the compose page. The page
// works without this script; the server checks everything again.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) return;
  var caption = document.getElementById("caption");
  var counts = document.getElementById("caption-counts");
  var limits = document.querySelectorAll("#caption-limits li[data-platform]");
  var media = document.getElementById("media");
  var preview = document.getElementById("media-preview");
  // Live feedback only: the same patterns as scheduler.CaptionStats
  // (scheduler/limits.go), which decides; the limits come from the
  // server (data attributes filled from scheduler.AllLimits).
  var hashtag = /(?<![\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
  var mention = /(?<![\p{L}\p{N}_.])@[\p{L}\p{N}_.]+/gu;
  var lang = document.documentElement.lang;
  function fmt(n) { return n.toLocaleString(lang === "en" ? "en-US" : "id-ID"); }
  function targets() {
    var out = {};
    form.querySelectorAll("input[name=channel]:checked").forEach(function (el) { out[el.dataset.platform] = true; });
    return out;
  }
  function update() {
    var s = caption.value;
    var c = Array.from(s).length;
    var h = (s.match(hashtag) || []).length;
    var m = (s.match(mention) || []).length;
    var t = counts.dataset.templateId || "{c} · {h} · {m}";
    counts.textContent = t.replace("{c}", fmt(c)).replace("{h}", fmt(h)).replace("{m}", fmt(m));
    var tg = targets();
    var over = false;
    limits.forEach(function (li) {
      function exceeds(n, lim) { lim = +lim; return lim > 0 && n > lim; }
      var o = exceeds(c, li.dataset.caption) || exceeds(h, li.dataset.hashtags) || exceeds(m, li.dataset.mentions);
      li.classList.toggle("over", o);
      // Allowed, but more hashtags than Instagram's announced cap.
      li.classList.toggle("warn", !o && exceeds(h, li.dataset.hashtagsWarn));
      li.hidden = Object.keys(tg).length > 0 && !tg[li.dataset.platform];
      if (o && !li.hidden) over = true;
    });
    counts.classList.toggle("over", over);
  }
  function showMedia() {
    preview.textContent = "";
    media.value.split("\n").forEach(function (u) {
      u = u.trim();
      if (!/^https?:\/\//.test(u)) return;
      var img = document.createElement("img");
      img.src = u;
      img.alt = preview.getAttribute("aria-label") + ": " + u;
      img.loading = "lazy";
      preview.appendChild(img);
    });
  }
  caption.addEventListener("input", update);
  form.addEventListener("change", update);
  media.addEventListener("change", showMedia);
  update();
})();
