// Uploads for the compose page and the media library: drag and drop or
// the file picker, several files at once, a progress bar per file. Each
// file goes up in chunks (PUT at its offset); after a dropped connection
// the upload asks the server how far it got and goes on from there.
(function () {
  "use strict";
  function parse(t) { try { return JSON.parse(t); } catch (e) { return {}; } }
  function request(method, url, csrf, body, cb) {
    var x = new XMLHttpRequest();
    x.open(method, url);
    x.setRequestHeader("Accept", "application/json");
    x.setRequestHeader("X-CSRF-Token", csrf);
    if (body !== null) x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () { cb(x.status >= 400 ? (parse(x.responseText).error || x.statusText) : null, parse(x.responseText), x.status); };
    x.onerror = function () { cb("network", null, 0); };
    x.send(body === null ? null : JSON.stringify(body));
  }

  // uploadFile sends one file: o = {csrf, chunk, onProgress(sent, total),
  // onDone(card), onError(message, resume or null)}.
  function uploadFile(file, o) {
    var id = null, offset = 0, tries = 0;
    function fail(msg, resumable) {
      o.onError(msg, resumable ? function () { tries = 0; resume(); } : null);
    }
    function resume() {
      tries++;
      if (tries > 6) { fail(o.networkText || "network", true); return; }
      setTimeout(function () {
        request("GET", "/media/uploads/" + id, o.csrf, null, function (err, res) {
          if (err) { resume(); return; }
          if (res.media_id) { offset = file.size; }
          offset = res.offset; next();
        });
      }, Math.min(8000, 500 * Math.pow(2, tries)));
    }
    function next() {
      var end = Math.min(offset + o.chunk, file.size);
      var x = new XMLHttpRequest();
      x.open("PUT", "/media/uploads/" + id);
      x.setRequestHeader("Accept", "application/json");
      x.setRequestHeader("X-CSRF-Token", o.csrf);
      x.setRequestHeader("Upload-Offset", String(offset));
      x.setRequestHeader("Content-Type", "application/octet-stream");
      x.upload.onprogress = function (e) { o.onProgress(offset + e.loaded, file.size); };
      x.onload = function () {
        var res = parse(x.responseText);
        if (x.status === 200) { offset = res.offset; tries = 0; o.onProgress(offset, file.size); next(); return; }
        if (x.status === 201) { o.onProgress(file.size, file.size); o.onDone(res.media); return; }
        if (x.status === 409 && typeof res.offset === "number") { offset = res.offset; next(); return; }
        if (x.status >= 500 || x.status === 408) { resume(); return; }
        fail(res.error || x.statusText, false);
      };
      x.onerror = function () { resume(); };
      x.send(file.slice(offset, end));
    }
    request("POST", "/media/uploads", o.csrf, { filename: file.name, size: file.size }, function (err, res) {
      if (err) { fail(err, false); return; }
      id = res.id; offset = res.offset || 0; o.chunk = res.chunk || o.chunk;
      o.onProgress(0, file.size);
      next();
    });
  }

  function fmtPct(n) { return Math.floor(n) + "%"; }

  // attach wires a drop zone and a file input to uploads listed in list;
  // opts = {csrf, chunk, texts: {uploading, failed, retry}, onDone(card)}.
  function attach(zone, input, list, opts) {
    function start(file) {
      var li = document.createElement("li");
      li.className = "upload";
      var name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = opts.texts.uploading.replace("{f}", file.name);
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var pct = document.createElement("span");
      pct.className = "pct"; pct.textContent = "0%";
      var msg = document.createElement("span");
      msg.className = "upload-msg";
      li.append(name, bar, pct, msg);
      list.appendChild(li);
      uploadFile(file, {
        csrf: opts.csrf, chunk: opts.chunk, networkText: opts.texts.network,
        onProgress: function (sent, total) {
          var p = total ? 100 * sent / total : 100;
          bar.value = p; pct.textContent = fmtPct(p);
        },
        onDone: function (card) {
          li.classList.add("done");
          li.remove();
          opts.onDone(card);
        },
        onError: function (m, resume) {
          li.classList.add("failed");
          msg.textContent = opts.texts.failed.replace("{e}", m);
          if (resume) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "secondary small"; b.textContent = opts.texts.retry;
            b.addEventListener("click", function () { b.remove(); li.classList.remove("failed"); msg.textContent = ""; resume(); });
            li.appendChild(b);
          }
        }
      });
    }
    function files(list) { Array.prototype.forEach.call(list, start); }
    input.addEventListener("change", function () { files(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files) files(e.dataTransfer.files); });
  }

  window.humasUpload = { attach: attach, request: request };
})();
