/* The advice site's two small features, offline and without a server:
   - search over the prebuilt index (search-index.js lists its parts);
   - "Which of these apply to me?": the modules' `when:` rules (rules.js) evaluated on the
     answers, mirroring roadmap/applyform.py. tests/vectors/apply-form.json checks both agree. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";

  /* ---------- search ---------- */
  function words(text) {
    return (text || "").toLowerCase().split(/[^a-z0-9]+/).filter(function (w) { return w.length > 1; });
  }
  function search(query) {
    var terms = words(query);
    if (!terms.length || !window.ROADMAP_SEARCH) return [];
    var hits = [];
    window.ROADMAP_SEARCH.forEach(function (page) {
      var title = page.title.toLowerCase(), text = page.text.toLowerCase(), topics = page.topics.toLowerCase();
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i], here = 0;
        if (title.indexOf(t) >= 0) here += 5;
        if (topics.indexOf(t) >= 0) here += 3;
        if (text.indexOf(t) >= 0) here += 1;
        if (!here) return;  // every term must match somewhere
        score += here;
      }
      hits.push({ page: page, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.page.title < b.page.title ? -1 : 1); });
    return hits.slice(0, 8).map(function (h) { return h.page; });
  }
  window.roadmapSearch = search;

  /* A line of the page's text around the first term found, each term in a <mark>; built from
     text nodes, never from HTML, so nothing in the index can become markup. */
  var SNIPPET_BEFORE = 50, SNIPPET_LENGTH = 160;
  function snippet(text, query) {
    var terms = words(query), lower = text.toLowerCase(), at = -1;
    terms.forEach(function (t) { var i = lower.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - SNIPPET_BEFORE);
    if (start > 0) { var space = text.indexOf(" ", start); if (space >= 0 && space < at) start = space + 1; }
    var end = Math.min(text.length, start + SNIPPET_LENGTH);
    if (end < text.length) { var cut = text.lastIndexOf(" ", end); if (cut > Math.max(at, start)) end = cut; }
    var part = text.slice(start, end), partLower = part.toLowerCase();
    var out = document.createElement("span");
    out.className = "snippet";
    if (start > 0) out.appendChild(document.createTextNode("… "));
    var i = 0;
    while (i < part.length) {
      var next = -1, length = 0;
      terms.forEach(function (t) {
        var j = partLower.indexOf(t, i);
        if (j >= 0 && (next < 0 || j < next || (j === next && t.length > length))) { next = j; length = t.length; }
      });
      if (next < 0) { out.appendChild(document.createTextNode(part.slice(i))); break; }
      if (next > i) out.appendChild(document.createTextNode(part.slice(i, next)));
      var mark = document.createElement("mark");
      mark.textContent = part.slice(next, next + length);
      out.appendChild(mark);
      i = next + length;
    }
    if (end < text.length) out.appendChild(document.createTextNode(" …"));
    return out;
  }

  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (input && list) {
    input.addEventListener("input", function () {
      var found = search(input.value);
      list.textContent = "";
      found.forEach(function (page) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + page.url;
        link.textContent = page.title;
        var stage = document.createElement("span");
        stage.textContent = " · " + page.stage;
        item.appendChild(link);
        item.appendChild(stage);
        if (page.text) item.appendChild(snippet(page.text, input.value));
        list.appendChild(item);
      });
      if (!found.length && input.value.trim()) {
        var none = document.createElement("li");
        none.textContent = "No section matches.";
        list.appendChild(none);
      }
      list.hidden = !input.value.trim();
    });
  }

  /* The index comes in parts (an edit rewrites one part), listed by search-index.js: loaded in
     order after the page, and a query typed before the last one arrived is searched again. */
  var parts = window.ROADMAP_SEARCH_PARTS || [];
  var waiting = parts.length;
  parts.forEach(function (name) {
    var tag = document.createElement("script");
    tag.src = root + "assets/" + name;
    tag.async = false;
    tag.onload = tag.onerror = function () {
      waiting -= 1;
      if (!waiting && input && input.value.trim()) input.dispatchEvent(new Event("input"));
    };
    document.body.appendChild(tag);
  });

  /* ---------- rules ---------- */
  var PHASE = { lt: function (a, b) { return a < b; }, le: function (a, b) { return a <= b; },
                gt: function (a, b) { return a > b; }, ge: function (a, b) { return a >= b; } };
  function test(leaf, actual) {
    var op = leaf.op, value = leaf.value;
    var many = Array.isArray(value) ? value : [value];
    if (op === "exists") return (actual !== null && actual !== undefined && !(Array.isArray(actual) && !actual.length)) === value;
    if (Array.isArray(actual)) {  // flags: equality means "contains"
      var hit = many.some(function (v) { return actual.indexOf(v) >= 0; });
      return (op === "eq" || op === "in") ? hit : !hit;
    }
    if (actual === null || actual === undefined) return op === "ne" || op === "not_in";
    if (op === "eq") return actual === value;
    if (op === "ne") return actual !== value;
    if (op === "in") return many.indexOf(actual) >= 0;
    if (op === "not_in") return many.indexOf(actual) < 0;
    return PHASE[op](actual, value);  // numbers, or ISO dates compared as text
  }
  function evaluate(rule, values) {
    if (rule.all) return rule.all.every(function (r) { return evaluate(r, values); });
    if (rule.any) return rule.any.some(function (r) { return evaluate(r, values); });
    return test(rule, values[rule.path]) !== rule.negated;
  }

  /* ---------- the form's answers as namespace values (mirrors applyform.form_values) ---------- */
  function iso(d) { return d.toISOString().slice(0, 10); }
  function localIso(d) { return iso(new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()))); }  // the reader's calendar day
  function parseIso(s) { var p = s.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])); }
  function monthsBetween(today, target) {
    var months = (target.getUTCFullYear() - today.getUTCFullYear()) * 12 + (target.getUTCMonth() - today.getUTCMonth());
    return today.getUTCDate() < target.getUTCDate() ? months + 1 : months;
  }
  function band(score, bands) {  // bands: [[lowest score, id], ...], highest first (scores.yaml)
    if (score === null) return null;
    for (var i = 0; i < bands.length; i++) if (score >= bands[i][0]) return bands[i][1];
    return null;
  }
  function formValues(answers, todayIso) {
    var rules = window.ROADMAP_RULES, v = {}, k;
    for (k in rules.defaults) v[k] = rules.defaults[k];
    var today = parseIso(todayIso), year = answers.match_year;
    var season = rules.season, start = new Date(Date.UTC(year + season.years, season.month - 1, season.day));
    var s1 = answers.step1_status, score = answers.ck_score, practice = answers.practice_latest;
    var s1Attempts = (s1 === "passed" || s1 === "failed") ? 1 : 0;
    var s1Failed = s1 === "failed" ? 1 : 0;
    v["name"] = "You"; v["match_year"] = year; v["today"] = todayIso;
    var type = answers.applicant_type || rules.default_type;
    v["applicant_type"] = type; v["is_img"] = rules.img_types.indexOf(type) >= 0;
    v["stage"] = answers.stage;
    v["step1.status"] = s1; v["step1.attempts"] = s1Attempts; v["step1.failed_attempts"] = s1Failed;
    v["step1.date"] = s1 === "scheduled" ? todayIso : null;
    v["step2ck.status"] = score !== null ? "passed" : "not-taken";
    v["step2ck.score"] = score; v["step2ck.band"] = band(score, rules.bands);
    v["step2ck.attempts"] = score !== null ? 1 : 0; v["step2ck.failed_attempts"] = 0;
    v["failed_attempts"] = s1Failed;
    v["practice.latest"] = practice; v["practice.best"] = practice;
    v["practice.latest_form"] = practice !== null ? "practice" : null;
    v["practice.latest_date"] = practice !== null ? todayIso : null;
    v["practice.count"] = practice !== null ? 1 : 0;
    v["practice.trend"] = practice !== null ? "single" : "none";
    v["season.year"] = year + season.years; v["season.start"] = iso(start);
    v["years_to_season"] = year + season.years - today.getUTCFullYear();
    v["days_to_season"] = Math.round((start - today) / 86400000);
    v["months_to_season"] = monthsBetween(today, start);
    v["step1.taken"] = s1 === "passed" || s1 === "failed" || s1 === "scheduled";  // a scheduled date is today
    v["step2ck.taken"] = score !== null;
    v["match_year_begun"] = today.getUTCFullYear() >= year;
    var review = rules.review_begins[String(year)];
    v["season.review_begun"] = review !== undefined && todayIso >= review;
    v["step2ck.after_submit"] = false;  // the form asks no exam date: it assumes the exam comes first
    // The flags are the conditions of scores.yaml, evaluated like the modules' own.
    v["flags"] = rules.flags.filter(function (f) { return evaluate(f.when, v); }).map(function (f) { return f.id; });
    return v;
  }
  function apply(answers, todayIso) {
    var values = formValues(answers, todayIso);
    return window.ROADMAP_RULES.rules.filter(function (r) { return r.when === null || evaluate(r.when, values); })
      .map(function (r) { return r.id; });
  }
  window.roadmapApply = apply;

  /* The first Match year whose season has not started (the Python side:
     roadmap.commands.site.first_open_match_year). The page was built on some day; the reader's
     today picks the default, unless they typed a year. */
  function defaultMatchYear(todayIso) {
    var season = window.ROADMAP_RULES.season, today = parseIso(todayIso);
    for (var year = today.getUTCFullYear(); ; year++) {
      if (new Date(Date.UTC(year + season.years, season.month - 1, season.day)) > today) return year;
    }
  }
  window.roadmapDefaultYear = defaultMatchYear;

  var form = document.getElementById("apply-form");
  var results = document.getElementById("apply-results");
  if (form && results && window.ROADMAP_RULES) {
    var yearField = form.elements.match_year;
    if (yearField.value === yearField.defaultValue) yearField.value = defaultMatchYear(localIso(new Date()));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var number = function (name) { var raw = form.elements[name].value.trim(); return raw === "" ? null : parseInt(raw, 10); };
      var answers = { stage: form.elements.stage.value, step1_status: form.elements.step1_status.value,
                      ck_score: number("ck_score"), practice_latest: number("practice_latest"),
                      match_year: number("match_year") || defaultMatchYear(localIso(new Date())),
                      applicant_type: form.elements.applicant_type.value };
      var ids = apply(answers, localIso(new Date()));
      results.textContent = "";
      var heading = document.createElement("h3");
      heading.textContent = ids.length + " sections apply to you";
      var listEl = document.createElement("ul");
      ids.forEach(function (id) {
        var item = document.createElement("li"), link = document.createElement("a");
        link.href = root + "modules/" + id + ".html";
        link.textContent = window.ROADMAP_RULES.titles[id];
        item.appendChild(link);
        listEl.appendChild(item);
      });
      results.appendChild(heading);
      results.appendChild(listEl);
    });
  }
})();
