//! String heuristics: each check lives in its own file and reports
//! [`Finding`](crate::data::Finding)s.
//!
//! A check sees the whole [`Document`] (text, language, sentences) so that it can work
//! at sentence level (most checks) or document level (near-duplicates, repetition
//! statistics). Findings carry article-relative byte spans; the pipeline assigns each
//! finding to the sentence that contains its start.

mod allow;
mod boilerplate;
mod capitalisation;
mod caption_credit;
mod detached_hyphen;
mod document;
mod document_stats;
mod encoding;
mod fragment;
mod markup_debris;
mod near_duplicate;
mod punctuation;
mod repetition;
mod sentence_language;
#[cfg(test)]
mod testing;
mod words;
mod wrong_language;

pub(crate) use allow::allow_entries;
pub use document::{Check, CheckSettings, Document};

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
mod tests {
    use super::allow::{AllowEntry, AllowList};
    use super::capitalisation::Capitalisation;
    use super::fragment::Fragment;
    use super::testing::{run_check, run_check_with};
    use super::wrong_language::WrongLanguage;
    use super::*;
    use crate::data::Lang;

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
