//! Hand-built audits for the HTML report tests: a garbled German sample article with
//! findings of several checks and severities (some overlapping), token surprisal, and
//! an article full of markup that must render as text.

#![allow(dead_code)] // Each test crate uses a different part of these fixtures.

use mtaudit::audit::{ArticleEvidence, Auditor};
use mtaudit::config::Resolved;
use mtaudit::data::{Article, CheckId, Finding, GatePolicy, Lang, Severity, Span, *};
use mtaudit::report::ArticleRow;
use mtaudit::segment::segment;
use std::path::{Path, PathBuf};

pub const POLICY: GatePolicy = GatePolicy {
    fail_on_critical: true,
    max_needs_editor: 0.8,
    fail_under: Some(90.0),
    max_broken_ratio: Some(0.2),
};

/// The first paragraphs of a real machine-translated sample article.
pub fn german_text() -> String {
    let sample = include_str!("../fixtures/samples/000_242c8710a1e8f699.txt");
    sample.lines().take(8).collect::<Vec<_>>().join("\n") + "\n"
}

/// A finding on the `nth` occurrence (from 0) of `needle`.
pub struct Planted {
    pub needle: &'static str,
    pub nth: usize,
    pub check: CheckId,
    pub severity: Severity,
    pub message: &'static str,
}

const fn plant(
    needle: &'static str,
    check: CheckId,
    severity: Severity,
    message: &'static str,
) -> Planted {
    Planted {
        needle,
        nth: 0,
        check,
        severity,
        message,
    }
}

/// Findings on the German text; the two on "Weißen Hauss" nest, the two around
/// "Russlands Gericht" overlap partly.
pub fn german_findings() -> Vec<Planted> {
    use CheckId::*;
    use Severity::*;
    vec![
        plant(
            "Maxim shemetov | Reuters",
            CaptionCredit,
            Minor,
            "photo credit left in the running text",
        ),
        plant(
            "US -Verhandlungsführer",
            DetachedHyphen,
            Major,
            "hyphen detached from its word: \"US -Verhandlungsführer\"",
        ),
        plant(
            "Ukraine -Krieges",
            DetachedHyphen,
            Major,
            "hyphen detached from its word: \"Ukraine -Krieges\"",
        ),
        plant(
            "des Weißen Hauss zu melden",
            ImplausibleWording,
            Major,
            "the language model finds this wording implausible",
        ),
        plant(
            "Hauss",
            Capitalisation,
            Minor,
            "\"Hauss\" is not a German word",
        ),
        plant(
            "vor dem Russlands Gericht",
            ImplausibleWording,
            Critical,
            "garbled phrase: \"vor dem Russlands Gericht\"",
        ),
        plant(
            "Russlands Gericht, nachdem",
            Repetition,
            Minor,
            "article repeated before a genitive",
        ),
        plant(
            "Stimmungsmusik",
            WrongLanguage,
            Minor,
            "calque of an English idiom (\"mood music\")",
        ),
    ]
}

/// The audit of `text` with the `planted` and `document_findings` in place of the
/// heuristics', built as the pipeline builds every audit ([`Auditor::judge`]) without the
/// language model. With `tokens`, made-up token surprisal stands in for the model's, for
/// the heat map; the fingerprint is fixed so that pages do not change with the version.
pub fn audit_of(
    id: &str,
    text: &str,
    planted: &[Planted],
    document_findings: &[Finding],
    tokens: bool,
) -> ArticleAudit {
    let article = Article {
        id: id.to_string(),
        source: format!("samples/{id}.txt"),
        title: None,
        lang: Some(Lang::GERMAN),
        text: text.to_string(),
    };
    let sentences = segment(text);
    let evidence = ArticleEvidence {
        lang: Lang::GERMAN,
        lang_source: LangSource::Detected,
        sentence_languages: vec![Lang::GERMAN; sentences.len()],
        sentences,
        findings: placed(text, planted, document_findings),
        lm: None,
    };
    let mut settings = Resolved::default();
    settings.gate_policy = POLICY;
    let mut audit = Auditor::new(settings, None).judge(&article, evidence);
    audit.fingerprint = "fixture".into();
    if tokens {
        audit.tokens = Some(word_tokens(text, &audit.findings));
        audit.evidence = evidence_with_model();
    }
    audit
}

/// The `planted` findings where their needles stand in `text`, and the document findings.
fn placed(text: &str, planted: &[Planted], document_findings: &[Finding]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = planted
        .iter()
        .map(|p| {
            let start = text
                .match_indices(p.needle)
                .nth(p.nth)
                .unwrap_or_else(|| panic!("{:?} not in text", p.needle))
                .0;
            Finding::new(
                p.check,
                p.severity,
                Span::new(start, start + p.needle.len()),
                p.message,
            )
        })
        .collect();
    findings.extend(document_findings.iter().cloned());
    findings
}

/// The heuristics and the language model, for an audit with token surprisal.
fn evidence_with_model() -> Evidence {
    Evidence {
        heuristics: true,
        language_model: Some(ModelInfo {
            name: "gemma-3-270m".into(),
            sha256: "3f1c0e5b9d2a4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506".into(),
            exact: false,
            device: "cpu".into(),
        }),
    }
}

/// One token per word with made-up but deterministic surprisal, higher inside findings.
fn word_tokens(text: &str, findings: &[FindingAudit]) -> Vec<TokenScore> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let flagged = findings
                    .iter()
                    .any(|f| f.sentence.is_some() && f.finding.span.overlaps(Span::new(s, i)));
                let base = ((i - s) % 6) as f32 * 1.1 + 0.4;
                tokens.push(TokenScore {
                    start: s,
                    end: i,
                    surprisal: if flagged { base + 7.5 } else { base },
                });
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

pub fn german_article() -> ArticleAudit {
    let text = german_text();
    let stats = Finding::new(
        CheckId::DocumentStats,
        Severity::Minor,
        Span::new(0, text.len()),
        "unusually many detached hyphens for one article",
    );
    audit_of(
        "fixture-de-putin",
        &text,
        &german_findings(),
        &[stats],
        true,
    )
}

/// Article text that would run script if it were not escaped. A successful attack
/// changes `document.title` to "pwned".
pub const XSS_TEXT: &str = "Der Bericht <script>document.title='pwned'</script> wurde veröffentlicht.\n\
Ein Bild \"><img src=x onerror=\"document.title='pwned'\"> folgte im Text.\n\
Mehr unter <a href=\"javascript:document.title='pwned'\">diesem Link</a> und javascript:document.title='pwned' hier.\n\
Ende </script><script>document.title='pwned'</script> & Schluss.\n";

pub fn xss_article() -> ArticleAudit {
    use CheckId::*;
    use Severity::*;
    let planted = [
        plant(
            "<script>document.title='pwned'</script>",
            MarkupDebris,
            Major,
            "markup <script> in the text",
        ),
        plant(
            "\"><img src=x onerror=\"document.title='pwned'\">",
            MarkupDebris,
            Critical,
            "HTML tag \"><img onerror>",
        ),
        plant(
            "<a href=\"javascript:document.title='pwned'\">",
            MarkupDebris,
            Major,
            "link markup <a href=javascript:>",
        ),
    ];
    let mut audit = audit_of(
        "xss\"><script>document.title='pwned'</script>",
        XSS_TEXT,
        &planted,
        &[],
        false,
    );
    audit.title = Some("<img src=x onerror=\"document.title='pwned'\"> Titel".into());
    audit.source = "<script>document.title='pwned'</script>.txt".into();
    audit
}

/// The sample articles (`tests/fixtures/samples`), in file name order.
pub fn sample_articles() -> Vec<Article> {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/samples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| Article {
            id: path.file_stem().unwrap().to_string_lossy().to_string(),
            source: path.display().to_string(),
            title: None,
            lang: None,
            text: std::fs::read_to_string(path).unwrap(),
        })
        .collect()
}

/// Real audits of the sample articles through the pipeline, with the default settings and
/// without the language model.
pub fn sample_audits() -> Vec<ArticleAudit> {
    let auditor = Auditor::new(Default::default(), None);
    sample_articles().iter().map(|a| auditor.audit(a)).collect()
}

/// `n` index rows with varied, deterministic values.
pub fn rows(n: usize) -> Vec<ArticleRow> {
    let checks = CheckId::ALL;
    (0..n)
        .map(|i| {
            let score = ((i * 7919) % 1000) as f64 / 10.0;
            let broken = (i * 31) % 9;
            ArticleRow {
                id: format!("article-{i:05}"),
                source: format!("batch/article-{i:05}.txt"),
                title: (i % 3 == 0).then(|| format!("Titel Nummer {i}")),
                lang: if i % 5 == 0 {
                    Lang::ITALIAN
                } else {
                    Lang::GERMAN
                },
                words: 200 + (i * 13) % 900,
                score,
                needs_editor: ((i * 6151) % 1000) as f64 / 1000.0,
                verdicts: VerdictCounts {
                    ok: 20 + i % 17,
                    suspect: i % 4,
                    broken,
                },
                worst_check: (broken > 0).then(|| checks[i % checks.len()]),
                gate_passed: score >= 90.0,
                gate_reasons: if score >= 90.0 {
                    Vec::new()
                } else {
                    vec![format!("score {score:.1} is below 90")]
                },
            }
        })
        .collect()
}

pub fn summary(rows: &[ArticleRow]) -> RunSummary {
    let mut verdicts = VerdictCounts::default();
    for r in rows {
        verdicts.ok += r.verdicts.ok;
        verdicts.suspect += r.verdicts.suspect;
        verdicts.broken += r.verdicts.broken;
    }
    RunSummary {
        schema_version: SCHEMA_VERSION,
        tool_version: "0.1.0".into(),
        articles: rows.len(),
        sentences: verdicts.total(),
        verdicts,
        failed_gate: rows.iter().filter(|r| !r.gate_passed).count(),
        input_errors: vec![InputFailure {
            source: "bad<b>.txt".into(),
            error: "not UTF-8".into(),
        }],
        evidence: Evidence {
            heuristics: true,
            language_model: None,
        },
        gate_policy: POLICY,
        elapsed_seconds: 12.25,
        reused: 0,
        mean_score: (!rows.is_empty())
            .then(|| rows.iter().map(|r| r.score).sum::<f64>() / rows.len() as f64),
    }
}
