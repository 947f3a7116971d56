//! Words, the one notion of a word the checks share: maximal runs of letters and digits,
//! with article-relative spans.
//!
//! Punctuation, hyphens and apostrophes separate words ("dell'Ucraina" is "dell" and
//! "Ucraina"; "phon-phon" is two words), so checks can look at the text between words.

use crate::data::Span;

/// One word of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    /// Article-relative byte span.
    pub span: Span,
}

impl Word<'_> {
    /// Whether the word is all digits ("2025").
    pub fn is_numeric(&self) -> bool {
        self.text.chars().all(|c| c.is_numeric())
    }

    /// Whether the word starts with an upper-case letter.
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    /// "CNBC", "USA": at least two letters, all upper case.
    pub fn is_acronym(&self) -> bool {
        self.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !self.text.chars().any(char::is_lowercase)
    }

    /// Whether every letter of the word is lower case (and it has at least one).
    pub fn is_lowercase(&self) -> bool {
        self.text.chars().any(char::is_alphabetic) && !self.text.chars().any(char::is_uppercase)
    }

    /// Whether the word has at least one letter.
    #[cfg(test)]
    pub fn has_letter(&self) -> bool {
        self.text.chars().any(char::is_alphabetic)
    }
}

/// The words of `span` in `text` (the article), with spans relative to `text`.
pub fn words_in(text: &str, span: Span) -> Vec<Word<'_>> {
    let slice = span.slice(text);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in slice.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word {
                    text: &slice[s..i],
                    span: Span::new(span.start + s, span.start + i),
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &slice[s..],
            span: Span::new(span.start + s, span.end),
        });
    }
    out
}

/// The text between the end of `before` (or the start of `span`) and `word`.
pub fn gap_before<'t>(
    text: &'t str,
    span: Span,
    before: Option<&Word<'_>>,
    word: &Word<'_>,
) -> &'t str {
    let from = before.map_or(span.start, |b| b.span.end);
    &text[from..word.span.start]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_words(text: &str) -> Vec<Word<'_>> {
        words_in(text, Span::new(0, text.len()))
    }

    #[test]
    fn splits_on_punctuation_hyphens_and_apostrophes() {
        let t = "Trump, dell'Ucraina phon-phon Größe 2025!";
        let w: Vec<&str> = all_words(t).iter().map(|w| w.text).collect();
        assert_eq!(
            w,
            ["Trump", "dell", "Ucraina", "phon", "phon", "Größe", "2025"]
        );
        let last = all_words(t)[6];
        assert_eq!(last.span.slice(t), "2025");
        assert!(last.is_numeric() && !last.has_letter());
    }

    #[test]
    fn capitals_acronyms_and_lower_case() {
        let w = all_words("CNBC Deal team A Ä");
        assert!(w[0].is_acronym() && w[0].is_capitalised());
        assert!(!w[1].is_acronym() && w[1].is_capitalised());
        assert!(!w[2].is_capitalised() && w[2].is_lowercase());
        assert!(!w[3].is_acronym());
        assert!(w[4].is_capitalised() && !w[4].is_lowercase());
    }

    #[test]
    fn spans_are_relative_to_the_article() {
        let text = "Erster Satz. Zweiter Satz";
        let sentence = Span::new(13, text.len());
        let words = words_in(text, sentence);
        assert_eq!(words[0].span, Span::new(13, 20));
        assert_eq!(words[1].span.slice(text), "Satz");
        assert_eq!(gap_before(text, sentence, Some(&words[0]), &words[1]), " ");
        assert_eq!(gap_before(text, sentence, None, &words[0]), "");
    }
}
