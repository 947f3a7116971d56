//! Check 12: document-level repetition and character-mix statistics.
//!
//! The quality signals of Gopher (Rae et al. 2021, appendix A) as also used by FineWeb:
//! duplicate lines and paragraphs, the share of text taken by the most frequent 2-, 3-
//! and 4-gram and by repeated 5- to 10-grams, the symbol-to-word ratio, lines ending in
//! an ellipsis, words without letters and the mean word length. The thresholds were made
//! for web pages; a normal news article stays far below them, so a finding means the
//! whole text is degenerate (looping MT output, lists of numbers, scraped debris).

use super::document::{Check, Document};
use super::words::words_in;
use crate::data::{CheckId, Finding, Severity, Span};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;

pub struct DocumentStats;

/// Gopher applies its filters to documents of at least 50 words. News texts of 50 to 100
/// words still repeat a key phrase ("17 Milliarden Kubikfuß pro Tag") often enough to
/// cross the n-gram thresholds, so shorter texts are not judged.
pub const MIN_WORDS: usize = 100;

const MAX_DUPLICATE_LINE_FRACTION: f64 = 0.30;
const MAX_DUPLICATE_PARAGRAPH_FRACTION: f64 = 0.30;
const MAX_DUPLICATE_LINE_CHAR_FRACTION: f64 = 0.20;
const MAX_DUPLICATE_PARAGRAPH_CHAR_FRACTION: f64 = 0.20;
/// Most frequent n-gram, n = 2, 3, 4.
const TOP_NGRAM_SIZES: [usize; 3] = [2, 3, 4];
const MAX_TOP_NGRAM_CHAR_FRACTION: [f64; 3] = [0.20, 0.18, 0.16];
/// Repeated n-grams, n = 5..=10.
const DUPLICATE_NGRAM_SIZES: [usize; 6] = [5, 6, 7, 8, 9, 10];
const MAX_DUPLICATE_NGRAM_CHAR_FRACTION: [f64; 6] = [0.15, 0.14, 0.13, 0.12, 0.11, 0.10];
const MAX_SYMBOL_WORD_RATIO: f64 = 0.10;
const MAX_ELLIPSIS_LINE_FRACTION: f64 = 0.30;
const MAX_NON_ALPHABETIC_WORD_FRACTION: f64 = 0.20;
const MEAN_WORD_LENGTH_RANGE: (f64, f64) = (3.0, 10.0);

/// The statistics of one document, for reports and for the check's thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentStatistics {
    /// Whitespace-separated words.
    pub words: usize,
    pub lines: usize,
    pub paragraphs: usize,
    /// Lines (non-empty) that repeat an earlier line, as a fraction of all lines.
    pub duplicate_line_fraction: f64,
    /// Characters in such lines, as a fraction of all characters.
    pub duplicate_line_char_fraction: f64,
    /// The same for paragraphs (blocks separated by blank lines).
    pub duplicate_paragraph_fraction: f64,
    pub duplicate_paragraph_char_fraction: f64,
    /// Characters covered by the most frequent repeated 2-, 3- and 4-gram of words.
    pub top_ngram_char_fraction: [f64; 3],
    /// Characters covered by repeated 5- to 10-grams of words.
    pub duplicate_ngram_char_fraction: [f64; 6],
    /// Hash signs and ellipses per word.
    pub symbol_word_ratio: f64,
    pub ellipsis_line_fraction: f64,
    pub non_alphabetic_word_fraction: f64,
    /// Mean length of whitespace-separated words, in characters.
    pub mean_word_length: f64,
    /// Where the repetition behind each statistic lies, for findings.
    #[serde(skip)]
    regions: Regions,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Regions {
    duplicate_lines: Option<Span>,
    duplicate_paragraphs: Option<Span>,
    top_ngrams: [Option<Span>; 3],
    duplicate_ngrams: [Option<Span>; 6],
}

impl DocumentStats {
    /// Computes every statistic of `text` (for reports; the check uses the same numbers).
    pub fn compute(text: &str) -> DocumentStatistics {
        let total_chars = text.chars().count().max(1) as f64;
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let word_count = tokens.len().max(1) as f64;

        let lines = blocks(text, "\n");
        let paragraphs = paragraphs(text);
        let (dup_lines, dup_line_chars, dup_line_region) = duplicates(text, &lines);
        let (dup_paras, dup_para_chars, dup_para_region) = duplicates(text, &paragraphs);

        let words = words_in(text, Span::new(0, text.len()));
        let word_texts: Vec<&str> = words.iter().map(|w| w.text).collect();
        let word_ids = intern(&word_texts);
        let word_spans: Vec<Span> = words.iter().map(|w| w.span).collect();
        let mut regions = Regions {
            duplicate_lines: dup_line_region,
            duplicate_paragraphs: dup_para_region,
            ..Default::default()
        };
        let mut top_ngram_char_fraction = [0.0; 3];
        for (k, &n) in TOP_NGRAM_SIZES.iter().enumerate() {
            let (chars, region) = top_ngram(&word_ids, &word_texts, &word_spans, n);
            top_ngram_char_fraction[k] = chars as f64 / total_chars;
            regions.top_ngrams[k] = region;
        }
        let mut duplicate_ngram_char_fraction = [0.0; 6];
        for (k, &n) in DUPLICATE_NGRAM_SIZES.iter().enumerate() {
            let (chars, region) = duplicate_ngrams(&word_ids, &word_texts, &word_spans, n);
            duplicate_ngram_char_fraction[k] = chars as f64 / total_chars;
            regions.duplicate_ngrams[k] = region;
        }

        let symbols =
            text.matches('#').count() + text.matches('…').count() + text.matches("...").count();
        let ellipsis_lines = lines
            .iter()
            .filter(|l| l.slice(text).ends_with("...") || l.slice(text).ends_with('…'))
            .count();
        let non_alphabetic = tokens
            .iter()
            .filter(|t| !t.chars().any(char::is_alphabetic))
            .count();
        let token_chars: usize = tokens.iter().map(|t| t.chars().count()).sum();

        DocumentStatistics {
            words: tokens.len(),
            lines: lines.len(),
            paragraphs: paragraphs.len(),
            duplicate_line_fraction: dup_lines as f64 / lines.len().max(1) as f64,
            duplicate_line_char_fraction: dup_line_chars as f64 / total_chars,
            duplicate_paragraph_fraction: dup_paras as f64 / paragraphs.len().max(1) as f64,
            duplicate_paragraph_char_fraction: dup_para_chars as f64 / total_chars,
            top_ngram_char_fraction,
            duplicate_ngram_char_fraction,
            symbol_word_ratio: symbols as f64 / word_count,
            ellipsis_line_fraction: ellipsis_lines as f64 / lines.len().max(1) as f64,
            non_alphabetic_word_fraction: non_alphabetic as f64 / word_count,
            mean_word_length: token_chars as f64 / word_count,
            regions,
        }
    }
}

/// Blocks of one kind (lines, paragraphs) that repeat earlier ones word for word.
struct BlockRepeats {
    /// What the blocks are called, in the plural.
    blocks: &'static str,
    /// Share of the blocks that repeat an earlier one.
    fraction: f64,
    /// Share of the text's characters in them.
    char_fraction: f64,
    region: Option<Span>,
}

impl BlockRepeats {
    /// A major violation when either share passes its limit.
    fn violation(&self, max_fraction: f64, max_char_fraction: f64) -> Option<Violation> {
        let blocks = self.blocks;
        (self.fraction > max_fraction || self.char_fraction > max_char_fraction).then(|| {
            (
                self.region,
                Severity::Major,
                format!(
                    "{} of the {blocks} ({} of the text) repeat earlier {blocks} word for word",
                    percent(self.fraction),
                    percent(self.char_fraction)
                ),
            )
        })
    }
}

/// One crossed threshold: the region concerned (`None`: the whole document), the severity
/// and a message.
type Violation = (Option<Span>, Severity, String);

impl DocumentStatistics {
    /// Every threshold this document crosses.
    fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        out.extend(self.duplicate_block_violation());
        out.extend(self.repeated_ngram_violation());
        out.extend(self.character_mix_violations());
        out
    }

    /// Repeated lines, or else repeated paragraphs.
    fn duplicate_block_violation(&self) -> Option<Violation> {
        let lines = BlockRepeats {
            blocks: "lines",
            fraction: self.duplicate_line_fraction,
            char_fraction: self.duplicate_line_char_fraction,
            region: self.regions.duplicate_lines,
        };
        let paragraphs = BlockRepeats {
            blocks: "paragraphs",
            fraction: self.duplicate_paragraph_fraction,
            char_fraction: self.duplicate_paragraph_char_fraction,
            region: self.regions.duplicate_paragraphs,
        };
        lines
            .violation(
                MAX_DUPLICATE_LINE_FRACTION,
                MAX_DUPLICATE_LINE_CHAR_FRACTION,
            )
            .or_else(|| {
                paragraphs.violation(
                    MAX_DUPLICATE_PARAGRAPH_FRACTION,
                    MAX_DUPLICATE_PARAGRAPH_CHAR_FRACTION,
                )
            })
    }

    /// Repeated long n-grams, or else one too frequent short n-gram.
    fn repeated_ngram_violation(&self) -> Option<Violation> {
        self.duplicate_ngram_violation()
            .or_else(|| self.top_ngram_violation())
    }

    fn duplicate_ngram_violation(&self) -> Option<Violation> {
        // Longer repeats imply shorter ones: report only the longest n that crosses.
        let k = (0..DUPLICATE_NGRAM_SIZES.len()).rev().find(|&k| {
            self.duplicate_ngram_char_fraction[k] > MAX_DUPLICATE_NGRAM_CHAR_FRACTION[k]
        })?;
        Some((
            self.regions.duplicate_ngrams[k],
            Severity::Major,
            format!(
                "{} of the text is in repeated {}-word sequences (looping text)",
                percent(self.duplicate_ngram_char_fraction[k]),
                DUPLICATE_NGRAM_SIZES[k]
            ),
        ))
    }

    fn top_ngram_violation(&self) -> Option<Violation> {
        let k = (0..TOP_NGRAM_SIZES.len())
            .rev()
            .find(|&k| self.top_ngram_char_fraction[k] > MAX_TOP_NGRAM_CHAR_FRACTION[k])?;
        // One frequent phrase is weaker evidence than repeated long passages.
        Some((
            self.regions.top_ngrams[k],
            Severity::Minor,
            format!(
                "a single {}-word sequence makes up {} of the text",
                TOP_NGRAM_SIZES[k],
                percent(self.top_ngram_char_fraction[k])
            ),
        ))
    }

    /// Symbols, cut-off lines, words without letters and word length: each concerns the
    /// whole document.
    fn character_mix_violations(&self) -> Vec<Violation> {
        let mut messages = Vec::new();
        if self.symbol_word_ratio > MAX_SYMBOL_WORD_RATIO {
            messages.push(format!(
                "{:.2} hash signs or ellipses per word",
                self.symbol_word_ratio
            ));
        }
        if self.ellipsis_line_fraction > MAX_ELLIPSIS_LINE_FRACTION {
            messages.push(format!(
                "{} of the lines end in an ellipsis (cut-off text)",
                percent(self.ellipsis_line_fraction)
            ));
        }
        if self.non_alphabetic_word_fraction > MAX_NON_ALPHABETIC_WORD_FRACTION {
            messages.push(format!(
                "{} of the words contain no letter",
                percent(self.non_alphabetic_word_fraction)
            ));
        }
        let (low, high) = MEAN_WORD_LENGTH_RANGE;
        if self.mean_word_length < low || self.mean_word_length > high {
            messages.push(format!(
                "unusual mean word length of {:.1} characters",
                self.mean_word_length
            ));
        }
        messages
            .into_iter()
            .map(|message| (None, Severity::Minor, message))
            .collect()
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

impl Check for DocumentStats {
    fn id(&self) -> CheckId {
        CheckId::DocumentStats
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let stats = DocumentStats::compute(doc.text);
        if stats.words < MIN_WORDS {
            return;
        }
        let trimmed_start = doc.text.len() - doc.text.trim_start().len();
        let whole = Span::new(trimmed_start, doc.text.trim_end().len().max(trimmed_start));
        for (region, severity, message) in stats.violations() {
            out.push(Finding::new(
                CheckId::DocumentStats,
                severity,
                region.unwrap_or(whole),
                message,
            ));
        }
    }
}

/// Non-empty, trimmed pieces of `text` between `separator`s.
fn blocks(text: &str, separator: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split(separator) {
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let lead = piece.len() - piece.trim_start().len();
            out.push(Span::new(start + lead, start + lead + trimmed.len()));
        }
        start += piece.len() + separator.len();
    }
    out
}

/// Blocks separated by blank lines (CRLF or LF).
fn paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut current: Option<Span> = None;
    for line in blocks_with_blanks(text) {
        match (line, current) {
            (Some(l), Some(c)) => current = Some(Span::new(c.start, l.end)),
            (Some(l), None) => current = Some(l),
            (None, Some(c)) => {
                out.push(c);
                current = None;
            }
            (None, None) => {}
        }
    }
    out.extend(current);
    out
}

/// Every line of `text`: its trimmed span, or `None` when it is blank.
fn blocks_with_blanks(text: &str) -> Vec<Option<Span>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let trimmed = line.trim();
        let lead = line.len() - line.trim_start().len();
        out.push(
            (!trimmed.is_empty()).then(|| Span::new(start + lead, start + lead + trimmed.len())),
        );
        start += line.len() + 1;
    }
    out
}

/// How many of `spans` repeat an earlier one, their characters, and the region from the
/// first to the last repeat.
fn duplicates(text: &str, spans: &[Span]) -> (usize, usize, Option<Span>) {
    let mut seen = HashSet::new();
    let (mut count, mut chars, mut region): (usize, usize, Option<Span>) = (0, 0, None);
    for span in spans {
        let s = span.slice(text);
        if !seen.insert(s) {
            count += 1;
            chars += s.chars().count();
            region = Some(region.map_or(*span, |r| Span::new(r.start, span.end)));
        }
    }
    (count, chars, region)
}

fn ngram_chars(words: &[&str]) -> usize {
    words.iter().map(|w| w.chars().count()).sum::<usize>() + words.len().saturating_sub(1)
}

/// Each word's number, the same for equal words: n-grams of numbers hash and compare as
/// one block of bytes, where n-grams of strings cost a hash and a comparison per word.
fn intern(words: &[&str]) -> Vec<u32> {
    let mut numbers: HashMap<&str, u32> = HashMap::with_capacity(words.len());
    words
        .iter()
        .map(|&word| {
            let next = numbers.len() as u32;
            *numbers.entry(word).or_insert(next)
        })
        .collect()
}

/// Characters covered by the most frequent n-gram that occurs more than once, and the
/// region from its first to its last occurrence (`ids`: the words' [`intern`] numbers).
fn top_ngram(ids: &[u32], words: &[&str], spans: &[Span], n: usize) -> (usize, Option<Span>) {
    if words.len() < n {
        return (0, None);
    }
    let mut counts: HashMap<&[u32], (usize, usize, usize)> = HashMap::with_capacity(ids.len());
    for i in 0..=ids.len() - n {
        let entry = counts.entry(&ids[i..i + n]).or_insert((0, i, i));
        entry.0 += 1;
        entry.2 = i;
    }
    counts
        .into_values()
        .filter(|(count, _, _)| *count > 1)
        .map(|(count, first, last)| {
            (
                count * ngram_chars(&words[first..first + n]),
                Span::new(spans[first].start, spans[last + n - 1].end),
            )
        })
        .max_by_key(|(chars, span)| (*chars, std::cmp::Reverse(span.start)))
        .map_or((0, None), |(chars, span)| (chars, Some(span)))
}

/// Characters in n-grams that repeat an earlier n-gram (counting each word once, as
/// Gopher does), and the region from the first to the last repeat.
fn duplicate_ngrams(
    ids: &[u32],
    words: &[&str],
    spans: &[Span],
    n: usize,
) -> (usize, Option<Span>) {
    let mut seen: HashSet<&[u32]> = HashSet::with_capacity(ids.len());
    let (mut chars, mut region): (usize, Option<Span>) = (0, None);
    let mut i = 0;
    while i + n <= ids.len() {
        let gram = &ids[i..i + n];
        if seen.contains(gram) {
            chars += ngram_chars(&words[i..i + n]);
            let span = Span::new(spans[i].start, spans[i + n - 1].end);
            region = Some(region.map_or(span, |r| Span::new(r.start, span.end)));
            i += n;
        } else {
            seen.insert(gram);
            i += 1;
        }
    }
    (chars, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::run_check;
    use crate::data::Lang;

    const GERMAN_ARTICLE: &str = "Der Kreml sagte am Sonntag, Kontakte mit dem Team von Präsident Donald Trump seien im Gange.\n\
        Es sei aber zu früh, um sofortige Ergebnisse zu erwarten, da die Beziehungen unter Joe Biden gelitten hätten.\n\
        Trump, der als Friedensstifter in Erinnerung bleiben will, hat wiederholt gesagt, er wolle das Blutvergießen beenden.\n\
        Nachdem sein Gesandter Steve Witkoff mit Präsident Wladimir Putin gesprochen hatte, sagte Trump am Samstag, die Gespräche liefen gut.\n\
        Auf mehreren Ebenen gebe es Kontakte, sagte Peskov, auch über das Außenministerium und die Geheimdienste.\n";

    const ITALIAN_ARTICLE: &str = "La prossima conversazione telefonica tra il presidente Donald Trump e il presidente russo si svolge in un momento cruciale.\n\
        La Casa Bianca sottolinea di essere vicina a un accordo temporaneo di cessate il fuoco.\n\
        Il Cremlino ha spiegato che Putin si è preparato per la conversazione con Trump e con il suo gruppo di lavoro.\n\
        Settimane di intensi negoziati tra i funzionari statunitensi hanno portato a una svolta importante per tutte le parti.\n";

    #[test]
    fn sample_articles_cross_no_threshold() {
        // Garbled at sentence level, but none of them is degenerate as a whole.
        let samples = [
            (
                include_str!("../../tests/fixtures/samples/000_242c8710a1e8f699.txt"),
                Lang::GERMAN,
            ),
            (
                include_str!("../../tests/fixtures/samples/001_89a789b5965c4451.txt"),
                Lang::GERMAN,
            ),
            (
                include_str!("../../tests/fixtures/samples/002_66fad53027afa2c3.txt"),
                Lang::GERMAN,
            ),
            (
                include_str!("../../tests/fixtures/samples/003_810082e6ac50dd52.txt"),
                Lang::GERMAN,
            ),
            (
                include_str!("../../tests/fixtures/samples/004_f3f7d7d9b85fe900.txt"),
                Lang::ITALIAN,
            ),
        ];
        for (text, lang) in samples {
            let stats = DocumentStats::compute(text);
            assert!(stats.words >= MIN_WORDS, "{}", stats.words);
            assert!(stats.mean_word_length > 4.0 && stats.mean_word_length < 8.0);
            assert!(stats.duplicate_line_fraction < 0.1);
            assert!(
                run_check(&DocumentStats, text, lang).is_empty(),
                "{stats:?}"
            );
        }
        // The Italian sample repeats its title: seen, but far below the threshold.
        assert!(DocumentStats::compute(samples[4].0).duplicate_line_fraction > 0.0);
    }

    #[test]
    fn looping_german_text_is_flagged() {
        let looping = "Die Sicherheitsrat hat die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen hat. ".repeat(4);
        let text = format!("{GERMAN_ARTICLE}{looping}\n");
        let stats = DocumentStats::compute(&text);
        assert!(stats.duplicate_ngram_char_fraction[0] > 0.15, "{stats:?}");
        let findings = run_check(&DocumentStats, &text, Lang::GERMAN);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Major);
        assert!(
            findings[0].span.start >= GERMAN_ARTICLE.len(),
            "the region is the repeated part"
        );
    }

    #[test]
    fn duplicated_italian_lines_are_flagged() {
        let line = "Kommentare e notizie correlate sulla guerra in Ucraina e sui negoziati\n";
        let text = format!("{ITALIAN_ARTICLE}{}", line.repeat(4));
        let stats = DocumentStats::compute(&text);
        assert!(
            (stats.duplicate_line_fraction - 3.0 / 8.0).abs() < 1e-9,
            "{stats:?}"
        );
        let findings = run_check(&DocumentStats, &text, Lang::ITALIAN);
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("repeat earlier lines")),
            "{findings:?}"
        );
        let first_repeat = ITALIAN_ARTICLE.len() + line.len();
        assert_eq!(
            findings[0].span,
            Span::new(first_repeat, text.trim_end().len())
        );
    }

    #[test]
    fn number_lists_cross_the_character_mix_thresholds() {
        let text = (1..=60)
            .map(|i| format!("{i}. {} ...", i * 7))
            .collect::<Vec<_>>()
            .join("\n");
        let findings = run_check(&DocumentStats, &text, Lang::GERMAN);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("no letter")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("ellipsis")),
            "{messages:?}"
        );
        assert!(findings
            .iter()
            .filter(|f| f.message.contains("no letter"))
            .all(|f| f.severity == Severity::Minor));
    }

    #[test]
    fn short_texts_are_not_judged() {
        let text = "Konflikt. Konflikt. Konflikt. Konflikt.";
        assert!(run_check(&DocumentStats, text, Lang::GERMAN).is_empty());
        assert_eq!(DocumentStats::compute(text).words, 4);
    }
}
