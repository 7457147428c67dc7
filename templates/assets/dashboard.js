/* The advisor dashboard: sort by a column, filter by text and stage. Rows arrive already in
   "attention first" order, so the page is useful without this script. */
(function () {
  "use strict";
  var table = document.getElementById("advisees");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text");
  var stage = document.getElementById("filter-stage");
  var changed = document.getElementById("filter-changed");
  function filter() {
    var needle = (text.value || "").toLowerCase(), wanted = stage.value, onlyChanged = changed && changed.checked;
    rows.forEach(function (row) {
      var show = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) && (!wanted || row.getAttribute("data-stage") === wanted)
        && (!onlyChanged || +row.getAttribute("data-changes") > 0);
      row.hidden = !show;
    });
  }
  text.addEventListener("input", filter);
  stage.addEventListener("change", filter);
  if (changed) changed.addEventListener("change", filter);
  Array.prototype.forEach.call(table.querySelectorAll("th button"), function (button) {
    button.addEventListener("click", function () {
      var th = button.parentNode, key = button.getAttribute("data-key"), numeric = button.getAttribute("data-type") === "number";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.querySelectorAll("th"), function (other) { if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
        var order = numeric ? (+x - +y) : (x < y ? -1 : x > y ? 1 : 0);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
