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
    /// The article's text; spans of sentences and findings are byte offsets into it.
    pub text: &'a str,
    /// The article's language.
    pub lang: Lang,
    /// The article's sentences, in order.
    pub sentences: &'a [Sentence],
    /// The user's allow-lists and boilerplate patterns.
    pub settings: &'a CheckSettings,
    /// Each sentence's language, decided once for the wrong-language check and the report.
    languages: std::sync::OnceLock<Vec<Lang>>,
}

impl<'a> Document<'a> {
    /// A document of `text` in `lang`, split into `sentences`; the sentence languages
    /// are worked out on first use.
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

    /// The text of `sentence`, one of this document's.
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
    /// The id its findings carry, and by which the settings switch the check off.
    fn id(&self) -> CheckId;
    /// Appends this check's findings for `doc` to `out`.
    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>);
}
