//! Check 10: fragments and truncated text.
//!
//! - one-word "sentences" in running text ("... hinter die Kulissen zu gehen. Ukraine.");
//! - words cut off by an ellipsis at the end of a paragraph ("gemeinsame Erklä...");
//! - sentences that end with an article, preposition or conjunction ("... und den.");
//! - German "zu den von Washington sein": an article and "von" + name with no noun;
//! - a paragraph whose last sentence has no final punctuation, such as a dangling "Off";
//! - heading-like lines in the body of the article (minor: they may be subheadings).

use super::caption_credit::mentions_photo_credit;
use super::document::{Check, Document};
use super::words::{words_in, Word};
use crate::data::{CheckId, Finding, Lang, Sentence, SentenceKind, Severity, Span};
use crate::lexicon;

pub struct Fragment;

/// One-word sentences that are complete utterances.
const COMPLETE_ONE_WORD: &[&str] = &[
    "ja",
    "nein",
    "danke",
    "bitte",
    "gut",
    "okay",
    "ok",
    "richtig",
    "genau",
    "stimmt",
    "klar",
    "natürlich",
    "sicher",
    "vielleicht",
    "niemals",
    "nie",
    "immer",
    "jetzt",
    "heute",
    "morgen",
    "gestern",
    "ende",
    "schluss",
    "punkt",
    "aus",
    "los",
    "prima",
    "super",
    "toll",
    "schade",
    "falsch",
    "doch",
    "eben",
    "also",
    "nichts",
    "alles",
    "egal",
    "trotzdem",
    "sì",
    "si",
    "no",
    "grazie",
    "prego",
    "basta",
    "bene",
    "certo",
    "esatto",
    "appunto",
    "mai",
    "ecco",
    "perfetto",
    "fine",
    "ciao",
    "niente",
    "tutto",
    "sempre",
    "forse",
    "davvero",
    "yes",
    "thanks",
    "right",
    "fine",
    "nothing",
];

/// Words a sentence cannot end with (separable verb particles such as "an", "auf", "zu",
/// "ein" are left out on purpose: "Er kommt an.", "Er räumte es ein.").
fn final_function_words(lang: Lang) -> &'static [&'static str] {
    match lang.code() {
        "de" => &[
            "den", "dem", "des", "einen", "einem", "eines", "zum", "zur", "beim", "vom", "im",
            "von", "für", "und", "oder", "sondern", "dass", "weil", "ob", "sowie", "zwischen",
            "ohne",
        ],
        "it" => &[
            "il", "gli", "un", "uno", "di", "da", "del", "della", "dei", "degli", "delle", "dello",
            "al", "alla", "ai", "agli", "alle", "allo", "dal", "dalla", "nel", "nella", "nei",
            "sul", "sulla", "con", "per", "tra", "fra", "e", "ed", "o", "ma",
        ],
        "en" => &["the", "an", "of", "and", "or"],
        _ => &[],
    }
}

const GERMAN_ARTICLES: &[&str] = &["den", "dem", "der", "des", "die", "das"];
const GERMAN_PREPOSITIONS: &[&str] = &[
    "zu", "von", "mit", "nach", "bei", "aus", "in", "an", "auf", "für", "über", "unter", "vor",
    "gegen", "durch", "um", "ohne",
];
const GERMAN_AUXILIARIES: &[&str] = &[
    "sein", "ist", "sind", "war", "waren", "wäre", "würde", "würden", "wird", "werden",
];

/// Lines at the top of an article (title, subtitle or first caption) that may be headings.
const TOP_LINES: usize = 2;
/// A heading with more words than this is rather a paragraph that lost its full stop.
const MAX_HEADING_WORDS: usize = 12;

const TERMINALS: &[char] = &['.', '!', '?', '…'];
const CLOSERS: &[char] = &['"', '\'', '”', '“', '’', '»', '«', ')', ']', '›', ':'];

impl Check for Fragment {
    fn id(&self) -> CheckId {
        CheckId::Fragment
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let mut line_index = 0;
        for (k, sentence) in doc.sentences.iter().enumerate() {
            let previous = k.checked_sub(1).map(|p| &doc.sentences[p]);
            let next = doc.sentences.get(k + 1);
            let starts_line = previous.is_none_or(|p| !same_line(doc.text, p.span, sentence.span));
            let ends_line = next.is_none_or(|n| !same_line(doc.text, sentence.span, n.span));
            if starts_line && k > 0 {
                line_index += 1;
            }
            let alone = starts_line && ends_line;
            let words = words_in(doc.text, sentence.span);
            match sentence.kind {
                SentenceKind::Heading => check_heading(doc, sentence, &words, line_index, out),
                SentenceKind::Sentence => {
                    check_one_word(doc, sentence, previous, &words, alone, out);
                    check_final_function_word(doc, sentence, &words, out);
                    check_article_von_name(doc, &words, out);
                    // After "..." a headline may go on in lower case without a full stop;
                    // after "129." the segmenter may have split a heading at a number.
                    let after_ellipsis_or_number = previous.is_some_and(|p| {
                        let t = doc.sentence_text(p);
                        t.ends_with("..") || t.ends_with('…') || ends_with_number(t)
                    });
                    if ends_line && !alone && !after_ellipsis_or_number {
                        check_unterminated(doc, sentence, &words, out);
                    }
                }
            }
            if ends_line {
                check_truncated_word(doc, sentence, &words, out);
            }
        }
    }
}

/// The word [`Fragment`] looked up in the allow-lists before reporting `finding`: the word
/// of a one-word sentence ("Ukraine."). Its other findings have none, nor has a one-word
/// sentence cut off by an ellipsis, whose truncated-word finding shares its span.
pub(super) fn allow_words<'t>(
    text: &'t str,
    sentence: &Sentence,
    finding: &Finding,
) -> Vec<&'t str> {
    let sentence_text = sentence.span.slice(text);
    let one_word_fragment = sentence.kind == SentenceKind::Sentence
        && finding.span == sentence.span
        && ends_with_full_stop(sentence_text)
        && !sentence_text.contains("..")
        && !sentence_text.contains('…');
    if !one_word_fragment {
        return Vec::new();
    }
    match words_in(text, sentence.span).as_slice() {
        [word] => vec![word.text],
        _ => Vec::new(),
    }
}

fn same_line(text: &str, a: Span, b: Span) -> bool {
    !text[a.end..b.start].contains('\n')
}

fn ends_with_number(text: &str) -> bool {
    text.strip_suffix('.')
        .is_some_and(|t| t.ends_with(|c: char| c.is_ascii_digit()))
}

fn ends_with_full_stop(text: &str) -> bool {
    text.trim_end_matches(CLOSERS).ends_with('.') && !text.ends_with("...")
}

fn check_one_word(
    doc: &Document<'_>,
    sentence: &Sentence,
    previous: Option<&Sentence>,
    words: &[Word<'_>],
    alone: bool,
    out: &mut Vec<Finding>,
) {
    let [word] = words else { return };
    let text = doc.sentence_text(sentence);
    if !ends_with_full_stop(text)
        || word.text.chars().count() < 3
        || !word.text.chars().all(char::is_alphabetic)
    {
        return;
    }
    // "sein 22. Saisontor.": an ordinal the segmenter took for a sentence end.
    if !alone && previous.is_some_and(|p| ends_with_number(doc.sentence_text(p))) {
        return;
    }
    if COMPLETE_ONE_WORD.contains(&word.text.to_lowercase().as_str())
        || doc.settings.is_allowed(word.text)
    {
        return;
    }
    // Inside running text a lone word is a leftover; alone on its line it may be a label.
    let severity = if alone {
        Severity::Minor
    } else {
        Severity::Major
    };
    out.push(finding(
        sentence.span,
        severity,
        format!("one-word fragment {:?} standing as a sentence", word.text),
    ));
}

fn check_final_function_word(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let Some(last) = words.last() else { return };
    let text = doc.sentence_text(sentence);
    let tail = &doc.text[last.span.end..sentence.span.end];
    if words.len() < 3
        || !ends_with_full_stop(text)
        || !tail.chars().all(|c| c == '.' || CLOSERS.contains(&c))
    {
        return;
    }
    if final_function_words(doc.lang).contains(&last.text.to_lowercase().as_str()) {
        out.push(finding(
            last.span,
            Severity::Major,
            format!(
                "sentence breaks off after {:?} (an article, preposition or conjunction)",
                last.text
            ),
        ));
    }
}

/// "zu den von Washington sein": article + "von" + name, then a verb or the end, so the
/// noun the article announces is missing.
fn check_article_von_name(doc: &Document<'_>, words: &[Word<'_>], out: &mut Vec<Finding>) {
    if doc.lang != Lang::GERMAN {
        return;
    }
    for k in 1..words.len().saturating_sub(2) {
        let (prep, article, von, name) = (&words[k - 1], &words[k], &words[k + 1], &words[k + 2]);
        let followed_by_verb_or_end = words.get(k + 3).is_none_or(|w| {
            GERMAN_AUXILIARIES.contains(&w.text)
                || !doc.text[name.span.end..w.span.start].trim().is_empty()
        });
        let plain_gaps = [(prep, article), (article, von), (von, name)]
            .iter()
            .all(|(a, b)| {
                doc.text[a.span.end..b.span.start]
                    .chars()
                    .all(char::is_whitespace)
            });
        if plain_gaps
            && GERMAN_PREPOSITIONS.contains(&prep.text)
            && GERMAN_ARTICLES.contains(&article.text)
            && (von.text == "von" || von.text == "vom")
            && name.is_capitalised()
            && followed_by_verb_or_end
        {
            out.push(finding(
                Span::new(article.span.start, name.span.end),
                Severity::Minor,
                format!(
                    "incomplete phrase {:?}: the noun after the article is missing",
                    &doc.text[article.span.start..name.span.end]
                ),
            ));
        }
    }
}

/// The last sentence of a paragraph without final punctuation: a dangling word ("Off")
/// or a cut-off sentence.
fn check_unterminated(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let text = doc.sentence_text(sentence);
    let last = text.chars().last().unwrap_or('.');
    if TERMINALS.contains(&last)
        || CLOSERS.contains(&last)
        || last == ';'
        || mentions_photo_credit(words)
    {
        return;
    }
    let (severity, message) = if words.len() <= 2 {
        (
            Severity::Major,
            format!("dangling {:?} at the end of the paragraph", text),
        )
    } else {
        (
            Severity::Minor,
            "the paragraph ends without final punctuation (cut off?)".to_string(),
        )
    };
    out.push(finding(sentence.span, severity, message));
}

/// "Erklä..." at the end of a paragraph: a word that is no word of the language, cut
/// off by an ellipsis.
fn check_truncated_word(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    out: &mut Vec<Finding>,
) {
    let Some(last) = words.last() else { return };
    let Some(lex) = lexicon::for_lang(doc.lang) else {
        return;
    };
    let tail = &doc.text[last.span.end..sentence.span.end];
    let cut = tail.starts_with("...") || tail.starts_with('…');
    if cut
        && tail
            .trim_start_matches(['.', '…'])
            .trim_matches(CLOSERS)
            .is_empty()
        && last.text.chars().all(char::is_alphabetic)
        && !lex.contains(last.text)
    {
        out.push(finding(
            Span::new(last.span.start, sentence.span.end),
            Severity::Major,
            format!(
                "word cut off: {:?}",
                &doc.text[last.span.start..sentence.span.end]
            ),
        ));
    }
}

fn check_heading(
    doc: &Document<'_>,
    sentence: &Sentence,
    words: &[Word<'_>],
    line_index: usize,
    out: &mut Vec<Finding>,
) {
    let text = doc.sentence_text(sentence);
    if text.ends_with(',') {
        out.push(finding(
            sentence.span,
            Severity::Major,
            "the paragraph breaks off after a comma",
        ));
        return;
    }
    if line_index < TOP_LINES
        || text.contains('|')
        || mentions_photo_credit(words)
        || words.is_empty()
    {
        return;
    }
    let message = if words.len() > MAX_HEADING_WORDS {
        "the paragraph ends without final punctuation (cut off, or a caption)"
    } else {
        "heading-like line in the body of the article"
    };
    out.push(finding(sentence.span, Severity::Minor, message));
}

/// A `fragment` finding.
fn finding(span: Span, severity: Severity, message: impl Into<String>) -> Finding {
    Finding::new(CheckId::Fragment, severity, span, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_flagged, assert_flags, assert_not_flagged};

    #[test]
    fn one_word_sentences_in_running_text() {
        let text =
            "Washington hat sich dafür eingesetzt, nicht hinter die Kulissen zu gehen. Ukraine.";
        assert_flags(
            &Fragment,
            text,
            Lang::GERMAN,
            &[("Ukraine.", Severity::Major)],
        );
        let text = "Dorothy Shea rief die Klage an. Konflikt.”";
        assert_flagged(&Fragment, text, Lang::GERMAN, &["Konflikt.”"]);
        let text = "Il ministro ha parlato a lungo. Guerra.";
        assert_flagged(&Fragment, text, Lang::ITALIAN, &["Guerra."]);
        assert_not_flagged(
            &Fragment,
            &[
                "Hat er das gesagt? Nein. Wir streben danach. Warum?",
                "Danny Ings erzielte dabei sein 22. Saisontor.",
            ],
            Lang::GERMAN,
        );
        assert_not_flagged(
            &Fragment,
            &["Lo farà? Certo. Ha detto di sì."],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn sentences_ending_in_function_words() {
        let text = "Die Ukraine verhandelt mit den.";
        assert_flagged(&Fragment, text, Lang::GERMAN, &["den"]);
        let text = "La Russia ha parlato con la delegazione della.";
        assert_flagged(&Fragment, text, Lang::ITALIAN, &["della"]);
        assert_not_flagged(
            &Fragment,
            &[
                "Er kommt morgen an. Sie stimmten zu. Das Treffen fand im März statt.",
                "Sie setzten die Regel ein.",
                "Die Polizei nahm ihn fest.",
            ],
            Lang::GERMAN,
        );
        assert_not_flagged(
            &Fragment,
            &["Non so perché. Lo ha detto lui."],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn german_article_von_name_without_noun() {
        let text = "Ein Deal würde zu Moskaus Bedingungen und nicht zu den von Washington sein.";
        assert_flagged(&Fragment, text, Lang::GERMAN, &["den von Washington"]);
        let fine = "Er stimmte zu den von Washington geforderten Bedingungen. Die von Russland besetzten Gebiete bleiben.";
        assert_not_flagged(&Fragment, &[fine], Lang::GERMAN);
    }

    #[test]
    fn dangling_words_and_truncation() {
        let text = "Ma questa conversazione sarà un test cruciale a pagamento. Off\n";
        assert_flags(&Fragment, text, Lang::ITALIAN, &[("Off", Severity::Major)]);
        let text = "Der Deal steht. Der in einer gemeinsame Erklä...\n";
        assert_flagged(&Fragment, text, Lang::GERMAN, &["Erklä..."]);
        assert_not_flagged(
            &Fragment,
            &[
                "Und dann... kam er nicht. Er wartete und wartete...\n",
                "Cummings wird als Geisel gehalten ... auf Stützpunktrundgang\n",
            ],
            Lang::GERMAN,
        );
        let text = "Die Gespräche laufen, sagte er.\nDie Regierung in Rom hat erklärt,\n";
        assert_flagged(
            &Fragment,
            text,
            Lang::GERMAN,
            &["Die Regierung in Rom hat erklärt,"],
        );
    }

    #[test]
    fn headings_in_the_body_are_minor_titles_and_credits_fine() {
        let text = "Trump parla con Putin\n\nLa telefonata è prevista martedì.\n\nKevin Lamarque | Reuters\n\n\
                    Il presidente ha parlato.\n\nil ruolo del Cremlino\n\nIl Cremlino ha spiegato tutto.\n";
        let title = [("il ruolo del Cremlino", Severity::Minor)];
        assert_flags(&Fragment, text, Lang::ITALIAN, &title);
        let de = "Kreml sagt nichts\nDer Präsident sprach mit Reportern.\nZuschauer skeptisch\nAnalysten sind skeptisch.\n";
        assert_flagged(&Fragment, de, Lang::GERMAN, &["Zuschauer skeptisch"]);
    }
}
