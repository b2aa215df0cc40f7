// The media library page: uploads by drag and drop with progress (the
// plain form still works without this script), and a confirmation before
// a file is deleted.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (form && window.humasUpload) {
    var zone = document.getElementById("dropzone");
    window.humasUpload.attach(zone, document.getElementById("media-files"), document.getElementById("uploads"), {
      csrf: form.dataset.csrf, chunk: +form.dataset.chunk || 8388608,
      texts: { uploading: form.dataset.uploading, failed: form.dataset.failed, retry: form.dataset.retry },
      onDone: function () { if (!document.querySelector("#uploads li:not(.done)")) location.reload(); }
    });
  }
  document.querySelectorAll("form.delete[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
})();
