//! The HTML report of an audit of any text: it renders, and no markup from the input
//! survives unescaped (the only `<script` elements are the page's own).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit::data::{ArticleAudit, InputFailure, RunSummary, SCHEMA_VERSION};
use mtaudit::report::html::HtmlReport;
use mtaudit::report::ArticleRow;
use mtaudit_fuzz::{article, auditor};
use std::sync::OnceLock;

fn count_script_tags(html: &str) -> (usize, usize) {
    let lower = html.to_ascii_lowercase();
    (
        lower.matches("<script").count(),
        lower.matches("</script").count(),
    )
}

fn summary(audit: &ArticleAudit, error: &str) -> RunSummary {
    RunSummary {
        schema_version: SCHEMA_VERSION,
        tool_version: "fuzz".into(),
        articles: 1,
        sentences: audit.sentences.len(),
        verdicts: audit.verdicts,
        failed_gate: usize::from(!audit.gate.passed),
        input_errors: vec![InputFailure {
            source: error.into(),
            error: error.into(),
        }],
        evidence: auditor(0).evidence(),
        gate_policy: auditor(0).gate_policy(),
        elapsed_seconds: 1.0,
        reused: 0,
        mean_score: Some(audit.score),
    }
}

fn render(report: &HtmlReport, text: &str) -> Option<(String, String)> {
    let article = article(text)?;
    let audit = auditor(0).audit(&article);
    let page = report.render_article(&audit).expect("article page renders");
    let index = report
        .render_index(&summary(&audit, text), &[ArticleRow::of(&audit)])
        .expect("index page renders");
    Some((page, index))
}

struct Baseline {
    report: HtmlReport,
    page: (usize, usize),
    index: (usize, usize),
}

fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let report = HtmlReport::new(std::env::temp_dir());
        let (page, index) = render(&report, "Titel\nEin Satz. Noch ein Satz.\n").unwrap();
        Baseline {
            page: count_script_tags(&page),
            index: count_script_tags(&index),
            report,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = baseline();
    if let Some((page, index)) = render(&base.report, text) {
        assert_eq!(
            count_script_tags(&page),
            base.page,
            "script tags from the input in the article page"
        );
        assert_eq!(
            count_script_tags(&index),
            base.index,
            "script tags from the input in the index page"
        );
    }
});
