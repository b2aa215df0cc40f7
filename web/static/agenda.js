// The agenda page: deleting an event asks first.
(function () {
  document.querySelectorAll("form.delete[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
})();
