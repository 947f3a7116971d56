//! Photo captions and credit lines left in the article body: standalone credit lines
//! ("Evelyn Hockstein | Reuters", "Kreml.ru | Über Reuters"), credits glued to the end of a
//! sentence ("die Hand.Gavriil Grigorov/Reuters"), and caption sentences (the line above a
//! credit line, or a sentence that describes a photo: "in diesem Standbild aus dem Video").

use super::document::{Check, Document};
use super::words::Word;
use crate::data::{CheckId, Finding, SentenceKind, Severity, Span};
use regex::Regex;
use std::sync::LazyLock;

/// Photo and news agencies and pool names that credits name, as regular expressions
/// (any case). The one list: the credit-line patterns and [`mentions_photo_credit`]
/// both read it.
const AGENCIES: &[&str] = &[
    "Reuters",
    "AP",
    "AFP",
    "dpa",
    r"Getty(?:\s*-?\s*(?:Images|Bilder|Immagini))?",
    "ANSA",
    r"EPA(?:-EFE)?",
    "EFE",
    r"Imago(?:\s+images)?",
    "Bloomberg",
    "Shutterstock",
    "iStock",
    "LaPresse",
    "Keystone",
    r"picture[\s-]alliance",
    "TASS",
    "Xinhua",
    "Sputnik",
    "Anadolu",
    "ddp",
    "APA",
    r"Kremlin\.ru",
    r"Kreml\.ru",
    r"Cremlino\.ru",
    "Pool",
    "Handout",
    "Sipa",
    "NurPhoto",
    "ZUMA",
];

/// [`AGENCIES`] as one group of alternatives, in any case.
fn agency_pattern() -> String {
    format!("(?i:{})", AGENCIES.join("|"))
}

/// "über" / "via" / "tramite" before the agency ("Sergei Ilnitsky | Über Reuters").
const VIA: &str = r"(?:(?i:über|via|tramite|per|durch)\s+)?";

/// A credit: one to four name-like pieces separated by " | " or "/", at least one an agency.
static CREDIT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // Up to four words: a photographer's name, a site ("Kreml.ru"), an agency.
    let piece = r"[\p{L}\p{N}][\p{L}\p{N}.'’-]*(?: [\p{L}\p{N}][\p{L}\p{N}.'’-]*){0,3}";
    let agency = agency_pattern();
    Regex::new(&format!(
            r"^(?:(?i:foto|photo|bild|credit[io]?)\s*:\s*)?(?:{piece}\s*[|/]\s*)*{VIA}{agency}(?:\s*[|/]\s*{VIA}{piece})*$"
        ))
        .expect("valid credit pattern")
});

/// A credit glued to the end of a sentence: "die Hand.Gavriil Grigorov/Reuters".
static GLUED_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    let name = r"\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3}";
    let agency = agency_pattern();
    Regex::new(&format!(r"[.!?…”“\x22»](?P<credit>{name}\s*[/|]\s*{VIA}{agency}(?:\s*[/|]\s*[\p{{L}} -]{{2,30}})?)\s*$"))
            .expect("valid glued credit pattern")
});

/// Phrases by which a sentence describes a photo rather than reports news.
static CAPTION_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
            r"(?i)\b(?:in (?:diesem|einem) (?:Standbild|Videostandbild|Foto|Archivbild|Handout-Foto|Bild aus)|auf (?:diesem|dem oben|dem hier) (?:Foto|Bild|Archivbild)|(?:in|on) this (?:photo|handout photo|still image|file photo|picture|screen grab)|in (?:questa|quest'|un') ?(?:foto|immagine)|in un fermo immagine|nella foto (?:di archivio|d'archivio))\b",
        )
        .expect("valid caption pattern")
});

/// Words of a photo credit or caption line besides the agencies' names.
const PHOTO_WORDS: &[&str] = &[
    "foto", "photo", "bild", "bilder", "images", "picture", "alliance",
];

/// A whole word that is an agency's name.
static AGENCY_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{}$", agency_pattern())).expect("valid agency pattern"));

/// Whether the words name a photo agency or picture credit ("Kevin Lamarque | Reuters").
pub(super) fn mentions_photo_credit(words: &[Word<'_>]) -> bool {
    words.iter().any(|w| {
        PHOTO_WORDS.contains(&w.text.to_lowercase().as_str()) || AGENCY_WORD.is_match(w.text)
    })
}

pub struct CaptionCredit;

impl Check for CaptionCredit {
    fn id(&self) -> CheckId {
        CheckId::CaptionCredit
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let mut previous: Option<usize> = None;
        let mut flagged_caption: Option<usize> = None;
        for (index, sentence) in doc.sentences.iter().enumerate() {
            let text = doc.sentence_text(sentence);
            if let Some(c) = GLUED_CREDIT.captures(text).and_then(|c| c.name("credit")) {
                let span = Span::new(c.start(), c.end()).shifted(sentence.span.start);
                out.push(Finding::new(
                    CheckId::CaptionCredit,
                    Severity::Major,
                    span,
                    format!(
                        "Photo credit \"{}\" glued to the end of a sentence",
                        c.as_str()
                    ),
                ));
                flagged_caption = Some(index);
            } else if is_credit_line(text) {
                out.push(Finding::new(
                    CheckId::CaptionCredit,
                    Severity::Major,
                    sentence.span,
                    format!("Photo credit line \"{text}\" in the article text"),
                ));
                // The line above a credit line is its photo caption.
                if let Some(p) = previous.filter(|&p| flagged_caption != Some(p)) {
                    let caption = doc.sentences[p].span;
                    if on_line_before(doc.text, caption, sentence.span)
                        && !is_credit_line(caption.slice(doc.text))
                    {
                        out.push(caption_finding(
                            whole_line_up_to(doc.text, caption),
                            "it stands above a photo credit",
                        ));
                        flagged_caption = Some(p);
                    }
                }
            } else if sentence.kind == SentenceKind::Sentence && CAPTION_PHRASE.is_match(text) {
                out.push(caption_finding(sentence.span, "it describes a photo"));
                flagged_caption = Some(index);
            }
            previous = Some(index);
        }
    }
}

fn is_credit_line(text: &str) -> bool {
    text.chars().count() <= 100 && CREDIT_LINE.is_match(text)
}

/// Whether `caption` ends the line just before the one where `credit` starts (blank lines
/// between them allowed).
fn on_line_before(text: &str, caption: Span, credit: Span) -> bool {
    text[caption.end..credit.start].contains('\n')
        && text[caption.end..credit.start].trim().is_empty()
}

/// `last` extended back to the start of its line: a caption can run over several sentences.
fn whole_line_up_to(text: &str, last: Span) -> Span {
    let line_start = text[..last.start].rfind('\n').map_or(0, |i| i + 1);
    let leading =
        text[line_start..last.start].len() - text[line_start..last.start].trim_start().len();
    Span::new(line_start + leading, last.end)
}

fn caption_finding(span: Span, why: &str) -> Finding {
    Finding::new(
        CheckId::CaptionCredit,
        Severity::Minor,
        span,
        format!("Photo caption in the article text ({why})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_flags, assert_not_flagged, flagged, run_check};
    use crate::data::Lang;

    /// The text of the findings of `severity`.
    fn flagged_at<'t>(text: &'t str, findings: &[Finding], severity: Severity) -> Vec<&'t str> {
        findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| f.span.slice(text))
            .collect()
    }

    #[test]
    fn german_credit_lines_are_flagged_with_their_captions() {
        let t = "Putin nimmt am 13. März 2025 an einem Treffen im Kreml teil.\nMaxim shemetov | Reuters\n\
                 Der Kreml lehnte ab.\n\nSergei Ilnitsky | Über Reuters\n\nCharly Triballeau | AFP | Getty -Bilder\n\
                 Kreml.ru | Über Reuters\nKevin Lamarque | Reuters";
        let f = run_check(&CaptionCredit, t, Lang::GERMAN);
        let majors = flagged_at(t, &f, Severity::Major);
        assert_eq!(
            majors,
            [
                "Maxim shemetov | Reuters",
                "Sergei Ilnitsky | Über Reuters",
                "Charly Triballeau | AFP | Getty -Bilder",
                "Kreml.ru | Über Reuters",
                "Kevin Lamarque | Reuters"
            ]
        );
        let minors = flagged_at(t, &f, Severity::Minor);
        assert_eq!(
            minors,
            [
                "Putin nimmt am 13. März 2025 an einem Treffen im Kreml teil.",
                "Der Kreml lehnte ab."
            ]
        );
    }

    #[test]
    fn every_agency_makes_a_credit_line_and_a_credit_word() {
        let plain = AGENCIES
            .iter()
            .filter(|a| a.chars().all(char::is_alphabetic));
        for agency in plain {
            for spelling in [agency.to_string(), agency.to_uppercase()] {
                let line = format!("Der Kreml lehnte ab.\nMaxim Shemetov | {spelling}\n");
                let f = run_check(&CaptionCredit, &line, Lang::GERMAN);
                assert!(
                    flagged(&line, &f).contains(&format!("Maxim Shemetov | {spelling}").as_str()),
                    "{spelling}: {:?}",
                    flagged(&line, &f)
                );
                let caption = format!("Foto {spelling}");
                let words = crate::checks::words::words_in(&caption, Span::new(0, caption.len()));
                assert!(mentions_photo_credit(&words), "{spelling}");
            }
        }
        let words = |t: &'static str| crate::checks::words::words_in(t, Span::new(0, t.len()));
        assert!(!mentions_photo_credit(&words("Zuschauer skeptisch")));
        assert!(mentions_photo_credit(&words(
            "Charly Triballeau | AFP | Getty -Bilder"
        )));
    }

    #[test]
    fn german_glued_credit_is_flagged_tightly() {
        let t = "Putin schüttelt Witkoff die Hand.Gavriil Grigorov/Reuters\nDer Kreml sagte am Sonntag etwas.";
        let credit = [("Gavriil Grigorov/Reuters", Severity::Major)];
        assert_flags(&CaptionCredit, t, Lang::GERMAN, &credit);
    }

    #[test]
    fn german_photo_description_is_a_minor_caption() {
        let t =
            "Putin besucht die Region Kursk am 12. März 2025 in diesem Standbild aus dem Video.";
        let f = run_check(&CaptionCredit, t, Lang::GERMAN);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Minor);
    }

    #[test]
    fn german_news_about_agencies_is_not_flagged() {
        let t = "Dies berichtet Reuters unter Berufung auf Quellen.\nDie USA lehnten ab – Details von Reuters\n\
                 Die Agentur AFP meldete, AP und dpa bestätigten das.\nPreise 2023/2024";
        assert_not_flagged(&CaptionCredit, &[t], Lang::GERMAN);
    }

    #[test]
    fn italian_credits_are_flagged_and_news_is_not() {
        let t = "Il presidente parla ai giornalisti.\nFoto: ANSA\nIl ministro a Roma.Mauro Scrobogna/LaPresse";
        let f = run_check(&CaptionCredit, t, Lang::ITALIAN);
        let majors = flagged_at(t, &f, Severity::Major);
        assert_eq!(majors, ["Foto: ANSA", "Mauro Scrobogna/LaPresse"]);
        let clean = "Secondo l'agenzia ANSA, il governo è stabile.\nLa Reuters ha diffuso la notizia in questa settimana.";
        assert_not_flagged(&CaptionCredit, &[clean], Lang::ITALIAN);
    }
}
