//! The HTML report's markup: escaping, overlapping findings, data attributes, files.

mod html_fixtures;

use html_fixtures::*;
use mtaudit::audit::{Auditor, Sink};
use mtaudit::config::{Config, Resolved};
use mtaudit::data::{ArticleAudit, Verdict};
use mtaudit::report::html::{article_file, HtmlReport, INDEX_FILE};
use mtaudit::report::ArticleRow;
use regex::Regex;
use std::collections::BTreeSet;
use std::path::Path;

fn render(audit: &ArticleAudit) -> String {
    HtmlReport::new("unused".into())
        .render_article(audit)
        .unwrap()
}

/// The markup of the article text container.
fn text_markup(html: &str) -> &str {
    let start = html.find("<div id=\"text\"").expect("text container");
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let end = open_end
        + html[open_end..]
            .find("</div>")
            .expect("text container closes");
    &html[open_end..end]
}

/// Walks the text markup: checks that only `span` and `mark` elements occur and nest
/// properly, and returns the text with tags removed and entities decoded.
fn walk_text_markup(markup: &str) -> String {
    let tag = Regex::new(r"<(/?)([a-z]+)[^>]*>").unwrap();
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut last = 0;
    for m in tag.captures_iter(markup) {
        let whole = m.get(0).unwrap();
        text.push_str(&html_escape::decode_html_entities(
            &markup[last..whole.start()],
        ));
        last = whole.end();
        let name = m[2].to_string();
        assert!(
            name == "span" || name == "mark",
            "unexpected element <{name}> in the text"
        );
        if &m[1] == "/" {
            assert_eq!(
                open.pop().as_deref(),
                Some(name.as_str()),
                "</{name}> closes the wrong element"
            );
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
    text.push_str(&html_escape::decode_html_entities(&markup[last..]));
    text
}

#[test]
fn article_text_is_kept_exactly_and_markup_is_balanced() {
    for audit in [german_article(), xss_article()] {
        let html = render(&audit);
        assert_eq!(
            walk_text_markup(text_markup(&html)),
            audit.text,
            "text of {}",
            audit.id
        );
    }
}

#[test]
fn sentences_carry_verdicts_and_check_ids() {
    let audit = german_article();
    let html = render(&audit);
    let sentence = Regex::new(
        r#"<span class="s" id="s-(\d+)"[^>]*data-verdict="(\w+)"[^>]*data-checks="([^"]*)""#,
    )
    .unwrap();
    let found: Vec<(usize, String, String)> = sentence
        .captures_iter(&html)
        .map(|c| (c[1].parse().unwrap(), c[2].to_string(), c[3].to_string()))
        .collect();
    assert_eq!(found.len(), audit.sentences.len());
    for (index, verdict, checks) in found {
        let s = &audit.sentences[index];
        assert_eq!(verdict, s.verdict.as_str());
        let expected: BTreeSet<&str> = s
            .findings
            .iter()
            .map(|&i| audit.findings[i].finding.check.as_str())
            .collect();
        assert_eq!(
            checks.split_whitespace().collect::<BTreeSet<_>>(),
            expected,
            "sentence {index}"
        );
    }
    assert!(audit.sentences.iter().any(|s| s.verdict == Verdict::Broken));
    assert!(audit.sentences.iter().any(|s| s.verdict == Verdict::Ok));
}

#[test]
fn overlapping_findings_split_into_flat_marks() {
    let audit = german_article();
    let html = render(&audit);
    let mark = Regex::new(r#"<mark [^>]*data-findings="([^"]*)"[^>]*>(.*?)</mark>"#).unwrap();
    let tag = Regex::new(r"<[^>]*>").unwrap();
    // Every stretch of text under a mark lists exactly the findings whose spans cover it.
    let mut covered: BTreeSet<usize> = BTreeSet::new();
    for c in mark.captures_iter(&html) {
        let ids: BTreeSet<usize> = c[1].split(' ').map(|i| i.parse().unwrap()).collect();
        let text = html_escape::decode_html_entities(&tag.replace_all(&c[2], "")).to_string();
        for &i in &ids {
            assert!(
                audit.findings[i]
                    .finding
                    .span
                    .slice(&audit.text)
                    .contains(text.as_str()),
                "{text:?} outside finding {i}"
            );
        }
        covered.extend(ids);
    }
    // Every finding of a sentence is underlined; the document-level one is only listed.
    let expected: BTreeSet<usize> = (0..audit.findings.len())
        .filter(|&i| audit.findings[i].sentence.is_some())
        .collect();
    assert_eq!(covered, expected);
    assert!(
        html.contains(r#"data-findings="4 5""#),
        "nested findings share a mark for \"Hauss\""
    );
    assert!(
        html.contains(r#"data-findings="6 7""#),
        "partly overlapping findings share a mark"
    );
}

#[test]
fn findings_list_links_to_sentences_with_filters() {
    let audit = german_article();
    let html = render(&audit);
    for (i, f) in audit.findings.iter().enumerate() {
        let item = format!(
            r#"<li id="f-{i}" data-finding="{i}" data-check="{}" data-severity="{}""#,
            f.finding.check, f.finding.severity
        );
        assert!(html.contains(&item), "missing {item}");
        if let Some(s) = f.sentence {
            assert!(html.contains(&format!("href=\"#s-{s}\"")));
        }
    }
    for check in audit.findings_by_check.keys() {
        assert!(html.contains(&format!(r#"class="filter-check" value="{check}""#)));
    }
    assert!(
        html.contains(r#"id="heat-toggle""#),
        "token scores give a heat-map toggle"
    );
    assert!(
        !render(&xss_article()).contains(r#"id="heat-toggle""#),
        "no tokens, no toggle"
    );
}

#[test]
fn article_text_cannot_inject_markup() {
    let audit = xss_article();
    let html = render(&audit);
    // Our own script is the only one; the article's markup appears escaped.
    assert_eq!(html.matches("<script").count(), 1, "one inline script only");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<a href=\"javascript"));
    assert!(html.contains("&lt;script&gt;document.title="));
    assert!(html.contains("&lt;img src=x onerror="));

    let rows = [ArticleRow::of(&audit)];
    let index = HtmlReport::new("unused".into())
        .render_index(&summary(&rows), &rows)
        .unwrap();
    assert_eq!(
        index.matches("<script").count(),
        2,
        "the JSON data block and our script"
    );
    assert_eq!(index.matches("</script>").count(), 2);
    assert!(!index.contains("<img"));
}

#[test]
fn article_pages_are_deterministic() {
    let audit = german_article();
    assert_eq!(render(&audit), render(&audit.clone()));
}

#[test]
fn article_page_snapshot() {
    insta::assert_snapshot!("german_article_page", render(&german_article()));
}

#[test]
fn index_page_embeds_every_row_and_a_histogram() {
    let rows = rows(250);
    let html = HtmlReport::new("unused".into())
        .render_index(&summary(&rows), &rows)
        .unwrap();
    let json_start = html
        .find(r#"<script type="application/json" id="rows">"#)
        .unwrap();
    let json = &html[json_start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let parsed: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    assert_eq!(parsed.len(), rows.len());
    // In review order: the failed articles first, each row linking its page.
    let failed = rows.iter().filter(|r| !r.gate_passed).count();
    assert!(parsed[..failed].iter().all(|r| r["gate"] == false));
    assert!(parsed[failed..].iter().all(|r| r["gate"] == true));
    for row in &parsed {
        assert_eq!(row["href"], article_file(row["id"].as_str().unwrap()));
    }
    // The first page is rendered on the server, for readers without JavaScript.
    assert_eq!(html.matches("<tr data-id=").count(), 100);
    let counts: usize = Regex::new(r#"data-count="(\d+)""#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].parse::<usize>().unwrap())
        .sum();
    assert_eq!(counts, rows.len(), "histogram bins hold every article");
    assert!(
        html.contains("12.2 s") || html.contains("12.3 s"),
        "time taken is shown"
    );
    assert!(html.contains("&lt;b&gt;"), "input errors are escaped");
}

#[test]
fn report_writes_a_page_per_article_and_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = HtmlReport::new(dir.path().to_path_buf());
    let audits = [german_article(), xss_article()];
    for audit in &audits {
        report.article(audit).unwrap();
    }
    let rows: Vec<ArticleRow> = audits.iter().map(ArticleRow::of).collect();
    report.finish(&summary(&rows)).unwrap();
    for audit in &audits {
        let page = std::fs::read_to_string(dir.path().join(article_file(&audit.id))).unwrap();
        assert_eq!(page, render(audit));
    }
    let index = std::fs::read_to_string(dir.path().join(INDEX_FILE)).unwrap();
    for audit in &audits {
        assert!(index.contains(&format!("href=\"{}\"", article_file(&audit.id))));
    }
}

/// The allow-list entries a page offers for each finding (`data-allow`), by finding index.
fn allow_suggestions(html: &str) -> Vec<(usize, Vec<(String, String)>)> {
    let item = Regex::new(r#"<li id="f-(\d+)"[^>]*data-allow="([^"]*)""#).unwrap();
    item.captures_iter(html)
        .map(|c| {
            let json = html_escape::decode_html_entities(&c[2]).to_string();
            let entries: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
            let entries = entries
                .iter()
                .map(|e| {
                    (
                        e["list"].as_str().unwrap().to_string(),
                        e["text"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (c[1].parse().unwrap(), entries)
        })
        .collect()
}

/// `mtaudit.toml` with `entries` (list, text) on the allow-lists.
fn allow_config(entries: &[(String, String)]) -> Resolved {
    let mut toml = String::from("[allow]\n");
    for list in ["names", "terms"] {
        let texts: Vec<String> = entries
            .iter()
            .filter(|(l, _)| l == list)
            .map(|(_, text)| serde_json::to_string(text).unwrap())
            .collect();
        toml.push_str(&format!("{list} = [{}]\n", texts.join(", ")));
    }
    let path = Path::new("mtaudit.toml");
    Config::parse(&toml, path).unwrap().resolve(path).unwrap()
}

#[test]
fn allow_suggestions_silence_their_findings_when_audited_again() {
    let mut suggested_checks = BTreeSet::new();
    let mut offered = 0;
    for (article, audit) in sample_articles().iter().zip(sample_audits()) {
        for (index, entries) in allow_suggestions(&render(&audit)) {
            let finding = &audit.findings[index].finding;
            let again = Auditor::new(allow_config(&entries), None).audit(article);
            assert!(
                !again
                    .findings
                    .iter()
                    .any(|f| f.finding.check == finding.check && f.finding.span == finding.span),
                "{}: {entries:?} leaves {finding:?}",
                audit.id
            );
            suggested_checks.insert(finding.check.as_str());
            offered += 1;
        }
    }
    assert_eq!(
        suggested_checks,
        BTreeSet::from(["capitalisation", "fragment", "wrong-language"])
    );
    assert!(offered >= 15, "{offered} suggestions");
}

#[test]
fn allow_suggestions_go_to_names_or_terms() {
    let audits = sample_audits();
    let italian = audits.iter().find(|a| a.lang.code() == "it").unwrap();
    let html = render(italian);
    let entries: Vec<(String, String)> = allow_suggestions(&html)
        .into_iter()
        .flat_map(|(_, entries)| entries)
        .collect();
    for expected in [
        ("names", "Kernkraftwerk"),
        ("terms", "fazit"),
        ("terms", "putin"),
    ] {
        assert!(
            entries.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {entries:?}"
        );
    }
    // A heading-like line is no name or term: nothing to allow.
    let headings = italian
        .findings
        .iter()
        .filter(|f| f.finding.message.starts_with("heading-like line"))
        .count();
    assert!(headings > 0);
    assert!(allow_suggestions(&html)
        .iter()
        .all(|(i, _)| !italian.findings[*i]
            .finding
            .message
            .starts_with("heading-like")));
}
