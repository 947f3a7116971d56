//! Text in the wrong language for the article: whole sentences ("Leave a Reply" in a German
//! article), single foreign words ("Kernkraftwerk", "fazit" in an Italian article) and
//! garbled hybrids glued from two foreign words ("Nahenvoyé": German "Nah" + French "envoyé").
//!
//! Evidence comes from the Zipf frequency lists of `lexicon` (a word counts for a language
//! when it is clearly more frequent there than in the article's language) and, for longer
//! sentences, from `langid::detect_sentence`. Proper names, organisations and established
//! loanwords are left alone: capitalised words are skipped except German compounds in
//! non-German articles, words found in most other lexicons are treated as international, and
//! anything in the article's own lexicon is accepted ("Team", "Deal", "Homeoffice").

use super::document::{Check, Document};
use super::sentence_language::{foreign_lexicons, zipf, FAVOUR_MARGIN};
use super::words::{words_in, Word};
use crate::data::{CheckId, Finding, Lang, Sentence, Severity, Span};
use crate::lexicon::{self, Frequencies, Lexicon};

/// A single foreign word must be at least this common in its language (Zipf); rarer words
/// are too often inflected home-language forms ("multinationale", "orales" in German).
const MIN_FOREIGN_ZIPF: f32 = 3.5;
/// A long capitalised word known only in German ("Kernkraftwerk") in another language's
/// article: German compounds are individually rare, so a lower minimum.
const MIN_GERMAN_NOUN_ZIPF: f32 = 3.0;
/// Stricter minimum for capitalised sentence-initial words, which are often names.
const MIN_FOREIGN_ZIPF_CAPITALISED: f32 = 4.0;
/// The second half of a hybrid must be a long, common word: short endings such as "siens"
/// or "meten" turn up inside ordinary German words ("Tunesiens", "beatmeten").
const MIN_HYBRID_SUFFIX_CHARS: usize = 6;
const MIN_HYBRID_SUFFIX_ZIPF: f32 = 4.0;
const MIN_HYBRID_PREFIX_ZIPF: f32 = 3.0;
/// Shortest stem accepted as evidence that a word is an inflected home-language word.
const MIN_STEM_CHARS: usize = 5;
/// Shortest word judged on its own; short words are shared by too many languages.
const MIN_WORD_CHARS: usize = 4;
/// Foreign run length (words) from which a phrase is a major error rather than a blemish.
const MAJOR_RUN_WORDS: usize = 3;

pub struct WrongLanguage;

impl Check for WrongLanguage {
    fn id(&self) -> CheckId {
        CheckId::WrongLanguage
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let Some(home) = lexicon::for_lang(doc.lang) else {
            return;
        };
        let foreign = foreign_lexicons(doc.lang);
        let ctx = Context {
            doc,
            home,
            foreign: &foreign,
        };
        for (sentence, &lang) in doc.sentences.iter().zip(doc.sentence_languages()) {
            let text = doc.sentence_text(sentence);
            if doc.settings.is_allowed(text) {
                continue;
            }
            if lang != doc.lang {
                out.push(Finding::new(
                    CheckId::WrongLanguage,
                    Severity::Major,
                    sentence.span,
                    format!("Sentence in {}, not {}", lang.name(), doc.lang.name()),
                ));
                continue;
            }
            ctx.foreign_words(doc.text, &words_in(doc.text, sentence.span), out);
        }
    }
}

/// The words [`WrongLanguage`] looked up in the allow-lists before reporting `finding`:
/// the whole sentence for a sentence in another language, else each word of the run (or
/// the garbled word).
pub(super) fn allow_words<'t>(
    text: &'t str,
    sentence: &Sentence,
    finding: &Finding,
) -> Vec<&'t str> {
    if finding.span == sentence.span {
        return vec![sentence.span.slice(text)];
    }
    words_in(text, finding.span)
        .into_iter()
        .map(|w| w.text)
        .collect()
}

/// A piece of a word with the language it belongs to.
type Part<'w> = (Lang, &'w str);

struct Context<'a> {
    doc: &'a Document<'a>,
    home: &'static Lexicon,
    foreign: &'a [(Lang, &'static Lexicon)],
}

impl Context<'_> {
    /// "bilaterales", "Kommentaren": an inflected form missing from the home word list whose
    /// stem (one or two letters shorter) is on it.
    fn is_inflected_home_word(&self, word: &str) -> bool {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        (1..=2).any(|cut| {
            chars.len() >= MIN_STEM_CHARS + cut
                && self.home.contains(&word[..chars[chars.len() - cut].0])
        })
    }

    /// The foreign language `word` belongs to, if the evidence is good enough to flag it.
    /// `frequencies`: the word's in every lexicon ([`lexicon::frequencies`]).
    fn foreign_word_language(
        &self,
        word: &Word<'_>,
        frequencies: &Frequencies,
        sentence_initial: bool,
    ) -> Option<Lang> {
        let chars = word.text.chars().count();
        if chars < MIN_WORD_CHARS
            || word.is_acronym()
            || !word.text.chars().all(char::is_alphabetic)
            || frequencies.of(self.doc.lang).is_some()
            || self.is_inflected_home_word(word.text)
            || self.doc.settings.is_allowed(word.text)
        {
            return None;
        }
        let known_in: Vec<(Lang, f32)> = self
            .foreign
            .iter()
            .filter_map(|&(l, _)| frequencies.of(l).map(|z| (l, z)))
            .collect();
        // Found in most other languages: a name or international term ("Erdogan", "Rubio").
        if known_in.len() >= 3 {
            return None;
        }
        let &(lang, z) = known_in.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
        let capitalised = word.is_capitalised();
        // In German every noun is capitalised, so a capitalised word there is a noun or a
        // name (a loanword such as "Impeachment", or "Pompeo"): not judged on its own.
        if capitalised && self.doc.lang == Lang::GERMAN {
            return None;
        }
        if capitalised && !sentence_initial {
            // Mid-sentence capitals are names, or German nouns. Only a long word known in
            // German alone is taken as a German noun in another language's article.
            let german_noun = lang == Lang::GERMAN
                && known_in.len() == 1
                && chars >= 8
                && z >= MIN_GERMAN_NOUN_ZIPF;
            return german_noun.then_some(lang);
        }
        let min_zipf = if capitalised {
            MIN_FOREIGN_ZIPF_CAPITALISED
        } else {
            MIN_FOREIGN_ZIPF
        };
        (z >= min_zipf).then_some(lang)
    }

    /// "Nahenvoyé": a word in no lexicon, made of a word from one foreign language and a
    /// common word of at least six letters from another. Returns the two parts and languages.
    /// `frequencies`: the word's in every lexicon ([`lexicon::frequencies`]).
    fn hybrid<'w>(&self, word: &'w str, frequencies: &Frequencies) -> Option<(Part<'w>, Part<'w>)> {
        // Both parts must be listed foreign words, so a word longer than two of the longest
        // cannot be a hybrid. Trying every split of it would take time quadratic in its
        // length: minutes for a 200 KB run of glued compounds.
        let longest_part = self
            .foreign
            .iter()
            .map(|(_, lex)| lex.longest_word_chars())
            .max()
            .unwrap_or(0);
        let chars = word.chars().count();
        if chars < 8
            || chars > 2 * longest_part
            || !word.chars().all(char::is_alphabetic)
            || frequencies.is_listed()
            || self.doc.settings.is_allowed(word)
        {
            return None;
        }
        let all =
            || std::iter::once((self.doc.lang, self.home)).chain(self.foreign.iter().copied());
        // The language where `part` is most frequent (the last of equals), with its lexicon
        // and frequency; each lexicon is asked once.
        let most_frequent = |languages: &mut dyn Iterator<Item = (Lang, &'static Lexicon)>,
                             part: &str| {
            languages
                .map(|(lang, lex)| (lang, lex, zipf(lex, part)))
                .max_by(|a, b| a.2.total_cmp(&b.2))
        };
        for (split, _) in word.char_indices().skip(3) {
            let (prefix, suffix) = word.split_at(split);
            // Suffixes only get shorter from here.
            if suffix.chars().count() < MIN_HYBRID_SUFFIX_CHARS {
                break;
            }
            if self.home.contains(suffix) {
                continue;
            }
            let Some((suffix_lang, suffix_lex, _)) =
                most_frequent(&mut self.foreign.iter().copied(), suffix)
                    .filter(|&(_, _, z)| z >= MIN_HYBRID_SUFFIX_ZIPF)
            else {
                continue;
            };
            let Some((prefix_lang, _, prefix_zipf)) = most_frequent(&mut all(), prefix) else {
                continue;
            };
            // The prefix must clearly belong to a third language, not to the article's.
            if prefix_lang != self.doc.lang
                && prefix_lang != suffix_lang
                && prefix_zipf >= MIN_HYBRID_PREFIX_ZIPF
                && prefix_zipf - zipf(suffix_lex, prefix) >= FAVOUR_MARGIN
            {
                return Some(((prefix_lang, prefix), (suffix_lang, suffix)));
            }
        }
        None
    }

    /// Flags the foreign words among `tokens` (words of `text`, the article) and the
    /// garbled hybrids.
    fn foreign_words(&self, text: &str, tokens: &[Word<'_>], out: &mut Vec<Finding>) {
        // Runs of consecutive foreign words of one language become one finding.
        let mut run: Option<(Lang, usize, usize)> = None; // language, first and last token
        let flush = |run: &mut Option<(Lang, usize, usize)>, out: &mut Vec<Finding>| {
            if let Some((lang, first, last)) = run.take() {
                let span = Span::new(tokens[first].span.start, tokens[last].span.end);
                let count = last - first + 1;
                let severity = if count >= MAJOR_RUN_WORDS {
                    Severity::Major
                } else {
                    Severity::Minor
                };
                let what = if count == 1 { "word" } else { "words" };
                out.push(Finding::new(
                    CheckId::WrongLanguage,
                    severity,
                    span,
                    format!(
                        "{} {what} \"{}\" in a text in {}",
                        lang.name(),
                        span.slice(text),
                        self.doc.lang.name()
                    ),
                ));
            }
        };
        for (index, word) in tokens.iter().enumerate() {
            let frequencies = lexicon::frequencies(word.text);
            if let Some(((prefix_lang, prefix), (suffix_lang, suffix))) =
                self.hybrid(word.text, &frequencies)
            {
                flush(&mut run, out);
                out.push(Finding::new(
                    CheckId::WrongLanguage,
                    Severity::Major,
                    word.span,
                    format!(
                        "Garbled word \"{}\": {} \"{prefix}\" glued to {} \"{suffix}\"",
                        word.text,
                        prefix_lang.name(),
                        suffix_lang.name()
                    ),
                ));
                continue;
            }
            match (
                self.foreign_word_language(word, &frequencies, index == 0),
                run,
            ) {
                (Some(lang), Some((run_lang, first, last)))
                    if run_lang == lang && last + 1 == index =>
                {
                    run = Some((lang, first, index));
                }
                (Some(lang), _) => {
                    flush(&mut run, out);
                    run = Some((lang, index, index));
                }
                (None, _) => flush(&mut run, out),
            }
        }
        flush(&mut run, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::document::CheckSettings;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_mentions, assert_not_flagged, finishes_within,
        run_check, run_check_with,
    };
    use std::time::Duration;

    #[test]
    fn english_boilerplate_sentences_in_german_article_are_major() {
        let t = "Der Kreml lehnte ab.\nLeave a Reply\nYour email address will not be published. Required fields are marked *";
        let english = [
            "Leave a Reply",
            "Your email address will not be published.",
            "Required fields are marked *",
        ];
        let f = assert_flags(
            &WrongLanguage,
            t,
            Lang::GERMAN,
            &english.map(|m| (m, Severity::Major)),
        );
        assert_mentions(&f[0], "English");
    }

    #[test]
    fn the_report_gives_a_sentence_the_language_its_finding_names() {
        let t = "Der Kreml lehnte ab.\nLeave a Reply\nYour email address will not be published.";
        let sentences = crate::segment::segment(t);
        let settings = crate::checks::document::CheckSettings::default();
        let doc = Document::new(t, Lang::GERMAN, &sentences, &settings);
        assert_eq!(
            doc.sentence_languages(),
            [Lang::GERMAN, Lang::ENGLISH, Lang::ENGLISH]
        );
        // A Dutch article has no word list: the detector alone decides, on long sentences.
        let dutch: Lang = "nl".parse().unwrap();
        assert!(lexicon::for_lang(dutch).is_none());
        let t = "De president heeft donderdag zijn ambtgenoot in het Kremlin ontmoet.\n\
                 Your email address will not be published, and required fields are marked.";
        let sentences = crate::segment::segment(t);
        let doc = Document::new(t, dutch, &sentences, &settings);
        assert_eq!(doc.sentence_languages(), [dutch, Lang::ENGLISH]);
    }

    #[test]
    fn german_names_loanwords_and_organisations_are_not_flagged() {
        let t = "Der Pressesprecher von Kreml, Dmitry Peskov, sagte gegenüber CNBC, das Team von Steve Witkoff \
                 arbeite im Homeoffice an einem Deal. Trump flog mit der Air Force One nach Riad. Der Lockdown \
                 endete. Volodymyr Dubovyk vom Center for European Policy Analysis kommentierte das. Recep Tayyip \
                 Erdogan sprach über Zaporozhye.";
        assert_not_flagged(&WrongLanguage, &[t], Lang::GERMAN);
    }

    #[test]
    fn german_words_in_italian_article_are_flagged() {
        let t = "fazit\nLa questione del controllo sui punti strategici, come lo Zaporozhye Kernkraftwerk, è centrale.\n\
                 Kommentare (0)";
        let german = ["fazit", "Kernkraftwerk", "Kommentare"].map(|m| (m, Severity::Minor));
        let f = assert_flags(&WrongLanguage, t, Lang::ITALIAN, &german);
        assert_mentions(&f[1], "German");
    }

    #[test]
    fn german_inflected_forms_are_not_foreign() {
        let t = "Sie hielten ein bilaterales Treffen ab.";
        assert_not_flagged(&WrongLanguage, &[t], Lang::GERMAN);
        let t = "Er schrieb: the meeting was published yesterday.";
        assert_flagged(&WrongLanguage, t, Lang::GERMAN, &["published yesterday"]);
    }

    #[test]
    fn italian_hybrid_word_is_major() {
        let t = "I negoziati guidati dal Nahenvoyé Steve Witkoff hanno portato a una svolta.";
        let f = assert_flags(
            &WrongLanguage,
            t,
            Lang::ITALIAN,
            &[("Nahenvoyé", Severity::Major)],
        );
        assert_mentions(&f[0], "French \"envoyé\"");
    }

    #[test]
    fn italian_names_and_loanwords_are_not_flagged() {
        let t = "Trump ha parlato con i giornalisti a bordo dell'Air Force One e il suo team ha discusso il deal \
                 con Dmitry Peskov e Recep Tayyip Erdogan sulla centrale di Zaporozhye.";
        assert_not_flagged(&WrongLanguage, &[t], Lang::ITALIAN);
    }

    #[test]
    fn long_glued_compound_takes_linear_time() {
        // Guards complexity, not speed: trying every split of the 200 KB "word" as a hybrid
        // took minutes.
        let text = format!(
            "Der Präsident sprach. {}",
            "Donaudampfschifffahrtsgesellschaftskapitän".repeat(4800)
        );
        let findings = finishes_within(Duration::from_secs(30), move || {
            run_check(&WrongLanguage, &text, Lang::ITALIAN)
        });
        assert!(findings.iter().all(|f| !f.message.starts_with("Garbled")));
    }

    #[test]
    fn allow_list_silences_a_word_and_a_hybrid_word() {
        let term = CheckSettings {
            allowed_terms: vec!["Kernkraftwerk".into()],
            ..Default::default()
        };
        let name = CheckSettings {
            allowed_names: vec!["Nahenvoyé".into()],
            ..Default::default()
        };
        for (t, settings) in [
            (
                "La questione della centrale Kernkraftwerk è centrale.",
                term,
            ),
            (
                "I negoziati guidati dal Nahenvoyé Steve Witkoff hanno portato a una svolta.",
                name,
            ),
        ] {
            assert_eq!(run_check(&WrongLanguage, t, Lang::ITALIAN).len(), 1, "{t}");
            assert!(
                run_check_with(&WrongLanguage, t, Lang::ITALIAN, &settings).is_empty(),
                "{t}"
            );
        }
    }
}
