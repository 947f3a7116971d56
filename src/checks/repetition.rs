//! Stuttered repetition inside a sentence: "nach der Berliner Mauer nach der Berliner Mauer",
//! "Wir wir uns", "phon-phon", and near-repeats with one or two words between the copies
//! ("die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen").
//!
//! Doubled words that grammar or style allows are not flagged on their own: German relative
//! pronouns after an article ("die Frauen, die die Kinder"), Italian "che che", emphatic
//! doublings ("sehr, sehr", "piano piano"). A repeated single function word is weaker
//! evidence than a repeated content word or phrase and gets a lower severity.

use super::document::{Check, Document};
use super::words::{words_in, Word};
use crate::data::{CheckId, Finding, Lang, Severity, Span};
use crate::lexicon;

/// Longest repeated phrase looked for, in words.
const MAX_UNIT_WORDS: usize = 8;
/// Most words allowed between the two copies of a near-repeated phrase. Two already catches
/// legitimate parallels ("beteiligt sind oder wahrscheinlich beteiligt sind").
const MAX_GAP_WORDS: usize = 1;
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

/// Conjunctions that can join two copies of a phrase on purpose.
const COORDINATORS: &[&str] = &[
    "und", "oder", "sowie", "bzw", "e", "ed", "o", "oppure", "and", "or", "et", "ou", "y",
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
            find_repeats(doc.text, sentence.span, doc.lang, out);
        }
    }
}

/// A word with its lower-case form, compared without case.
struct LoweredWord<'a> {
    word: Word<'a>,
    lower: String,
}

/// The words of `span` in `text` with their lower-case forms.
fn tokens(text: &str, span: Span) -> Vec<LoweredWord<'_>> {
    words_in(text, span)
        .into_iter()
        .map(|word| LoweredWord {
            lower: word.text.to_lowercase(),
            word,
        })
        .collect()
}

/// Whether the `n` tokens from `a` equal (ignoring case) the `n` tokens from `b`.
fn same_words(tokens: &[LoweredWord<'_>], a: usize, b: usize, n: usize) -> bool {
    (0..n).all(|k| tokens[a + k].lower == tokens[b + k].lower)
}

/// A repeat found in a sentence: its severity, its span in the sentence, the message, and
/// the token after it (where the search goes on).
struct Repeat {
    severity: Severity,
    span: Span,
    message: String,
    next: usize,
}

/// Flags the repeats in the sentence at `span` of `text` (the article).
fn find_repeats(text: &str, span: Span, lang: Lang, out: &mut Vec<Finding>) {
    let sentence = SentenceWords::new(text, span, lang);
    let mut i = 0;
    while i < sentence.tokens.len() {
        let Some(repeat) = sentence
            .adjacent_repeat(i)
            .or_else(|| sentence.near_repeat(i))
        else {
            i += 1;
            continue;
        };
        out.push(Finding::new(
            CheckId::Repetition,
            repeat.severity,
            repeat.span,
            repeat.message,
        ));
        i = repeat.next;
    }
}

/// One sentence's words, ready for the search for repeats.
struct SentenceWords<'a> {
    text: &'a str,
    lang: Lang,
    tokens: Vec<LoweredWord<'a>>,
    lexicon: Option<&'static lexicon::Lexicon>,
    chains: CopyChains,
}

impl<'a> SentenceWords<'a> {
    fn new(text: &'a str, span: Span, lang: Lang) -> Self {
        let tokens = tokens(text, span);
        let chains = CopyChains::new(&tokens, text);
        SentenceWords {
            text,
            lang,
            tokens,
            lexicon: lexicon::for_lang(lang),
            chains,
        }
    }

    fn is_function_word(&self, t: &LoweredWord<'_>) -> bool {
        t.word.is_numeric()
            || t.lower.chars().count() <= 2
            || self
                .lexicon
                .and_then(|l| l.zipf(&t.lower))
                .is_some_and(|z| z >= FUNCTION_WORD_ZIPF)
    }

    fn same(&self, a: usize, b: usize, n: usize) -> bool {
        same_words(&self.tokens, a, b, n)
    }

    /// The text between token `a` and the token after it.
    fn junction_after(&self, a: usize) -> &'a str {
        &self.text[self.tokens[a].word.span.end..self.tokens[a + 1].word.span.start]
    }

    /// Adjacent copies from token `i`, longest unit first.
    fn adjacent_repeat(&self, i: usize) -> Option<Repeat> {
        (1..=MAX_UNIT_WORDS)
            .rev()
            .find_map(|n| self.adjacent_copies(i, n))
    }

    /// Adjacent copies of the `n` tokens from `i`, unless they are no stutter.
    fn adjacent_copies(&self, i: usize, n: usize) -> Option<Repeat> {
        let (copies, junction_ok) = self.chains.at(i, n)?;
        // "wir wir wir wir" is one word four times, not the phrase "wir wir" twice.
        if n > 1 && (1..n).all(|k| self.tokens[i + k].lower == self.tokens[i].lower) {
            return None;
        }
        // Junctions between copies must look like a stutter, not "1:1" or "10.10.".
        if !junction_ok {
            return None;
        }
        let severity = if n == 1 {
            self.doubled_word_severity(i, copies)?
        } else {
            self.repeated_phrase_severity(i, n, copies)
        };
        let after = i + copies * n;
        let next = after + self.partial_copy_len(i, after, n);
        let unit = &self.tokens[i..i + n];
        let phrase = &self.text[unit[0].word.span.start..unit[n - 1].word.span.end];
        let message = if copies == 2 {
            format!(
                "Repeated {} \"{phrase}\"",
                if n == 1 { "word" } else { "phrase" }
            )
        } else {
            format!("\"{phrase}\" repeated {copies} times")
        };
        Some(Repeat {
            severity,
            span: Span::new(unit[0].word.span.start, self.tokens[next - 1].word.span.end),
            message,
            next,
        })
    }

    /// Whether punctuation stands between the first two copies of the `n` tokens from `i`.
    /// A comma or dash between the copies is ambiguous: an enumeration ("griechische
    /// Staatsbürger, Staatsbürger mit Wohnsitz"), two clauses ("… hätten, hätten wir"),
    /// emphasis ("Halt, Halt, Halt", "Es ist überall, es ist überall"); a bare doubling
    /// is clearly broken.
    fn punctuated_copies(&self, i: usize, n: usize) -> bool {
        let junction = self.junction_after(i + n - 1);
        junction.contains([',', '–', '—']) || junction.contains(" - ")
    }

    /// The severity of a word doubled (or more) at token `i`; `None` where the doubling is
    /// allowed.
    fn doubled_word_severity(&self, i: usize, copies: usize) -> Option<Severity> {
        let t = &self.tokens[i];
        if copies == 2
            && (t.word.is_numeric()
                || grammatical_doubles(self.lang).contains(&t.lower.as_str())
                || EMPHATIC_DOUBLES.contains(&t.lower.as_str()))
        {
            return None;
        }
        let function_word = self.is_function_word(t);
        let punctuated = self.punctuated_copies(i, 1);
        // "Saba-Saba", "Bora-Bora": hyphenated doubling is often a name or a word of its own.
        let hyphenated = self.junction_after(i).trim() == "-";
        // "Wer das gesagt hat, hat gelogen": a verb closing one clause and opening the next.
        if function_word && copies == 2 && punctuated {
            return None;
        }
        // A word in no word list doubled is often a name ("Ylang Ylang", "Sing Sing").
        let unknown = self.lexicon.is_some_and(|l| !l.contains(&t.lower));
        Some(if punctuated || hyphenated {
            Severity::Minor
        } else if copies >= 3 {
            Severity::Major
        } else if function_word || unknown {
            Severity::Minor
        } else {
            Severity::Major
        })
    }

    /// The severity of a phrase of `n` (at least two) words from token `i`, repeated.
    fn repeated_phrase_severity(&self, i: usize, n: usize, copies: usize) -> Severity {
        let content_words = self.tokens[i..i + n]
            .iter()
            .filter(|t| !self.is_function_word(t))
            .count();
        let punctuated = self.punctuated_copies(i, n);
        let repeated_words = n * (copies - 1);
        if (copies >= 3 || repeated_words >= 6) && !punctuated {
            Severity::Critical
        } else if copies >= 3 || repeated_words >= 6 {
            Severity::Major
        } else if content_words == 0 || punctuated {
            Severity::Minor
        } else {
            Severity::Major
        }
    }

    /// How many words from `after` begin another copy of the `n` tokens from `i`: a stutter
    /// often trails off in a partial copy ("… con la sua amicizia a pagamento").
    fn partial_copy_len(&self, i: usize, after: usize, n: usize) -> usize {
        (1..n)
            .rev()
            .find(|&p| after + p <= self.tokens.len() && self.same(i, after, p))
            .unwrap_or(0)
    }

    /// Near-repeats from token `i`: a phrase of two or more words with a content word,
    /// copied after a short gap. Single words are left out: "Schritt für Schritt",
    /// "giorno dopo giorno".
    fn near_repeat(&self, i: usize) -> Option<Repeat> {
        (2..=MAX_UNIT_WORDS)
            .rev()
            .find_map(|n| (1..=MAX_GAP_WORDS).find_map(|gap| self.copy_after_gap(i, n, gap)))
    }

    /// A copy of the `n` tokens from `i` after `gap` words, unless it is no stutter.
    fn copy_after_gap(&self, i: usize, n: usize, gap: usize) -> Option<Repeat> {
        let second = i + n + gap;
        if second + n > self.tokens.len() || !self.same(i, second, n) {
            return None;
        }
        let between =
            &self.text[self.tokens[i + n - 1].word.span.end..self.tokens[second].word.span.start];
        // "in Spanien: Muss man in Spanien …" — a colon starts a new clause.
        if between.contains([':', ';', '?', '!']) {
            return None;
        }
        let unit = &self.tokens[i..i + n];
        let gap_words = &self.tokens[i + n..second];
        // A content word between the copies makes a parallel ("das gleiche Maß an
        // Aufmerksamkeit, das gleiche Maß an Ressourcen"), not a stutter.
        if unit.iter().all(|t| self.is_function_word(t))
            || !gap_words.iter().all(|t| self.is_function_word(t))
        {
            return None;
        }
        // "X und X 2.0" may be deliberate; "den Verzehr oder den Verzehr" usually is not.
        let coordinated = gap_words
            .iter()
            .any(|t| COORDINATORS.contains(&t.lower.as_str()));
        // "zu sorgen, dafür zu sorgen" restates; "angenommen, die die … angenommen"
        // stutters on the gap word as well.
        let punctuated = between.contains(',');
        let gap_stutters = gap_words.iter().all(|g| g.lower == unit[0].lower);
        let severity = if coordinated || (punctuated && !gap_stutters) {
            Severity::Minor
        } else {
            Severity::Major
        };
        let start = unit[0].word.span.start;
        let phrase = &self.text[start..unit[n - 1].word.span.end];
        Some(Repeat {
            severity,
            span: Span::new(start, self.tokens[second + n - 1].word.span.end),
            message: format!("Repeated phrase \"{phrase}\""),
            next: second + n,
        })
    }
}

/// For each unit length `n` and token `i`: how many adjacent copies of the `n` tokens from
/// `i` follow one another, and whether every junction between them looks like a stutter.
/// Counting the copies afresh at each token is quadratic on a long run that is rejected
/// ("1:1:1:…" is one copy after another but no stutter); computed from the right, each
/// answer follows from the one `n` tokens further on.
struct CopyChains {
    /// `by_len[n - 1][i]`: the number of copies after the first (0: none) in the low bits,
    /// `BAD_JUNCTION` set when a junction between the copies is not a stutter.
    by_len: Vec<Vec<u32>>,
}

const BAD_JUNCTION: u32 = 1 << 31;

impl CopyChains {
    fn new(tokens: &[LoweredWord<'_>], text: &str) -> Self {
        let len = tokens.len();
        // `stutter[q]`: whether the text before token `q` (after token `q - 1`) may join
        // two copies.
        let stutter: Vec<bool> = (0..len)
            .map(|q| {
                q > 0
                    && is_stutter_junction(
                        &text[tokens[q - 1].word.span.end..tokens[q].word.span.start],
                    )
            })
            .collect();
        let by_len = (1..=MAX_UNIT_WORDS)
            .map(|n| {
                let mut chain = vec![0u32; len];
                for i in (0..len.saturating_sub(2 * n - 1)).rev() {
                    if !same_words(tokens, i, i + n, n) {
                        continue;
                    }
                    // Copies from `i` are the copy at `i + n` and those that follow it.
                    let next = chain[i + n];
                    let bad = !stutter[i + n] || next & BAD_JUNCTION != 0;
                    let more = (next & !BAD_JUNCTION)
                        .saturating_add(1)
                        .min(BAD_JUNCTION - 1);
                    chain[i] = more | if bad { BAD_JUNCTION } else { 0 };
                }
                chain
            })
            .collect();
        CopyChains { by_len }
    }

    /// The number of adjacent copies (at least 2) of the `n` tokens from `i`, and whether
    /// all junctions between them look like a stutter; `None` without a second copy.
    fn at(&self, i: usize, n: usize) -> Option<(usize, bool)> {
        let entry = *self.by_len[n - 1].get(i)?;
        let more = entry & !BAD_JUNCTION;
        (more > 0).then(|| (1 + more as usize, entry & BAD_JUNCTION == 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_mentions, finishes_within, run_check,
    };
    use std::time::Duration;

    fn check(text: &str, lang: Lang) -> Vec<Finding> {
        run_check(&Repetition, text, lang)
    }

    /// Asserts that the check flags exactly `expected` (text, severity) in `text`.
    fn flags(text: &str, lang: Lang, expected: &[(&str, Severity)]) -> Vec<Finding> {
        assert_flags(&Repetition, text, lang, expected)
    }

    fn assert_not_flagged(texts: &[&str], lang: Lang) {
        crate::checks::testing::assert_not_flagged(&Repetition, texts, lang);
    }

    #[test]
    fn german_stutters_are_flagged() {
        let t = "Putin wirft den Krieg nach der Berliner Mauer nach der Berliner Mauer fiel.";
        let stutter = "nach der Berliner Mauer nach der Berliner Mauer";
        let f = flags(t, Lang::GERMAN, &[(stutter, Severity::Major)]);
        assert_mentions(&f[0], "\"nach der Berliner Mauer\"");

        let t = "Es ist unmöglich. Wir wir uns Haben Sie viel zu tun.";
        assert_flagged(&Repetition, t, Lang::GERMAN, &["Wir wir"]);
        let t = "Wir wir wir wir haben.";
        let f = flags(t, Lang::GERMAN, &[("Wir wir wir wir", Severity::Major)]);
        assert_eq!(f[0].message, "\"Wir\" repeated 4 times");
        let t = "Steve Witkoff Steve Witkoff im Nahen Osten nimmt teil.";
        assert_flagged(
            &Repetition,
            t,
            Lang::GERMAN,
            &["Steve Witkoff Steve Witkoff"],
        );
        // A comma between the copies is weaker evidence: minor.
        let t = "Die Flammen des Konflikts nicht fächert, fächert nicht die Flammen an.";
        flags(t, Lang::GERMAN, &[("fächert, fächert", Severity::Minor)]);
    }

    #[test]
    fn german_near_repeat_with_gap_is_flagged() {
        let t = "Der Sicherheitsrat hat die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen hat.";
        let repeat = "die Sicherheitsrat angenommen, die die Sicherheitsrat angenommen";
        flags(t, Lang::GERMAN, &[(repeat, Severity::Major)]);
    }

    #[test]
    fn german_grammatical_and_emphatic_doubles_are_not_flagged() {
        assert_not_flagged(
            &[
                "Die Frauen, die die Kinder betreuen, bekommen mehr Geld.",
                "Das Kind, das das Bild malte, ist sieben.",
                "Der Mann, der der Polizei half, wurde geehrt.",
                "Weil sie sie liebt, bleibt sie.",
                "Das war sehr, sehr knapp.",
                "Das Spiel endete 1:1 und am 10.10. geht es weiter.",
                "Schritt für Schritt kommen wir voran, Jahr für Jahr.",
                "Er kam nach Baden-Baden.",
                "Wer das gesagt hat, hat gelogen.",
                "Die Seen werden nie das gleiche Maß an Aufmerksamkeit, das gleiche Maß an Ressourcen haben.",
            ],
            Lang::GERMAN,
        );
    }

    #[test]
    fn italian_stutters_are_flagged_with_growing_severity() {
        let t = "Un test per la sua amicizia con la sua amicizia con la sua amicizia con la sua amicizia a pagamento.";
        let stutter = "la sua amicizia con la sua amicizia con la sua amicizia con la sua amicizia";
        let f = flags(t, Lang::ITALIAN, &[(stutter, Severity::Critical)]);
        assert_mentions(&f[0], "\"la sua amicizia con\" repeated 3 times");

        let t = "Un test cruciale per se Trump, che è stato Trump, che è stato bersaglio.";
        let stutter = "Trump, che è stato Trump, che è stato";
        flags(t, Lang::ITALIAN, &[(stutter, Severity::Major)]);

        let t = "Vedi putin-trprump-phon-phon-call qui.";
        assert_flagged(&Repetition, t, Lang::ITALIAN, &["phon-phon"]);
    }

    #[test]
    fn italian_allowed_doubles_are_not_flagged() {
        assert_not_flagged(
            &[
                "Ha detto che che la cosa andava fatta.",
                "Piano piano la situazione migliora.",
                "Il risultato finale è stato 1-1.",
                "Giorno dopo giorno il lavoro continua.",
                "Il governo ha detto che il governo di Roma è stabile.",
            ],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn german_punctuated_and_name_doublings_are_only_minor() {
        for (t, expected) in [
            ("Er rief: Halt, Halt, Halt!", "Halt, Halt, Halt"),
            (
                "Es ist überall, es ist überall.",
                "Es ist überall, es ist überall",
            ),
            ("Das Öl der Ylang Ylang duftet.", "Ylang Ylang"),
            ("Das wird benötigt – benötigt.", "benötigt – benötigt"),
        ] {
            flags(t, Lang::GERMAN, &[(expected, Severity::Minor)]);
        }
        let t = "Die Regierung will einen Schwangerschaftsabbruch einen Schwangerschaftsabbruch erlauben.";
        assert_eq!(check(t, Lang::GERMAN)[0].severity, Severity::Major);
    }

    #[test]
    fn repeated_function_word_is_only_minor() {
        let t = "Er ging in in die Stadt.";
        flags(t, Lang::GERMAN, &[("in in", Severity::Minor)]);
        let t = "È andato a a Roma.";
        assert_eq!(check(t, Lang::ITALIAN)[0].severity, Severity::Minor);
    }

    #[test]
    fn long_rejected_runs_take_linear_time() {
        // Guards complexity, not speed: counting the copies of "1" afresh at each of
        // 200,000 "1:" (rejected as a score, so never skipped) is quadratic; the CLI ran
        // past 300 s on 1 MB of it (0.8 s now).
        for text in [
            format!("Text {}", "1:".repeat(200_000)),
            format!("Text {}", "xa:yb:".repeat(100_000)),
        ] {
            let findings = finishes_within(Duration::from_secs(30), move || {
                check(&text, Lang::GERMAN)
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
            });
            assert!(findings.is_empty(), "{findings:?}");
        }
    }

    #[test]
    fn copy_chains_match_counting_copies_one_by_one() {
        // Pseudo-random token strings over a tiny vocabulary, with some junctions that are
        // no stutter.
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..200 {
            let len = 1 + next(40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let word = ["a", "b", "c"][next(3) as usize];
                    let junction = [" ", " ", ", ", ":"][next(4) as usize];
                    format!("{word}{junction}")
                })
                .collect();
            let tokens = tokens(&text, Span::new(0, text.len()));
            let chains = CopyChains::new(&tokens, &text);
            let same = |a: usize, b: usize, n: usize| same_words(&tokens, a, b, n);
            for i in 0..tokens.len() {
                for n in 1..=MAX_UNIT_WORDS {
                    let expected = (i + 2 * n <= tokens.len() && same(i, i + n, n)).then(|| {
                        let mut copies = 2;
                        while i + (copies + 1) * n <= tokens.len() && same(i, i + copies * n, n) {
                            copies += 1;
                        }
                        let ok = (1..copies).all(|c| {
                            let prev_end = tokens[i + c * n - 1].word.span.end;
                            let next_start = tokens[i + c * n].word.span.start;
                            is_stutter_junction(&text[prev_end..next_start])
                        });
                        (copies, ok)
                    });
                    assert_eq!(chains.at(i, n), expected, "{text:?} at {i}, {n}");
                }
            }
        }
    }
}
