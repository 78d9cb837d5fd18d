// Draws every chart of the page from the inline specs, then says so in #report-status.
// Errors of any kind (a bad spec, a script error, a request the page's CSP blocked) are
// listed in #report-errors, so a reader and the browser test both see them.
(function () {
  "use strict";
  var box = document.getElementById("report-errors");
  var status = document.getElementById("report-status");
  var failures = 0;
  function fail(message) {
    failures += 1;
    box.hidden = false;
    var item = document.createElement("li");
    item.textContent = String(message);
    box.querySelector("ul").appendChild(item);
    status.dataset.errors = String(failures);
  }
  window.addEventListener("error", function (e) { fail("script error: " + e.message); });
  window.addEventListener("unhandledrejection", function (e) { fail("script error: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    fail("blocked a request to " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
  var specs;
  try {
    specs = JSON.parse(document.getElementById("report-specs").textContent);
  } catch (e) {
    fail("chart specs unreadable: " + e.message);
    specs = {};
  }
  var ids = Object.keys(specs);
  var drawn = 0;
  var jobs = ids.map(function (id) {
    var el = document.getElementById("chart-" + id);
    try {
      var compiled = vegaLite.compile(specs[id]).spec;
      var view = new vega.View(vega.parse(compiled), {
        renderer: "svg", container: el, hover: true
      });
      return view.runAsync().then(function () {
        var marks = el.querySelectorAll("svg .mark-rect path, svg .mark-line path, " +
          "svg .mark-symbol path, svg .mark-area path").length;
        if (!marks) { fail(id + ": chart drew no marks"); return; }
        el.dataset.rendered = String(marks);
        drawn += 1;
      }, function (e) { fail(id + ": " + e.message); });
    } catch (e) {
      fail(id + ": " + e.message);
      return Promise.resolve();
    }
  });
  Promise.all(jobs).then(function () {
    status.dataset.charts = String(ids.length);
    status.dataset.drawn = String(drawn);
    status.dataset.errors = String(failures);
    status.dataset.state = "done";
    status.textContent = "charts drawn: " + drawn + " of " + ids.length +
      (failures ? ", errors: " + failures : "");
  });
})();
