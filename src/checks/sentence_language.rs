//! The language of each sentence: the article's, unless the word lists (and, for longer
//! sentences, the detector) clearly say otherwise. Detected once per article
//! (`Document::sentence_languages`); the wrong-language check and the reports use the
//! same answer.

use super::words::{words_in, Word};
use crate::data::{Lang, Sentence};
use crate::langid;
use crate::lexicon::{self, Lexicon};

/// A word counts for language L when its Zipf frequency there exceeds the article
/// language's by this much (a missing word counts as 0).
pub(super) const FAVOUR_MARGIN: f32 = 1.0;
/// A word's Zipf frequency in `lexicon`, 0 when it is not listed.
pub(super) fn zipf(lexicon: &Lexicon, word: &str) -> f32 {
    lexicon.zipf(word).unwrap_or(0.0)
}

/// The language of each sentence of `text`, an article in `lang`: another language's only
/// when the word lists (and, for longer sentences, the detector) say so. Where the
/// article's language has no word list, the detector alone decides.
pub(super) fn sentence_languages(text: &str, lang: Lang, sentences: &[Sentence]) -> Vec<Lang> {
    let Some(home) = lexicon::for_lang(lang) else {
        return sentences
            .iter()
            .map(|s| langid::detect_sentence(s.span.slice(text), lang))
            .collect();
    };
    let foreign = foreign_lexicons(lang);
    let evidence = LanguageEvidence {
        lang,
        home,
        foreign: &foreign,
    };
    sentences
        .iter()
        .map(|s| {
            let words = words_in(text, s.span);
            evidence
                .sentence_language(s.span.slice(text), &words)
                .unwrap_or(lang)
        })
        .collect()
}

/// The shipped word lists of every language but `home`.
pub(super) fn foreign_lexicons(home: Lang) -> Vec<(Lang, &'static Lexicon)> {
    lexicon::LANGS
        .iter()
        .filter(|&&l| l != home)
        .filter_map(|&l| lexicon::for_lang(l).map(|lex| (l, lex)))
        .collect()
}

/// The word lists that decide a sentence's language.
struct LanguageEvidence<'a> {
    /// The article's language.
    lang: Lang,
    home: &'static Lexicon,
    foreign: &'a [(Lang, &'static Lexicon)],
}

impl LanguageEvidence<'_> {
    /// Whether `word` is clearly more frequent in `lexicon` than in the article's language.
    fn favours(&self, lexicon: &Lexicon, word: &str) -> bool {
        zipf(lexicon, word) - zipf(self.home, word) >= FAVOUR_MARGIN
    }

    /// The language of the whole sentence when it is not the article's.
    fn sentence_language(&self, text: &str, tokens: &[Word<'_>]) -> Option<Lang> {
        let judged: Vec<&Word> = tokens
            .iter()
            .filter(|w| !w.is_numeric() && !w.is_acronym())
            .collect();
        if judged.len() < 3 {
            return None;
        }
        // Judged words favouring each foreign language, and those missing from the home list.
        let frequencies: Vec<lexicon::Frequencies> = judged
            .iter()
            .map(|w| lexicon::frequencies(w.text))
            .collect();
        let at_home: Vec<Option<f32>> = frequencies.iter().map(|f| f.of(self.lang)).collect();
        // Every rule below needs at least half the words to favour a language, so counting
        // stops (short of half) once a language cannot get there: most sentences are in the
        // article's language, and the lookups are most of this check's time.
        let half = judged.len().div_ceil(2);
        let favouring: Vec<usize> = self
            .foreign
            .iter()
            .map(|&(lang, _)| {
                let mut count = 0;
                for (seen, (frequencies, home)) in frequencies.iter().zip(&at_home).enumerate() {
                    if count + (judged.len() - seen) < half {
                        break;
                    }
                    let here = frequencies.of(lang).unwrap_or(0.0);
                    if here - home.unwrap_or(0.0) >= FAVOUR_MARGIN {
                        count += 1;
                    }
                }
                count
            })
            .collect();
        let unknown_at_home = at_home.iter().filter(|z| z.is_none()).count();
        // Most words must not be home words to confirm the detector's guess.
        let confirms = |lang: Lang| match self.foreign.iter().position(|(l, _)| *l == lang) {
            Some(k) => favouring[k] * 2 >= judged.len(),
            None => unknown_at_home * 4 >= judged.len() * 3,
        };
        // The detector is by far the slowest step; it is only asked when the word lists
        // could confirm a foreign answer, which for most sentences they cannot.
        let confirmable = favouring.iter().any(|&n| n * 2 >= judged.len())
            || unknown_at_home * 4 >= judged.len() * 3;
        if confirmable {
            let detected = langid::detect_sentence(text, self.lang);
            if detected != self.lang && confirms(detected) {
                return Some(detected);
            }
        }
        // Short sentences ("Leave a Reply") are too short for the detector: three in five words
        // must favour one foreign language, none the home one, and a lower-case common word
        // must be among them so that a run of capitalised names does not count.
        self.foreign
            .iter()
            .zip(&favouring)
            .find_map(|(&(lang, lex), &favouring)| {
                if favouring * 5 < judged.len() * 3 {
                    return None;
                }
                let against = judged
                    .iter()
                    .filter(|w| zipf(self.home, w.text) - zipf(lex, w.text) >= FAVOUR_MARGIN)
                    .count();
                let has_common_lowercase = judged.iter().any(|w| {
                    self.favours(lex, w.text) && !w.is_capitalised() && zipf(lex, w.text) >= 4.5
                });
                (against == 0 && has_common_lowercase).then_some(lang)
            })
    }
}
