//! What every check sees and implements: the article as a [`Document`], the user's
//! [`CheckSettings`] and the [`Check`] trait.

use super::sentence_language;
use crate::data::{CheckId, Finding, Lang, Sentence};
use regex::Regex;

/// User settings the checks consult (from `mtaudit.toml`).
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    /// Names that are never wrong-language or capitalisation errors ("Witkoff").
    pub allowed_names: Vec<String>,
    /// Terms that are accepted in any language ("Homeoffice", "Breaking News").
    pub allowed_terms: Vec<String>,
    /// Extra patterns that mark a sentence as boilerplate.
    pub extra_boilerplate: Vec<Regex>,
}

impl CheckSettings {
    /// Whether `word` is on the user's allow-lists (case-insensitive).
    pub fn is_allowed(&self, word: &str) -> bool {
        self.allowed_names
            .iter()
            .chain(&self.allowed_terms)
            .any(|a| a.eq_ignore_ascii_case(word) || a.to_lowercase() == word.to_lowercase())
    }
}

/// What a check looks at: one article, segmented, with its language.
#[derive(Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub sentences: &'a [Sentence],
    pub settings: &'a CheckSettings,
    /// Each sentence's language, decided once for the wrong-language check and the report.
    languages: std::sync::OnceLock<Vec<Lang>>,
}

impl<'a> Document<'a> {
    pub fn new(
        text: &'a str,
        lang: Lang,
        sentences: &'a [Sentence],
        settings: &'a CheckSettings,
    ) -> Self {
        Document {
            text,
            lang,
            sentences,
            settings,
            languages: std::sync::OnceLock::new(),
        }
    }

    pub fn sentence_text(&self, sentence: &Sentence) -> &'a str {
        sentence.span.slice(self.text)
    }

    /// The language of each sentence, in order: the article's unless the sentence is
    /// clearly in another (`sentence_language::sentence_languages`).
    pub fn sentence_languages(&self) -> &[Lang] {
        self.languages.get_or_init(|| {
            sentence_language::sentence_languages(self.text, self.lang, self.sentences)
        })
    }
}

/// A string heuristic. Implementations must be cheap to share across threads.
pub trait Check: Send + Sync {
    fn id(&self) -> CheckId;
    /// Appends this check's findings for `doc` to `out`.
    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>);
}
