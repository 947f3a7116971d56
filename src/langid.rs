//! Language identification for articles and sentences.
//!
//! Built on `whatlang` (69 languages, trigram profiles). Its guesses on a single short
//! sentence are noisy, so a sentence is only assigned a language other than its
//! article's when the detector is confident and the sentence is long enough to judge.

use crate::data::Lang;
use serde::Serialize;

/// A language guess with the detector's confidence in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Detection {
    /// The language guessed.
    pub lang: Lang,
    /// How sure the detector is, from 0 to 1.
    pub confidence: f64,
}

/// Longest text the detector reads for an article. Its answer is settled long before, and
/// its cost grows with the text: on a 7 KB article it took longer than all the heuristics.
const MAX_DETECTED_BYTES: usize = 1_500;

/// Detects the language of a whole article; `None` when the text has no letters to judge.
/// A longer article is judged on its start, middle and end (`MAX_DETECTED_BYTES` in all),
/// so that neither a foreign opening nor a foreign tail decides alone.
pub fn detect(text: &str) -> Option<Detection> {
    let detect = |text: &str| {
        whatlang::detect(text).map(|info| Detection {
            lang: Lang::from(info.lang()),
            confidence: info.confidence(),
        })
    };
    if text.len() <= MAX_DETECTED_BYTES {
        return detect(text);
    }
    let window = MAX_DETECTED_BYTES / 3;
    let mut sample = String::with_capacity(MAX_DETECTED_BYTES + 2);
    for start in [0, (text.len() - window) / 2, text.len() - window] {
        let start = char_boundary_at_or_before(text, start);
        let end = char_boundary_at_or_before(text, start + window);
        if !sample.is_empty() {
            sample.push('\n');
        }
        sample.push_str(&text[start..end]);
    }
    detect(&sample)
}

fn char_boundary_at_or_before(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Minimum letters before a sentence-level guess is trusted over the article's language.
const MIN_SENTENCE_LETTERS: usize = 30;
/// Minimum detector confidence for a sentence to be assigned a different language.
const MIN_SENTENCE_CONFIDENCE: f64 = 0.9;

/// The language of one sentence of an article in `article_lang`: the article's language
/// unless the sentence is long enough and the detector is confident it is another one.
pub(crate) fn detect_sentence(sentence: &str, article_lang: Lang) -> Lang {
    // Counting letters is far cheaper than the detector, whose answer a short sentence
    // could not use.
    let letters = sentence.chars().filter(|c| c.is_alphabetic()).count();
    if letters < MIN_SENTENCE_LETTERS {
        return article_lang;
    }
    match detect(sentence) {
        Some(d) if d.confidence >= MIN_SENTENCE_CONFIDENCE => d.lang,
        _ => article_lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (code, short) in [
            ("de", "de"),
            ("it", "it"),
            ("en", "en"),
            ("fr", "fr"),
            ("deu", "de"),
            ("ita", "it"),
        ] {
            let lang: Lang = code.parse().unwrap();
            assert_eq!(lang.code(), short);
        }
        assert!("klingon".parse::<Lang>().is_err());
    }

    #[test]
    fn detects_german_and_italian_articles() {
        let de = "Der russische Präsident Wladimir Putin nimmt am 13. März 2025 an einem Treffen mit seinem Gegenstück im Kreml teil.";
        let it = "La prossima conversazione telefonica tra il presidente Donald Trump e il presidente russo si svolge in un momento cruciale.";
        assert_eq!(detect(de).unwrap().lang, Lang::GERMAN);
        assert_eq!(detect(it).unwrap().lang, Lang::ITALIAN);
    }

    #[test]
    fn english_boilerplate_in_german_article_is_english() {
        let s = "Your email address will not be published. Required fields are marked";
        assert_eq!(detect_sentence(s, Lang::GERMAN), Lang::ENGLISH);
    }

    #[test]
    fn short_sentence_keeps_article_language() {
        assert_eq!(detect_sentence("Konflikt.", Lang::ITALIAN), Lang::ITALIAN);
    }

    #[test]
    fn a_long_article_is_judged_on_its_whole_length_not_its_opening() {
        let english = "Your email address will not be published. Required fields are marked. \
                       Leave a reply and share this story with your friends and family today. ";
        let german = "Der russische Präsident nimmt am Donnerstag an einem Treffen mit seinem \
                      Gegenstück im Kreml teil, wie die Nachrichtenagentur berichtete. ";
        let article = format!("{}{}", english.repeat(12), german.repeat(60));
        assert!(article.len() > 3 * MAX_DETECTED_BYTES);
        assert_eq!(detect(&article).unwrap().lang, Lang::GERMAN);
        // Windows never split a character, wherever the middle falls.
        let umlauts = format!("{}{}", "ä".repeat(2_001), german.repeat(40));
        assert_eq!(detect(&umlauts).unwrap().lang, Lang::GERMAN);
    }
}
