"use strict";
(function () {
  var body = document.body;
  var text = document.getElementById("text");
  var tip = document.getElementById("tip");
  var status = document.getElementById("status");
  var marks = Array.prototype.slice.call(text.querySelectorAll("mark.f"));
  var items = Array.prototype.slice.call(document.querySelectorAll(".findings li"));
  var findingById = {};
  items.forEach(function (li) { findingById[li.dataset.finding] = li; });

  // The custom tooltip replaces the browser's title tooltip, which never shows on focus.
  marks.forEach(function (m) {
    m.dataset.tip = m.getAttribute("title") || "";
    m.removeAttribute("title");
  });

  // Lines for the tooltip of whatever the pointer or focus is on: the findings of the
  // enclosing mark, and the token's surprisal when the heat map is on.
  function tipText(node) {
    var lines = [];
    var mark = node.closest("mark.f");
    if (mark && !mark.classList.contains("filtered-out")) {
      lines.push(mark.dataset.tip);
    }
    var token = node.closest(".t");
    if (token && body.classList.contains("heat")) {
      lines.push("surprisal " + token.dataset.surprisal + " nats");
    }
    return lines.join("\n");
  }

  function showTip(el) {
    var content = tipText(el);
    if (!content) { hideTip(); return; }
    tip.textContent = content;
    tip.hidden = false;
    var r = (el.closest("mark.f") || el).getBoundingClientRect();
    var left = Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(window.scrollX + 4, left) + "px";
    tip.style.top = (r.bottom + window.scrollY + 6) + "px";
    var mark = el.closest("mark.f");
    if (mark) { mark.setAttribute("aria-describedby", "tip"); }
  }

  function hideTip() {
    tip.hidden = true;
    var described = text.querySelectorAll("[aria-describedby]");
    for (var i = 0; i < described.length; i++) { described[i].removeAttribute("aria-describedby"); }
  }

  function tipTarget(node) {
    return node && node.closest ? node.closest("mark.f, .t") : null;
  }

  text.addEventListener("mouseover", function (e) { var t = tipTarget(e.target); if (t) { showTip(t); } });
  text.addEventListener("mouseout", function (e) { if (tipTarget(e.target)) { hideTip(); } });
  text.addEventListener("focusin", function (e) { var t = tipTarget(e.target); if (t) { showTip(t); } });
  text.addEventListener("focusout", hideTip);

  // Filters by check and severity: a finding passes when both its boxes are ticked.
  function ticked(selector) {
    var set = {};
    document.querySelectorAll(selector).forEach(function (box) { if (box.checked) { set[box.value] = true; } });
    return set;
  }

  function applyFilters() {
    var checks = ticked(".filter-check");
    var severities = ticked(".filter-severity");
    var shown = 0;
    items.forEach(function (li) {
      var pass = checks[li.dataset.check] && severities[li.dataset.severity];
      li.hidden = !pass;
      if (pass) { shown++; }
    });
    marks.forEach(function (m) {
      var active = m.dataset.findings.split(" ").some(function (id) {
        var li = findingById[id];
        return li && !li.hidden;
      });
      m.classList.toggle("filtered-out", !active);
      m.tabIndex = active ? 0 : -1;
    });
    status.textContent = shown + " of " + items.length + " findings shown";
  }

  document.querySelectorAll(".filter-check, .filter-severity").forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });

  var hideOk = document.getElementById("hide-ok");
  hideOk.addEventListener("change", function () { body.classList.toggle("hide-ok", hideOk.checked); });

  var heat = document.getElementById("heat-toggle");
  if (heat) {
    heat.addEventListener("change", function () { body.classList.toggle("heat", heat.checked); });
  }

  // Next / previous broken sentence, with buttons and the keys j and k.
  var broken = Array.prototype.slice.call(text.querySelectorAll('.s[data-verdict="broken"]'));
  var current = -1;

  function goTo(i) {
    if (!broken.length) {
      status.textContent = "No broken sentences.";
      return;
    }
    current = (i + broken.length) % broken.length;
    var prev = text.querySelector(".s.current");
    if (prev) { prev.classList.remove("current"); }
    var s = broken[current];
    s.classList.add("current");
    s.focus({ preventScroll: true });
    s.scrollIntoView({ block: "center" });
    status.textContent = "Broken sentence " + (current + 1) + " of " + broken.length;
  }

  document.getElementById("next-broken").addEventListener("click", function () { goTo(current + 1); });
  document.getElementById("prev-broken").addEventListener("click", function () { goTo(current - 1); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    if (e.key === "j") { goTo(current + 1); e.preventDefault(); }
    else if (e.key === "k") { goTo(current < 0 ? -1 : current - 1); e.preventDefault(); }
    else if (e.key === "Escape") { hideTip(); }
  });

  // A click in the findings list focuses the sentence (the link already scrolls to it).
  document.querySelectorAll(".findings a").forEach(function (a) {
    a.addEventListener("click", function () {
      var s = document.getElementById(a.getAttribute("href").slice(1));
      if (!s) { return; }
      if (s.dataset.verdict === "ok" && hideOk.checked) {
        hideOk.checked = false;
        body.classList.remove("hide-ok");
      }
      var prev = text.querySelector(".s.current");
      if (prev) { prev.classList.remove("current"); }
      s.classList.add("current");
      s.focus({ preventScroll: true });
      var b = broken.indexOf(s);
      if (b >= 0) { current = b; }
    });
  });

  applyFilters();
})();
