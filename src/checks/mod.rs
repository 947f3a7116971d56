//! String heuristics: each check lives in its own file and reports [`Finding`]s.
//!
//! A check sees the whole [`Document`] (text, language, sentences) so that it can work
//! at sentence level (most checks) or document level (near-duplicates, repetition
//! statistics). Findings carry article-relative byte spans; the pipeline assigns each
//! finding to the sentence that contains its start.

pub mod boilerplate;
pub mod capitalisation;
pub mod caption_credit;
pub mod detached_hyphen;
pub mod document_stats;
pub mod encoding;
pub mod fragment;
pub mod markup_debris;
pub mod near_duplicate;
pub mod punctuation;
pub mod repetition;
pub mod text_units;
pub mod words;
pub mod wrong_language;

use crate::data::{CheckId, Finding, Lang, Sentence, Span};
use regex::Regex;
use serde::Serialize;

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
    fn of(text: &str) -> AllowEntry {
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
    /// clearly in another ([`wrong_language::sentence_languages`]).
    pub fn sentence_languages(&self) -> &[Lang] {
        self.languages
            .get_or_init(|| wrong_language::sentence_languages(self))
    }
}

/// A string heuristic. Implementations must be cheap to share across threads.
pub trait Check: Send + Sync {
    fn id(&self) -> CheckId;
    /// Appends this check's findings for `doc` to `out`.
    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>);
}

/// Every heuristic check, in report order.
pub fn all() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(repetition::Repetition),
        Box::new(detached_hyphen::DetachedHyphen),
        Box::new(wrong_language::WrongLanguage),
        Box::new(boilerplate::Boilerplate),
        Box::new(caption_credit::CaptionCredit),
        Box::new(markup_debris::MarkupDebris),
        Box::new(capitalisation::Capitalisation),
        Box::new(punctuation::Punctuation),
        Box::new(encoding::Encoding),
        Box::new(fragment::Fragment),
        Box::new(near_duplicate::NearDuplicate),
        Box::new(document_stats::DocumentStats),
    ]
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the checks' unit tests.
    use super::*;

    /// Runs `check` on `text` (segmented as the pipeline would) in language `lang`.
    pub fn run_check(check: &dyn Check, text: &str, lang: Lang) -> Vec<Finding> {
        run_check_with(check, text, lang, &CheckSettings::default())
    }

    pub fn run_check_with(
        check: &dyn Check,
        text: &str,
        lang: Lang,
        settings: &CheckSettings,
    ) -> Vec<Finding> {
        let sentences = crate::segment::segment(text);
        let doc = Document::new(text, lang, &sentences, settings);
        let mut out = Vec::new();
        check.run(&doc, &mut out);
        for f in &out {
            assert_eq!(f.check, check.id(), "finding from the wrong check id");
            assert!(
                f.span.end <= text.len()
                    && text.is_char_boundary(f.span.start)
                    && text.is_char_boundary(f.span.end),
                "bad span {:?}",
                f.span
            );
        }
        out
    }

    /// Runs `work` on another thread and fails if it takes longer than `limit`. This guards
    /// complexity, not speed: the limit is generous for a debug build on a loaded machine,
    /// while a super-linear check takes minutes on the hostile inputs it is used with.
    pub fn finishes_within<T: Send + 'static>(
        limit: std::time::Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        use std::sync::mpsc::{channel, RecvTimeoutError};
        let (sender, receiver) = channel();
        std::thread::spawn(move || sender.send(work()));
        match receiver.recv_timeout(limit) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                panic!("not finished within {limit:?}: super-linear on this input?")
            }
            Err(RecvTimeoutError::Disconnected) => panic!("the work panicked"),
        }
    }

    /// The five sample articles, concatenated and repeated up to `bytes` (on a char
    /// boundary): a long article full of exact repeats.
    pub fn concatenated_samples(bytes: usize) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/samples");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("sample directory")
            .map(|e| e.expect("sample entry").path())
            .collect();
        paths.sort();
        let samples: String = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("sample article"))
            .collect();
        let mut text = samples.repeat(bytes / samples.len() + 1);
        let mut end = bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text
    }

    /// The flagged text of each finding.
    pub fn flagged<'t>(text: &'t str, findings: &[Finding]) -> Vec<&'t str> {
        findings.iter().map(|f| f.span.slice(text)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::capitalisation::Capitalisation;
    use super::fragment::Fragment;
    use super::testing::{run_check, run_check_with};
    use super::wrong_language::WrongLanguage;
    use super::*;

    /// A finding's allow-list entries, and whether they silence it.
    type Outcome = (Vec<String>, bool);

    /// For each finding of `check` on `text`: its allow-list entries, and whether a run
    /// with them on the allow-lists no longer reports anything on the finding's span.
    fn entries_and_silenced(check: &dyn Check, text: &str, lang: Lang) -> Vec<Outcome> {
        let sentences = crate::segment::segment(text);
        run_check(check, text, lang)
            .iter()
            .map(|finding| {
                let sentence = sentences
                    .iter()
                    .find(|s| s.span.contains(finding.span))
                    .expect("the finding lies in a sentence");
                let entries = allow_entries(text, lang, sentence, finding);
                let listed = |list: AllowList| -> Vec<String> {
                    entries
                        .iter()
                        .filter(|e| e.list == list)
                        .map(|e| e.text.clone())
                        .collect()
                };
                let settings = CheckSettings {
                    allowed_names: listed(AllowList::Names),
                    allowed_terms: listed(AllowList::Terms),
                    ..Default::default()
                };
                let silenced = !entries.is_empty()
                    && run_check_with(check, text, lang, &settings)
                        .iter()
                        .all(|f| f.span != finding.span);
                (entries.into_iter().map(|e| e.text).collect(), silenced)
            })
            .collect()
    }

    #[test]
    fn allow_entries_silence_the_findings_they_are_given_for() {
        let silenced =
            |words: &[&str]| -> Outcome { (words.iter().map(|w| w.to_string()).collect(), true) };
        let unsilenceable = (Vec::new(), false);
        let cases: Vec<(&dyn Check, &str, Lang, Vec<Outcome>)> = vec![
            (
                &WrongLanguage,
                "Der Kreml lehnte ab.\nLeave a Reply\n",
                Lang::GERMAN,
                vec![silenced(&["Leave a Reply"])],
            ),
            (
                &WrongLanguage,
                "Er schrieb: the meeting was published yesterday.",
                Lang::GERMAN,
                vec![silenced(&["published", "yesterday"])],
            ),
            (
                &WrongLanguage,
                "I negoziati guidati dal Nahenvoyé Steve Witkoff hanno portato a una svolta.",
                Lang::ITALIAN,
                vec![silenced(&["Nahenvoyé"])],
            ),
            (
                &Capitalisation,
                "„Die Kontakte endeten im Nichts“, sagte an Eine anonyme hochrangige russische Quelle.",
                Lang::GERMAN,
                vec![silenced(&["anonyme"])],
            ),
            (
                &Capitalisation,
                "Il governo ha parlato di La guerra in Ucraina.",
                Lang::ITALIAN,
                vec![unsilenceable.clone()],
            ),
            (
                &Capitalisation,
                "il ruolo del Cremlino\n\nIl Cremlino ha spiegato tutto.\n",
                Lang::ITALIAN,
                vec![silenced(&["il"])],
            ),
            (
                &Capitalisation,
                "Il presidente russo wladimir putin , che è previsto per martedì, parla con Trump. \
                 Ieri Putin ha detto di sì, e Putin ha parlato con Trump. Oggi Putin tace.\n\
                 Maxim shemetov | Reuters\n",
                Lang::ITALIAN,
                // The credit line is checked sentence by sentence, names over the whole article.
                vec![silenced(&["shemetov"]), silenced(&["putin"])],
            ),
            (
                &Fragment,
                "Washington hat sich dafür eingesetzt, nicht hinter die Kulissen zu gehen. Ukraine.",
                Lang::GERMAN,
                vec![silenced(&["Ukraine"])],
            ),
            (
                &Fragment,
                "Die Ukraine verhandelt mit den. Der Deal steht. Der in einer gemeinsame Erklä...\n",
                Lang::GERMAN,
                vec![unsilenceable.clone(), unsilenceable],
            ),
        ];
        for (check, text, lang, expected) in cases {
            assert_eq!(entries_and_silenced(check, text, lang), expected, "{text}");
        }
    }

    #[test]
    fn capitalised_words_are_names_everything_else_terms() {
        assert_eq!(AllowEntry::of("Witkoff").list, AllowList::Names);
        assert_eq!(AllowEntry::of("shemetov").list, AllowList::Terms);
        assert_eq!(AllowEntry::of("Leave a Reply").list, AllowList::Terms);
    }
}
