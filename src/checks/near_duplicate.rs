//! Check 11: sentences or paragraphs that (nearly) repeat an earlier one in the article.
//!
//! Compares normalised text (lower case, words only) with the normalised Levenshtein
//! similarity. Only pairs of similar length that share a word 3-gram are compared, so
//! long articles stay cheap. Lines are compared first; the sentences of a line that is
//! already reported as a repeat are not reported again.

use super::text_units::words_in;
use super::{Check, CheckId, Document, Finding, Severity};
use crate::span::Span;
use std::collections::{HashMap, HashSet};

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

struct Unit {
    span: Span,
    normalised: String,
    shingles: HashSet<u64>,
}

impl Check for NearDuplicate {
    fn id(&self) -> CheckId {
        CheckId::NearDuplicate
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let units = units(doc);
        // Which earlier units share each shingle.
        let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut reported: Vec<Span> = Vec::new();
        for (j, unit) in units.iter().enumerate() {
            let mut shared: HashMap<usize, usize> = HashMap::new();
            for shingle in &unit.shingles {
                for &i in index.get(shingle).map(Vec::as_slice).unwrap_or(&[]) {
                    *shared.entry(i).or_default() += 1;
                }
            }
            for shingle in &unit.shingles {
                index.entry(*shingle).or_default().push(j);
            }
            if reported.iter().any(|r| r.contains(unit.span)) {
                continue;
            }
            let mut candidates: Vec<(usize, usize)> = shared.into_iter().collect();
            candidates.sort_unstable();
            let best = candidates
                .into_iter()
                .map(|(i, count)| (&units[i], count))
                .filter(|(earlier, count)| is_candidate(earlier, unit, *count))
                .map(|(earlier, _)| {
                    (
                        earlier,
                        strsim::normalized_levenshtein(&earlier.normalised, &unit.normalised),
                    )
                })
                .filter(|(_, similarity)| *similarity >= MINOR_SIMILARITY)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((earlier, similarity)) = best {
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
                        excerpt(earlier.span.slice(doc.text))
                    ),
                ));
                reported.push(unit.span);
            }
        }
    }
}

/// Whether `earlier` and `later` are worth comparing: neither contains the other, similar
/// lengths, enough shared word 3-grams.
fn is_candidate(earlier: &Unit, later: &Unit, shared: usize) -> bool {
    if earlier.span.contains(later.span) || later.span.contains(earlier.span) {
        return false;
    }
    let (a, b) = (
        earlier.normalised.chars().count() as f64,
        later.normalised.chars().count() as f64,
    );
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
    let lines = spans.clone();
    spans.extend(
        doc.sentences
            .iter()
            .map(|s| s.span)
            .filter(|s| !lines.contains(s)),
    );
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    spans
        .into_iter()
        .filter_map(|span| unit(doc.text, span))
        .collect()
}

fn unit(text: &str, span: Span) -> Option<Unit> {
    let words: Vec<String> = words_in(text, span)
        .iter()
        .map(|w| w.text.to_lowercase())
        .collect();
    let normalised = words.join(" ");
    if words.len() < MIN_WORDS || normalised.chars().count() < MIN_NORMALISED_CHARS {
        return None;
    }
    let shingles = words.windows(3).map(|w| hash_words(w)).collect();
    Some(Unit {
        span,
        normalised,
        shingles,
    })
}

fn hash_words(words: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut hasher);
    hasher.finish()
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
    use crate::checks::testing::{flagged, run_check};
    use crate::langid::Lang;

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
    fn flags_italian_near_duplicate_sentence() {
        let text = "Witkoff ha descritto l'incontro come positivo e costruttivo. Poi è partito per Mosca.\n\
                    Witkoff ha descritto l'incontro come molto positivo e costruttivo.\n";
        let findings = run_check(&NearDuplicate, text, Lang::ITALIAN);
        assert_eq!(
            flagged(text, &findings),
            ["Witkoff ha descritto l'incontro come molto positivo e costruttivo."]
        );
    }
}
