//! Web boilerplate and page chrome copied into the article: comment forms ("Leave a Reply"),
//! link lists ("Verwandte Themen:", "Leggi anche"), share/subscribe/cookie lines, rights
//! notices, syndication disclaimers, plus the user's own patterns.
//!
//! Severity: boilerplate is critical. It is not a translation blemish but text that must not
//! be published as part of the article at all; a report that only marks it major would let
//! an article with a comment form or a feed disclaimer in its body pass a lenient gate.

use super::document::{Check, Document};
use crate::data::{CheckId, Finding, Severity, Span};
use regex::Regex;
use std::sync::OnceLock;

struct Pattern {
    regex: Regex,
    /// What kind of boilerplate it is, for the message.
    kind: &'static str,
}

/// Lines that are boilerplate as a whole (matched against the trimmed line, any case).
const WHOLE_LINE: &[(&str, &str)] = &[
    // Comment forms and counters
    (r"leave a (reply|comment)", "comment form"),
    (
        r"(hinterlasse|schreibe) (einen|deinen) kommentar|kommentar (schreiben|verfassen)",
        "comment form",
    ),
    (r"lascia un commento|scrivi un commento", "comment form"),
    (
        r"(kommentare|comments?|commenti)\s*\(\d+\)",
        "comment counter",
    ),
    // Link lists and navigation
    (
        r"(verwandte themen|weitere nachrichten|weitere artikel|mehr zum thema|das könnte sie auch interessieren|auch interessant|zum thema|meistgelesen)\s*:?",
        "link list heading",
    ),
    (
        r"(related (articles|posts|topics|stories)|read more|more news|you may also like|recommended)\s*:?",
        "link list heading",
    ),
    (
        r"(articoli correlati|potrebbe interessarti|ti potrebbe interessare|altre notizie|leggi anche|leggi di più|approfondimenti)\s*:?",
        "link list heading",
    ),
    (
        r"(lesen sie (auch|mehr)|weiterlesen|zum artikel|zur startseite)\s*:?",
        "link list heading",
    ),
    (
        r"(lesen sie auch|siehe auch|mehr zum thema|read more|see also|leggi anche|vedi anche)\s*:.{1,120}",
        "link to another article",
    ),
    // Sharing, subscribing, advertising
    (
        r"(teilen|artikel teilen|jetzt teilen|share( this( article| story)?)?|tweet|condividi( su \w+)?|condividi (l'articolo|questo articolo))\s*:?",
        "share button",
    ),
    (
        r"(jetzt )?(den )?newsletter (abonnieren|bestellen)|subscribe( to our newsletter| now)?|iscriviti( alla (nostra )?newsletter)?",
        "subscription prompt",
    ),
    (
        r"anzeige|werbung|advertisement|pubblicità|sponsored",
        "advertising label",
    ),
    (
        r"(alle rechte vorbehalten|all rights reserved|tutti i diritti riservati|riproduzione riservata)\.?",
        "rights notice",
    ),
    (r"(©|\(c\)|copyright)\s.{0,80}", "rights notice"),
    (
        r"(foto|bild|photo|fotos|immagine|credit[io]?)\s*:\s*.{1,60}",
        "photo credit label",
    ),
];

/// Boilerplate found anywhere in a line; the match itself is the span.
const INLINE: &[(&str, &str)] = &[
    (
        r"your email address will not be published\.?(\s*required fields are marked \*?)?",
        "comment form",
    ),
    (r"required fields are marked \*?", "comment form"),
    (
        r"(deine|ihre) e-?mail-?adresse wird nicht veröffentlicht\.?(\s*erforderliche felder sind (mit \*|markiert)[^.]*\.?)?",
        "comment form",
    ),
    (
        r"il tuo indirizzo (e-?mail )?non sarà pubblicato\.?(\s*i campi obbligatori sono contrassegnati \*?)?",
        "comment form",
    ),
    (
        r"\(?dies ist ein unbearbeiteter artikel, der automatisch aus einem syndizierten newsfeed generiert wurde\.[^)\n]*\)?",
        "syndication disclaimer",
    ),
    (
        r"\(?this (story|article) (has not been|was not) edited by .{1,80}? (staff )?and is (auto-)?(generated|published) from a syndicated feed\.?\)?",
        "syndication disclaimer",
    ),
    (
        r"(diese (website|seite) verwendet cookies|wir verwenden cookies|this (web)?site uses cookies|we use cookies|questo sito (web )?utilizza (i )?cookie)[^.\n]*\.?",
        "cookie notice",
    ),
    (
        r"(klicken sie hier|click here|clicca qui) (um|to|per)\b[^.\n]*\.?",
        "call to action",
    ),
];

fn compile(list: &[(&str, &'static str)], whole_line: bool) -> Vec<Pattern> {
    list.iter()
        .map(|&(source, kind)| {
            let anchored = if whole_line {
                format!(r"(?i)^(?:{source})$")
            } else {
                format!("(?i){source}")
            };
            Pattern {
                regex: Regex::new(&anchored).expect("valid boilerplate pattern"),
                kind,
            }
        })
        .collect()
}

fn whole_line_patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| compile(WHOLE_LINE, true))
}

fn inline_patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| compile(INLINE, false))
}

pub struct Boilerplate;

impl Check for Boilerplate {
    fn id(&self) -> CheckId {
        CheckId::Boilerplate
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let first = out.len();
        let mut line_start = 0;
        // Spans found in the current line (whole-line findings end their line, so inline
        // findings can only overlap findings of their own line), kept sorted by start and
        // non-overlapping, so an overlap test is a binary search rather than a scan of all
        // earlier findings (quadratic in their number).
        let mut line_spans: Vec<Span> = Vec::new();
        for raw_line in doc.text.split_inclusive('\n') {
            let offset = line_start;
            line_start += raw_line.len();
            let trimmed_start = raw_line.trim_start();
            let line = trimmed_start.trim_end();
            if line.is_empty() {
                continue;
            }
            let line_offset = offset + raw_line.len() - trimmed_start.len();
            if let Some(p) = whole_line_patterns()
                .iter()
                .find(|p| p.regex.is_match(line))
            {
                out.push(finding(
                    Span::new(line_offset, line_offset + line.len()),
                    line,
                    p.kind,
                ));
                continue;
            }
            line_spans.clear();
            for p in inline_patterns() {
                for m in p.regex.find_iter(line) {
                    let span = Span::new(line_offset + m.start(), line_offset + m.end());
                    if !overlaps_any(&line_spans, span) {
                        let at = line_spans.partition_point(|s| s.start < span.start);
                        line_spans.insert(at, span);
                        out.push(finding(span, m.as_str(), p.kind));
                    }
                }
            }
        }
        // The user's patterns mark whole sentences: those not already inside a finding.
        let covering = Covering::new(out[first..].iter().map(|f| f.span));
        // Findings of the loop below are sentence spans in text order: only the latest can
        // contain a later sentence.
        let mut last_user_span: Option<Span> = None;
        for sentence in doc.sentences {
            let text = doc.sentence_text(sentence);
            if covering.contains(sentence.span)
                || last_user_span.is_some_and(|s| s.contains(sentence.span))
            {
                continue;
            }
            if let Some(p) = doc
                .settings
                .extra_boilerplate
                .iter()
                .find(|p| p.is_match(text))
            {
                last_user_span = Some(sentence.span);
                out.push(Finding::new(
                    CheckId::Boilerplate,
                    Severity::Critical,
                    sentence.span,
                    format!(
                        "Boilerplate (matches the configured pattern /{}/)",
                        p.as_str()
                    ),
                ));
            }
        }
    }
}

/// Whether `span` overlaps one of `spans`, which are sorted by start and do not overlap
/// each other (so their ends are sorted too): only the last one starting before `span`
/// ends can reach into it.
fn overlaps_any(spans: &[Span], span: Span) -> bool {
    let before_end = spans.partition_point(|s| s.start < span.end);
    before_end
        .checked_sub(1)
        .is_some_and(|k| spans[k].overlaps(span))
}

/// Spans, answering "does one of them contain this span?" in logarithmic time.
struct Covering {
    /// Sorted by start.
    spans: Vec<Span>,
    /// `reach[k]`: the furthest end among `spans[..=k]`.
    reach: Vec<usize>,
}

impl Covering {
    fn new(spans: impl Iterator<Item = Span>) -> Self {
        let mut spans: Vec<Span> = spans.collect();
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |furthest, s| {
                *furthest = s.end.max(*furthest);
                Some(*furthest)
            })
            .collect();
        Covering { spans, reach }
    }

    /// Whether some span starts no later than `span` and ends no earlier.
    fn contains(&self, span: Span) -> bool {
        let starting_before = self.spans.partition_point(|s| s.start <= span.start);
        starting_before
            .checked_sub(1)
            .is_some_and(|k| self.reach[k] >= span.end)
    }
}

fn finding(span: Span, text: &str, kind: &str) -> Finding {
    let shown: String = text.chars().take(60).collect();
    let ellipsis = if shown.len() < text.len() { "…" } else { "" };
    Finding::new(
        CheckId::Boilerplate,
        Severity::Critical,
        span,
        format!("Web page boilerplate ({kind}): \"{shown}{ellipsis}\" is not article text"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::document::CheckSettings;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_mentions, assert_not_flagged, finishes_within,
        flagged, run_check, run_check_with,
    };
    use crate::data::Lang;
    use std::time::Duration;

    /// Settings with one user boilerplate `pattern`.
    fn with_pattern(pattern: &str) -> CheckSettings {
        CheckSettings {
            extra_boilerplate: vec![Regex::new(pattern).unwrap()],
            ..Default::default()
        }
    }

    #[test]
    fn german_article_chrome_is_flagged() {
        let t = "Der Kreml lehnte ab.\nVerwandte Themen:\nWeitere Nachrichten\nKommentare (0)\n\
                 Leave a Reply\n\nYour email address will not be published. Required fields are marked *\n\
                 Lesen Sie auch: Was Putin will\nAlle Rechte vorbehalten.";
        let chrome = [
            "Verwandte Themen:",
            "Weitere Nachrichten",
            "Kommentare (0)",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Lesen Sie auch: Was Putin will",
            "Alle Rechte vorbehalten.",
        ];
        let f = assert_flags(
            &Boilerplate,
            t,
            Lang::GERMAN,
            &chrome.map(|m| (m, Severity::Critical)),
        );
        assert_mentions(&f[3], "comment form");
    }

    #[test]
    fn german_syndication_disclaimer_span_is_the_parenthesis() {
        let t = "Moskau betrachtet die Ukraine.\n< (Dies ist ein unbearbeiteter Artikel, der automatisch aus einem \
                 syndizierten Newsfeed generiert wurde. Die Mitarbeiter von glocalist.press haben den Inhalt \
                 möglicherweise nicht geändert oder bearbeitet.)";
        let f = run_check(&Boilerplate, t, Lang::GERMAN);
        assert_eq!(f.len(), 1);
        let s = flagged(t, &f)[0];
        assert!(
            s.starts_with("(Dies ist ein") && s.ends_with("bearbeitet.)"),
            "{s}"
        );
    }

    #[test]
    fn german_running_text_is_not_flagged() {
        let t = "Die Kommentare des Kremls waren scharf. Er will teilen und herrschen.\n\
                 Weitere Nachrichten kamen am Abend aus Moskau.\nZum Thema Sanktionen äußerte er sich nicht.";
        assert_not_flagged(&Boilerplate, &[t], Lang::GERMAN);
    }

    #[test]
    fn italian_chrome_is_flagged_and_text_is_not() {
        let t = "Il Cremlino tace.\nCondividi\nIscriviti alla newsletter\nLeggi anche: la guerra\n\
                 Riproduzione riservata\nFoto: ANSA\nKommentare (0)";
        let chrome = [
            "Condividi",
            "Iscriviti alla newsletter",
            "Leggi anche: la guerra",
            "Riproduzione riservata",
            "Foto: ANSA",
            "Kommentare (0)",
        ];
        assert_flagged(&Boilerplate, t, Lang::ITALIAN, &chrome);
        let clean =
            "Il governo vuole condividere i dati. La newsletter del ministero è uscita ieri.";
        assert_not_flagged(&Boilerplate, &[clean], Lang::ITALIAN);
    }

    #[test]
    fn user_patterns_mark_sentences() {
        let settings = with_pattern("(?i)glocalist");
        let t = "Ein Satz. Quelle: Glocalist Redaktion.";
        let f = run_check_with(&Boilerplate, t, Lang::GERMAN, &settings);
        assert_eq!(flagged(t, &f), ["Quelle: Glocalist Redaktion."]);
        assert_eq!(f[0].severity, Severity::Critical);
    }

    #[test]
    fn many_findings_take_linear_time() {
        // Guards complexity, not speed: testing each finding against all earlier ones made
        // the CLI take 50 s instead of 12 s on this article (one sentence per line).
        let text = format!(
            "{}{}",
            "Anzeige\n".repeat(200_000),
            "Klicken Sie hier um mehr zu lesen.\n".repeat(50_000)
        );
        let settings = with_pattern("(?i)anzeige|klicken");
        let findings = finishes_within(Duration::from_secs(30), move || {
            run_check_with(&Boilerplate, &text, Lang::GERMAN, &settings).len()
        });
        assert_eq!(findings, 250_000);
    }

    #[test]
    fn overlap_and_containment_lookups() {
        let spans = [Span::new(2, 5), Span::new(5, 9), Span::new(12, 20)];
        for (probe, overlapping) in [
            (Span::new(0, 2), false),
            (Span::new(0, 3), true),
            (Span::new(9, 12), false),
            (Span::new(8, 13), true),
            (Span::new(20, 30), false),
            (Span::new(14, 15), true),
        ] {
            assert_eq!(overlaps_any(&spans, probe), overlapping, "{probe:?}");
        }
        let covering =
            Covering::new([Span::new(10, 30), Span::new(0, 5), Span::new(12, 14)].into_iter());
        for (probe, covered) in [
            (Span::new(0, 5), true),
            (Span::new(1, 6), false),
            (Span::new(13, 30), true),
            (Span::new(13, 31), false),
            (Span::new(5, 12), false),
        ] {
            assert_eq!(covering.contains(probe), covered, "{probe:?}");
        }
    }

    #[test]
    fn user_pattern_sentence_inside_an_inline_finding_is_not_repeated() {
        let settings = with_pattern("(?i)klicken");
        let t = "Ein Satz. Klicken Sie hier um mehr zu lesen. Klicken Sie auch dort.";
        let f = run_check_with(&Boilerplate, t, Lang::GERMAN, &settings);
        assert_eq!(
            flagged(t, &f),
            [
                "Klicken Sie hier um mehr zu lesen.",
                "Klicken Sie auch dort."
            ]
        );
    }
}
