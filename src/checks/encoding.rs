//! Check 9: broken character encoding and invisible characters.
//!
//! Mojibake (UTF-8 read as Windows-1252: "Ã¤" for "ä", "â€œ" for "“"), U+FFFD replacement
//! characters, HTML entities left in the text ("&amp;", "&#8220;"), control characters,
//! zero-width or soft-hyphen characters that break search and copy-paste, and bidirectional
//! controls that can reorder the text a reviewer sees.

use super::document::{Check, Document};
use crate::data::{CheckId, Finding, Severity, Span};
use regex::Regex;
use std::sync::LazyLock;

pub struct Encoding;

/// Characters that UTF-8 continuation bytes 0x80–0xBF become when read as Windows-1252
/// (or Latin-1, for the C1 controls).
const CP1252_TAIL: &str = "\u{80}-\u{BF}€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";

static MOJIBAKE: LazyLock<Regex> = LazyLock::new(|| {
    // Lead bytes of 2-byte sequences (Â, Ã for Latin-1 letters; Å, Ä for Central
    // European ones) and of 3-byte punctuation (â€), each followed by continuation
    // bytes. "Ä" and "Å" are real letters, so they need a tail that never follows a
    // letter in real text.
    let pattern = format!(
        "(?:[ÂÃ][{t}]|â€[{t}]?|[ÄÅ][\u{80}-\u{9F}¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿])+",
        t = CP1252_TAIL
    );
    Regex::new(&pattern).expect("valid mojibake pattern")
});

static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
        .expect("valid entity pattern")
});

/// Invisible characters that do not belong in published text.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200B}' => "zero-width space",
        '\u{200C}' => "zero-width non-joiner",
        '\u{200D}' => "zero-width joiner",
        '\u{2060}' => "word joiner",
        '\u{FEFF}' => "byte-order mark",
        '\u{00AD}' => "soft hyphen",
        _ => return None,
    })
}

/// Bidirectional formatting characters, invisible in the text but able to reorder what a
/// reviewer sees (the "Trojan Source" trick): embeddings, overrides and isolates can move
/// whole passages; the marks only shift the neutral characters next to them.
fn bidi_control(c: char) -> Option<(&'static str, Severity)> {
    Some(match c {
        '\u{202A}' => ("left-to-right embedding", Severity::Major),
        '\u{202B}' => ("right-to-left embedding", Severity::Major),
        '\u{202C}' => ("pop directional formatting", Severity::Major),
        '\u{202D}' => ("left-to-right override", Severity::Major),
        '\u{202E}' => ("right-to-left override", Severity::Major),
        '\u{2066}' => ("left-to-right isolate", Severity::Major),
        '\u{2067}' => ("right-to-left isolate", Severity::Major),
        '\u{2068}' => ("first strong isolate", Severity::Major),
        '\u{2069}' => ("pop directional isolate", Severity::Major),
        '\u{200E}' => ("left-to-right mark", Severity::Minor),
        '\u{200F}' => ("right-to-left mark", Severity::Minor),
        '\u{061C}' => ("Arabic letter mark", Severity::Minor),
        _ => return None,
    })
}

/// Replacement characters or mojibake in one sentence this many times make it unreadable.
const CRITICAL_GARBLE_COUNT: usize = 3;

impl Check for Encoding {
    fn id(&self) -> CheckId {
        CheckId::Encoding
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let mut garbled: Vec<Span> = Vec::new();
        for m in MOJIBAKE.find_iter(doc.text) {
            garbled.push(Span::new(m.start(), m.end()));
        }
        for run in char_runs(doc.text, |c| c == '\u{FFFD}') {
            garbled.push(run);
        }
        // Mojibake and replacement characters never overlap, so `garbled` is sorted and
        // disjoint.
        garbled.sort();
        for &span in &garbled {
            let in_sentence = garbled_in_same_sentence(doc, &garbled, span);
            let severity = if in_sentence >= CRITICAL_GARBLE_COUNT {
                Severity::Critical
            } else {
                Severity::Major
            };
            let message = if span.slice(doc.text).contains('\u{FFFD}') {
                "replacement character (\u{FFFD}): a character was lost when the text was converted"
                    .to_string()
            } else {
                format!(
                    "garbled characters {:?}: UTF-8 text decoded with the wrong encoding",
                    span.slice(doc.text)
                )
            };
            out.push(Finding::new(CheckId::Encoding, severity, span, message));
        }

        for m in ENTITY.find_iter(doc.text) {
            let decoded = html_escape::decode_html_entities(m.as_str());
            if decoded != m.as_str() {
                out.push(Finding::new(
                    CheckId::Encoding,
                    Severity::Major,
                    Span::new(m.start(), m.end()),
                    format!(
                        "HTML entity {:?} left in the text (should read {:?})",
                        m.as_str(),
                        decoded
                    ),
                ));
            }
        }

        // C1 controls are part of most mojibake sequences; report those once, as mojibake.
        for run in char_runs(doc.text, is_stray_control)
            .into_iter()
            .filter(|&r| overlapping(&garbled, r).is_empty())
        {
            out.push(Finding::new(
                CheckId::Encoding,
                Severity::Major,
                run,
                format!(
                    "control character U+{:04X} in the text",
                    first_char(doc.text, run) as u32
                ),
            ));
        }

        for (i, c) in doc.text.char_indices() {
            if let Some((name, severity)) = bidi_control(c) {
                out.push(Finding::new(
                    CheckId::Encoding,
                    severity,
                    Span::new(i, i + c.len_utf8()),
                    format!(
                        "invisible bidirectional control U+{:04X} ({name}) can reorder the text a reviewer sees",
                        c as u32
                    ),
                ));
            }
        }

        for run in char_runs(doc.text, |c| invisible_name(c).is_some()) {
            let name = invisible_name(first_char(doc.text, run)).unwrap_or("invisible character");
            out.push(Finding::new(
                CheckId::Encoding,
                Severity::Minor,
                run,
                format!("invisible {name} in the text (breaks search and copy-paste)"),
            ));
        }
    }
}

/// Control characters other than line breaks and tabs.
fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn first_char(text: &str, span: Span) -> char {
    span.slice(text).chars().next().unwrap_or('\u{0}')
}

/// Maximal runs of characters matching `pred`, as spans.
fn char_runs(text: &str, pred: impl Fn(char) -> bool) -> Vec<Span> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (pred(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(Span::new(s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(Span::new(s, text.len()));
    }
    runs
}

/// How many of `garbled` (sorted, disjoint) lie in the sentence of `span` (or, outside
/// sentences, are `span` itself).
fn garbled_in_same_sentence(doc: &Document<'_>, garbled: &[Span], span: Span) -> usize {
    // Sentences are sorted and disjoint: only the last one starting at or before `span`
    // can contain it. Binary searches keep an article full of mojibake from going quadratic.
    let starting_before = doc
        .sentences
        .partition_point(|s| s.span.start <= span.start);
    let scope = starting_before
        .checked_sub(1)
        .map(|k| doc.sentences[k].span)
        .filter(|s| s.contains(span))
        .unwrap_or(span);
    overlapping(garbled, scope).len()
}

/// The spans of `sorted` (sorted and disjoint, so their ends are sorted too) that overlap
/// `scope`.
fn overlapping(sorted: &[Span], scope: Span) -> &[Span] {
    let from = sorted.partition_point(|g| g.end <= scope.start);
    let to = sorted.partition_point(|g| g.start < scope.end);
    &sorted[from..to.max(from)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_flagged, assert_flags, assert_not_flagged, run_check};
    use crate::data::Lang;

    #[test]
    fn flags_german_mojibake() {
        let text = "Die Gespr\u{e4}che in M\u{c3}\u{bc}nchen waren \u{e2}\u{20ac}\u{153}schwierig\u{e2}\u{20ac}\u{9d}.";
        let critical = ["Ã¼", "â€œ", "â€\u{9d}"].map(|m| (m, Severity::Critical));
        assert_flags(&Encoding, text, Lang::GERMAN, &critical);
    }

    #[test]
    fn single_mojibake_is_major() {
        let text = "La citt\u{c3}\u{a0} di Roma \u{e8} bella.";
        assert_flags(
            &Encoding,
            text,
            Lang::ITALIAN,
            &[("Ã\u{a0}", Severity::Major)],
        );
    }

    #[test]
    fn clean_accented_text_is_not_flagged() {
        assert_not_flagged(
            &Encoding,
            &[
                "Äußerst schöne Grüße aus Österreich, Ärger über Åland – „Zitat“ » gut «.",
                "AT&T und H&M verkaufen mehr; Q&A folgt.",
            ],
            Lang::GERMAN,
        );
        let italian = "È così: perché la città è più bella «oggi»? Sì, à la carte.";
        assert_not_flagged(&Encoding, &[italian], Lang::ITALIAN);
    }

    #[test]
    fn flags_replacement_characters_and_entities() {
        let text = "Die Stra\u{FFFD}e &amp; der Platz &#8220;Mitte&#8221; und&nbsp;mehr.";
        let expected = ["\u{FFFD}", "&amp;", "&#8220;", "&#8221;", "&nbsp;"];
        assert_flagged(&Encoding, text, Lang::GERMAN, &expected);
        let text = "Il governo &quot;tecnico&quot; e l&#39;opposizione.";
        let entities = ["&quot;", "&quot;", "&#39;"];
        assert_flagged(&Encoding, text, Lang::ITALIAN, &entities);
    }

    #[test]
    fn unknown_entity_like_text_is_not_flagged() {
        let text = "Der Code lautet &foo123; und nicht mehr.";
        assert_not_flagged(&Encoding, &[text], Lang::GERMAN);
    }

    #[test]
    fn flags_bidirectional_controls_on_their_exact_span() {
        let text = "Der Betrag ist \u{202E}0001\u{202C} Euro und\u{200F} mehr.";
        let controls = [
            ("\u{202E}", Severity::Major),
            ("\u{202C}", Severity::Major),
            ("\u{200F}", Severity::Minor),
        ];
        let findings = assert_flags(&Encoding, text, Lang::GERMAN, &controls);
        assert_eq!(
            findings[0].message,
            "invisible bidirectional control U+202E (right-to-left override) can reorder the text a reviewer sees"
        );
        let isolate = "Il nome \u{2067}abc\u{2069} è qui.";
        assert_eq!(run_check(&Encoding, isolate, Lang::ITALIAN).len(), 2);
    }

    #[test]
    fn flags_invisible_and_control_characters() {
        let text = "Der Kreml\u{200B}\u{200B} sagte\u{7} es. Il Cremlino\u{AD}Palast ha detto.";
        let controls = ["\u{7}", "\u{200B}\u{200B}", "\u{AD}"];
        let findings = assert_flagged(&Encoding, text, Lang::GERMAN, &controls);
        assert_eq!(findings[0].severity, Severity::Major);
        assert_eq!(findings[1].severity, Severity::Minor);
        let text = "Il presidente\u{FEFF} ha parlato.\r\n\tPoi è partito.";
        assert_flagged(&Encoding, text, Lang::ITALIAN, &["\u{FEFF}"]);
    }
}
