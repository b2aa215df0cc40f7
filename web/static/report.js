// The report's period picker: choosing a month or a quarter (or another
// unit) shows it at once, as if its button were pressed; without
// JavaScript the buttons do the same.
(function () {
  "use strict";
  var form = document.getElementById("period-form");
  if (!form) { return; }
  function submitWith(id) {
    var b = document.getElementById(id);
    if (!b) { return; }
    if (form.requestSubmit) { form.requestSubmit(b); } else { b.click(); }
  }
  var month = document.getElementById("month");
  if (month) { month.addEventListener("change", function () { if (month.value) { submitWith("show-month"); } }); }
  var quarter = document.getElementById("quarter");
  if (quarter) { quarter.addEventListener("change", function () { submitWith("show-quarter"); }); }
  var unit = document.getElementById("unit");
  if (unit) {
    unit.addEventListener("change", function () {
      var kind = unit.getAttribute("data-kind") || "month";
      submitWith("show-" + (kind === "quarter" || kind === "custom" ? kind : "month"));
    });
  }
  var print = document.getElementById("print");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
