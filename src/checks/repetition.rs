//! Stuttered repetition inside a sentence: "nach der Berliner Mauer nach der Berliner Mauer",
//! "Wir wir uns", "phon-phon", and near-repeats with one or two words between the copies
//! ("die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen").
//!
//! Doubled words that grammar or style allows are not flagged on their own: German relative
//! pronouns after an article ("die Frauen, die die Kinder"), Italian "che che", emphatic
//! doublings ("sehr, sehr", "piano piano"). A repeated single function word is weaker
//! evidence than a repeated content word or phrase and gets a lower severity.

use super::words::{words, Word};
use super::{Check, CheckId, Document, Finding, Severity};
use crate::langid::Lang;
use crate::lexicon;
use crate::span::Span;

/// Longest repeated phrase looked for, in words.
const MAX_UNIT_WORDS: usize = 8;
/// Most words allowed between the two copies of a near-repeated phrase.
const MAX_GAP_WORDS: usize = 2;
/// A word at least this frequent (Zipf) in the article's language counts as a function word.
const FUNCTION_WORD_ZIPF: f32 = 5.5;

/// Words whose doubling is grammatical in the language (relative pronoun after article).
fn grammatical_doubles(lang: Lang) -> &'static [&'static str] {
    match lang.code() {
        "de" => &["der", "die", "das", "den", "dem", "des", "sie", "es"],
        "it" => &["che"],
        "en" => &["that", "had"],
        "fr" => &["que", "nous", "vous"],
        _ => &[],
    }
}

/// Emphatic or idiomatic doublings ("sehr, sehr", "piano piano", "Baden-Baden").
const EMPHATIC_DOUBLES: &[&str] = &[
    // German
    "sehr", "ganz", "immer", "nie", "nein", "ja", "viel", "weit", "lange", "oft", "schnell", "gut",
    "na", "tja", "ha", "oh", "ach", "so", "nur", "mehr", "noch", "baden", "bla", "mau", "tam",
    "hm", "hopp", // Italian
    "così", "piano", "via", "quasi", "poco", "bene", "ora", "sempre", "mai", "no", "sì", "molto",
    "tanto", "proprio", "forte", "zitto", "pian", "presto", "subito", "appena", "pure", "lento",
    "adagio", "man", // English and others
    "very", "yes", "bye", "well", "bora", "walla", "sing", "duran", "mahi", "tutu", "knock",
    "bravo", "chop",
];

/// Separators allowed between the two copies of an adjacent repeat. A colon or full stop
/// between numbers is a score or date ("1:1", "10.10."), not a stutter.
fn is_stutter_junction(between: &str) -> bool {
    between.chars().all(|c| {
        c.is_whitespace() || matches!(c, ',' | ';' | '-' | '–' | '—' | '"' | '“' | '”' | '„')
    })
}

pub struct Repetition;

impl Check for Repetition {
    fn id(&self) -> CheckId {
        CheckId::Repetition
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        for sentence in doc.sentences {
            let text = doc.sentence_text(sentence);
            find_repeats(text, doc.lang, sentence.span.start, out);
        }
    }
}

struct Token<'a> {
    word: Word<'a>,
    lower: String,
}

fn find_repeats(text: &str, lang: Lang, offset: usize, out: &mut Vec<Finding>) {
    let tokens: Vec<Token> = words(text)
        .into_iter()
        .map(|word| Token {
            lower: word.text.to_lowercase(),
            word,
        })
        .collect();
    let lexicon = lexicon::for_lang(lang);
    let is_function_word = |t: &Token| {
        t.word.is_numeric()
            || t.lower.chars().count() <= 2
            || lexicon
                .and_then(|l| l.zipf(&t.lower))
                .is_some_and(|z| z >= FUNCTION_WORD_ZIPF)
    };
    let same =
        |a: usize, b: usize, n: usize| (0..n).all(|k| tokens[a + k].lower == tokens[b + k].lower);

    let mut i = 0;
    'tokens: while i < tokens.len() {
        // Adjacent copies, longest unit first.
        for n in (1..=MAX_UNIT_WORDS).rev() {
            if i + 2 * n > tokens.len() || !same(i, i + n, n) {
                continue;
            }
            let mut copies = 2;
            while i + (copies + 1) * n <= tokens.len() && same(i, i + copies * n, n) {
                copies += 1;
            }
            // Junctions between copies must look like a stutter, not "1:1" or "10.10.".
            let junction_ok = (1..copies).all(|c| {
                let prev_end = tokens[i + c * n - 1].word.span.end;
                let next_start = tokens[i + c * n].word.span.start;
                is_stutter_junction(&text[prev_end..next_start])
            });
            if !junction_ok {
                continue;
            }
            let unit = &tokens[i..i + n];
            let content_words = unit.iter().filter(|t| !is_function_word(t)).count();
            let severity = if n == 1 {
                let t = &unit[0];
                if copies == 2
                    && (t.word.is_numeric()
                        || grammatical_doubles(lang).contains(&t.lower.as_str())
                        || EMPHATIC_DOUBLES.contains(&t.lower.as_str()))
                {
                    continue;
                }
                match (content_words, copies) {
                    (_, c) if c >= 3 => Severity::Major,
                    (0, _) => Severity::Minor,
                    _ => Severity::Major,
                }
            } else {
                let repeated_words = n * (copies - 1);
                if copies >= 3 || repeated_words >= 6 {
                    Severity::Critical
                } else if content_words == 0 {
                    Severity::Minor
                } else {
                    Severity::Major
                }
            };
            // A stutter often trails off in a partial copy: "… con la sua amicizia a pagamento".
            let after = i + copies * n;
            let partial = if n >= 2 {
                (1..n)
                    .rev()
                    .find(|&p| after + p <= tokens.len() && same(i, after, p))
                    .unwrap_or(0)
            } else {
                0
            };
            let start = unit[0].word.span.start;
            let end = tokens[after + partial - 1].word.span.end;
            let phrase = &text[unit[0].word.span.start..unit[n - 1].word.span.end];
            let message = if copies == 2 {
                format!(
                    "Repeated {} \"{phrase}\"",
                    if n == 1 { "word" } else { "phrase" }
                )
            } else {
                format!("\"{phrase}\" repeated {copies} times")
            };
            out.push(Finding::new(
                CheckId::Repetition,
                severity,
                Span::new(start, end).shifted(offset),
                message,
            ));
            i = after + partial;
            continue 'tokens;
        }
        // Near-repeats: a phrase of two or more words with a content word, copied after a
        // short gap. Single words are left out: "Schritt für Schritt", "giorno dopo giorno".
        for n in (2..=MAX_UNIT_WORDS).rev() {
            for gap in 1..=MAX_GAP_WORDS {
                let second = i + n + gap;
                if second + n > tokens.len() || !same(i, second, n) {
                    continue;
                }
                let unit = &tokens[i..i + n];
                if unit.iter().all(&is_function_word) {
                    continue;
                }
                let start = unit[0].word.span.start;
                let end = tokens[second + n - 1].word.span.end;
                let phrase = &text[start..unit[n - 1].word.span.end];
                out.push(Finding::new(
                    CheckId::Repetition,
                    Severity::Major,
                    Span::new(start, end).shifted(offset),
                    format!("Repeated phrase \"{phrase}\""),
                ));
                i = second + n;
                continue 'tokens;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{flagged, run_check};

    fn check(text: &str, lang: Lang) -> Vec<Finding> {
        run_check(&Repetition, text, lang)
    }

    #[test]
    fn german_stutters_are_flagged() {
        let t = "Putin wirft den Krieg nach der Berliner Mauer nach der Berliner Mauer fiel.";
        let f = check(t, Lang::GERMAN);
        assert_eq!(
            flagged(t, &f),
            ["nach der Berliner Mauer nach der Berliner Mauer"]
        );
        assert_eq!(f[0].severity, Severity::Major);
        assert!(
            f[0].message.contains("\"nach der Berliner Mauer\""),
            "{}",
            f[0].message
        );

        let t = "Es ist unmöglich. Wir wir uns Haben Sie viel zu tun.";
        assert_eq!(flagged(t, &check(t, Lang::GERMAN)), ["Wir wir"]);
        let t = "Steve Witkoff Steve Witkoff im Nahen Osten nimmt teil.";
        assert_eq!(
            flagged(t, &check(t, Lang::GERMAN)),
            ["Steve Witkoff Steve Witkoff"]
        );
        let t = "Die Flammen des Konflikts nicht fächert, fächert nicht die Flammen an.";
        assert_eq!(flagged(t, &check(t, Lang::GERMAN)), ["fächert, fächert"]);
    }

    #[test]
    fn german_near_repeat_with_gap_is_flagged() {
        let t = "Der Sicherheitsrat hat die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen hat.";
        let f = check(t, Lang::GERMAN);
        assert_eq!(
            flagged(t, &f),
            ["die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen"]
        );
        assert_eq!(f[0].severity, Severity::Major);
    }

    #[test]
    fn german_grammatical_and_emphatic_doubles_are_not_flagged() {
        for t in [
            "Die Frauen, die die Kinder betreuen, bekommen mehr Geld.",
            "Das Kind, das das Bild malte, ist sieben.",
            "Der Mann, der der Polizei half, wurde geehrt.",
            "Weil sie sie liebt, bleibt sie.",
            "Das war sehr, sehr knapp.",
            "Das Spiel endete 1:1 und am 10.10. geht es weiter.",
            "Schritt für Schritt kommen wir voran, Jahr für Jahr.",
            "Er kam nach Baden-Baden.",
        ] {
            assert!(
                check(t, Lang::GERMAN).is_empty(),
                "{t}: {:?}",
                check(t, Lang::GERMAN)
            );
        }
    }

    #[test]
    fn italian_stutters_are_flagged_with_growing_severity() {
        let t = "Un test per la sua amicizia con la sua amicizia con la sua amicizia con la sua amicizia a pagamento.";
        let f = check(t, Lang::ITALIAN);
        assert_eq!(
            flagged(t, &f),
            ["la sua amicizia con la sua amicizia con la sua amicizia con la sua amicizia"]
        );
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(
            f[0].message
                .contains("\"la sua amicizia con\" repeated 3 times"),
            "{}",
            f[0].message
        );

        let t = "Un test cruciale per se Trump, che è stato Trump, che è stato bersaglio.";
        let f = check(t, Lang::ITALIAN);
        assert_eq!(flagged(t, &f), ["Trump, che è stato Trump, che è stato"]);
        assert_eq!(f[0].severity, Severity::Major);

        let t = "Vedi putin-trprump-phon-phon-call qui.";
        assert_eq!(flagged(t, &check(t, Lang::ITALIAN)), ["phon-phon"]);
    }

    #[test]
    fn italian_allowed_doubles_are_not_flagged() {
        for t in [
            "Ha detto che che la cosa andava fatta.",
            "Piano piano la situazione migliora.",
            "Il risultato finale è stato 1-1.",
            "Giorno dopo giorno il lavoro continua.",
            "Il governo ha detto che il governo di Roma è stabile.",
        ] {
            assert!(
                check(t, Lang::ITALIAN).is_empty(),
                "{t}: {:?}",
                check(t, Lang::ITALIAN)
            );
        }
    }

    #[test]
    fn repeated_function_word_is_only_minor() {
        let t = "Er ging in in die Stadt.";
        let f = check(t, Lang::GERMAN);
        assert_eq!(flagged(t, &f), ["in in"]);
        assert_eq!(f[0].severity, Severity::Minor);
        let t = "È andato a a Roma.";
        assert_eq!(check(t, Lang::ITALIAN)[0].severity, Severity::Minor);
    }
}
