//! Agreement rules: words whose form the grammar around them rules out, with the forms
//! that would agree.
//!
//! The grammar evidence asks the language model about the words it finds surprising, but
//! an agreement error can be unsurprising token by token: after "des", "Rat" is a likely
//! word, and only the missing genitive ending is wrong ("des Rat umfassender Frieden").
//! These rules point the model at such words with their repairs. A rule is a strong
//! prior: the model need prefer a repair less clearly than for any other word, and a rule
//! precise enough on its own is reported even where it does not (see
//! [`crate::scoring`] and [`AgreementRule::stands_alone`]).
//!
//! Rules so far, each for the error a reader of machine-translated news sees at once:
//! - German: a masculine or neuter noun after a genitive determiner without its genitive
//!   ending ("des Rat" → "des Rates", "des Präsident" → "des Präsidenten").
//! - Italian: a verb in the second person singular in a sentence that addresses nobody
//!   ("che sei vicino" → "è", "conoscevi" → "conosceva"): news reports in the third
//!   person, and the informal "tu" form turns up where a translation system misread a
//!   dropped subject.

use crate::data::{AgreementRule, Lang};
use crate::lexicon::{self, Lexicon};
use crate::variants::Casing;

/// Repaired forms offered per word.
const MAX_REPAIRS: usize = 4;

/// A word that breaks an agreement rule and the forms that would repair it.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Byte range of the word in the sentence text.
    pub range: std::ops::Range<usize>,
    pub rule: AgreementRule,
    /// Repaired forms, most frequent first, in the word's capitalisation.
    pub repairs: Vec<String>,
}

/// The words of `sentence` (in `lang`) that break an agreement rule.
pub fn disagreements(sentence: &str, lang: Lang) -> Vec<Disagreement> {
    let Some(lexicon) = lexicon::for_lang(lang) else {
        return Vec::new();
    };
    let words = words(sentence);
    if lang == Lang::GERMAN {
        genitive_endings(&words, lexicon)
    } else if lang == Lang::ITALIAN {
        second_person_verbs(&words, lexicon)
    } else {
        Vec::new()
    }
}

/// A whitespace-separated word with the punctuation around it stripped.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    start: usize,
    /// Punctuation follows it ("erklären..."), so the next word may start a new clause.
    ends_clause: bool,
}

impl Word<'_> {
    fn range(&self) -> std::ops::Range<usize> {
        self.start..self.start + self.text.len()
    }

    /// A lower-case word ending in "-en", as adjectives after a genitive determiner do.
    fn is_declined_adjective(&self) -> bool {
        self.text.ends_with("en") && !self.is_capitalised()
    }

    fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

const CLAUSE_PUNCTUATION: &[char] = &[',', ';', ':', '.', '!', '?', '…', '(', ')', '–', '—'];

fn words(sentence: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in sentence.split_inclusive(char::is_whitespace) {
        let start_in_piece = piece.find(|c: char| c.is_alphanumeric());
        let end_in_piece = piece
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphanumeric())
            .map(|(i, c)| i + c.len_utf8());
        match (start_in_piece, end_in_piece) {
            (Some(from), Some(to)) => out.push(Word {
                text: &piece[from..to],
                start: offset + from,
                ends_clause: piece[to..].contains(CLAUSE_PUNCTUATION),
            }),
            // Punctuation standing alone ("erklären ... Wir") ends the word before it.
            _ => {
                if let Some(last) = out.last_mut() {
                    last.ends_clause |= piece.contains(CLAUSE_PUNCTUATION);
                }
            }
        }
        offset += piece.len();
    }
    out
}

/// German determiners that are genitive singular and nothing else (masculine or neuter):
/// "dieses" or "seines" would also be nominative and accusative neuter.
const GENITIVE_DETERMINERS: &[&str] = &["des", "eines", "keines"];

/// Capitalised articles and pronouns are no nouns ("die Mutter eines Der …" is garbled
/// otherwise: "Deren" would be no repair).
const GERMAN_FUNCTION_WORDS: &[&str] = &[
    "der", "die", "das", "dem", "den", "ein", "eine", "einer", "einem", "einen",
];

/// Adjectives between a genitive determiner and its noun all end in "-en" ("des
/// ständigen Rates"); at most this many are looked past.
const MAX_ADJECTIVES: usize = 3;

/// Zipf points by which a noun must be more common in English than in German to count as
/// an English loanword.
const LOANWORD_MARGIN: f32 = 1.0;

/// Genitive endings of masculine and neuter nouns: strong ("Rates", "Rats"), weak
/// ("Präsidenten", "Bauern").
const GENITIVE_ENDINGS: &[&str] = &["es", "s", "en", "n"];

fn genitive_endings(words: &[Word<'_>], lexicon: &Lexicon) -> Vec<Disagreement> {
    let english = lexicon::for_lang(Lang::ENGLISH);
    let mut out = Vec::new();
    for (i, determiner) in words.iter().enumerate() {
        if !GENITIVE_DETERMINERS
            .iter()
            .any(|d| determiner.text.eq_ignore_ascii_case(d))
        {
            continue;
        }
        let Some(noun_at) = (i + 1..words.len().min(i + 2 + MAX_ADJECTIVES))
            .find(|&j| !words[j].is_declined_adjective())
        else {
            continue;
        };
        if words[i..noun_at].iter().any(|w| w.ends_clause) {
            continue;
        }
        let noun = words[noun_at];
        // A capitalised word after the noun makes it part of a name ("des Bundesstaat New
        // York"), which the lexicon cannot judge.
        let before_a_name = words.get(noun_at + 1).is_some_and(Word::is_capitalised);
        // An English loanword may go without the ending ("des britischen Empire").
        let loanword = english
            .and_then(|e| e.zipf(noun.text))
            .is_some_and(|z| z > lexicon.zipf(noun.text).unwrap_or(0.0) + LOANWORD_MARGIN);
        if before_a_name || loanword {
            continue;
        }
        if let Some(repairs) = genitive_repairs(noun.text, lexicon) {
            out.push(Disagreement {
                range: noun.range(),
                rule: AgreementRule::GenitiveEnding,
                repairs,
            });
        }
    }
    out
}

/// The genitive forms of `noun` the lexicon lists, or `None` where `noun` may already be
/// one or need none: it ends in a letter a genitive, a plural or a feminine noun ends in
/// (which also spares the rare weak noun, "des Kollege"), or the lexicon does not know it
/// (names, rare compounds).
fn genitive_repairs(noun: &str, lexicon: &Lexicon) -> Option<Vec<String>> {
    if Casing::of(noun) != Casing::Capitalised
        || !noun.chars().all(char::is_alphabetic)
        || noun.ends_with(['s', 'ß', 'x', 'z', 'n', 'e'])
        || !lexicon.contains(noun)
        || GERMAN_FUNCTION_WORDS.contains(&noun.to_lowercase().as_str())
    {
        return None;
    }
    let mut repairs: Vec<(f32, String)> = GENITIVE_ENDINGS
        .iter()
        .map(|ending| format!("{noun}{ending}"))
        .filter_map(|form| Some((lexicon.zipf(&form)?, form)))
        .collect();
    repairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let repairs: Vec<String> = repairs
        .into_iter()
        .map(|(_, form)| form)
        .take(MAX_REPAIRS)
        .collect();
    (!repairs.is_empty()).then_some(repairs)
}

/// Italian words of a sentence that speaks to someone: with any of them present, a second
/// person verb is no error.
const ITALIAN_SECOND_PERSON_MARKERS: &[&str] = &["tu", "ti", "te", "tuo", "tua", "tuoi", "tue"];

/// Irregular and auxiliary second-person-singular forms and their third-person singular
/// and plural.
const ITALIAN_SECOND_PERSON_FORMS: &[(&str, &[&str])] = &[
    ("sei", &["è", "sono"]),
    ("eri", &["era", "erano"]),
    ("sarai", &["sarà", "saranno"]),
    ("saresti", &["sarebbe", "sarebbero"]),
    ("fossi", &["fosse", "fossero"]),
    ("hai", &["ha", "hanno"]),
    ("avevi", &["aveva", "avevano"]),
    ("avrai", &["avrà", "avranno"]),
    ("avresti", &["avrebbe", "avrebbero"]),
    ("puoi", &["può", "possono"]),
    ("potevi", &["poteva", "potevano"]),
    ("vuoi", &["vuole", "vogliono"]),
    ("devi", &["deve", "devono"]),
    ("fai", &["fa", "fanno"]),
    ("stai", &["sta", "stanno"]),
    ("vai", &["va", "vanno"]),
    ("sai", &["sa", "sanno"]),
    ("dici", &["dice", "dicono"]),
];

/// Imperfect second person endings and their third person singular and plural
/// ("conoscevi" → "conosceva", "conoscevano").
const ITALIAN_IMPERFECT_ENDINGS: &[(&str, [&str; 2])] = &[
    ("avi", ["ava", "avano"]),
    ("evi", ["eva", "evano"]),
    ("ivi", ["iva", "ivano"]),
];

/// An imperfect-looking word this common is an adjective or noun plural ("attivi",
/// "gravi", "brevi"): second person forms are rare in news.
const MAX_IMPERFECT_ZIPF: f32 = 3.0;

fn second_person_verbs(words: &[Word<'_>], lexicon: &Lexicon) -> Vec<Disagreement> {
    let lower: Vec<String> = words.iter().map(|w| w.text.to_lowercase()).collect();
    if lower
        .iter()
        .any(|w| ITALIAN_SECOND_PERSON_MARKERS.contains(&w.as_str()))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (word, lower) in words.iter().zip(&lower) {
        let repairs = match ITALIAN_SECOND_PERSON_FORMS.iter().find(|f| f.0 == lower) {
            Some((_, forms)) => forms.iter().map(|f| (*f).to_string()).collect(),
            None => imperfect_repairs(lower, lexicon),
        };
        if repairs.is_empty() {
            continue;
        }
        let casing = Casing::of(word.text);
        out.push(Disagreement {
            range: word.range(),
            rule: AgreementRule::SecondPerson,
            repairs: repairs.into_iter().map(|r| casing.apply(&r)).collect(),
        });
    }
    out
}

fn imperfect_repairs(lower: &str, lexicon: &Lexicon) -> Vec<String> {
    if lower.chars().count() < 6 || lexicon.zipf(lower).unwrap_or(0.0) >= MAX_IMPERFECT_ZIPF {
        return Vec::new();
    }
    let Some((ending, forms)) = ITALIAN_IMPERFECT_ENDINGS
        .iter()
        .find(|(ending, _)| lower.ends_with(ending))
    else {
        return Vec::new();
    };
    let stem = &lower[..lower.len() - ending.len()];
    let repairs: Vec<String> = forms.iter().map(|f| format!("{stem}{f}")).collect();
    // Both third person forms listed: the word is a verb's imperfect.
    if repairs.iter().all(|r| lexicon.contains(r)) {
        repairs
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_in_lang(sentence: &str, lang: Lang) -> Vec<(String, Vec<String>)> {
        disagreements(sentence, lang)
            .into_iter()
            .map(|d| (sentence[d.range].to_string(), d.repairs))
            .collect()
    }

    #[test]
    fn a_genitive_noun_without_its_ending_is_found_past_adjectives() {
        let found = found_in("Die Mitgliedstaaten des Rat umfassender Frieden.");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "Rat");
        assert!(found[0].1.contains(&"Rates".to_string()), "{found:?}");
        let found = found_in("Die Rede des amerikanischen Präsident war kurz.");
        assert_eq!(found[0].0, "Präsident");
        assert!(found[0].1.contains(&"Präsidenten".to_string()), "{found:?}");
    }

    fn found_in(sentence: &str) -> Vec<(String, Vec<String>)> {
        found_in_lang(sentence, Lang::GERMAN)
    }

    #[test]
    fn correct_genitives_names_and_other_cases_are_left_alone() {
        for sentence in [
            "Die Mitgliedstaaten des Rates umfassen Frieden.",
            "Die Rede des Präsidenten war kurz.",
            "Eines Tages kam er.",
            "Die Frage des Iran-Abkommens bleibt.",
            "Die Wahl des Bundesstaat New York war knapp.",
            "Das Ende des Jahres kommt.",
            "Dieses Haus ist alt.",
            "Eines der Kinder lacht.",
            "Die Zahl des BND steigt.",
            "Die Mutter eines Der Kinder.",
            "Lassen Sie mich eines erklären... Wir machen nur einen Tag.",
            "Lassen Sie mich eines erklären ... Wir machen nur einen Tag.",
            "Die Aufführung eines Jahrtausende alten Stücks.",
            "Die Macht des britischen Empire wuchs.",
        ] {
            assert!(
                found_in(sentence).is_empty(),
                "{sentence}: {:?}",
                found_in(sentence)
            );
        }
    }

    #[test]
    fn an_italian_second_person_verb_in_a_report_is_found() {
        let found = found_in_lang(
            "La Casa Bianca sottolinea che sei vicino a un accordo.",
            Lang::ITALIAN,
        );
        assert_eq!(
            found,
            vec![("sei".to_string(), vec!["è".into(), "sono".into()])]
        );
        let found = found_in_lang(
            "Un ufficiale ha confermato che conoscevi centinaia di miglia.",
            Lang::ITALIAN,
        );
        assert_eq!(
            found,
            vec![(
                "conoscevi".to_string(),
                vec!["conosceva".into(), "conoscevano".into()]
            )]
        );
    }

    #[test]
    fn italian_second_person_is_left_alone_where_someone_is_addressed_or_it_is_a_plural() {
        for sentence in [
            "Tu sei vicino a un accordo.",
            "Ti dico che sei bravo.",
            "Gli obiettivi attivi sono gravi e brevi.",
            "La Casa Bianca sottolinea che è vicina a un accordo.",
        ] {
            assert!(
                found_in_lang(sentence, Lang::ITALIAN).is_empty(),
                "{sentence}: {:?}",
                found_in_lang(sentence, Lang::ITALIAN)
            );
        }
    }

    #[test]
    fn other_languages_have_no_rules() {
        assert!(found_in_lang("the council of Rat", Lang::ENGLISH).is_empty());
    }
}
