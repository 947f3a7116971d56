//! `--format html`: one self-contained page per article (text with tinted sentences,
//! underlined findings, filters, token heat map) and an `index.html` with a sortable,
//! filterable table of all articles.
//!
//! Pages carry their CSS and JS inline and load nothing, so they open from the file
//! system and work offline. All article text goes through minijinja's HTML
//! auto-escaping; the JSON embedded in the index page is escaped for `<script>`.
//! Article pages hold no timestamps or random ids, so they are byte-for-byte stable.

use super::{file_stem, write_atomic, ArticleRow, ArticleRows, ReportError};
use crate::audit::Sink;
use crate::checks::allow_entries;
use crate::data::{
    ArticleAudit, CheckId, FindingAudit, LangSource, RunSummary, Sentence, SentenceAudit, Severity,
    TokenScore,
};
use minijinja::{context, Environment, Value};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// File name of the index page, in the output folder.
pub const INDEX_FILE: &str = "index.html";

const ARTICLE_TEMPLATE: &str = "article.html";
const INDEX_TEMPLATE: &str = "index.html";
const STYLE: &str = include_str!("../../templates/report.css");
const ARTICLE_SCRIPT: &str = include_str!("../../templates/article.js");
const INDEX_SCRIPT: &str = include_str!("../../templates/index.js");

/// Rows rendered into the index page itself, for readers without JavaScript and for the
/// first paint; the script renders the rest page by page from the embedded JSON.
const INDEX_FIRST_PAGE_ROWS: usize = 100;
/// Bins of the score histogram on the index page, each `100 / SCORE_BINS` points wide.
const SCORE_BINS: usize = 10;
/// How much of a finding's text the side list quotes.
const EXCERPT_CHARS: usize = 60;
/// Upper bounds (nats) of the heat-map buckets for token surprisal; above the last one
/// a token falls in the hottest bucket.
const HEAT_BOUNDS: [f32; 5] = [2.0, 4.0, 6.0, 8.0, 11.0];

/// The HTML printer: writes each article's page as its audit arrives and the index page
/// at the end of the run.
pub struct HtmlReport {
    out_dir: PathBuf,
    env: Environment<'static>,
    rows: ArticleRows,
}

impl HtmlReport {
    /// A printer that writes its pages into `out_dir`.
    pub fn new(out_dir: PathBuf) -> Self {
        let mut env = Environment::new();
        // Names end in `.html`, so minijinja's default callback turns on HTML auto-escaping.
        env.add_template(
            ARTICLE_TEMPLATE,
            include_str!("../../templates/article.html"),
        )
        .expect("the embedded article template parses");
        env.add_template(INDEX_TEMPLATE, include_str!("../../templates/index.html"))
            .expect("the embedded index template parses");
        HtmlReport {
            out_dir,
            env,
            rows: ArticleRows::default(),
        }
    }

    /// Where the page of article `id` goes.
    pub fn article_path(&self, id: &str) -> PathBuf {
        self.out_dir.join(article_file(id))
    }

    /// The page of one article as HTML.
    pub fn render_article(&self, audit: &ArticleAudit) -> Result<String, ReportError> {
        let page = ArticlePage::of(audit);
        let ctx = context! {
            page,
            style => safe(STYLE),
            script => safe(ARTICLE_SCRIPT),
            script_hash => csp_hash(ARTICLE_SCRIPT),
        };
        self.render(ARTICLE_TEMPLATE, &audit.id, ctx)
    }

    /// The index page as HTML.
    pub fn render_index(
        &self,
        summary: &RunSummary,
        rows: &[ArticleRow],
    ) -> Result<String, ReportError> {
        let index_rows = review_order(rows);
        let rows_json = script_json(&index_rows).map_err(|cause| ReportError::Serialise {
            id: INDEX_FILE.into(),
            cause,
        })?;
        let model = summary.evidence.language_model.as_ref().map(|m| {
            format!(
                "{} (sha256 {}{}, {})",
                m.name,
                short_hash(&m.sha256),
                if m.exact { ", exact" } else { "" },
                m.device
            )
        });
        let page = context! {
            summary,
            model,
            mean_score => summary.mean_score.map(|s| format!("{s:.1}")),
            elapsed => format!("{:.1}", summary.elapsed_seconds),
            histogram => Histogram::of(rows),
            first_rows => &index_rows[..index_rows.len().min(INDEX_FIRST_PAGE_ROWS)],
            total_rows => index_rows.len(),
        };
        self.render(
            INDEX_TEMPLATE,
            INDEX_FILE,
            context! {
                page,
                rows_json => safe(&rows_json),
                style => safe(STYLE),
                script => safe(INDEX_SCRIPT),
                script_hash => csp_hash(INDEX_SCRIPT),
            },
        )
    }

    fn render(&self, template: &str, what: &str, ctx: Value) -> Result<String, ReportError> {
        let render_error = |e: minijinja::Error| ReportError::Render {
            what: what.to_string(),
            message: format!("{e:#}"),
        };
        self.env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(render_error)
    }
}

impl Sink for HtmlReport {
    type Error = ReportError;

    fn article(&mut self, audit: &ArticleAudit) -> Result<(), ReportError> {
        self.rows.push(audit);
        let html = self.render_article(audit)?;
        write_atomic(&self.article_path(&audit.id), html.as_bytes())
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), ReportError> {
        let mut rows = std::mem::take(&mut self.rows);
        let html = self.render_index(summary, rows.sorted())?;
        write_atomic(&self.out_dir.join(INDEX_FILE), html.as_bytes())
    }
}

/// File name of an article's page, relative to the output folder (and to `index.html`).
pub fn article_file(id: &str) -> String {
    format!("{}.html", file_stem(id))
}

fn safe(s: &str) -> Value {
    Value::from_safe_string(s.to_string())
}

/// A Content-Security-Policy source that allows exactly this inline script, so that even
/// markup slipping past the escaping could run nothing (no other script, no event handlers).
fn csp_hash(script: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("'sha256-{}'", base64(&Sha256::digest(script.as_bytes())))
}

/// Standard base64 with padding (RFC 4648), as CSP hashes need.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn short_hash(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` are
/// written as `\u` escapes so article text can never close the element, and U+2028/9
/// because some parsers treat them as line ends.
pub fn script_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[derive(Serialize)]
struct ArticlePage<'a> {
    id: &'a str,
    /// Keys the reviewer's marks in the browser's storage, so that marks made on one
    /// audit of an article never land on the sentences of another.
    fingerprint: &'a str,
    title: Option<&'a str>,
    source: &'a str,
    lang_code: &'static str,
    lang_name: &'static str,
    lang_source: &'static str,
    score: String,
    /// The article estimate, in percent.
    needs_editor: String,
    words: usize,
    penalty: String,
    verdicts: crate::data::VerdictCounts,
    gate_passed: bool,
    gate_reasons: &'a [String],
    model: Option<String>,
    pieces: Vec<Piece>,
    findings: Vec<FindingView<'a>>,
    /// Checks that occur, with counts, for the filter boxes.
    checks: Vec<(&'static str, usize)>,
    severities: Vec<(&'static str, usize)>,
    has_tokens: bool,
    heat_bounds: Vec<String>,
}

impl<'a> ArticlePage<'a> {
    fn of(audit: &'a ArticleAudit) -> Self {
        let findings: Vec<FindingView> = audit
            .findings
            .iter()
            .enumerate()
            .map(|(index, f)| FindingView {
                index,
                check: f.finding.check.as_str(),
                severity: f.finding.severity.as_str(),
                message: &f.finding.message,
                sentence: f.sentence,
                excerpt: excerpt(&audit.text, f.finding.span.start, f.finding.span.end),
                allow: allow_json(audit, f),
            })
            .collect();
        let checks = count_by(
            audit.findings.iter().map(|f| f.finding.check),
            CheckId::as_str,
        );
        let severities = count_by(
            audit.findings.iter().map(|f| f.finding.severity),
            Severity::as_str,
        );
        let tokens = audit.tokens.as_deref().unwrap_or_default();
        ArticlePage {
            id: &audit.id,
            fingerprint: &audit.fingerprint,
            title: audit.title.as_deref(),
            source: &audit.source,
            lang_code: audit.lang.code(),
            lang_name: audit.lang.name(),
            lang_source: match audit.lang_source {
                LangSource::Detected => "detected",
                LangSource::Input => "given by the input",
                LangSource::Override => "set with --lang",
            },
            score: format!("{:.1}", audit.score),
            needs_editor: format!("{:.0}%", audit.needs_editor * 100.0),
            words: audit.words,
            penalty: format!("{}", audit.penalty),
            verdicts: audit.verdicts,
            gate_passed: audit.gate.passed,
            gate_reasons: &audit.gate.reasons,
            model: audit
                .evidence
                .language_model
                .as_ref()
                .map(|m| format!("{} (sha256 {})", m.name, short_hash(&m.sha256))),
            pieces: pieces(audit, tokens),
            findings,
            checks,
            severities,
            has_tokens: !tokens.is_empty(),
            heat_bounds: HEAT_BOUNDS.iter().map(|b| format!("{b}")).collect(),
        }
    }
}

fn count_by<T: Ord + Copy>(
    items: impl Iterator<Item = T>,
    name: fn(T) -> &'static str,
) -> Vec<(&'static str, usize)> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    items.for_each(|item| *counts.entry(item).or_default() += 1);
    counts
        .into_iter()
        .map(|(item, n)| (name(item), n))
        .collect()
}

#[derive(Serialize)]
struct FindingView<'a> {
    index: usize,
    check: &'static str,
    severity: &'static str,
    message: &'a str,
    /// `None` for document-level findings, which are listed but not underlined.
    sentence: Option<usize>,
    excerpt: String,
    /// The allow-list entries that silence the finding, as JSON, for the page to suggest
    /// when the reviewer calls it fine; `None` where no entry would.
    allow: Option<String>,
}

fn allow_json(audit: &ArticleAudit, f: &FindingAudit) -> Option<String> {
    let sentence = audit.sentences.get(f.sentence?)?;
    let sentence = Sentence {
        span: sentence.span,
        kind: sentence.kind,
    };
    let entries = allow_entries(&audit.text, audit.lang, &sentence, &f.finding);
    (!entries.is_empty()).then(|| serde_json::to_string(&entries).expect("allow entries serialise"))
}

/// A run of the article text: a sentence, or the text between sentences.
#[derive(Serialize, Debug, PartialEq)]
struct Piece {
    sentence: Option<SentenceView>,
    segments: Vec<Segment>,
}

#[derive(Serialize, Debug, PartialEq)]
struct SentenceView {
    index: usize,
    verdict: &'static str,
    kind: &'static str,
    /// Distinct check ids of the sentence's findings, space-separated.
    checks: String,
}

/// A stretch of text with one set of findings over all of it. Splitting the text at every
/// finding boundary turns overlapping findings into flat, non-nested marks, so the markup
/// stays valid however spans overlap.
#[derive(Serialize, Debug, PartialEq)]
struct Segment {
    /// Indexes of the findings covering this stretch, space-separated; empty for none.
    findings: String,
    checks: String,
    /// The highest severity among them.
    severity: Option<&'static str>,
    /// Tooltip: one line per finding.
    tip: String,
    /// The text, cut where tokens with surprisal start and end.
    parts: Vec<Part>,
}

/// Text under at most one token: a token cut by a finding boundary becomes two parts
/// with the same surprisal.
#[derive(Serialize, Debug, PartialEq)]
struct Part {
    text: String,
    heat: Option<usize>,
    surprisal: Option<String>,
}

fn pieces(audit: &ArticleAudit, tokens: &[TokenScore]) -> Vec<Piece> {
    let marks = Marks::new(audit, tokens);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut current_sentence: Option<Option<usize>> = None;
    for window in marks.cuts().windows(2) {
        let (start, end) = (window[0], window[1]);
        let sentence = marks.sentence_at(start, end);
        if current_sentence != Some(sentence) {
            current_sentence = Some(sentence);
            pieces.push(Piece {
                sentence: sentence.map(|i| sentence_view(audit, marks.sentences[i])),
                segments: Vec::new(),
            });
        }
        let segments = &mut pieces
            .last_mut()
            .expect("a piece was pushed for this stretch")
            .segments;
        let segment = segment_for(segments, &marks.covering(start, end));
        push_part(&mut segment.parts, marks.part(start, end));
    }
    pieces
}

/// What the page marks in an article's text, each kept only where its range is valid
/// in the text.
struct Marks<'a> {
    text: &'a str,
    /// Findings to underline, with their indexes in the audit.
    findings: Vec<(usize, &'a FindingAudit)>,
    /// Sorted by start.
    sentences: Vec<&'a SentenceAudit>,
    /// Sorted by start, then end.
    tokens: Vec<&'a TokenScore>,
}

impl<'a> Marks<'a> {
    fn new(audit: &'a ArticleAudit, tokens: &'a [TokenScore]) -> Self {
        let text = audit.text.as_str();
        let valid = |start: usize, end: usize| {
            start <= end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
        };
        // Document-level findings (no sentence) are listed, not underlined: they cover everything.
        let findings = audit
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.sentence.is_some()
                    && !f.finding.span.is_empty()
                    && valid(f.finding.span.start, f.finding.span.end)
            })
            .collect();
        let mut sentences: Vec<_> = audit
            .sentences
            .iter()
            .filter(|s| valid(s.span.start, s.span.end))
            .collect();
        sentences.sort_by_key(|s| s.span.start);
        let mut tokens: Vec<&TokenScore> = tokens
            .iter()
            .filter(|t| t.start < t.end && valid(t.start, t.end))
            .collect();
        tokens.sort_by_key(|t| (t.start, t.end));
        Marks {
            text,
            findings,
            sentences,
            tokens,
        }
    }

    /// The text's ends and every start and end of a mark, in order.
    fn cuts(&self) -> Vec<usize> {
        let mut cuts: BTreeSet<usize> = BTreeSet::from([0, self.text.len()]);
        cuts.extend(
            self.sentences
                .iter()
                .flat_map(|s| [s.span.start, s.span.end]),
        );
        cuts.extend(
            self.findings
                .iter()
                .flat_map(|(_, f)| [f.finding.span.start, f.finding.span.end]),
        );
        cuts.extend(self.tokens.iter().flat_map(|t| [t.start, t.end]));
        cuts.into_iter().collect()
    }

    /// The index (in `sentences`) of the sentence holding `start..end`, if any.
    fn sentence_at(&self, start: usize, end: usize) -> Option<usize> {
        // Sentences are sorted: the candidate is the last one starting at or before `start`.
        self.sentences
            .partition_point(|s| s.span.start <= start)
            .checked_sub(1)
            .filter(|&i| end <= self.sentences[i].span.end)
    }

    /// The stretch `start..end` with the surprisal of the token holding it, if any.
    fn part(&self, start: usize, end: usize) -> Part {
        // Tokens are sorted: the candidate is the last one starting at or before `start`.
        let token = self
            .tokens
            .partition_point(|t| t.start <= start)
            .checked_sub(1)
            .map(|i| self.tokens[i])
            .filter(|t| end <= t.end);
        Part {
            text: self.text[start..end].to_string(),
            heat: token.map(|t| heat_bucket(t.surprisal)),
            surprisal: token.map(|t| format!("{:.1}", t.surprisal)),
        }
    }

    /// The findings to underline that cover all of `start..end`.
    fn covering(&self, start: usize, end: usize) -> Vec<(usize, &'a FindingAudit)> {
        self.findings
            .iter()
            .copied()
            .filter(|(_, f)| f.finding.span.start <= start && end <= f.finding.span.end)
            .collect()
    }
}

/// The last of `segments` if the findings `covering` are its findings, else a new segment
/// for them.
fn segment_for<'s>(
    segments: &'s mut Vec<Segment>,
    covering: &[(usize, &FindingAudit)],
) -> &'s mut Segment {
    let findings = covering
        .iter()
        .map(|(i, _)| i.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    if segments.last().is_none_or(|last| last.findings != findings) {
        segments.push(Segment {
            findings,
            checks: distinct_checks(covering.iter().map(|(_, f)| f.finding.check)),
            severity: covering
                .iter()
                .map(|(_, f)| f.finding.severity)
                .max()
                .map(Severity::as_str),
            tip: covering
                .iter()
                .map(|(_, f)| finding_tip(f))
                .collect::<Vec<_>>()
                .join("\n"),
            parts: Vec::new(),
        });
    }
    segments.last_mut().expect("a segment for these findings")
}

/// A finding's line in a tooltip.
fn finding_tip(f: &FindingAudit) -> String {
    let suggestion = f
        .finding
        .suggestion
        .as_ref()
        .map(|s| format!("\nsuggested: “{s}”"))
        .unwrap_or_default();
    format!(
        "{} ({}): {}{suggestion}",
        f.finding.check, f.finding.severity, f.finding.message
    )
}

fn push_part(parts: &mut Vec<Part>, part: Part) {
    // Plain neighbours merge, keeping the markup small.
    match parts.last_mut() {
        Some(last) if last.heat.is_none() && part.heat.is_none() => last.text.push_str(&part.text),
        _ => parts.push(part),
    }
}

fn sentence_view(audit: &ArticleAudit, sentence: &SentenceAudit) -> SentenceView {
    SentenceView {
        index: sentence.index,
        verdict: sentence.verdict.as_str(),
        kind: match sentence.kind {
            crate::data::SentenceKind::Sentence => "sentence",
            crate::data::SentenceKind::Heading => "heading",
        },
        checks: distinct_checks(
            sentence
                .findings
                .iter()
                .filter_map(|&i| audit.findings.get(i))
                .map(|f| f.finding.check),
        ),
    }
}

fn distinct_checks(checks: impl Iterator<Item = CheckId>) -> String {
    checks
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(CheckId::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

fn heat_bucket(surprisal: f32) -> usize {
    HEAT_BOUNDS
        .iter()
        .position(|&bound| surprisal < bound)
        .unwrap_or(HEAT_BOUNDS.len())
}

fn excerpt(text: &str, start: usize, end: usize) -> String {
    let quoted = text.get(start..end).unwrap_or_default().trim();
    let mut out: String = quoted.chars().take(EXCERPT_CHARS).collect();
    if quoted.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// One article in the index table (also the shape of the embedded JSON rows).
#[derive(Serialize)]
struct IndexRow<'a> {
    id: &'a str,
    title: Option<&'a str>,
    lang: &'static str,
    words: usize,
    /// Rounded to one decimal, as shown.
    score: f64,
    ok: usize,
    suspect: usize,
    broken: usize,
    worst: Option<&'static str>,
    gate: bool,
    /// Probability of needing an editor, in percent, rounded as shown.
    editor: f64,
    /// Why the article failed the gate.
    reasons: &'a [String],
    /// Position in the review order: failed articles first, then the most likely to need
    /// an editor (the table's initial order).
    rank: usize,
    href: String,
}

impl<'a> IndexRow<'a> {
    fn of(row: &'a ArticleRow) -> Self {
        IndexRow {
            id: &row.id,
            title: row.title.as_deref(),
            lang: row.lang.code(),
            words: row.words,
            score: (row.score * 10.0).round() / 10.0,
            ok: row.verdicts.ok,
            suspect: row.verdicts.suspect,
            broken: row.verdicts.broken,
            worst: row.worst_check.map(CheckId::as_str),
            gate: row.gate_passed,
            editor: (row.needs_editor * 100.0).round(),
            reasons: &row.gate_reasons,
            rank: 0,
            href: article_file(&row.id),
        }
    }
}

/// The index rows in review order, ranked: failed articles first, then by the probability
/// of needing an editor (highest first), then by id.
fn review_order(rows: &[ArticleRow]) -> Vec<IndexRow<'_>> {
    let mut order: Vec<&ArticleRow> = rows.iter().collect();
    order.sort_by(|a, b| {
        a.gate_passed
            .cmp(&b.gate_passed)
            .then(b.needs_editor.total_cmp(&a.needs_editor))
            .then_with(|| a.id.cmp(&b.id))
    });
    order
        .into_iter()
        .enumerate()
        .map(|(rank, row)| IndexRow {
            rank,
            ..IndexRow::of(row)
        })
        .collect()
}

/// Article scores in `SCORE_BINS` bins, laid out for an inline SVG bar chart.
#[derive(Serialize)]
struct Histogram {
    bars: Vec<Bar>,
    width: usize,
    height: usize,
    /// Baseline of the bars (y of the x axis).
    base: usize,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: usize,
    x: usize,
    y: usize,
    width: usize,
    height: usize,
}

impl Histogram {
    const BAR_WIDTH: usize = 56;
    const GAP: usize = 8;
    const PLOT_HEIGHT: usize = 120;
    const TOP: usize = 20;

    fn of(rows: &[ArticleRow]) -> Self {
        let mut counts = [0usize; SCORE_BINS];
        let bin_width = 100.0 / SCORE_BINS as f64;
        for row in rows {
            // A score of exactly 100 belongs in the top bin.
            let bin = ((row.score.clamp(0.0, 100.0) / bin_width) as usize).min(SCORE_BINS - 1);
            counts[bin] += 1;
        }
        let max = counts.iter().copied().max().unwrap_or(0).max(1);
        let base = Self::TOP + Self::PLOT_HEIGHT;
        let bars = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                let height = (count * Self::PLOT_HEIGHT).div_ceil(max);
                let low = i * 100 / SCORE_BINS;
                let high = (i + 1) * 100 / SCORE_BINS;
                Bar {
                    label: format!("{low}–{high}"),
                    count,
                    x: Self::GAP + i * (Self::BAR_WIDTH + Self::GAP),
                    y: base - height,
                    width: Self::BAR_WIDTH,
                    height,
                }
            })
            .collect();
        Histogram {
            bars,
            width: Self::GAP + SCORE_BINS * (Self::BAR_WIDTH + Self::GAP),
            height: base + 36,
            base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_lists_failed_articles_first_then_the_likeliest_to_need_an_editor() {
        let row = |id: &str, needs_editor: f64, gate_passed: bool| ArticleRow {
            id: id.into(),
            source: format!("{id}.txt"),
            title: None,
            lang: crate::data::Lang::GERMAN,
            words: 100,
            score: 90.0,
            needs_editor,
            verdicts: Default::default(),
            worst_check: None,
            gate_passed,
            gate_reasons: Vec::new(),
        };
        let rows = [
            row("a", 0.2, true),
            row("b", 0.95, false),
            row("c", 0.7, true),
            row("d", 0.3, false),
            row("e", 0.7, true),
        ];
        let order: Vec<(&str, usize)> =
            review_order(&rows).iter().map(|r| (r.id, r.rank)).collect();
        assert_eq!(order, [("b", 0), ("d", 1), ("c", 2), ("e", 3), ("a", 4)]);
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let json = script_json(&[
            "</script><script>alert(1)</script>",
            "a & b",
            "\u{2028}\u{2029}",
        ])
        .unwrap();
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        assert!(!json.contains('\u{2028}') && !json.contains('\u{2029}'));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
        assert_eq!(back[2], "\u{2028}\u{2029}");
    }

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    /// The pipeline's audit of `text` as one sentence with a finding on each of `spans`
    /// (which the judgement sorts by position) and the given `tokens`.
    fn audit_with(text: &str, spans: &[(usize, usize)], tokens: Vec<TokenScore>) -> ArticleAudit {
        use crate::audit::{ArticleEvidence, Auditor};
        use crate::data::{Article, CheckId, Finding, Lang, Sentence, SentenceKind, Span};
        let article = Article {
            id: "a".into(),
            source: "a".into(),
            title: None,
            lang: Some(Lang::GERMAN),
            text: text.into(),
        };
        let findings = spans
            .iter()
            .map(|&(start, end)| {
                Finding::new(
                    CheckId::Repetition,
                    Severity::Major,
                    Span { start, end },
                    "m",
                )
            })
            .collect();
        let evidence = ArticleEvidence {
            lang: Lang::GERMAN,
            lang_source: LangSource::Input,
            sentences: vec![Sentence {
                span: Span::new(0, text.len()),
                kind: SentenceKind::Sentence,
            }],
            sentence_languages: vec![Lang::GERMAN],
            findings,
            lm: None,
        };
        let mut audit = Auditor::new(Default::default(), None).judge(&article, evidence);
        audit.tokens = Some(tokens);
        audit
    }

    fn rendered_text(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .flat_map(|p| &p.segments)
            .flat_map(|s| &s.parts)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn spans_off_char_boundaries_or_past_the_end_are_skipped() {
        let text = "Größe über alles";
        let token = |start, end| TokenScore {
            start,
            end,
            surprisal: 3.0,
        };
        // 3 is inside "ö"; 99 is past the end; 7..13 ("über", finding 1 once sorted) is
        // a valid finding.
        let audit = audit_with(
            text,
            &[(3, 5), (7, 99), (7, 13)],
            vec![token(0, 3), token(2, 7), token(8, 12)],
        );
        let pieces = pieces(&audit, audit.tokens.as_deref().unwrap());
        assert_eq!(rendered_text(&pieces), text);
        let marked: Vec<&str> = pieces[0]
            .segments
            .iter()
            .map(|s| s.findings.as_str())
            .collect();
        assert_eq!(marked, ["", "1", ""]);
    }

    #[test]
    fn tokens_cut_by_a_finding_keep_their_surprisal_on_both_sides() {
        let text = "abcdef";
        let audit = audit_with(
            text,
            &[(0, 3)],
            vec![TokenScore {
                start: 1,
                end: 5,
                surprisal: 9.0,
            }],
        );
        let pieces = pieces(&audit, audit.tokens.as_deref().unwrap());
        let parts: Vec<(&str, Option<usize>)> = pieces[0]
            .segments
            .iter()
            .flat_map(|s| &s.parts)
            .map(|p| (p.text.as_str(), p.heat))
            .collect();
        assert_eq!(
            parts,
            [("a", None), ("bc", Some(4)), ("de", Some(4)), ("f", None)]
        );
    }

    #[test]
    fn heat_buckets_rise_with_surprisal() {
        assert_eq!(heat_bucket(0.5), 0);
        assert_eq!(heat_bucket(5.0), 2);
        assert_eq!(heat_bucket(30.0), HEAT_BOUNDS.len());
    }
}
