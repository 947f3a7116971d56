//! Word tokens with article-relative spans, shared by the checks that reason about words.

use crate::data::Span;

/// A maximal run of letters and digits ("Putin", "2025"; "dell'Ucraina" is two words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    /// Article-relative byte span.
    pub span: Span,
}

impl Word<'_> {
    /// Whether the word starts with an upper-case letter.
    pub fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    /// Whether every letter of the word is lower case (and it has at least one).
    pub fn is_lowercase(&self) -> bool {
        self.text.chars().any(char::is_alphabetic) && !self.text.chars().any(char::is_uppercase)
    }

    pub fn has_letter(&self) -> bool {
        self.text.chars().any(char::is_alphabetic)
    }
}

/// The words of `span` in `text`, with spans relative to `text`.
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

/// Words of a photo credit or caption line, which may stand anywhere without punctuation.
const CREDIT_WORDS: &[&str] = &[
    "reuters",
    "afp",
    "dpa",
    "ap",
    "getty",
    "imago",
    "epa",
    "keystone",
    "ansa",
    "lapresse",
    "foto",
    "photo",
    "bild",
    "bilder",
    "images",
    "picture",
    "alliance",
    "shutterstock",
    "istock",
];

/// Whether the words name a photo agency or picture credit ("Kevin Lamarque | Reuters").
pub fn mentions_photo_credit(words: &[Word<'_>]) -> bool {
    words
        .iter()
        .any(|w| CREDIT_WORDS.contains(&w.text.to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_non_alphanumerics_with_byte_spans() {
        let text = "Ä dell'Ucraina, 30-Tage.";
        let words = words_in(text, Span::new(0, text.len()));
        let texts: Vec<&str> = words.iter().map(|w| w.text).collect();
        assert_eq!(texts, ["Ä", "dell", "Ucraina", "30", "Tage"]);
        assert_eq!(words[2].span.slice(text), "Ucraina");
        assert!(words[2].is_capitalised());
        assert!(words[1].is_lowercase());
        assert!(!words[3].has_letter());
    }

    #[test]
    fn recognises_photo_credits() {
        let text = "Charly Triballeau | AFP | Getty -Bilder";
        assert!(mentions_photo_credit(&words_in(
            text,
            Span::new(0, text.len())
        )));
        let text = "Zuschauer skeptisch";
        assert!(!mentions_photo_credit(&words_in(
            text,
            Span::new(0, text.len())
        )));
    }

    #[test]
    fn respects_the_span_offset() {
        let text = "Erster Satz. Zweiter Satz";
        let words = words_in(text, Span::new(13, text.len()));
        assert_eq!(words[0].span, Span::new(13, 20));
        assert_eq!(
            gap_before(text, Span::new(13, text.len()), Some(&words[0]), &words[1]),
            " "
        );
    }
}
