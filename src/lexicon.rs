//! Word frequency lists per language (Zipf scale: 7 ≈ "die", 3 ≈ once per 10⁶ words).
//!
//! Built by `scripts/build_lexicons.py` from `wordfreq`: the 40,000 most frequent words
//! of German, Italian, English, French and Spanish. Parsed once, on first use.

use crate::data::Lang;
use foldhash::HashMap;
use std::sync::OnceLock;

/// One language's word frequency list.
pub struct Lexicon {
    zipf: HashMap<&'static str, f32>,
    longest_word_chars: usize,
}

impl Lexicon {
    fn parse(data: &'static str) -> Lexicon {
        let zipf = data
            .lines()
            .filter_map(|line| {
                let (word, freq) = line.split_once('\t')?;
                Some((word, freq.parse().ok()?))
            })
            .collect::<HashMap<_, _>>();
        let longest_word_chars = zipf.keys().map(|w| w.chars().count()).max().unwrap_or(0);
        Lexicon {
            zipf,
            longest_word_chars,
        }
    }

    /// Zipf frequency of `word` (matched in lower case), `None` if it is not among the
    /// language's most frequent words.
    pub fn zipf(&self, word: &str) -> Option<f32> {
        if let Some(&z) = self.zipf.get(word) {
            return Some(z);
        }
        // Lower-case ASCII is its own lower case: no second lookup, no allocation.
        if is_ascii_lowercase(word) {
            return None;
        }
        self.zipf.get(word.to_lowercase().as_str()).copied()
    }

    /// Length in characters of the longest listed word. A longer word is never found, even
    /// in lower case: lower-casing never shortens a word's character count.
    pub fn longest_word_chars(&self) -> usize {
        self.longest_word_chars
    }

    /// Whether `word` (matched as [`Lexicon::zipf`] matches) is listed.
    pub fn contains(&self, word: &str) -> bool {
        self.zipf(word).is_some()
    }

    /// Every listed word (lower case), in no particular order.
    pub fn words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.zipf.keys().copied()
    }
}

macro_rules! lexicon {
    ($file:literal) => {{
        static CELL: OnceLock<Lexicon> = OnceLock::new();
        CELL.get_or_init(|| Lexicon::parse(include_str!(concat!("../data/lexicon/", $file))))
    }};
}

/// The lexicon of `lang`, if one is shipped.
pub(crate) fn for_lang(lang: Lang) -> Option<&'static Lexicon> {
    Some(match lang.code() {
        "de" => lexicon!("de.tsv"),
        "it" => lexicon!("it.tsv"),
        "en" => lexicon!("en.tsv"),
        "fr" => lexicon!("fr.tsv"),
        "es" => lexicon!("es.tsv"),
        _ => return None,
    })
}

/// Languages that have a lexicon.
pub(crate) const LANGS: [Lang; 5] = [
    Lang::GERMAN,
    Lang::ITALIAN,
    Lang::ENGLISH,
    Lang::FRENCH,
    Lang::SPANISH,
];

/// A word's Zipf frequency in each language of [`LANGS`], `None` where it is not listed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Frequencies([Option<f32>; LANGS.len()]);

impl Frequencies {
    /// Whether any lexicon lists the word.
    pub fn is_listed(&self) -> bool {
        self.0.iter().any(Option::is_some)
    }

    /// As [`Lexicon::zipf`] of `lang`'s lexicon; `None` for a language without one.
    pub fn of(&self, lang: Lang) -> Option<f32> {
        LANGS
            .iter()
            .position(|&l| l == lang)
            .and_then(|index| self.0[index])
    }
}

/// The frequencies of `word` (matched in lower case) in every lexicon, from one lookup: a
/// sentence's language is judged on every word in every language.
pub(crate) fn frequencies(word: &str) -> Frequencies {
    static TABLE: OnceLock<HashMap<&'static str, Frequencies>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table: HashMap<&'static str, Frequencies> = HashMap::default();
        for (index, &lang) in LANGS.iter().enumerate() {
            let lexicon = for_lang(lang).expect("every listed language has a lexicon");
            for (&word, &zipf) in &lexicon.zipf {
                table.entry(word).or_default().0[index] = Some(zipf);
            }
        }
        table
    });
    // Every listed word is in lower case, so looking up the lower case is the same as
    // `Lexicon::zipf`'s exact-then-lower-case lookup.
    let lower: std::borrow::Cow<'_, str> = if is_ascii_lowercase(word) {
        word.into()
    } else {
        word.to_lowercase().into()
    };
    table.get(lower.as_ref()).copied().unwrap_or_default()
}

/// Whether `word` is ASCII without capitals, hence its own lower case.
fn is_ascii_lowercase(word: &str) -> bool {
    word.bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_words_are_found_case_insensitively() {
        let de = for_lang(Lang::GERMAN).unwrap();
        assert!(de.zipf("die").unwrap() > 7.0);
        assert!(de.contains("Kernkraftwerk"));
        assert!(!for_lang(Lang::ITALIAN).unwrap().contains("Kernkraftwerk"));
    }

    #[test]
    fn frequencies_agree_with_each_lexicon() {
        for word in [
            "die",
            "Die",
            "KERNKRAFTWERK",
            "the",
            "Città",
            "città",
            "zzzq",
            "",
        ] {
            let all = frequencies(word);
            for lang in LANGS {
                assert_eq!(
                    all.of(lang),
                    for_lang(lang).unwrap().zipf(word),
                    "{word} {lang}"
                );
            }
            assert_eq!(all.of("tr".parse().unwrap()), None);
        }
        // Every listed word lower-cases to itself, which the single lookup relies on.
        for lang in LANGS {
            assert!(for_lang(lang)
                .unwrap()
                .words()
                .all(|w| w.to_lowercase() == w));
        }
    }

    #[test]
    fn unknown_language_has_no_lexicon() {
        assert!(for_lang("tr".parse().unwrap()).is_none());
    }
}
