// The compose page: live caption counts per network, media chosen by
// upload (drag and drop, picker), from the library or a URL, their order
// and crop, and a preview of the post on each network. The page works
// without this script; the server checks everything again.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) return;
  var lang = form.dataset.lang || document.documentElement.lang;
  var caption = document.getElementById("caption");
  var counts = document.getElementById("caption-counts");
  var limits = document.querySelectorAll("#caption-limits li[data-platform]");
  // Live feedback only: the same patterns as scheduler.CaptionStats
  // (scheduler/limits.go), which decides; the limits come from the
  // server (data attributes filled from scheduler.AllLimits).
  var hashtag = /(?<![\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu;
  var mention = /(?<![\p{L}\p{N}_.])@[\p{L}\p{N}_.]+/gu;
  var template = counts.dataset.templateId || "{c} · {h} · {m}";
  function fmt(n) { return n.toLocaleString(lang === "en" ? "en-US" : "id-ID"); }
  function stats(s) { return { c: Array.from(s).length, h: (s.match(hashtag) || []).length, m: (s.match(mention) || []).length }; }
  function countText(st) { return template.replace("{c}", fmt(st.c)).replace("{h}", fmt(st.h)).replace("{m}", fmt(st.m)); }
  function targets() {
    var out = {};
    form.querySelectorAll("input[name=channel]:checked").forEach(function (el) { out[el.dataset.platform] = true; });
    return out;
  }
  function captionFor(pf) {
    var own = document.getElementById("caption_" + pf);
    return own && own.value.trim() !== "" ? own.value : caption.value;
  }
  function exceeds(n, lim) { lim = +lim; return lim > 0 && n > lim; }

  function update() {
    counts.textContent = countText(stats(caption.value));
    var tg = targets();
    var over = false;
    limits.forEach(function (li) {
      var st = stats(captionFor(li.dataset.platform));
      var o = exceeds(st.c, li.dataset.caption) || exceeds(st.h, li.dataset.hashtags) || exceeds(st.m, li.dataset.mentions);
      li.classList.toggle("over", o);
      // Allowed, but more hashtags than Instagram's announced cap.
      li.classList.toggle("warn", !o && exceeds(st.h, li.dataset.hashtagsWarn));
      li.hidden = Object.keys(tg).length > 0 && !tg[li.dataset.platform];
      if (o && !li.hidden) over = true;
    });
    counts.classList.toggle("over", over);
    ["facebook", "instagram"].forEach(function (pf) {
      var ta = document.getElementById("caption_" + pf);
      var out = document.getElementById("caption_" + pf + "-counts");
      if (ta && out) out.textContent = countText(stats(ta.value));
      var box = ta && ta.closest(".field");
      if (box) box.hidden = Object.keys(tg).length > 0 && !tg[pf];
    });
    showProblems();
    preview();
  }

  // Enter in a one-line field does not send the form (a date, a URL,
  // the campaign): only the buttons do.
  function oneLine(t) {
    return t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button" && t.type !== "checkbox" && t.type !== "radio" && t.type !== "file";
  }
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && oneLine(e.target)) {
      e.preventDefault();
      if (e.target.id === "media-url") importURL();
    }
  });
  // Some keyboards (and automation) send the Enter's character apart
  // from its key press: the form's implicit submission follows it.
  form.addEventListener("keypress", function (e) {
    if (e.key === "Enter" && oneLine(e.target)) e.preventDefault();
  });

  // ---- media ----
  var chosen = document.getElementById("media-chosen");
  var zone = document.getElementById("dropzone");
  var urlBox = document.getElementById("url-import");
  var csrf = form.dataset.csrf;
  function cards() {
    return Array.prototype.map.call(chosen.querySelectorAll("li.media-card"), function (li) { return JSON.parse(li.dataset.card); });
  }
  function thumb(card) {
    var span = document.createElement("span");
    span.className = "thumb" + (card.kind === "video" ? " is-video" : "");
    var img = document.createElement("img");
    img.src = card.thumb; img.alt = card.filename; img.loading = "lazy"; img.width = 160; img.height = 120;
    span.appendChild(img);
    if (card.kind === "video") {
      var b = document.createElement("span");
      b.className = "badge"; b.textContent = "▶ " + (card.length || "");
      span.appendChild(b);
    }
    return span;
  }
  function text(tag, cls, s) { var el = document.createElement(tag); el.className = cls; el.textContent = s; return el; }
  function button(label, cls, fn) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary small " + cls; b.textContent = label;
    b.addEventListener("click", fn);
    return b;
  }
  var ds = chosen ? chosen.dataset : {};
  var T = { remove: ds.remove, crop: ds.crop, original: ds.original, up: ds.up, down: ds.down };
  function chosenItem(card) {
    var li = document.createElement("li");
    li.className = "media-card chosen";
    li.dataset.id = card.id;
    li.dataset.card = JSON.stringify(card);
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "media_id"; hidden.value = card.id;
    li.appendChild(hidden);
    li.appendChild(thumb(card));
    li.appendChild(text("span", "name", card.filename));
    li.appendChild(text("span", "meta", [card.dims, card.length, card.size].filter(Boolean).join(" · ")));
    var ul = document.createElement("ul");
    ul.className = "problems";
    (card.problems || []).forEach(function (p) {
      var pli = text("li", "problem " + p.severity, p.text);
      pli.dataset.platform = p.platform;
      ul.appendChild(pli);
    });
    li.appendChild(ul);
    var tools = document.createElement("div");
    tools.className = "tools";
    var up = button("◀", "up", function () { var p = li.previousElementSibling; if (p) chosen.insertBefore(li, p); changed(); });
    up.setAttribute("aria-label", T.up + ": " + card.filename); up.title = T.up;
    var down = button("▶", "down", function () { var n = li.nextElementSibling; if (n) chosen.insertBefore(n, li); changed(); });
    down.setAttribute("aria-label", T.down + ": " + card.filename); down.title = T.down;
    tools.append(up, down);
    if (card.kind === "image") {
      var sel = document.createElement("select");
      sel.className = "crop";
      sel.setAttribute("aria-label", T.crop + " " + card.filename);
      [["", T.crop + ": " + T.original], ["4:5", "4:5"], ["1:1", "1:1"], ["1.91:1", "1,91:1"], ["9:16", "9:16"]].forEach(function (o) {
        var opt = document.createElement("option"); opt.value = o[0]; opt.textContent = o[0] ? T.crop + ": " + o[1] : o[1]; sel.appendChild(opt);
      });
      sel.addEventListener("change", function () {
        if (!sel.value) return;
        sel.disabled = true;
        window.humasUpload.request("POST", "/media/" + card.id + "/crop", csrf, { ratio: sel.value }, function (err, res) {
          sel.disabled = false;
          if (err) { alert(err); return; }
          chosen.replaceChild(chosenItem(res), li);
          changed();
        });
      });
      tools.appendChild(sel);
    }
    tools.appendChild(button(T.remove, "remove", function () { li.remove(); changed(); }));
    li.appendChild(tools);
    return li;
  }
  function add(card) {
    if (chosen.querySelector('li[data-id="' + card.id + '"]')) return;
    chosen.appendChild(chosenItem(card));
    changed();
  }
  function changed() {
    chosen.classList.toggle("empty", !chosen.querySelector("li"));
    update();
  }
  function showProblems() {
    var tg = targets();
    var any = Object.keys(tg).length > 0;
    chosen.querySelectorAll("li.problem").forEach(function (p) { p.hidden = any && !tg[p.dataset.platform]; });
  }
  if (chosen) {
    // Server-rendered cards get the same controls.
    Array.prototype.forEach.call(chosen.querySelectorAll("li.media-card"), function (li) {
      chosen.replaceChild(chosenItem(JSON.parse(li.dataset.card)), li);
    });
    chosen.classList.toggle("empty", !chosen.querySelector("li"));
  }
  if (zone && window.humasUpload) {
    zone.hidden = false;
    window.humasUpload.attach(zone, document.getElementById("media-files"), document.getElementById("uploads"), {
      csrf: csrf, chunk: +zone.dataset.chunk || 8388608,
      texts: { uploading: form.dataset.uploading, failed: form.dataset.failed, retry: form.dataset.retry },
      onDone: add
    });
    // The whole media box takes drops too.
    var field = document.getElementById("media-field");
    ["dragenter", "dragover"].forEach(function (ev) { field.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    field.addEventListener("drop", function (e) {
      if (e.target.closest && e.target.closest("#dropzone")) return;
      e.preventDefault(); zone.classList.remove("over");
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: e.dataTransfer }));
    });
  }
  var urlInput = document.getElementById("media-url");
  function importURL() {
    var u = urlInput.value.trim();
    if (!u) return;
    urlInput.disabled = true;
    window.humasUpload.request("POST", "/media/import", csrf, { url: u }, function (err, res) {
      urlInput.disabled = false;
      var errEl = document.getElementById("media-url-err");
      if (!errEl) { errEl = text("p", "field-error", ""); errEl.id = "media-url-err"; urlBox.appendChild(errEl); }
      errEl.textContent = err || "";
      if (!err) { urlInput.value = ""; add(res); }
    });
  }
  if (urlBox && window.humasUpload) {
    urlBox.hidden = false;
    document.getElementById("media-url-go").addEventListener("click", importURL);
  }
  document.querySelectorAll("#library-picker button.use").forEach(function (b) {
    b.addEventListener("click", function () { add(JSON.parse(b.closest("li").dataset.card)); });
  });

  // ---- preview per network ----
  var pvSection = document.getElementById("net-preview");
  function mediaEl(card, fit) {
    if (card.kind === "video") {
      var v = document.createElement("video");
      v.src = card.file; v.poster = card.thumb; v.controls = true; v.preload = "metadata"; v.muted = true;
      v.setAttribute("playsinline", "");
      v.setAttribute("aria-label", card.filename);
      return v;
    }
    var img = document.createElement("img");
    img.src = card.file; img.alt = card.filename; img.loading = "lazy";
    if (fit) img.style.objectFit = fit;
    return img;
  }
  function truncate(s, n) {
    var a = Array.from(s);
    return a.length > n ? { text: a.slice(0, n).join("").replace(/\s+\S*$/, ""), more: true } : { text: s, more: false };
  }
  function fillText(el, s, n) {
    el.textContent = "";
    var t = truncate(s, n);
    el.appendChild(document.createTextNode(t.text));
    if (t.more) el.appendChild(text("span", "more", " " + form.dataset.more));
  }
  function preview() {
    if (!pvSection) return;
    var tg = targets();
    var list = cards();
    var any = Object.keys(tg).length > 0;
    pvSection.hidden = !any;
    if (!any) return;
    var urls = Array.prototype.filter.call((document.getElementById("media").value || "").split("\n"), function (u) { return /^https?:\/\//.test(u.trim()); });
    pvSection.querySelectorAll("article.pv").forEach(function (pv) {
      var pf = pv.dataset.platform;
      pv.hidden = !tg[pf];
      var box = pv.querySelector(".pv-media");
      box.textContent = "";
      box.className = "pv-media";
      fillText(pv.querySelector(".pv-text"), captionFor(pf), pf === "instagram" ? 125 : 480);
      if (list.length === 0 && urls.length === 0) { box.appendChild(text("p", "muted", form.dataset.nomedia)); return; }
      if (pf === "facebook") {
        box.classList.add("n" + Math.min(list.length, 4));
        list.slice(0, 4).forEach(function (c, i) {
          var el = mediaEl(c, list.length > 1 ? "cover" : "");
          box.appendChild(el);
          if (i === 3 && list.length > 4) box.appendChild(text("span", "more-n", "+" + (list.length - 4)));
        });
        return;
      }
      var first = list[0];
      var frame = document.createElement("div");
      frame.className = "frame";
      var ratio = first && first.width ? first.width / first.height : 1;
      var shown = ratio;
      if (first && first.kind === "video" && list.length === 1) shown = 9 / 16;
      else shown = Math.max(0.8, Math.min(1.91, ratio));
      frame.style.aspectRatio = String(shown);
      if (first) frame.appendChild(mediaEl(first, "cover"));
      box.appendChild(frame);
      if (first && first.kind === "image" && Math.abs(shown - ratio) > 0.01) {
        box.appendChild(text("p", "crop-note", form.dataset.igcrop.replace("{r}", shown <= 0.8 ? "4:5" : "1,91:1")));
      }
      var dots = pv.querySelector(".pv-dots");
      dots.textContent = list.length > 1 ? list.map(function (_, i) { return i === 0 ? "●" : "○"; }).join(" ") + "  1/" + list.length : "";
    });
  }

  // Media given by URL: their images, as the platforms will fetch them.
  var urlArea = document.getElementById("media");
  var urlPreview = document.getElementById("media-preview");
  function showURLs() {
    if (!urlPreview) return;
    urlPreview.textContent = "";
    urlArea.value.split("\n").forEach(function (u) {
      u = u.trim();
      if (!/^https?:\/\//.test(u)) return;
      var img = document.createElement("img");
      img.src = u;
      img.alt = urlPreview.getAttribute("aria-label") + ": " + u;
      img.loading = "lazy";
      urlPreview.appendChild(img);
    });
  }
  if (urlArea) urlArea.addEventListener("change", showURLs);

  caption.addEventListener("input", update);
  form.addEventListener("input", function (e) { if (e.target.name === "caption_facebook" || e.target.name === "caption_instagram" || e.target.id === "media") update(); });
  form.addEventListener("change", update);
  update();
})();
