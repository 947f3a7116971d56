//! Hand-built audits for the HTML report tests: a garbled German sample article with
//! findings of several checks and severities (some overlapping), token surprisal, and
//! an article full of markup that must render as text.

#![allow(dead_code)] // Each test crate uses a different part of these fixtures.

use mtaudit::audit::Auditor;
use mtaudit::data::{Article, CheckId, Finding, GatePolicy, Lang, Severity, Span, *};
use mtaudit::gate::GateInput;
use mtaudit::report::ArticleRow;
use mtaudit::scoring;
use mtaudit::segment::segment;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const POLICY: GatePolicy = GatePolicy {
    fail_on_critical: true,
    max_needs_editor: 0.8,
    fail_under: Some(90.0),
    max_broken_ratio: Some(0.2),
};

/// The hand-built article estimate: the share of sentences that are not ok.
fn needs_editor(verdicts: &VerdictCounts) -> f64 {
    1.0 - verdicts.ok as f64 / verdicts.total().max(1) as f64
}

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

/// Builds an audit the way the pipeline does: findings belong to the sentence they start
/// in, verdicts follow their penalty points, the score follows MQM-Core.
pub fn audit_of(
    id: &str,
    text: &str,
    planted: &[Planted],
    document_findings: &[Finding],
    tokens: bool,
) -> ArticleAudit {
    let sentences = segment(text);
    let findings = in_sentences(text, &sentences, placed(text, planted, document_findings));
    let (sentence_audits, verdicts) = sentence_audits(&sentences, &findings);
    let mut findings_by_severity = BTreeMap::new();
    let mut findings_by_check = BTreeMap::new();
    for f in &findings {
        *findings_by_severity.entry(f.finding.severity).or_insert(0) += 1;
        *findings_by_check.entry(f.finding.check).or_insert(0) += 1;
    }
    let words = scoring::word_count(text);
    let penalty = scoring::penalty(findings.iter().map(|f| &f.finding));
    let score = scoring::article_score(penalty, words);
    let token_scores = tokens.then(|| word_tokens(text, &findings));
    ArticleAudit {
        schema_version: SCHEMA_VERSION,
        id: id.to_string(),
        source: format!("samples/{id}.txt"),
        title: None,
        fingerprint: "fixture".into(),
        lang: Lang::GERMAN,
        lang_source: LangSource::Detected,
        evidence: evidence(tokens),
        words,
        penalty,
        score,
        needs_editor: needs_editor(&verdicts),
        verdicts,
        findings_by_severity,
        findings_by_check,
        gate: mtaudit::gate::evaluate(
            &POLICY,
            &GateInput {
                score,
                verdicts,
                needs_editor: needs_editor(&verdicts),
                critical: Vec::new(),
            },
        ),
        text: text.to_string(),
        sentences: sentence_audits,
        findings,
        tokens: token_scores,
        lm_error: None,
    }
}

/// The `planted` findings where their needles stand in `text`, and the document findings,
/// in the pipeline's order.
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
    findings.sort_by_key(|f| (f.span.start, f.span.end, f.check));
    findings
}

/// Each finding with the sentence it starts in; none for those over the whole text.
fn in_sentences(text: &str, sentences: &[Sentence], findings: Vec<Finding>) -> Vec<FindingAudit> {
    let whole = Span::new(0, text.len());
    findings
        .into_iter()
        .map(|finding| {
            let sentence = (!finding.span.contains(whole)).then(|| {
                sentences
                    .partition_point(|s| s.span.start <= finding.span.start)
                    .saturating_sub(1)
            });
            FindingAudit { finding, sentence }
        })
        .collect()
}

/// Each sentence with its findings and the verdict their penalty points give, and the
/// verdicts counted.
fn sentence_audits(
    sentences: &[Sentence],
    findings: &[FindingAudit],
) -> (Vec<SentenceAudit>, VerdictCounts) {
    let mut verdicts = VerdictCounts::default();
    let audits = sentences
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let own: Vec<usize> = (0..findings.len())
                .filter(|&i| findings[i].sentence == Some(index))
                .collect();
            let verdict =
                scoring::verdict(scoring::penalty(own.iter().map(|&i| &findings[i].finding)));
            verdicts.add(verdict);
            SentenceAudit {
                index,
                span: s.span,
                kind: s.kind,
                lang: Lang::GERMAN,
                verdict,
                findings: own,
                probability_broken: 0.0,
                lm: None,
            }
        })
        .collect();
    (audits, verdicts)
}

/// The heuristics, and the language model where the audit has `tokens`.
fn evidence(tokens: bool) -> Evidence {
    Evidence {
        heuristics: true,
        language_model: tokens.then(|| ModelInfo {
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
