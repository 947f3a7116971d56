//! Check 11: sentences or paragraphs that (nearly) repeat an earlier one in the article.
//!
//! Compares normalised text (lower case, words only) with the normalised Levenshtein
//! similarity. Exact copies are found by hashing the normalised text. Otherwise only units
//! of similar length that share enough word 3-grams are compared, found through an index
//! of 3-grams, and at most a fixed number of them, so the work per unit is bounded and
//! long or repetitive articles stay linear. Lines are compared first; the sentences of a
//! line that is already reported as a repeat are not reported again.

use super::document::{Check, Document};
use super::words::words_in;
use crate::data::{CheckId, Finding, Severity, Span};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::cmp::Reverse;

pub struct NearDuplicate;

/// Units shorter than this are credit lines, headings or short replies; repeats of those
/// are the business of other checks (or harmless).
const MIN_WORDS: usize = 5;
const MIN_NORMALISED_CHARS: usize = 25;
/// Similarity from which a unit counts as a near-duplicate, and from which it is major.
const MINOR_SIMILARITY: f64 = 0.8;
const MAJOR_SIMILARITY: f64 = 0.9;
/// Two units whose lengths differ by more than this ratio cannot reach `MINOR_SIMILARITY`.
const MIN_LENGTH_RATIO: f64 = MINOR_SIMILARITY;
/// Fraction of the smaller unit's word 3-grams that the pair must share to be compared.
const MIN_SHARED_SHINGLES: f64 = 0.3;
/// A word 3-gram found in this many distinct units is too common to point to a repeat
/// ("in der vergangenen"); later units are not added to its list. A news article has no
/// 3-gram nearly this common, so this only bounds the work on degenerate text.
const MAX_UNITS_PER_SHINGLE: usize = 32;
/// Most earlier units compared with one unit (those sharing the most 3-grams). A news
/// article has a handful of candidates at most.
const MAX_COMPARISONS: usize = 16;
/// Units up to this many normalised characters are compared by Levenshtein similarity,
/// whose cost is the product of the two lengths. The longest line of the sample articles
/// has under 800 characters; a news paragraph rarely passes 1,500. Longer units (a whole
/// article on one line, a pasted table) would cost up to 10^12 steps for two lines of a
/// megabyte, so they are compared by the Jaccard similarity of their word 3-gram sets
/// instead, which takes linear time. For sparse edits the two measures are close: one
/// changed word changes about its share of the characters and at most three 3-grams.
const MAX_LEVENSHTEIN_CHARS: usize = 2_000;

struct Unit {
    span: Span,
    normalised: String,
    /// Characters in `normalised`.
    chars: usize,
    shingles: HashSet<u64>,
}

impl Check for NearDuplicate {
    fn id(&self) -> CheckId {
        CheckId::NearDuplicate
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let units = units(doc);
        let mut index = Index::new(&units);
        // Units come in order of their start, so a unit lies inside a reported one exactly
        // when it ends no later than the furthest-reaching reported unit.
        let mut reported_until: Option<usize> = None;
        for (j, unit) in units.iter().enumerate() {
            let covered = reported_until.is_some_and(|end| unit.span.end <= end);
            let best = if covered { None } else { index.most_similar(j) };
            index.insert(j);
            let Some((earlier, similarity)) = best else {
                continue;
            };
            let severity = if similarity >= MAJOR_SIMILARITY {
                Severity::Major
            } else {
                Severity::Minor
            };
            let how = if similarity >= 0.999 {
                "repeats"
            } else {
                "nearly repeats"
            };
            out.push(Finding::new(
                CheckId::NearDuplicate,
                severity,
                unit.span,
                format!(
                    "{how} an earlier passage ({:.0}% similar): {}",
                    100.0 * similarity,
                    excerpt(units[earlier].span.slice(doc.text))
                ),
            ));
            reported_until =
                Some(reported_until.map_or(unit.span.end, |end| end.max(unit.span.end)));
        }
    }
}

/// The units seen so far, indexed so that a unit's most similar predecessor is found
/// without comparing it with all of them.
struct Index<'u> {
    units: &'u [Unit],
    /// Every unit seen with a given normalised text, in order.
    copies: HashMap<&'u str, Vec<usize>>,
    /// For each word 3-gram, the first unit of each distinct normalised text that has it
    /// (at most `MAX_UNITS_PER_SHINGLE`). Copies of a text add nothing: they are found
    /// through `copies`.
    by_shingle: HashMap<u64, Vec<usize>>,
}

impl<'u> Index<'u> {
    fn new(units: &'u [Unit]) -> Self {
        Index {
            units,
            copies: HashMap::new(),
            by_shingle: HashMap::new(),
        }
    }

    fn insert(&mut self, j: usize) {
        let unit = &self.units[j];
        let copies = self.copies.entry(unit.normalised.as_str()).or_default();
        copies.push(j);
        if copies.len() > 1 {
            return;
        }
        for &shingle in &unit.shingles {
            let units = self.by_shingle.entry(shingle).or_default();
            if units.len() < MAX_UNITS_PER_SHINGLE {
                units.push(j);
            }
        }
    }

    /// The last earlier unit with the same normalised text as `first_copy` that neither
    /// contains unit `j` nor lies inside it. Copies are equally similar to `j`; the latest
    /// is reported.
    fn latest_copy(&self, first_copy: usize, j: usize) -> Option<usize> {
        let text = self.units[first_copy].normalised.as_str();
        self.copies[text]
            .iter()
            .rev()
            .copied()
            .find(|&i| !nested(&self.units[i], &self.units[j]))
    }

    /// The earlier unit most similar to unit `j`, with the similarity, if it reaches
    /// `MINOR_SIMILARITY`. Of equally similar units, the latest.
    fn most_similar(&self, j: usize) -> Option<(usize, f64)> {
        let unit = &self.units[j];
        // An exact copy is as similar as a unit can be.
        if let Some(&first) = self
            .copies
            .get(unit.normalised.as_str())
            .and_then(|c| c.first())
        {
            if let Some(i) = self.latest_copy(first, j) {
                return Some((i, 1.0));
            }
        }
        // Shared 3-grams with each earlier distinct text, named by its first unit.
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for shingle in &unit.shingles {
            for &i in self
                .by_shingle
                .get(shingle)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                *shared.entry(i).or_default() += 1;
            }
        }
        let mut candidates: Vec<(usize, usize)> = shared
            .into_iter()
            .filter(|&(first, count)| {
                self.units[first].normalised != unit.normalised
                    && is_candidate(&self.units[first], unit, count)
            })
            .filter_map(|(first, count)| Some((self.latest_copy(first, j)?, count)))
            .collect();
        candidates.sort_unstable_by_key(|&(i, count)| (Reverse(count), Reverse(i)));
        candidates
            .into_iter()
            .take(MAX_COMPARISONS)
            .map(|(i, _)| (i, similarity(&self.units[i], unit)))
            .filter(|&(_, similarity)| similarity >= MINOR_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
    }
}

/// How similar two units are, from 0 to 1: normalised Levenshtein similarity, or for
/// units too long for it the Jaccard similarity of their word 3-grams (see
/// `MAX_LEVENSHTEIN_CHARS`).
fn similarity(a: &Unit, b: &Unit) -> f64 {
    if a.chars.max(b.chars) <= MAX_LEVENSHTEIN_CHARS {
        return strsim::normalized_levenshtein(&a.normalised, &b.normalised);
    }
    let (small, large) = if a.shingles.len() <= b.shingles.len() {
        (&a.shingles, &b.shingles)
    } else {
        (&b.shingles, &a.shingles)
    };
    let shared = small.iter().filter(|s| large.contains(s)).count();
    let union = a.shingles.len() + b.shingles.len() - shared;
    if union == 0 {
        return 1.0;
    }
    shared as f64 / union as f64
}

/// Whether one unit contains the other (a line and its own sentence).
fn nested(a: &Unit, b: &Unit) -> bool {
    a.span.contains(b.span) || b.span.contains(a.span)
}

/// Whether `earlier` and `later` are worth comparing: similar lengths, enough shared word
/// 3-grams.
fn is_candidate(earlier: &Unit, later: &Unit, shared: usize) -> bool {
    let (a, b) = (earlier.chars as f64, later.chars as f64);
    let fewest_shingles = earlier.shingles.len().min(later.shingles.len()).max(1) as f64;
    a.min(b) / a.max(b) >= MIN_LENGTH_RATIO
        && shared as f64 / fewest_shingles >= MIN_SHARED_SHINGLES
}

/// Lines, and the sentences of lines with more than one sentence, in reading order
/// (a line before its own sentences).
fn units(doc: &Document<'_>) -> Vec<Unit> {
    let mut spans: Vec<Span> = Vec::new();
    let mut line_start = 0;
    for line in doc.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let start = line_start + (line.len() - line.trim_start().len());
            spans.push(Span::new(start, start + trimmed.len()));
        }
        line_start += line.len();
    }
    // Lines are in text order, hence sorted: a binary search keeps this linear-time.
    let lines = spans.clone();
    spans.extend(
        doc.sentences
            .iter()
            .map(|s| s.span)
            .filter(|s| lines.binary_search(s).is_err()),
    );
    spans.sort_by_key(|s| (s.start, Reverse(s.end)));
    spans
        .into_iter()
        .filter_map(|span| unit(doc.text, span))
        .collect()
}

fn unit(text: &str, span: Span) -> Option<Unit> {
    // The lower-cased words joined by single spaces, built in place: words hold no spaces.
    let mut normalised = String::with_capacity(span.len());
    let mut count = 0;
    for word in words_in(text, span) {
        if count > 0 {
            normalised.push(' ');
        }
        if word
            .text
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            normalised.push_str(word.text);
        } else {
            normalised.push_str(&word.text.to_lowercase());
        }
        count += 1;
    }
    let chars = normalised.chars().count();
    if count < MIN_WORDS || chars < MIN_NORMALISED_CHARS {
        return None;
    }
    let words: Vec<&str> = normalised.split(' ').collect();
    let shingles = words.windows(3).map(hash_words).collect();
    Some(Unit {
        span,
        normalised,
        chars,
        shingles,
    })
}

/// A shingle's hash; fixed, so that the same text always gives the same shingles.
fn hash_words(words: &[&str]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(words)
}

/// The start of a passage, for messages.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    if text.chars().count() <= MAX_CHARS {
        format!("“{text}”")
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("“{}…”", head.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{concatenated_samples, finishes_within, flagged, run_check};
    use crate::data::Lang;
    use std::time::Duration;

    #[test]
    fn flags_repeated_italian_title() {
        let text = "Trump parla con Putin-Negotiations on Ucraina Russia Armistice\n\n\
                    Trump parla con Putin-Negotiations on Ucraina Russia Armistice\n\n\
                    La prossima conversazione telefonica si svolge in un momento cruciale.\n";
        let findings = run_check(&NearDuplicate, text, Lang::ITALIAN);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].span.start, 64);
        assert_eq!(findings[0].severity, Severity::Major);
        assert!(findings[0].message.starts_with("repeats"));
    }

    #[test]
    fn flags_german_paragraph_repeated_with_small_changes_once() {
        let first =
            "Der Kreml sagte am Sonntag, es sei zu früh, um sofortige Ergebnisse zu erwarten. \
                     Die Beziehungen seien unter Biden beschädigt worden.";
        let second =
            "Der Kreml sagte am Montag, es sei zu früh, um sofortige Ergebnisse zu erwarten. \
                      Die Beziehungen seien unter Biden beschädigt worden.";
        let text = format!(
            "{first}\nPeskov äußerte sich nicht weiter zu den Details der Gespräche.\n{second}\n"
        );
        let findings = run_check(&NearDuplicate, &text, Lang::GERMAN);
        assert_eq!(flagged(&text, &findings), [second]);
        assert!(findings[0].message.starts_with("nearly repeats"));
    }

    #[test]
    fn flags_repeated_sentence_inside_other_paragraphs() {
        let text = "Putin sagte, er wolle verhandeln. Die Ukraine lehnt Gespräche unter diesen Bedingungen ab.\n\
                    Am Montag hieß es erneut. Die Ukraine lehnt Gespräche unter diesen Bedingungen ab. Mehr nicht.\n";
        let findings = run_check(&NearDuplicate, text, Lang::GERMAN);
        assert_eq!(
            flagged(text, &findings),
            ["Die Ukraine lehnt Gespräche unter diesen Bedingungen ab."]
        );
        assert_eq!(findings[0].span.start, text.rfind("Die Ukraine").unwrap());
    }

    #[test]
    fn different_sentences_and_short_credits_are_not_flagged() {
        let de = "Der russische Präsident Wladimir Putin nimmt an einem Treffen im Kreml teil.\n\
                  Kevin Lamarque | Reuters\n\
                  Der russische Präsident Wladimir Putin hat den Chef des Generalstabs besucht.\n\
                  Kevin Lamarque | Reuters\n";
        assert!(run_check(&NearDuplicate, de, Lang::GERMAN).is_empty());
        let it = "Il Cremlino ha spiegato che Putin si è preparato per la conversazione con Trump.\n\
                  La Casa Bianca ha spiegato che Trump si è preparato per la telefonata con i giornalisti.\n";
        assert!(run_check(&NearDuplicate, it, Lang::ITALIAN).is_empty());
    }

    #[test]
    fn long_repetitive_article_takes_linear_time() {
        // Guards complexity, not speed: comparing every unit with all earlier copies took
        // 47 s on 2 MB of concatenated samples in a release build.
        let text = concatenated_samples(2_000_000);
        let findings = finishes_within(Duration::from_secs(30), move || {
            run_check(&NearDuplicate, &text, Lang::GERMAN).len()
        });
        assert!(findings > 5_000, "{findings}");
    }

    #[test]
    fn work_per_unit_is_bounded() {
        let text = concatenated_samples(300_000);
        let sentences = crate::segment::segment(&text);
        let settings = crate::checks::document::CheckSettings::default();
        let doc = Document::new(&text, Lang::GERMAN, &sentences, &settings);
        let units = units(&doc);
        let mut index = Index::new(&units);
        for j in 0..units.len() {
            index.insert(j);
        }
        assert!(index
            .by_shingle
            .values()
            .all(|units| units.len() <= MAX_UNITS_PER_SHINGLE));
        // Each distinct text is indexed once, however often it is repeated.
        let indexed: HashSet<usize> = index.by_shingle.values().flatten().copied().collect();
        assert_eq!(indexed.len(), index.copies.len());
    }

    #[test]
    fn flags_italian_near_duplicate_sentence() {
        let text = "Witkoff ha descritto l'incontro come positivo e costruttivo. Poi è partito per Mosca.\n\
                    Witkoff ha descritto l'incontro come molto positivo e costruttivo.\n";
        let findings = run_check(&NearDuplicate, text, Lang::ITALIAN);
        assert_eq!(
            flagged(text, &findings),
            ["Witkoff ha descritto l'incontro come molto positivo e costruttivo."]
        );
    }

    #[test]
    fn long_near_identical_lines_take_linear_time() {
        // Guards complexity, not speed: Levenshtein similarity of two lines of 300 KB is
        // 10^11 steps (minutes); past MAX_LEVENSHTEIN_CHARS the 3-gram measure is linear.
        let words: Vec<String> = (0..40_000).map(|k| format!("wort{k}")).collect();
        let first = words.join(" ");
        let second = words
            .iter()
            .enumerate()
            .map(|(k, w)| if k % 1_000 == 0 { "anders" } else { w.as_str() })
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!("{first}\n{second}\n");
        let (count, message) = finishes_within(Duration::from_secs(30), move || {
            let findings = run_check(&NearDuplicate, &text, Lang::GERMAN);
            (findings.len(), findings[0].message.clone())
        });
        assert_eq!(count, 1);
        assert!(
            message.starts_with("nearly repeats an earlier passage (99%"),
            "{message}"
        );
    }

    #[test]
    fn long_units_are_compared_by_shared_3_grams() {
        let unit = |text: &str| unit(text, Span::new(0, text.len())).unwrap();
        let words: Vec<String> = (0..1_000).map(|k| format!("w{k}")).collect();
        let mut changed = words.clone();
        changed[500] = "x".into();
        let (a, b) = (unit(&words.join(" ")), unit(&changed.join(" ")));
        assert!(a.chars > MAX_LEVENSHTEIN_CHARS);
        // 998 3-grams each, 3 of them changed: 995 shared of 1,001.
        assert!((similarity(&a, &b) - 995.0 / 1_001.0).abs() < 1e-9);
        assert_eq!(similarity(&a, &a), 1.0);
        // Short units keep the Levenshtein similarity.
        let (c, d) = (
            unit("eins zwei drei vier fünf sechs"),
            unit("eins zwei drei vier fünf sieben"),
        );
        assert_eq!(
            similarity(&c, &d),
            strsim::normalized_levenshtein(&c.normalised, &d.normalised)
        );
    }
}
