"use strict";
(function () {
  var PAGE_SIZE = 100;
  var rows = JSON.parse(document.getElementById("rows").textContent);
  var table = document.getElementById("articles");
  var tbody = table.tBodies[0];
  var filterBox = document.getElementById("filter");
  var count = document.getElementById("count");
  var pager = document.getElementById("pager");
  var pageInfo = document.getElementById("page-info");
  var prevButton = document.getElementById("page-prev");
  var nextButton = document.getElementById("page-next");
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  // Lower-cased text each row is matched against, computed once.
  rows.forEach(function (r) {
    r.haystack = [r.id, r.title || "", r.lang, r.worst || "", r.gate ? "pass" : "fail"].concat(r.reasons).join(" ").toLowerCase();
  });

  // Review order (failed first, then the likeliest to need an editor) until a header is clicked.
  var sortKey = "rank";
  var ascending = true;
  var page = 0;
  var visible = rows;

  function compare(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (x === y) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; }
    if (x === null || x === undefined) { return 1; }
    if (y === null || y === undefined) { return -1; }
    var order = typeof x === "string" ? x.localeCompare(y) : (x < y ? -1 : 1);
    return ascending ? order : -order;
  }

  function cell(tr, content, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    tr.appendChild(td);
  }

  function renderRow(r) {
    var tr = document.createElement("tr");
    tr.dataset.id = r.id;
    var first = document.createDocumentFragment();
    var link = document.createElement("a");
    link.href = r.href;
    link.textContent = r.title || r.id;
    first.appendChild(link);
    if (r.title) {
      first.appendChild(document.createTextNode(" "));
      var code = document.createElement("code");
      code.textContent = r.id;
      first.appendChild(code);
    }
    cell(tr, first);
    cell(tr, r.lang);
    cell(tr, String(r.words), "num");
    cell(tr, r.score.toFixed(1), "num score");
    cell(tr, r.editor + "%", "num editor");
    cell(tr, String(r.ok), "num");
    cell(tr, String(r.suspect), "num");
    cell(tr, String(r.broken), "num");
    cell(tr, r.worst || "–", "worst");
    var gate = document.createDocumentFragment();
    gate.appendChild(document.createTextNode(r.gate ? "✓ pass" : "✗ FAIL"));
    if (r.reasons.length) {
      var list = document.createElement("ul");
      list.className = "reasons";
      r.reasons.forEach(function (reason) {
        var item = document.createElement("li");
        item.textContent = reason;
        list.appendChild(item);
      });
      gate.appendChild(list);
    }
    cell(tr, gate, r.gate ? "gate-cell pass" : "gate-cell fail");
    return tr;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    var start = page * PAGE_SIZE;
    var slice = visible.slice(start, start + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    slice.forEach(function (r) { fragment.appendChild(renderRow(r)); });
    tbody.replaceChildren(fragment);
    count.textContent = visible.length === rows.length
      ? rows.length + " articles"
      : visible.length + " of " + rows.length + " articles match";
    pager.hidden = pages < 2;
    pageInfo.textContent = "Page " + (page + 1) + " of " + pages +
      (visible.length ? " (rows " + (start + 1) + "–" + (start + slice.length) + ")" : "");
    prevButton.disabled = page === 0;
    nextButton.disabled = page >= pages - 1;
  }

  function refilter() {
    var needle = filterBox.value.trim().toLowerCase();
    visible = needle ? rows.filter(function (r) { return r.haystack.indexOf(needle) >= 0; }) : rows.slice();
    visible.sort(compare);
    page = 0;
    render();
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.dataset.key;
      ascending = key === sortKey ? !ascending : true;
      sortKey = key;
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      visible.sort(compare);
      page = 0;
      render();
    });
  });

  filterBox.addEventListener("input", refilter);
  prevButton.addEventListener("click", function () { page--; render(); });
  nextButton.addEventListener("click", function () { page++; render(); });

  refilter();
  // For the browser test: when the first page was rendered from the JSON.
  window.mtauditIndexRenderedAt = performance.now();
  document.documentElement.dataset.ready = "true";
})();
