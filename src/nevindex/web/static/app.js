/* nevindex portal: progressive enhancement only. Every page works without this file.
   - ranking table: sort by clicking a column header; search and filter as you type;
   - what-if form: recompute through the API without reloading the page;
   - publish buttons: ask for confirmation.
   Text from the server is inserted with textContent only (never innerHTML). */
(function () {
  "use strict";

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function number(value) {
    if (value === "" || value === null || value === undefined) return null;
    var n = Number(value);
    return isFinite(n) ? n : null;
  }

  /* --- ranking table -------------------------------------------------------------------- */
  function enhanceRanking(table) {
    var tbody = table.tBodies[0];
    if (!tbody) return;
    var rows = Array.prototype.slice.call(tbody.rows).filter(function (r) { return r.dataset.name !== undefined; });
    var form = document.querySelector("form[data-ranking-filters]");
    var count = document.getElementById("ranking-count");
    var total = rows.length;
    var countText = count ? count.getAttribute("data-template") : null;

    table.querySelectorAll("th[data-key]").forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      if (!th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var current = th.getAttribute("aria-sort");
        var dir = current === "ascending" ? "descending" : (current === "descending" ? "ascending" :
                  (th.dataset.key === "score" || /^e\d+$/.test(th.dataset.key) ? "descending" : "ascending"));
        table.querySelectorAll("th[data-key]").forEach(function (o) { o.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir);
        sortRows(th.dataset.key, th.dataset.type, dir);
      });
    });

    function sortRows(key, type, dir) {
      var sign = dir === "ascending" ? 1 : -1;
      var sorted = rows.slice().sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        if (type === "num") {
          var nx = number(x), ny = number(y);
          if (nx === null && ny === null) return 0;
          if (nx === null) return 1;   /* missing values last, whatever the direction */
          if (ny === null) return -1;
          return sign * (nx - ny);
        }
        if (!x && y) return 1;
        if (x && !y) return -1;
        return sign * String(x).localeCompare(String(y), document.documentElement.lang);
      });
      sorted.forEach(function (r) { tbody.appendChild(r); });
    }

    if (!form) return;
    var search = form.querySelector("input[name=q]");
    var groupSelects = form.querySelectorAll("select[name=group]");
    var ratingSelect = form.querySelector("select[name=rating]");

    function apply() {
      var needle = search ? search.value.trim().toLowerCase() : "";
      var groups = [];
      groupSelects.forEach(function (s) { if (s.value) groups.push(s.value); });
      var rating = ratingSelect ? ratingSelect.value : "";
      var shown = 0;
      rows.forEach(function (r) {
        var ok = !needle || (r.dataset.search || "").toLowerCase().indexOf(needle) !== -1;
        if (ok && rating) ok = r.dataset.rating === rating;
        var own = (r.dataset.groups || "").split("|");
        groups.forEach(function (g) { if (ok && own.indexOf(g) === -1) ok = false; });
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count && countText) count.textContent = fmt(countText, {n: shown, total: total});
      var params = new URLSearchParams(window.location.search);
      params.delete("q"); params.delete("group"); params.delete("rating");
      if (needle) params.set("q", search.value.trim());
      groups.forEach(function (g) { params.append("group", g); });
      if (rating) params.set("rating", rating);
      var qs = params.toString();
      if (!document.body.dataset.static) {
        window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
      }
    }

    if (search) search.addEventListener("input", apply);
    groupSelects.forEach(function (s) { s.addEventListener("change", apply); });
    if (ratingSelect) ratingSelect.addEventListener("change", apply);
    /* rank-by and sort need the server's ranking: submit on change */
    ["element", "sort"].forEach(function (name) {
      var s = form.querySelector("select[name=" + name + "]");
      if (s && !document.body.dataset.static) s.addEventListener("change", function () { form.submit(); });
    });
    form.addEventListener("submit", function (ev) {
      if (document.body.dataset.static) { ev.preventDefault(); apply(); }
    });
    /* the server filtered already; in the static copy apply the query string here */
    if (document.body.dataset.static) {
      var params = new URLSearchParams(window.location.search);
      if (search && params.get("q")) search.value = params.get("q");
      apply();
    }
  }

  /* --- what-if -------------------------------------------------------------------------- */
  /* a typed amount in natural units: "4270000", "4.27 million", "3k", "427万" (as the server reads it) */
  var WORDS = {k: 1e3, thousand: 1e3, m: 1e6, mn: 1e6, million: 1e6, millions: 1e6, bn: 1e9, b: 1e9,
               billion: 1e9, billions: 1e9, "万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6};
  function amount(text) {
    var m = /^\s*([-+\u2212]?\d+(?:\.\d*)?|[-+\u2212]?\.\d+)(?:e([-+]?\d+))?\s*([a-z\u4e00-\u9fff]*)\s*%?\s*$/i.exec(text);
    if (!m) return NaN;
    var word = (m[3] || "").toLowerCase();
    if (word && !(word in WORDS)) return NaN;
    return Number(m[1].replace("\u2212", "-") + (m[2] ? "e" + m[2] : "")) * (word ? WORDS[word] : 1);
  }

  function enhanceWhatIf(form) {
    var result = document.querySelector("[data-whatif-result]");
    var labels = JSON.parse(form.getAttribute("data-labels") || "{}");
    var elements = JSON.parse(form.getAttribute("data-elements") || "[]");

    function cell(tag, text, cls) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      return el;
    }
    function show(value, digits) {
      return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
    }
    function render(data) {
      var table = document.createElement("table");
      table.className = "compact";
      table.appendChild(cell("caption", labels.result));
      var head = table.createTHead().insertRow();
      head.appendChild(cell("th", ""));
      head.appendChild(cell("th", labels.before, "num"));
      head.appendChild(cell("th", labels.after, "num"));
      var body = table.createTBody();
      function line(name, a, b, digits, better) {
        var tr = body.insertRow();
        var th = cell("th", name); th.scope = "row"; tr.appendChild(th);
        tr.appendChild(cell("td", show(a, digits), "num"));
        var cls = "num";
        if (a !== null && b !== null && a !== b) cls += better(a, b) ? " up" : " down";
        tr.appendChild(cell("td", show(b, digits), cls));
      }
      line(labels.score, data.before.score, data.after.score, 2, function (a, b) { return b > a; });
      line(labels.rank, data.before.rank, data.after.rank, 0, function (a, b) { return b < a; });
      elements.forEach(function (e) {
        line(e.name, data.before.elements[e.code], data.after.elements[e.code], 2, function (a, b) { return b > a; });
      });
      result.replaceChildren(table);
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var changes = {};
      var bad = null;
      form.querySelectorAll("input[data-indicator]").forEach(function (input) {
        var raw = input.value.replace(/[,，]/g, "").trim();
        input.removeAttribute("aria-invalid");
        if (!raw) return;
        var n = amount(raw);
        if (!isFinite(n)) { bad = bad || input; input.setAttribute("aria-invalid", "true"); return; }
        changes[input.dataset.indicator] = n;
      });
      if (bad) { bad.focus(); return; }
      if (Object.keys(changes).length === 0) { result.replaceChildren(); return; }
      result.textContent = labels.working;
      fetch(form.dataset.endpoint, {
        method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({changes: changes, units: "natural"}), credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (reply) {
        if (!reply.ok) throw new Error(reply.data && reply.data.error ? reply.data.error.message : "error");
        render(reply.data);
      }).catch(function (err) {
        var p = cell("p", labels.error + ": " + err.message, "error-message");
        p.setAttribute("role", "alert");
        result.replaceChildren(p);
      });
    });
    form.addEventListener("reset", function () { result.replaceChildren(); });
  }

  /* --- compare in the static copy: build the table from the edition's ranking.json --------- */
  function enhanceStaticCompare(form) {
    if (!document.body.dataset.static || !form.dataset.source) return;
    var params = new URLSearchParams(window.location.search);
    var chosen = params.getAll("brands").filter(function (b) { return b; });
    var selects = form.querySelectorAll("select[name=brands]");
    chosen.forEach(function (code, i) { if (selects[i]) selects[i].value = code; });
    if (chosen.length === 0) return;
    var labels = JSON.parse(form.dataset.labels || "{}");
    var lang = document.body.dataset.lang;
    var out = document.querySelector("[data-compare-result]");
    function pick(names, fallback) { return (names && (names[lang] || names.en)) || fallback; }
    function text(tag, value, cls) {
      var el = document.createElement(tag); el.textContent = value; if (cls) el.className = cls; return el;
    }
    function num(v, d) { return v === null || v === undefined ? "—" : Number(v).toFixed(d); }
    fetch(form.dataset.source).then(function (r) { return r.json(); }).then(function (data) {
      var rows = chosen.map(function (c) { return data.items.filter(function (r) { return r.code === c; })[0]; })
                       .filter(function (r) { return r; });
      var unique = rows.filter(function (r, i) { return rows.indexOf(r) === i; });
      if (unique.length < 2 || unique.length > 4) { out.replaceChildren(text("p", labels.pick)); return; }
      var table = document.createElement("table");
      table.className = "compare";
      table.appendChild(text("caption", labels.caption));
      var head = table.createTHead().insertRow();
      head.appendChild(text("th", labels.measure));
      unique.forEach(function (r) { head.appendChild(text("th", pick(r.name, r.code))); });
      var body = table.createTBody();
      function line(label, f) {
        var tr = body.insertRow();
        var th = text("th", label); th.scope = "row"; tr.appendChild(th);
        unique.forEach(function (r) { tr.appendChild(text("td", f(r), "num")); });
      }
      line(labels.rank, function (r) { return r.rank === null ? "—" : String(r.rank); });
      line(labels.score, function (r) { return num(r.score, 1); });
      line(labels.rating, function (r) { return r.rating || "—"; });
      data.edition.elements.forEach(function (e) {
        line(pick(e.name, e.code), function (r) { return num(r.elements[e.code].score, 1); });
      });
      var wrap = document.createElement("div"); wrap.className = "table-wrap"; wrap.appendChild(table);
      out.replaceChildren(wrap);
    });
  }

  /* --- confirmation of irreversible actions ---------------------------------------------- */
  function enhanceConfirm(form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-sortable]").forEach(enhanceRanking);
    document.querySelectorAll("form[data-whatif]").forEach(enhanceWhatIf);
    document.querySelectorAll("form[data-confirm]").forEach(enhanceConfirm);
    document.querySelectorAll("form[data-compare-form]").forEach(enhanceStaticCompare);
  });
})();
