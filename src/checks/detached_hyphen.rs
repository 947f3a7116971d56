//! A space before the hyphen of a compound: "US -Verhandlungsführer", "E -Mail -Kommentaren".
//!
//! Not flagged: dashes used as punctuation ("2023 - 2024", "Krieg - und Frieden", " – "),
//! list bullets, negative numbers, and German suspended compounds after a conjunction
//! ("Erzeugung und -verteilung").

use super::document::{Check, Document};
use crate::data::{CheckId, Finding, Severity, Span};
use regex::Regex;
use std::sync::LazyLock;

/// Words after which " -wort" is a suspended compound ("Ein- und -ausgang"), not an error.
const CONJUNCTIONS: &[&str] = &[
    "und",
    "oder",
    "bzw",
    "beziehungsweise",
    "sowie",
    "auch",
    "noch",
    "wie",
    "bis",
    "and",
    "or",
    "&",
];

// A word, then one or more " -Part" pieces (space(s), ASCII hyphen, a letter).
static COMPOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{L}\p{N}][\p{L}\p{N}.]*(?:[ \t\u{00A0}]+-\p{L}[\p{L}\p{N}]*(?:-[\p{L}\p{N}]+)*)+",
    )
    .expect("valid detached-hyphen pattern")
});

pub struct DetachedHyphen;

impl Check for DetachedHyphen {
    fn id(&self) -> CheckId {
        CheckId::DetachedHyphen
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        for sentence in doc.sentences {
            let text = doc.sentence_text(sentence);
            for m in COMPOUND.find_iter(text) {
                let first_word = m
                    .as_str()
                    .split(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or("");
                let first_lower = first_word.trim_end_matches('.').to_lowercase();
                if CONJUNCTIONS.contains(&first_lower.as_str()) {
                    continue;
                }
                // Part of a longer token such as a URL or "a.-b": not a compound of words.
                if text[..m.start()]
                    .ends_with(|c: char| !c.is_whitespace() && !"(„“\"'«»‚".contains(c))
                {
                    continue;
                }
                let compound = m.as_str();
                let joined: String = compound.split_whitespace().collect();
                out.push(Finding::new(
                    CheckId::DetachedHyphen,
                    Severity::Minor,
                    Span::new(m.start(), m.end()).shifted(sentence.span.start),
                    format!("Space before the hyphen in \"{compound}\" (write \"{joined}\")"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_mentions, assert_not_flagged,
    };
    use crate::data::Lang;

    #[test]
    fn german_detached_hyphens_are_flagged() {
        let t = "Die US -Verhandlungsführer sind wegen des Ukraine -Krieges in Moskau. \
                 Er sagte in E -Mail -Kommentaren, der Kreml -Sprecher schweige.\nCharly Triballeau | AFP | Getty -Bilder";
        let detached = [
            "US -Verhandlungsführer",
            "Ukraine -Krieges",
            "E -Mail -Kommentaren",
            "Kreml -Sprecher",
            "Getty -Bilder",
        ];
        let minor = detached.map(|m| (m, Severity::Minor));
        let f = assert_flags(&DetachedHyphen, t, Lang::GERMAN, &minor);
        assert_mentions(&f[2], "\"E-Mail-Kommentaren\"");
    }

    #[test]
    fn german_dashes_bullets_numbers_and_suspended_compounds_are_not_flagged() {
        assert_not_flagged(
            &DetachedHyphen,
            &[
                "Die Verhandlungen 2023 - 2024 scheiterten.",
                "Krieg - und Frieden.",
                "Krieg – und Frieden – sind Themen.",
                "- erster Punkt\n- zweiter Punkt",
                "Die Temperatur fiel auf -5 Grad.",
                "Die Energieerzeugung und -verteilung wird teurer.",
                "Die Lehrerinnen bzw. -lehrer streiken.",
                "Ein Russland-Ukraine-Konflikt.",
            ],
            Lang::GERMAN,
        );
    }

    #[test]
    fn italian_detached_hyphen_is_flagged_and_dashes_are_not() {
        let t = "Il vertice Nato -Russia è fallito.";
        assert_flagged(&DetachedHyphen, t, Lang::ITALIAN, &["Nato -Russia"]);
        assert_not_flagged(
            &DetachedHyphen,
            &[
                "La guerra - e la pace - sono temi.",
                "Il risultato è -3 per cento.",
                "Anni 2023 - 2024.",
            ],
            Lang::ITALIAN,
        );
    }
}
