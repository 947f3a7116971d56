//! Allow-list entries that would silence a finding, offered to reviewers in the HTML
//! report so that a false alarm can be turned into configuration.

use super::{capitalisation, fragment, wrong_language};
use crate::data::{CheckId, Finding, Lang, Sentence, Span};
use serde::Serialize;

/// The `[allow]` list of `mtaudit.toml` an entry goes in. Both lists silence the same
/// findings; the split only keeps the file readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowList {
    /// A capitalised word: a name ("Witkoff").
    Names,
    /// Anything else: a lower-case word, a phrase or a whole sentence.
    Terms,
}

/// An allow-list entry that keeps a check from flagging a word, phrase or sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowEntry {
    pub list: AllowList,
    pub text: String,
}

impl AllowEntry {
    pub(crate) fn of(text: &str) -> AllowEntry {
        let one_capitalised_word = text.chars().next().is_some_and(char::is_uppercase)
            && text.chars().all(char::is_alphanumeric);
        AllowEntry {
            list: if one_capitalised_word {
                AllowList::Names
            } else {
                AllowList::Terms
            },
            text: text.to_string(),
        }
    }
}

/// The allow-list entries that together keep `finding` (in `sentence` of `text`) from
/// being reported again: the words the check looked up with [`CheckSettings::is_allowed`]
/// before flagging. Empty for checks and findings that no allow-list entry silences (a
/// garbled sentence structure, a heading-like line), and for spans that do not fit the text.
pub fn allow_entries(
    text: &str,
    lang: Lang,
    sentence: &Sentence,
    finding: &Finding,
) -> Vec<AllowEntry> {
    let fits = |span: Span| {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    };
    if !fits(sentence.span) || !fits(finding.span) || !sentence.span.contains(finding.span) {
        return Vec::new();
    }
    let words = match finding.check {
        CheckId::WrongLanguage => wrong_language::allow_words(text, sentence, finding),
        CheckId::Capitalisation => capitalisation::allow_words(text, lang, sentence, finding),
        CheckId::Fragment => fragment::allow_words(text, sentence, finding),
        _ => Vec::new(),
    };
    words.into_iter().map(AllowEntry::of).collect()
}
