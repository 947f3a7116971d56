"use strict";
(function () {
  var body = document.body;
  var text = document.getElementById("text");
  var tip = document.getElementById("tip");
  var status = document.getElementById("status");
  var marks = Array.prototype.slice.call(text.querySelectorAll("mark.f"));
  var items = Array.prototype.slice.call(document.querySelectorAll(".findings li"));
  var sentences = Array.prototype.slice.call(text.querySelectorAll(".s"));
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

  // The current sentence: the one j/k, n/p, a click or the findings list moved to, and
  // the one the review keys and buttons mark.
  var broken = sentences.filter(function (s) { return s.dataset.verdict === "broken"; });
  var current = null;

  function shown(s) {
    return getComputedStyle(s).display !== "none";
  }

  function moveTo(s) {
    if (s.dataset.verdict === "ok" && hideOk.checked) {
      hideOk.checked = false;
      body.classList.remove("hide-ok");
    }
    s.focus({ preventScroll: true });
    s.scrollIntoView({ block: "center" });
  }

  // The next (step 1) or previous (step -1) broken sentence from the current one, wrapping around.
  function goToBroken(step) {
    if (!broken.length) {
      status.textContent = "No broken sentences.";
      return;
    }
    var at = current ? sentences.indexOf(current) : (step > 0 ? -1 : sentences.length);
    var ahead = broken.filter(function (s) { return step * (sentences.indexOf(s) - at) > 0; });
    var target = ahead.length ? ahead[step > 0 ? 0 : ahead.length - 1] : broken[step > 0 ? 0 : broken.length - 1];
    moveTo(target);
    status.textContent = "Broken sentence " + (broken.indexOf(target) + 1) + " of " + broken.length;
  }

  function goToSentence(step) {
    var at = sentences.indexOf(current);
    for (var i = at < 0 ? (step > 0 ? 0 : sentences.length - 1) : at + step; i >= 0 && i < sentences.length; i += step) {
      if (shown(sentences[i])) { moveTo(sentences[i]); return; }
    }
  }

  document.getElementById("next-broken").addEventListener("click", function () { goToBroken(1); });
  document.getElementById("prev-broken").addEventListener("click", function () { goToBroken(-1); });

  // A click in the findings list focuses the sentence (the link already scrolls to it).
  document.querySelectorAll(".findings a").forEach(function (a) {
    a.addEventListener("click", function () {
      var s = document.getElementById(a.getAttribute("href").slice(1));
      if (s) { moveTo(s); }
    });
  });

  // Reviewer marks: sentence index -> "broken" or "ok", kept in localStorage under the
  // report's fingerprint; findings the reviewer dismissed as no error likewise.
  var articleId = text.dataset.articleId;
  var marksKey = "mtaudit-marks:" + text.dataset.fingerprint;
  var dismissedKey = "mtaudit-dismissed:" + text.dataset.fingerprint;
  var labelNames = { broken: "broken", ok: "fine" };
  var sentenceByIndex = {};
  sentences.forEach(function (s) { sentenceByIndex[s.dataset.index] = s; });

  // Some browsers refuse storage to pages opened from files; the page then works for the session.
  var storage = null;
  try {
    window.localStorage.setItem("mtaudit-probe", "1");
    window.localStorage.removeItem("mtaudit-probe");
    storage = window.localStorage;
  } catch (e) {
    storage = null;
  }
  var storageNote = document.getElementById("storage-note");
  storageNote.hidden = storage !== null;

  function load(key) {
    if (!storage) { return null; }
    try { return JSON.parse(storage.getItem(key)); } catch (e) { return null; }
  }

  function save(key, value) {
    if (!storage) { return; }
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (e) {
      storageNote.hidden = false;
    }
  }

  var labels = {};
  var stored = load(marksKey) || {};
  Object.keys(stored).forEach(function (index) {
    if (sentenceByIndex[index] && labelNames[stored[index]]) { labels[index] = stored[index]; }
  });
  var dismissed = {};
  (load(dismissedKey) || []).forEach(function (finding) {
    if (findingById[finding] && findingById[finding].dataset.allow) { dismissed[finding] = true; }
  });

  var selected = document.getElementById("review-selected");
  var markBroken = document.getElementById("mark-broken");
  var markOk = document.getElementById("mark-ok");
  var markClear = document.getElementById("mark-clear");
  var markCount = document.getElementById("mark-count");
  var exportButton = document.getElementById("export-labels");

  function showMark(s) {
    var label = labels[s.dataset.index];
    if (label) { s.dataset.mark = label; } else { delete s.dataset.mark; }
  }

  function showSelection() {
    var on = current !== null;
    [markBroken, markOk, markClear].forEach(function (b) { b.disabled = !on; });
    var label = on ? labels[current.dataset.index] : undefined;
    markBroken.setAttribute("aria-pressed", String(label === "broken"));
    markOk.setAttribute("aria-pressed", String(label === "ok"));
    selected.textContent = on
      ? "Sentence " + (Number(current.dataset.index) + 1) + " of " + sentences.length + " (" + current.dataset.verdict + ")" +
        (label ? ", marked " + labelNames[label] : "")
      : "No sentence selected";
  }

  function showCount() {
    var counts = { broken: 0, ok: 0 };
    Object.keys(labels).forEach(function (index) { counts[labels[index]]++; });
    var total = counts.broken + counts.ok;
    markCount.textContent = total + (total === 1 ? " sentence" : " sentences") + " marked" +
      (total ? " (" + counts.broken + " broken, " + counts.ok + " fine)" : "");
    exportButton.disabled = total === 0;
  }

  function select(s) {
    if (current) { current.classList.remove("current"); }
    current = s;
    s.classList.add("current");
    showSelection();
  }

  function mark(label) {
    if (!current) {
      status.textContent = "Select a sentence first: click it, or press n.";
      return;
    }
    var index = current.dataset.index;
    if (label) { labels[index] = label; } else { delete labels[index]; }
    save(marksKey, labels);
    showMark(current);
    showSelection();
    showCount();
    var allowable = label === "ok" && items.some(function (li) { return li.dataset.sentence === index && li.dataset.allow; });
    showAllowList();
    status.textContent = "Sentence " + (Number(index) + 1) + (label ? " marked " + labelNames[label] : " unmarked") +
      (allowable ? "; its names and terms are listed under “For mtaudit.toml”." : ".");
  }

  text.addEventListener("click", function (e) {
    var s = e.target.closest(".s");
    if (s) { select(s); }
  });
  text.addEventListener("focusin", function (e) {
    var s = e.target.closest(".s");
    if (s) { select(s); }
    var t = tipTarget(e.target);
    if (t) { showTip(t); }
  });
  markBroken.addEventListener("click", function () { mark("broken"); });
  markOk.addEventListener("click", function () { mark("ok"); });
  markClear.addEventListener("click", function () { mark(null); });

  // Gold JSON Lines as `mtaudit eval --gold` reads them: one article (doc_id), one line per
  // marked sentence, seg_id giving its place in the article.
  function exportLabels() {
    return sentences.filter(function (s) { return labels[s.dataset.index]; }).map(function (s) {
      var index = Number(s.dataset.index);
      return JSON.stringify({
        id: articleId + "#" + index,
        text: s.textContent,
        lang: text.lang,
        label: labels[s.dataset.index],
        doc_id: articleId,
        seg_id: index + 1
      }) + "\n";
    }).join("");
  }
  window.mtauditExportLabels = exportLabels;

  exportButton.addEventListener("click", function () {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([exportLabels()], { type: "application/x-ndjson" }));
    link.download = articleId + ".labels.jsonl";
    body.appendChild(link);
    link.click();
    link.remove();
    // The download reads the blob after this handler returns.
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    status.textContent = "Labels saved as " + link.download + ".";
  });

  // Allow-list entries of the findings the reviewer called fine (their sentence marked
  // fine, or the finding dismissed), as lines for mtaudit.toml.
  var allowSection = document.getElementById("allow");
  var allowToml = document.getElementById("allow-toml");

  // A TOML basic string: JSON's escapes are TOML's, apart from DEL, which TOML wants escaped.
  function tomlString(s) {
    return JSON.stringify(s).replace(/\u007f/g, "\\u007F");
  }

  function showAllowList() {
    var lists = { names: [], terms: [] };
    var seen = {};
    items.forEach(function (li) {
      if (!li.dataset.allow) { return; }
      var fine = dismissed[li.dataset.finding] || labels[li.dataset.sentence] === "ok";
      li.classList.toggle("fine", Boolean(fine));
      if (!fine) { return; }
      JSON.parse(li.dataset.allow).forEach(function (entry) {
        var key = entry.text.toLowerCase();
        if (seen[key]) { return; }
        seen[key] = true;
        lists[entry.list].push(entry.text);
      });
    });
    var lines = ["[allow]"];
    ["names", "terms"].forEach(function (list) {
      if (lists[list].length) { lines.push(list + " = [" + lists[list].map(tomlString).join(", ") + "]"); }
    });
    allowToml.textContent = lines.join("\n") + "\n";
    allowSection.hidden = lines.length === 1;
  }

  document.querySelectorAll(".findings .dismiss").forEach(function (button) {
    var finding = button.closest("li").dataset.finding;
    button.setAttribute("aria-pressed", String(Boolean(dismissed[finding])));
    button.addEventListener("click", function () {
      if (dismissed[finding]) { delete dismissed[finding]; } else { dismissed[finding] = true; }
      button.setAttribute("aria-pressed", String(Boolean(dismissed[finding])));
      save(dismissedKey, Object.keys(dismissed));
      showAllowList();
    });
  });

  var copyStatus = document.getElementById("copy-status");
  document.getElementById("copy-allow").addEventListener("click", function () {
    function manual() {
      window.getSelection().selectAllChildren(allowToml);
      copyStatus.textContent = "Copying was refused: the lines are selected, press Ctrl+C.";
    }
    if (!navigator.clipboard) { manual(); return; }
    navigator.clipboard.writeText(allowToml.textContent).then(function () {
      copyStatus.textContent = "Copied.";
    }, manual);
  });

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    if (e.key === "Escape") { hideTip(); return; }
    var actions = {
      j: function () { goToBroken(1); },
      k: function () { goToBroken(-1); },
      n: function () { goToSentence(1); },
      p: function () { goToSentence(-1); },
      b: function () { mark("broken"); },
      f: function () { mark("ok"); },
      u: function () { mark(null); }
    };
    if (actions[e.key]) {
      actions[e.key]();
      e.preventDefault();
    }
  });

  sentences.forEach(showMark);
  showSelection();
  showCount();
  showAllowList();
  applyFilters();
})();
