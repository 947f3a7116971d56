//! Word tokenisation shared by the checks: maximal runs of letters and digits.
//!
//! Punctuation, hyphens and apostrophes separate words ("dell'Ucraina" is "dell" and
//! "Ucraina"; "phon-phon" is two words), so checks can look at the text between words.

use crate::data::Span;

/// One word of a text, with its span relative to the text it was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    pub span: Span,
    pub text: &'a str,
}

impl Word<'_> {
    pub fn is_numeric(&self) -> bool {
        self.text.chars().all(|c| c.is_numeric())
    }

    pub fn starts_uppercase(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }

    /// "CNBC", "USA": at least two letters, all upper case.
    pub fn is_acronym(&self) -> bool {
        self.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !self.text.chars().any(char::is_lowercase)
    }
}

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word {
                    span: Span::new(s, i),
                    text: &text[s..i],
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            span: Span::new(s, text.len()),
            text: &text[s..],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_punctuation_hyphens_and_apostrophes() {
        let t = "Trump, dell'Ucraina phon-phon Größe 2025!";
        let w: Vec<&str> = words(t).iter().map(|w| w.text).collect();
        assert_eq!(
            w,
            ["Trump", "dell", "Ucraina", "phon", "phon", "Größe", "2025"]
        );
        let last = words(t)[6];
        assert_eq!(last.span.slice(t), "2025");
        assert!(last.is_numeric());
    }

    #[test]
    fn acronyms_and_capitals() {
        let w = words("CNBC Deal team A");
        assert!(w[0].is_acronym() && w[0].starts_uppercase());
        assert!(!w[1].is_acronym() && w[1].starts_uppercase());
        assert!(!w[2].starts_uppercase());
        assert!(!w[3].is_acronym());
    }
}
