//! Check 7: broken capitalisation.
//!
//! Three kinds of error that machine translation produces:
//! - a capitalised article mid-sentence ("sagte an Eine anonyme", "in der Die USA"),
//!   which in German is never a noun; newspaper and party names ("Die Welt", "Die
//!   Linke") and titles of works are exceptions;
//! - a sentence or heading that starts in lower case ("il ruolo del Cremlino");
//! - a name written in lower case ("wladimir putin", "Maxim shemetov"), recognised
//!   because the article writes it capitalised elsewhere, or because it follows a first
//!   name in a credit line and is no word of the language.

use super::caption_credit::mentions_photo_credit;
use super::document::{Check, Document};
use super::words::{gap_before, words_in, Word};
use crate::data::{CheckId, Finding, Lang, Sentence, SentenceKind, Severity, Span};
use crate::lexicon;
use foldhash::{HashMap, HashMapExt};

pub struct Capitalisation;

const GERMAN_DETERMINERS: &[&str] = &[
    "Der", "Die", "Das", "Dem", "Den", "Des", "Ein", "Eine", "Einen", "Einem", "Einer", "Eines",
];
const ITALIAN_DETERMINERS: &[&str] = &["Il", "Lo", "La", "Gli", "Le", "Un", "Uno", "Una"];

/// Names that start with a capitalised German article (lower case, matched on the article
/// and the words after it).
const GERMAN_NAMES_WITH_ARTICLE: &[&str] = &[
    "die welt",
    "der spiegel",
    "die zeit",
    "der standard",
    "die presse",
    "das erste",
    "die linke",
    "die grünen",
    "der tagesspiegel",
    "die tageszeitung",
    "der freitag",
    "die furche",
    "der bund",
    "die rheinpfalz",
    "die glocke",
    "der westen",
    "die tagespost",
    "das parlament",
    "die toten hosen",
    "die ärzte",
    "die fantastischen vier",
    "das boot",
    "der pate",
    "die simpsons",
    "der herr der ringe",
    "die partei",
    "die republikaner",
    "der falter",
    "das magazin",
    "der stern",
    "die bunte",
    "die aktuelle",
    "die wirtschaftswoche",
    "der aktionär",
    "die rheinische",
    "die sendung mit der maus",
    "der bachelor",
    "die höhle der löwen",
    "die anstalt",
    "der tatort",
    "das wort",
    "den haag",
    "den helder",
    "den bosch",
];

/// A capitalised article after these words starts the title of a work or a name.
const TITLE_LEADS: &[&str] = &[
    "zeitung",
    "magazin",
    "film",
    "serie",
    "buch",
    "roman",
    "titel",
    "album",
    "lied",
    "song",
    "stück",
    "oper",
    "sendung",
    "show",
    "blatt",
    "musical",
    "schrift",
    "reihe",
    "podcast",
    "band",
    "gruppe",
    "partei",
    "kolumne",
    "kampagne",
    "motto",
    "slogan",
    "ausstellung",
    "programm",
    "format",
    "theater",
    "festival",
    "spiel",
    "game",
    "bestseller",
];

/// Italian words after which a capitalised article mid-sentence is an error.
const ITALIAN_FUNCTION_WORDS: &[&str] = &[
    "di", "a", "da", "in", "con", "su", "per", "tra", "fra", "e", "o", "che", "del", "della",
    "dei", "delle", "nel", "nella", "al", "alla", "dal", "dalla", "sul", "sulla", "il", "la", "lo",
    "le", "gli", "un", "una", "è",
];

/// Lower-case names of agencies and brands that may start a line.
const LOWERCASE_BRANDS: &[&str] = &[
    "dpa", "taz", "ntv", "apa", "sda", "kna", "epd", "ddp", "dapd", "afp",
];

/// A lower-case word is reported as a name when the article writes it capitalised
/// mid-sentence at least this often, and at least this many times more often than not.
const MIN_CAPITALISED_USES: usize = 2;
const MIN_CAPITALISED_RATIO: usize = 3;
/// Credit lines are short: "Gavriil Grigorov/Reuters", "Foto: Maxim Shemetov/AP".
const MAX_CREDIT_WORDS: usize = 8;

impl Check for Capitalisation {
    fn id(&self) -> CheckId {
        CheckId::Capitalisation
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let sentence_words: Vec<Vec<Word<'_>>> = doc
            .sentences
            .iter()
            .map(|s| words_in(doc.text, s.span))
            .collect();
        for (k, (sentence, words)) in doc.sentences.iter().zip(&sentence_words).enumerate() {
            let previous = k.checked_sub(1).map(|p| &doc.sentences[p]);
            check_lowercase_start(doc, sentence, previous, words, out);
            if sentence.kind == SentenceKind::Sentence {
                check_capitalised_determiner(doc, sentence, words, out);
            }
            check_credit_surname(doc, sentence, words, out);
        }
        check_lowercased_names(doc, &sentence_words, out);
    }
}

/// The word [`Capitalisation`] looked up in the allow-lists before reporting `finding`:
/// the lower-case word of a sentence start or of a name, or the word after a capitalised
/// German article ("Die Linke"). A capitalised Italian article has none.
pub(super) fn allow_words<'t>(
    text: &'t str,
    lang: Lang,
    sentence: &Sentence,
    finding: &Finding,
) -> Vec<&'t str> {
    let Some(flagged) = words_in(text, finding.span).pop() else {
        return Vec::new();
    };
    if flagged.is_lowercase() {
        return vec![flagged.text];
    }
    if lang == Lang::GERMAN && GERMAN_DETERMINERS.contains(&flagged.text) {
        // The article is flagged only when white space alone separates it from the next word.
        let next = text[finding.span.end..sentence.span.end]
            .trim_start()
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .filter(|word| !word.is_empty());
        return next.into_iter().collect();
    }
    Vec::new()
}

/// Whether the text between two words keeps them in the same clause.
fn joins_words(gap: &str) -> bool {
    gap.chars().all(|c| c.is_whitespace() || ",'’-".contains(c))
}

fn check_capitalised_determiner(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let german = doc.lang == Lang::GERMAN;
    let italian = doc.lang == Lang::ITALIAN;
    if !german && !italian {
        return;
    }
    for k in 1..words.len() {
        let word = &words[k];
        let prev = &words[k - 1];
        let determiners = if german {
            GERMAN_DETERMINERS
        } else {
            ITALIAN_DETERMINERS
        };
        if !determiners.contains(&word.text)
            || !gap_before(doc.text, sentence.span, Some(prev), word)
                .chars()
                .all(char::is_whitespace)
        {
            continue;
        }
        let Some(next) = words.get(k + 1) else {
            continue;
        };
        if !gap_before(doc.text, sentence.span, Some(word), next)
            .chars()
            .all(char::is_whitespace)
        {
            continue;
        }
        let prev_lower = prev.text.to_lowercase();
        let plausible = if german {
            // Only the start of the rest of the sentence can name a work: lower-casing all
            // of it at each article would be quadratic in a long sentence.
            let rest = bounded_prefix(&doc.text[word.span.start..sentence.span.end]).to_lowercase();
            let names_a_work = GERMAN_NAMES_WITH_ARTICLE.iter().any(|n| {
                rest.starts_with(n) && rest[n.len()..].starts_with(|c: char| !c.is_alphanumeric())
            }) || TITLE_LEADS.iter().any(|t| prev_lower.ends_with(t));
            names_a_work || doc.settings.is_allowed(next.text)
        } else {
            // "La Russa", "La Stampa": an article before a capitalised word is a name.
            !ITALIAN_FUNCTION_WORDS.contains(&prev_lower.as_str()) || !next.is_lowercase()
        };
        if plausible {
            continue;
        }
        out.push(finding(
            word.span,
            Severity::Major,
            format!(
                "article {:?} capitalised in the middle of a sentence (garbled sentence structure)",
                word.text
            ),
        ));
    }
}

/// Room for the longest of `GERMAN_NAMES_WITH_ARTICLE` and the character after it.
const NAME_PREFIX_CHARS: usize = 48;

/// The first `NAME_PREFIX_CHARS` characters of `text`.
fn bounded_prefix(text: &str) -> &str {
    text.char_indices()
        .nth(NAME_PREFIX_CHARS)
        .map_or(text, |(end, _)| &text[..end])
}

fn check_lowercase_start(
    doc: &Document<'_>,
    sentence: &Sentence,
    previous: Option<&Sentence>,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let text = doc.sentence_text(sentence);
    let Some(first) = words.first() else { return };
    // Only a letter at the very start: „quoted fragments“ and "...continued" are fine.
    if first.span.start != sentence.span.start || !first.is_lowercase() {
        return;
    }
    let token = text.split_whitespace().next().unwrap_or("");
    if token.chars().any(char::is_uppercase)
        || LOWERCASE_BRANDS.contains(&first.text)
        || token.starts_with("www")
        || token.contains("://")
        || doc.settings.is_allowed(first.text)
    {
        return;
    }
    if let Some(prev) = previous.filter(|p| same_line(doc.text, p.span, sentence.span)) {
        // After an unknown abbreviation the segmenter may split where no sentence ends.
        let prev_words = words_in(doc.text, prev.span);
        let last = prev_words.last().map_or("", |w| w.text);
        let known_word = lexicon::for_lang(doc.lang).is_none_or(|lex| lex.contains(last));
        // "Und dann... kam er": an ellipsis inside a sentence is followed by lower case.
        let prev_text = doc.sentence_text(prev);
        let ends_plainly = prev_text.ends_with(['.', '!', '?']) && !prev_text.ends_with("..");
        if last.chars().count() <= 3 || !known_word || !ends_plainly {
            return;
        }
    }
    let what = if sentence.kind == SentenceKind::Heading {
        "heading"
    } else {
        "sentence"
    };
    out.push(finding(
        first.span,
        Severity::Minor,
        format!("{what} starts with a lower-case letter ({:?})", first.text),
    ));
}

fn same_line(text: &str, a: Span, b: Span) -> bool {
    !text[a.end..b.start].contains('\n')
}

/// "Maxim shemetov | Reuters": in a credit or caption line, a lower-case word after a
/// capitalised one that is no word of the article's language (nor English) is a surname.
fn check_credit_surname(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let text = doc.sentence_text(sentence);
    // A short unpunctuated line naming an agency, or anything with "Name | Agency".
    let short_heading = sentence.kind == SentenceKind::Heading && words.len() <= MAX_CREDIT_WORDS;
    let credit_like = text.contains('|') || (short_heading && mentions_photo_credit(words));
    let (Some(lex), Some(english)) = (
        lexicon::for_lang(doc.lang),
        lexicon::for_lang(Lang::ENGLISH),
    ) else {
        return;
    };
    if !credit_like {
        return;
    }
    for pair in words.windows(2) {
        let (first, surname) = (&pair[0], &pair[1]);
        let adjacent = gap_before(doc.text, sentence.span, Some(first), surname)
            .chars()
            .all(char::is_whitespace);
        if adjacent
            && first.is_capitalised()
            && first.text.chars().skip(1).all(char::is_lowercase)
            && surname.is_lowercase()
            && surname.text.chars().count() >= 3
            && surname.text.chars().all(char::is_alphabetic)
            && !lex.contains(surname.text)
            && !english.contains(surname.text)
            && !doc.settings.is_allowed(surname.text)
        {
            out.push(finding(
                surname.span,
                Severity::Minor,
                format!(
                    "name written in lower case: {:?} after {:?}",
                    surname.text, first.text
                ),
            ));
        }
    }
}

/// Lower-case uses of a word that the article otherwise capitalises mid-sentence
/// ("putin" among many "Putin"), with an unknown lower-case word right before it taken
/// along ("wladimir putin").
fn check_lowercased_names(
    doc: &Document<'_>,
    sentence_words: &[Vec<Word<'_>>],
    out: &mut Vec<Finding>,
) {
    let german = doc.lang == Lang::GERMAN;
    let lex = lexicon::for_lang(doc.lang);
    let mut capitalised: HashMap<String, usize> = HashMap::new();
    let mut lowercase: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (s, words) in sentence_words.iter().enumerate() {
        let span = doc.sentences[s].span;
        for k in 1..words.len() {
            let word = &words[k];
            if !joins_words(gap_before(doc.text, span, Some(&words[k - 1]), word))
                || word.text.chars().count() < 3
            {
                continue;
            }
            if word.is_capitalised() && word.text.chars().skip(1).all(char::is_lowercase) {
                // "Deutsche Bank", "Casa Bianca": the first word of a longer name may be an
                // ordinary adjective or noun.
                if words.get(k + 1).is_some_and(|n| n.is_capitalised()) {
                    continue;
                }
                *capitalised.entry(word.text.to_lowercase()).or_default() += 1;
            } else if word.is_lowercase() && word.text.chars().all(char::is_alphabetic) {
                lowercase
                    .entry(word.text.to_string())
                    .or_default()
                    .push((s, k));
            }
        }
    }
    let mut found: Vec<Span> = Vec::new();
    for (word, uses) in &lowercase {
        let caps = capitalised.get(word).copied().unwrap_or(0);
        if caps < MIN_CAPITALISED_USES
            || uses.len() * MIN_CAPITALISED_RATIO > caps
            || doc.settings.is_allowed(word)
        {
            continue;
        }
        // German writes nouns capitalised; "Teil"/"teil" or "Recht"/"recht" are both
        // words. Names are shared by the other languages' word lists, such words are not.
        if german && lex.is_some_and(|l| l.contains(word)) && shared_by_other_languages(word) < 3 {
            continue;
        }
        for &(s, k) in uses {
            let words = &sentence_words[s];
            let mut span = words[k].span;
            if let Some(before) = k.checked_sub(1).map(|p| &words[p]) {
                let adjacent = gap_before(doc.text, doc.sentences[s].span, Some(before), &words[k])
                    .chars()
                    .all(char::is_whitespace);
                if adjacent
                    && before.is_lowercase()
                    && lex.is_some_and(|l| !l.contains(before.text))
                {
                    span = Span::new(before.span.start, span.end);
                }
            }
            found.push(span);
        }
    }
    found.sort();
    for span in found {
        out.push(finding(
            span,
            Severity::Minor,
            format!(
                "name written in lower case: {:?} (capitalised elsewhere in the article)",
                span.slice(doc.text)
            ),
        ));
    }
}

/// In how many of the other shipped lexicons `word` appears.
fn shared_by_other_languages(word: &str) -> usize {
    lexicon::LANGS
        .iter()
        .filter(|&&l| l != Lang::GERMAN)
        .filter(|&&l| lexicon::for_lang(l).is_some_and(|lex| lex.contains(word)))
        .count()
}

/// A `capitalisation` finding.
fn finding(span: Span, severity: Severity, message: impl Into<String>) -> Finding {
    Finding::new(CheckId::Capitalisation, severity, span, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_not_flagged, finishes_within, flagged, run_check,
    };
    use std::time::Duration;

    /// Asserts that the check flags nothing in any of `texts`.
    fn assert_fine(texts: &[&str], lang: Lang) {
        assert_not_flagged(&Capitalisation, texts, lang);
    }

    #[test]
    fn german_capitalised_articles_mid_sentence() {
        let cases = [
            ("„Die Kontakte endeten im Nichts“, sagte an Eine anonyme hochrangige russische Quelle.", "Eine"),
            ("Putin hat über Vermittler, Moskau in Der Nahe Osten und andere Signale gesendet.", "Der"),
            ("In der Zwischenzeit hat ein Beamter in der Die USA sagten, sie wüssten nichts.", "Die"),
            ("Der Kreml, der Weiße Das Repräsentantenhaus und die CIA lehnten eine Stellungnahme ab.", "Das"),
        ];
        for (text, word) in cases {
            assert_flags(
                &Capitalisation,
                text,
                Lang::GERMAN,
                &[(word, Severity::Major)],
            );
        }
    }

    #[test]
    fn german_titles_names_and_quotes_are_fine() {
        assert_fine(
            &[
                "Das sagte er der Zeitung Die Welt am Sonntag.",
                "Er las Die Zeit und Der Spiegel, nicht aber Die Linke-Mitgliederzeitung.",
                "Er sagte: Die USA sind bereit.",
                "Er nannte es „Die große Wende“ und ging.",
                "Die USA und Russland verhandeln. Der Kreml schweigt.",
                "Der Film Das Boot lief im Fernsehen.",
                "Die Teilnehmerzahl in Den Haag übertraf alle Erwartungen.",
            ],
            Lang::GERMAN,
        );
    }

    #[test]
    fn italian_capitalised_articles() {
        let text = "Il governo ha parlato di La guerra in Ucraina.";
        assert_flagged(&Capitalisation, text, Lang::ITALIAN, &["La"]);
        assert_fine(
            &[
                "Lo ha detto Ignazio La Russa al Senato.",
                "Lo scrive La Stampa di Torino.",
                "Secondo il quotidiano La Repubblica, e Le Monde, è così.",
            ],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn lowercase_starts() {
        let text = "il ruolo del Cremlino\n\nIl Cremlino ha spiegato tutto.\n\nprospettive di un accordo\n";
        let headings = [("il", Severity::Minor), ("prospettive", Severity::Minor)];
        let findings = assert_flags(&Capitalisation, text, Lang::ITALIAN, &headings);
        assert!(findings.iter().all(|f| f.message.contains("heading")));
        let text = "Das ist gesagt. und dann ging er nach Hause.";
        assert_flagged(&Capitalisation, text, Lang::GERMAN, &["und"]);
        assert_fine(
            &[
                "„unverantwortlich“ nannte er das.",
                "iPhone-Verkäufe steigen stark.",
                "dpa meldet das am Morgen.",
                "Die Zahl stieg um drei Proz. und fiel dann wieder.",
                "Und dann... kam er nicht.",
            ],
            Lang::GERMAN,
        );
        assert_fine(&["«è finita», ha detto il ministro."], Lang::ITALIAN);
    }

    #[test]
    fn lowercased_names() {
        let it = "Il presidente russo wladimir putin , che è previsto per martedì, parla con Trump. \
                  Ieri Putin ha detto di sì, e Putin ha parlato con Trump. Oggi Putin tace.\n\
                  La guerra tra Russia e ucraina . Per l'Ucraina e dell'Ucraina, mentre l'Ucraina cerca aiuto.\n";
        assert_flagged(
            &Capitalisation,
            it,
            Lang::ITALIAN,
            &["wladimir putin", "ucraina"],
        );
        let de = "Der Kreml sagte, Putin werde reisen. Dann habe Putin gesprochen, Putin sei bereit, sagte putin nicht.\n\
                  Maxim shemetov | Reuters\n";
        let findings = run_check(&Capitalisation, de, Lang::GERMAN);
        let mut found = flagged(de, &findings);
        found.sort_unstable();
        assert_eq!(found, ["putin", "shemetov"], "in {de:?}");
    }

    #[test]
    fn german_lowercase_homographs_of_nouns_are_fine() {
        let text = "Ein Teil kam, ein Teil ging, der Teil blieb, und ein Teil fehlte. Er nahm daran teil.\n\
                    Evelyn Hockstein | Reuters\n\
                    Zuschauer skeptisch\n\
                    Auf dem Foto der AP posierte sie mit ihrer Mutter.\n";
        assert_fine(&[text], Lang::GERMAN);
    }

    #[test]
    fn many_articles_in_one_long_sentence_take_linear_time() {
        // Guards complexity, not speed: lower-casing the rest of the sentence at each
        // capitalised article (no ASCII fast path after "ü") made the CLI run past 300 s
        // on this sentence of 1 MB, instead of 1.1 s.
        let text = format!("Er sagte {}Ende.", "über Die ".repeat(100_000));
        let findings = finishes_within(Duration::from_secs(30), move || {
            run_check(&Capitalisation, &text, Lang::GERMAN).len()
        });
        assert_eq!(findings, 100_000);
    }

    #[test]
    fn names_with_article_fit_the_prefix_looked_at() {
        for name in GERMAN_NAMES_WITH_ARTICLE {
            assert!(name.chars().count() < NAME_PREFIX_CHARS, "{name}");
        }
    }
}
