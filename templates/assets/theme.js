/* What every page (plan, site, dashboard) adds on top of its CSS, loaded in <head> so the chosen
   theme applies before the first paint:
   - the theme: light, dark, or the system's (the default, and all a reader without JavaScript
     gets, through the CSS media query); the choice is kept in localStorage;
   - checklists: the task lists of the guidance can be ticked, and stay ticked on that page;
   - a box that scrolls sideways (wide table, chart) can be reached from the keyboard.
   Storage can be refused (private windows, some file:// pages): everything still works for the
   visit, it is just not remembered. */
(function () {
  "use strict";
  var THEME_KEY = "roadmap-theme";
  var CHOICES = ["system", "light", "dark"];
  var LABELS = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };
  var root = document.documentElement;

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value);
    } catch (e) { /* not remembered: see above */ }
  }

  /* ---------- theme ---------- */
  function chosenTheme() {
    var stored = load(THEME_KEY);
    return CHOICES.indexOf(stored) >= 0 ? stored : "system";
  }
  function applyTheme(choice) {
    // "system" leaves the attribute off, so the CSS follows prefers-color-scheme.
    if (choice === "system") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", choice);
  }
  applyTheme(chosenTheme());

  function setUpToggles() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (button) {
      var show = function (choice) { button.textContent = LABELS[choice]; };
      show(chosenTheme());
      button.hidden = false;  // a page without JavaScript has no toggle: it follows the system
      button.addEventListener("click", function () {
        var next = CHOICES[(CHOICES.indexOf(chosenTheme()) + 1) % CHOICES.length];
        save(THEME_KEY, next === "system" ? null : next);
        applyTheme(next);
        show(next);
      });
    });
  }

  /* ---------- checklists ---------- */
  function setUpChecklists() {
    var boxes = document.querySelectorAll(".task-list-item input[type=checkbox]");
    Array.prototype.forEach.call(boxes, function (box, index) {
      var key = "roadmap-check:" + window.location.pathname + "#" + index;
      box.disabled = false;
      box.checked = load(key) === "1";
      box.addEventListener("change", function () { save(key, box.checked ? "1" : null); });
    });
  }

  /* ---------- boxes that scroll sideways ---------- */
  // A wide table or chart scrolls inside its own box on a small screen; a keyboard reaches such a
  // box only if it can take focus, so a box that scrolls now and holds no link gets a tab stop.
  var SCROLLERS = ".table-scroll, table, figure.chart";
  function markScrollers() {
    Array.prototype.forEach.call(document.querySelectorAll(SCROLLERS), function (box) {
      var overflow = window.getComputedStyle(box).overflowX;
      var scrolls = (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex") && !box.querySelector("a[href], button, input, select")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-stop", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-stop")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-stop");
      }
    });
  }

  function ready() {
    setUpToggles();
    setUpChecklists();
    markScrollers();
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(markScrollers, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
