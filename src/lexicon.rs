//! Word frequency lists per language (Zipf scale: 7 ≈ "die", 3 ≈ once per 10⁶ words).
//!
//! Built by `scripts/build_lexicons.py` from `wordfreq`: the 40,000 most frequent words
//! of German, Italian, English, French and Spanish. Parsed once, on first use.

use crate::langid::Lang;
use foldhash::HashMap;
use std::sync::OnceLock;

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
        if word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || !b.is_ascii_alphabetic() && b.is_ascii())
        {
            return None;
        }
        self.zipf.get(word.to_lowercase().as_str()).copied()
    }

    /// Length in characters of the longest listed word. A longer word is never found, even
    /// in lower case: lower-casing never shortens a word's character count.
    pub fn longest_word_chars(&self) -> usize {
        self.longest_word_chars
    }

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
pub fn for_lang(lang: Lang) -> Option<&'static Lexicon> {
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
pub const LANGS: [Lang; 5] = [
    Lang::GERMAN,
    Lang::ITALIAN,
    Lang::ENGLISH,
    Lang::FRENCH,
    Lang::SPANISH,
];

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
    fn unknown_language_has_no_lexicon() {
        assert!(for_lang("tr".parse().unwrap()).is_none());
    }
}
