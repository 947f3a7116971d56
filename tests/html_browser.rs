//! The HTML report in a real browser: headless Chromium driven over the DevTools
//! protocol. Skips (passing, with a message) when Chromium is not installed.
//!
//! Run: `cargo test --test html_browser -- --nocapture` (prints the index load time).
//! Set `MTAUDIT_HTML_OUT=<dir>` to keep the generated pages there for a look.

mod browser;
mod html_fixtures;

use browser::{find_chromium, Browser};
use html_fixtures::*;
use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::data::{Article, ArticleAudit, CheckId, FindingAudit, Verdict};
use mtaudit::report::html::{article_file, HtmlReport, INDEX_FILE};
use mtaudit::report::ArticleRow;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// With `MTAUDIT_HTML_OUT` set, keeps a screenshot of the current view there (base64 PNG,
/// for looking at states a plain `--screenshot` cannot reach: tooltips, print layout).
fn keep_screenshot(browser: &mut Browser, name: &str) {
    if let Some(dir) = std::env::var_os("MTAUDIT_HTML_OUT") {
        std::fs::write(
            Path::new(&dir).join(format!("{name}.png.b64")),
            browser.screenshot_base64(),
        )
        .unwrap();
    }
}

/// Rows in the large index whose load time is measured.
const LARGE_INDEX_ROWS: usize = 10_000;

/// The pages of `audits` and an index of `index_rows` (which may list articles without
/// pages: the large index is only about the table).
fn write_pages(dir: &Path, audits: &[ArticleAudit], index_rows: &[ArticleRow]) {
    std::fs::create_dir_all(dir).unwrap();
    let report = HtmlReport::new(dir.to_path_buf());
    for audit in audits {
        let page = report.render_article(audit).unwrap();
        std::fs::write(report.article_path(&audit.id), page).unwrap();
    }
    let index = report
        .render_index(&summary(index_rows), index_rows)
        .unwrap();
    std::fs::write(dir.join(INDEX_FILE), index).unwrap();
}

#[test]
fn html_report_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!("SKIPPED html_report_in_headless_chromium: no chromium found (install Debian's `chromium` or set CHROMIUM=/path/to/chrome)");
        return;
    };
    let kept = std::env::var_os("MTAUDIT_HTML_OUT").map(PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let out = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let small = out.join("small");
    let large = out.join("large");

    let german = german_article();
    let xss = xss_article();
    let samples = sample_audits();
    let mut audits = vec![german.clone(), xss.clone()];
    audits.extend(samples.iter().cloned());
    let rows: Vec<ArticleRow> = audits.iter().map(ArticleRow::of).collect();
    write_pages(&small, &audits, &rows);
    write_pages(&large, &[], &html_fixtures::rows(LARGE_INDEX_ROWS));

    let mut browser = Browser::launch(&chromium);
    flagged_sentences_are_marked(&mut browser, &small, &german);
    filters_and_keys_work(&mut browser, &small, &german);
    article_text_runs_no_script(&mut browser, &small, &xss, rows.len());
    sample_pages_render(&mut browser, &small, &samples);
    review_marks_reach_eval(&mut browser, &small, &sample_articles()[4], &samples[4]);
    index_sorts_and_filters(&mut browser, &small, &rows);
    large_index_loads(&mut browser, &large);
}

fn flagged_sentences_are_marked(browser: &mut Browser, dir: &Path, audit: &ArticleAudit) {
    browser.open(&dir.join(article_file(&audit.id)));
    let dom = browser.eval(
        "[...document.querySelectorAll('#text .s')].map(s => [+s.dataset.index, s.dataset.verdict, s.dataset.checks.split(' ').filter(Boolean).sort().join(' ')])",
    );
    let dom = dom.as_array().unwrap();
    assert_eq!(dom.len(), audit.sentences.len());
    let mut flagged = 0;
    for (sentence, marked) in audit.sentences.iter().zip(dom) {
        let mut checks: Vec<&str> = sentence
            .findings
            .iter()
            .map(|&i| audit.findings[i].finding.check.as_str())
            .collect();
        checks.sort();
        checks.dedup();
        assert_eq!(
            marked,
            &json!([sentence.index, sentence.verdict.as_str(), checks.join(" ")])
        );
        flagged += usize::from(!checks.is_empty());
    }
    assert!(flagged >= 5, "the fixture flags several sentences");

    // Keyboard focus on an underlined finding shows its check, severity and message.
    browser.eval("document.querySelector('mark.f[data-checks~=\"caption-credit\"]').focus()");
    let tip = browser.eval(
        "[document.getElementById('tip').hidden, document.getElementById('tip').textContent]",
    );
    assert_eq!(tip[0], false, "the tooltip shows on focus");
    assert_eq!(
        tip[1],
        "caption-credit (minor): photo credit left in the running text"
    );
    keep_screenshot(browser, "tooltip-on-focus");
    browser.call("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    keep_screenshot(browser, "print");
    browser.call("Emulation.setEmulatedMedia", json!({ "media": "" }));
}

fn filters_and_keys_work(browser: &mut Browser, dir: &Path, audit: &ArticleAudit) {
    browser.open(&dir.join(article_file(&audit.id)));
    let displayed = "(sel) => [...document.querySelectorAll(sel)].map(e => getComputedStyle(e).display !== 'none')";
    let visible = |browser: &mut Browser, verdict: &str| -> Vec<bool> {
        let value = browser.eval(&format!(
            "({displayed})('#text .s[data-verdict=\"{verdict}\"]')"
        ));
        serde_json::from_value(value).unwrap()
    };
    assert!(visible(browser, "ok").iter().all(|&v| v));
    browser.click("#hide-ok");
    assert!(
        visible(browser, "ok").iter().all(|&v| !v),
        "ok sentences hidden after the click"
    );
    assert!(
        visible(browser, "broken").iter().all(|&v| v),
        "broken sentences stay"
    );
    browser.click("#hide-ok");
    assert!(visible(browser, "ok").iter().all(|&v| v));

    // Unticking a check hides its findings in the list and removes their underlines.
    browser.click(".filter-check[value=\"detached-hyphen\"]");
    let state = browser.eval(
        "[[...document.querySelectorAll('.findings li[data-check=\"detached-hyphen\"]')].every(li => li.hidden), \
          [...document.querySelectorAll('mark.f[data-checks=\"detached-hyphen\"]')].every(m => m.classList.contains('filtered-out')), \
          [...document.querySelectorAll('.findings li[data-check=\"caption-credit\"]')].every(li => !li.hidden)]",
    );
    assert_eq!(state, json!([true, true, true]));
    browser.click(".filter-severity[value=\"minor\"]");
    let shown = browser.eval("[...document.querySelectorAll('.findings li')].filter(li => !li.hidden).map(li => li.dataset.severity)");
    assert!(
        shown.as_array().unwrap().iter().all(|s| s != "minor"),
        "minor findings hidden: {shown}"
    );

    // j and k step through the broken sentences.
    let broken: Vec<String> = audit
        .sentences
        .iter()
        .filter(|s| s.verdict == Verdict::Broken)
        .map(|s| format!("s-{}", s.index))
        .collect();
    assert!(broken.len() >= 2);
    browser.eval("document.activeElement.blur()");
    browser.press("j");
    assert_eq!(browser.eval("document.activeElement.id"), json!(broken[0]));
    browser.press("j");
    assert_eq!(browser.eval("document.activeElement.id"), json!(broken[1]));
    browser.press("k");
    assert_eq!(browser.eval("document.activeElement.id"), json!(broken[0]));
    keep_screenshot(browser, "filtered-and-j");

    // The heat map toggle colours tokens by surprisal.
    let hot = "getComputedStyle(document.querySelector('#text .t.h5')).backgroundColor";
    assert_eq!(browser.eval(hot), json!("rgba(0, 0, 0, 0)"));
    browser.click("#heat-toggle");
    assert_ne!(browser.eval(hot), json!("rgba(0, 0, 0, 0)"));
}

fn article_text_runs_no_script(
    browser: &mut Browser,
    dir: &Path,
    audit: &ArticleAudit,
    articles: usize,
) {
    let article_title = format!("{} · mtaudit", audit.title.as_deref().unwrap());
    let index_title = format!("mtaudit · {articles} articles");
    for (page, title) in [
        (article_file(&audit.id), article_title),
        (INDEX_FILE.to_string(), index_title),
    ] {
        browser.open(&dir.join(&page));
        // Give a planted onerror handler time to fire.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(
            browser.eval("document.title"),
            json!(title),
            "{page}: a planted script changed the title"
        );
        assert_eq!(
            browser.eval("document.querySelectorAll('img, #text a, #text script').length"),
            json!(0),
            "{page}"
        );
    }
    browser.open(&dir.join(article_file(&audit.id)));
    let text = browser.eval("document.getElementById('text').textContent");
    assert_eq!(
        text,
        Value::String(audit.text.clone()),
        "the markup shows as text"
    );
}

fn sample_pages_render(browser: &mut Browser, dir: &Path, samples: &[ArticleAudit]) {
    for audit in samples {
        browser.open(&dir.join(article_file(&audit.id)));
        let shown = browser.eval(
            "[document.getElementById('text').textContent, document.querySelectorAll('#text .s').length, \
              [...document.querySelectorAll('#text .s')].map(s => s.dataset.checks.split(' ').filter(Boolean).sort().join(' ')).join('|')]",
        );
        assert_eq!(shown[0], Value::String(audit.text.clone()), "{}", audit.id);
        assert_eq!(shown[1], json!(audit.sentences.len()), "{}", audit.id);
        let expected: Vec<String> = audit
            .sentences
            .iter()
            .map(|s| {
                let mut checks: Vec<&str> = s
                    .findings
                    .iter()
                    .map(|&i| audit.findings[i].finding.check.as_str())
                    .collect();
                checks.sort();
                checks.dedup();
                checks.join(" ")
            })
            .collect();
        assert_eq!(shown[2], json!(expected.join("|")), "{}", audit.id);
    }
}

/// Marks two sentences of a sample article, one broken by keyboard and one fine by mouse;
/// the marks survive a reload, the export is gold data `mtaudit eval` reads, and the
/// allow-list lines offered for the fine sentence's foreign word silence its finding.
fn review_marks_reach_eval(
    browser: &mut Browser,
    dir: &Path,
    article: &Article,
    audit: &ArticleAudit,
) {
    let page = dir.join(article_file(&audit.id));
    browser.open(&page);
    assert_eq!(
        browser.eval("document.getElementById('storage-note').hidden"),
        json!(true),
        "marks can be stored"
    );
    let broken = mark_first_broken_by_keyboard(browser);
    let (fine, finding) = mark_foreign_word_fine_by_mouse(browser, audit);
    assert_ne!(fine, broken);
    keep_screenshot(browser, "review-marks");
    marks_show_and_survive_a_reload(browser, dir, &page, broken, fine);

    let downloads = tempfile::tempdir().unwrap();
    let labels = export_labels(browser, downloads.path(), audit);
    let mut marked = [(broken, "broken"), (fine, "ok")];
    marked.sort();
    assert_labels_exported(&labels, audit, &marked);
    eval_reads_the_labels(&labels, downloads.path());
    allow_list_silences(browser, downloads.path(), article, finding);
    marking_works_without_storage(browser, &page);
}

/// j moves to the first broken sentence, b marks it; returns its index.
fn mark_first_broken_by_keyboard(browser: &mut Browser) -> usize {
    browser.eval("document.activeElement.blur()");
    browser.press("j");
    let broken = browser
        .eval("+document.activeElement.dataset.index")
        .as_u64()
        .unwrap() as usize;
    browser.press("b");
    broken
}

/// A click on the foreign word selects its sentence, the button marks it fine, n moves on;
/// returns the sentence's index and the word's finding.
fn mark_foreign_word_fine_by_mouse<'a>(
    browser: &mut Browser,
    audit: &'a ArticleAudit,
) -> (usize, &'a FindingAudit) {
    let (foreign, finding) = audit
        .findings
        .iter()
        .enumerate()
        .find(|(_, f)| {
            f.finding.check == CheckId::WrongLanguage
                && f.finding.span.slice(&audit.text) == "Kernkraftwerk"
        })
        .expect("the Italian sample has a German word");
    let fine = finding.sentence.unwrap();
    browser.click(&format!("#s-{fine} mark.f[data-findings~=\"{foreign}\"]"));
    browser.click("#mark-ok");
    assert_eq!(
        browser.eval("document.getElementById('mark-ok').getAttribute('aria-pressed')"),
        json!("true")
    );
    browser.press("n");
    assert_eq!(
        browser.eval("+document.activeElement.dataset.index"),
        json!(fine + 1),
        "n moves to the next sentence"
    );
    (fine, finding)
}

fn marks_show_and_survive_a_reload(
    browser: &mut Browser,
    dir: &Path,
    page: &Path,
    broken: usize,
    fine: usize,
) {
    let marks_shown = format!(
        "[...[{broken}, {fine}].map(i => document.getElementById('s-' + i)).map(s => [s.dataset.mark, getComputedStyle(s, '::after').content]), \
          document.getElementById('mark-count').textContent, document.getElementById('allow').hidden, \
          document.getElementById('allow-toml').textContent]"
    );
    let expected = json!([
        ["broken", "\"marked broken\""],
        ["ok", "\"marked fine\""],
        "2 sentences marked (1 broken, 1 fine)",
        false,
        "[allow]\nnames = [\"Kernkraftwerk\"]\n"
    ]);
    assert_eq!(browser.eval(&marks_shown), expected);
    browser.open(&dir.join(INDEX_FILE));
    browser.open(page);
    assert_eq!(browser.eval(&marks_shown), expected, "after a reload");
}

/// Downloads the labels into `downloads` with the export button; checks that the file
/// holds what the page's export function returns, and returns its path.
fn export_labels(browser: &mut Browser, downloads: &Path, audit: &ArticleAudit) -> PathBuf {
    browser.allow_downloads(downloads);
    browser.click("#export-labels");
    let labels = downloads.join(format!("{}.labels.jsonl", audit.id));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !labels.is_file() {
        assert!(std::time::Instant::now() < deadline, "no download");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let exported = std::fs::read_to_string(&labels).unwrap();
    assert_eq!(
        Value::String(exported),
        browser.eval("mtauditExportLabels()")
    );
    labels
}

/// The exported labels are gold sentences: one line per `marked` (index, label), in order.
fn assert_labels_exported(labels: &Path, audit: &ArticleAudit, marked: &[(usize, &str)]) {
    let lines: Vec<Value> = std::fs::read_to_string(labels)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let line = |index: usize, label: &str| {
        json!({
            "id": format!("{}#{index}", audit.id),
            "text": audit.sentences[index].span.slice(&audit.text),
            "lang": audit.lang.code(),
            "label": label,
            "doc_id": audit.id,
            "seg_id": index + 1,
        })
    };
    let expected: Vec<Value> = marked.iter().map(|&(i, label)| line(i, label)).collect();
    assert_eq!(lines, expected);
}

/// `mtaudit eval` (run in `dir`) takes the labels as gold: one broken and one ok item.
fn eval_reads_the_labels(labels: &Path, dir: &Path) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mtaudit"))
        .args(["eval", "--gold"])
        .arg(labels)
        .args(["--no-lm", "--format", "json", "-q"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let overall = &report["sentences"]["overall"];
    assert_eq!(
        [&overall["n"], &overall["n_broken"], &overall["n_ok"]],
        [&json!(2), &json!(1), &json!(1)]
    );
    let items_by_label: Vec<(String, u64)> = report["verdicts_by_label"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(label, counts)| {
            let n = counts.as_object().unwrap().values();
            (label.clone(), n.map(|c| c.as_u64().unwrap()).sum())
        })
        .collect();
    assert_eq!(
        items_by_label,
        [("broken".to_string(), 1), ("ok".to_string(), 1)]
    );
}

/// The allow-list lines the page offers, as the configuration in `dir`, silence `finding`
/// when `article` is audited again.
fn allow_list_silences(
    browser: &mut Browser,
    dir: &Path,
    article: &Article,
    finding: &FindingAudit,
) {
    let config = dir.join("mtaudit.toml");
    let allow = browser.eval("document.getElementById('allow-toml').textContent");
    std::fs::write(&config, allow.as_str().unwrap()).unwrap();
    let settings = Config::load(&config).unwrap().resolve(&config).unwrap();
    let again = Auditor::new(settings, None).audit(article);
    assert!(
        !again
            .findings
            .iter()
            .any(|f| f.finding.check == finding.finding.check
                && f.finding.span == finding.finding.span),
        "the allow-list lines silence the finding"
    );
}

/// Without storage (as some browsers treat pages opened from files) marking still works
/// for the session, and the page says the marks will not last.
fn marking_works_without_storage(browser: &mut Browser, page: &Path) {
    let refuse_storage = browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });" }),
    );
    browser.open(page);
    browser.eval("document.activeElement.blur()");
    browser.press("j");
    browser.press("b");
    assert_eq!(
        browser.eval(
            "[document.getElementById('storage-note').hidden, document.getElementById('mark-count').textContent]"
        ),
        json!([false, "1 sentence marked (1 broken, 0 fine)"])
    );
    browser.call(
        "Page.removeScriptToEvaluateOnNewDocument",
        json!({ "identifier": refuse_storage["identifier"] }),
    );
}

fn table_column(browser: &mut Browser, column: usize) -> Vec<String> {
    let value = browser.eval(&format!(
        "[...document.querySelectorAll('#articles tbody tr')].map(tr => tr.cells[{column}].textContent)"
    ));
    serde_json::from_value(value).unwrap()
}

fn index_sorts_and_filters(browser: &mut Browser, dir: &Path, rows: &[ArticleRow]) {
    browser.open(&dir.join(INDEX_FILE));
    browser.wait_for("document.documentElement.dataset.ready === 'true'");
    // Failed articles come first, each with its reasons under the verdict.
    let failed = rows.iter().filter(|r| !r.gate_passed).count();
    assert!(failed > 0);
    let gates = table_column(browser, 9);
    assert!(
        gates[..failed].iter().all(|g| g.starts_with("✗ FAIL"))
            && gates[failed..].iter().all(|g| g.starts_with("✓ pass")),
        "{gates:?}"
    );
    let first_reasons = browser.eval(
        "[...document.querySelectorAll('#articles tbody tr:first-child ul.reasons li')].map(li => li.textContent)",
    );
    let expected = &rows
        .iter()
        .filter(|r| !r.gate_passed)
        .max_by(|a, b| {
            a.needs_editor
                .total_cmp(&b.needs_editor)
                .then_with(|| b.id.cmp(&a.id))
        })
        .unwrap()
        .gate_reasons;
    assert_eq!(first_reasons, json!(expected));
    let scores = |browser: &mut Browser| -> Vec<f64> {
        table_column(browser, 3)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect()
    };
    browser.click("th[data-key=\"score\"] button");
    let ascending = scores(browser);
    assert_eq!(ascending.len(), rows.len());
    assert!(
        ascending.windows(2).all(|w| w[0] <= w[1]),
        "ascending by score: {ascending:?}"
    );
    let lowest = rows.iter().map(|r| r.score).fold(f64::INFINITY, f64::min);
    assert!((ascending[0] - lowest).abs() < 0.051);
    browser.click("th[data-key=\"score\"] button");
    let descending = scores(browser);
    assert!(
        descending.windows(2).all(|w| w[0] >= w[1]),
        "descending by score: {descending:?}"
    );
    assert_eq!(
        browser.eval("document.querySelector('th[data-key=\"score\"]').getAttribute('aria-sort')"),
        json!("descending")
    );

    browser.click("#filter");
    browser.type_text("xss");
    let ids = browser
        .eval("[...document.querySelectorAll('#articles tbody tr')].map(tr => tr.dataset.id)");
    let expected: Vec<&str> = rows
        .iter()
        .filter(|r| r.id.contains("xss"))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, json!(expected));
}

fn large_index_loads(browser: &mut Browser, dir: &Path) {
    let wall = browser.open(&dir.join(INDEX_FILE));
    browser.wait_for("document.documentElement.dataset.ready === 'true'");
    let timing = browser.eval(
        "(() => { const n = performance.getEntriesByType('navigation')[0]; \
          return [window.mtauditIndexRenderedAt, n.domContentLoadedEventEnd, n.loadEventEnd, n.transferSize || n.encodedBodySize]; })()",
    );
    eprintln!(
        "index with {LARGE_INDEX_ROWS} rows: first page rendered from JSON {:.0} ms after navigation start, \
         DOMContentLoaded {:.0} ms, load {:.0} ms (wall time to readyState complete {} ms), file {} bytes",
        timing[0].as_f64().unwrap_or(f64::NAN),
        timing[1].as_f64().unwrap_or(f64::NAN),
        timing[2].as_f64().unwrap_or(f64::NAN),
        wall.as_millis(),
        std::fs::metadata(dir.join(INDEX_FILE)).map(|m| m.len()).unwrap_or(0),
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#articles tbody tr').length"),
        json!(100),
        "one page of rows"
    );
    // Review order: failed articles first, then the likeliest to need an editor.
    let mut rows = html_fixtures::rows(LARGE_INDEX_ROWS);
    rows.sort_by(|a, b| {
        a.gate_passed
            .cmp(&b.gate_passed)
            .then(b.needs_editor.total_cmp(&a.needs_editor))
            .then_with(|| a.id.cmp(&b.id))
    });
    assert_eq!(table_column(browser, 0)[0], rows[0].id);
    browser.click("#page-next");
    assert_eq!(table_column(browser, 0)[0], rows[100].id);
    browser.click("th[data-key=\"broken\"] button");
    let broken: Vec<usize> = table_column(browser, 7)
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        broken.iter().all(|&b| b == 0),
        "sorting by broken starts with the clean articles"
    );
}
