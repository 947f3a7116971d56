//! Markup left in the text: HTML tags and comments, HTML attributes (event handlers such as
//! `onload=`, and machine-translated ones such as `bersaglio = "_ vuoto"` for
//! `target="_blank"`), and URLs or URL paths in running text.
//!
//! Character entities (`&nbsp;`) belong to the encoding check, and a stray `<` or editorial
//! brackets ("[Trump]") to punctuation; only real markup is flagged here.

use super::document::{Check, Document};
use crate::data::{CheckId, Finding, Severity, Span};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Debris {
    Tag,
    Comment,
    Attribute,
    BrokenUrl,
    Url,
}

impl Debris {
    fn describe(self) -> &'static str {
        match self {
            Debris::Tag => "HTML tag",
            Debris::Comment => "HTML comment",
            Debris::Attribute => "HTML attribute",
            Debris::BrokenUrl => "broken link address",
            Debris::Url => "web address",
        }
    }
}

const HTML_TAGS: &str = "a|p|br|div|span|img|b|i|u|em|strong|ul|ol|li|h[1-6]|figure|figcaption|iframe|script|style|blockquote|table|tr|td|th|section|article|header|footer|nav|source|picture|video|meta|link|sup|sub|small|hr";

/// Every HTML element (HTML Living Standard, with SVG, MathML and obsolete presentational
/// ones). A closing tag such as `</textarea>` is markup whatever the element; opening tags
/// are only taken for the common elements of `HTML_TAGS`, since "<Name>" can be prose.
const HTML_ELEMENTS: &str = "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|h[1-6]|head|header|hgroup|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|map|mark|marquee|math|menu|meta|meter|nav|noscript|object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp|rt|ruby|s|samp|script|search|section|select|slot|small|source|span|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|u|ul|var|video|wbr";

/// Attribute names, original and as machine translation renders them (target → bersaglio/Ziel).
const ATTRIBUTES: &str = "href|target|rel|class|style|src|srcset|alt|title|id|width|height|data-[a-z-]+|bersaglio|obiettivo|destinazione|ziel|klasse|stil|cible|objetivo";

fn patterns() -> &'static [(Regex, Debris)] {
    static PATTERNS: OnceLock<Vec<(Regex, Debris)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let quote = "[\"“”„'‘’«»]";
        [
            (format!(r"(?i)</?(?:{HTML_TAGS})(?:\s+[a-z-]+\s*=\s*(?:{quote}[^<>]*?{quote}|[^\s<>]+))*\s*/?>"), Debris::Tag),
            (format!(r"(?i)</(?:{HTML_ELEMENTS})\s*>"), Debris::Tag),
            // Any element with an event handler (`<svg onload=…>`): script injection.
            (r"(?i)<[a-z][a-z0-9-]*\s[^<>]*\bon[a-z]{3,}\s*=[^<>]*>?".to_string(), Debris::Tag),
            // An HTML comment, or its opening when the comment runs on past the sentence.
            (r"<!--(?:.*?-->)?".to_string(), Debris::Comment),
            // An event handler outside a tag: `onclick=…`, or spaced out with a quoted value
            // (not "online = servizio pubblico").
            (format!(r"(?i)\bon[a-z]{{3,}}(?:=[^\s<>]+|\s*=\s*{quote}[^\n<>]{{0,80}}?{quote})"), Debris::Attribute),
            // attr = "value", with the spaces and mangled quotes translation leaves behind.
            (format!(r"(?i)\b(?:{ATTRIBUTES})\s*=\s*{quote}[^\n\x22“”„]{{0,60}}?{quote}"), Debris::Attribute),
            (r"(?i)\b_\s?(?:blank|vuoto|leer|vide|vacío|self|parent|top)\b".to_string(), Debris::Attribute),
            (r"(?i)\b(?:rel|href)\s*=\s*[^\s<>]+".to_string(), Debris::Attribute),
            // "https: /2025/..." — a scheme split from its address, or a bare site path.
            (
                r#"(?i)\b(?:https?|ftp)(?:\s+:\s*|:\s+)/+[^\s"“”<>]*|\b(?:https?|ftp):/[^/\s"“”<>][^\s"“”<>]*"#.to_string(),
                Debris::BrokenUrl,
            ),
            (r"(?:^|\s)/(?:[\w.-]+/){2,}[\w.-]*".to_string(), Debris::BrokenUrl),
            (r#"(?i)\b(?:https?|ftp)://[^\s"“”<>]+|\bwww\.[\w-]+(?:\.[\w-]+)+(?:/[^\s"“”<>]*)?"#.to_string(), Debris::Url),
        ]
        .into_iter()
        .map(|(source, kind)| (Regex::new(&source).expect("valid markup pattern"), kind))
        .collect()
    })
}

pub struct MarkupDebris;

impl Check for MarkupDebris {
    fn id(&self) -> CheckId {
        CheckId::MarkupDebris
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        for sentence in doc.sentences {
            let text = doc.sentence_text(sentence);
            let mut hits: Vec<(Span, Debris)> = Vec::new();
            for (regex, kind) in patterns() {
                for m in regex.find_iter(text) {
                    let start = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
                    let end =
                        m.start() + m.as_str().trim_end_matches(['.', ',', ';', ':', ')']).len();
                    if start < end {
                        hits.push((Span::new(start, end), *kind));
                    }
                }
            }
            hits.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
            for (span, kinds) in merge_nearby(text, hits) {
                out.push(finding(text, span, &kinds, sentence.span.start));
            }
        }
    }
}

/// Joins hits that overlap or are separated only by spaces and quotes into one piece of
/// debris, so `bersaglio = "_ vuoto" https: /…/index.html "` is a single finding.
fn merge_nearby(text: &str, hits: Vec<(Span, Debris)>) -> Vec<(Span, Vec<Debris>)> {
    let glue = |s: &str| {
        s.chars()
            .all(|c| c.is_whitespace() || "\"“”„'‘’«»".contains(c))
    };
    let mut merged: Vec<(Span, Vec<Debris>)> = Vec::new();
    for (span, kind) in hits {
        match merged.last_mut() {
            Some((last, kinds)) if span.start <= last.end || glue(&text[last.end..span.start]) => {
                last.end = last.end.max(span.end);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            _ => merged.push((span, vec![kind])),
        }
    }
    // Swallow a closing quote left right after the debris (`… index.html "`), unless the
    // same mark appears before the debris. Where each mark first appears is looked up once,
    // not per piece of debris, which would be quadratic on a long sentence full of debris.
    const QUOTES: [char; 4] = ['"', '“', '”', '„'];
    let first_at = QUOTES.map(|q| text.find(q));
    for (span, _) in &mut merged {
        let rest = &text[span.end..];
        let after_space = rest.trim_start();
        let next = after_space.chars().next();
        if let Some(k) = QUOTES.iter().position(|&q| Some(q) == next) {
            let q = QUOTES[k];
            let quoted_before = first_at[k].is_some_and(|i| i + q.len_utf8() <= span.start);
            let closes_debris = !quoted_before || text[span.start..span.end].contains(q);
            if closes_debris && rest.len() - after_space.len() <= 1 {
                span.end += rest.len() - after_space.len() + q.len_utf8();
            }
        }
    }
    merged
}

fn finding(text: &str, span: Span, kinds: &[Debris], offset: usize) -> Finding {
    // A well-formed address alone may be intended ("mehr unter www.bund.de"); anything else
    // is leftover markup that makes the sentence unpublishable.
    let severity = if kinds == [Debris::Url] {
        Severity::Minor
    } else {
        Severity::Critical
    };
    let what: Vec<&str> = kinds.iter().map(|k| k.describe()).collect();
    let shown: String = span.slice(text).chars().take(80).collect();
    let message = if severity == Severity::Minor {
        format!("Web address \"{shown}\" in the text (check that it belongs there)")
    } else {
        format!("Markup debris ({}): \"{shown}\"", what.join(", "))
    };
    Finding::new(
        CheckId::MarkupDebris,
        severity,
        span.shifted(offset),
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{assert_flags, assert_mentions, assert_not_flagged};
    use crate::data::Lang;

    /// Asserts that the check flags exactly `expected`, all critical, in `text`.
    fn assert_critical(text: &str, lang: Lang, expected: &[&str]) -> Vec<Finding> {
        let critical: Vec<_> = expected.iter().map(|&m| (m, Severity::Critical)).collect();
        assert_flags(&MarkupDebris, text, lang, &critical)
    }

    #[test]
    fn italian_translated_attribute_and_broken_url_are_one_critical_finding() {
        let t = "Un test per se Trump, che è stato bersaglio = \"_ vuoto\" \
                 https: /2025/12/politics/putin-trprump-phon-phon-call/index.html \"dal fatto che sia a pagamento.";
        assert_critical(
            t,
            Lang::ITALIAN,
            &["bersaglio = \"_ vuoto\" https: /2025/12/politics/putin-trprump-phon-phon-call/index.html \""],
        );
    }

    #[test]
    fn italian_clean_text_and_brackets_are_not_flagged() {
        let t = "Il bersaglio era la centrale. \"Cosa vuole fare [Trump]?\" Il rapporto 2/3 è cambiato.";
        assert_not_flagged(&MarkupDebris, &[t], Lang::ITALIAN);
    }

    #[test]
    fn german_tags_and_href_are_critical() {
        let t = "Er sagte <a href=\"https://example.com/x\">hier</a> etwas. Das Ziel = \"_leer\" bleibt.";
        assert_critical(
            t,
            Lang::GERMAN,
            &[
                "<a href=\"https://example.com/x\">",
                "</a>",
                "Ziel = \"_leer\"",
            ],
        );
    }

    #[test]
    fn closing_tags_event_handlers_and_comments_are_critical() {
        let t = "Er schrieb</textarea> weiter. Dann kam <svg onload=alert(1)> und <!-- Werbung --> mehr. \
                 Das Bild <img src=x onerror=\"alert(1)\"> fehlt.";
        let f = assert_critical(
            t,
            Lang::GERMAN,
            &[
                "</textarea>",
                "<svg onload=alert(1)>",
                "<!-- Werbung -->",
                "<img src=x onerror=\"alert(1)\">",
            ],
        );
        assert_mentions(&f[2], "HTML comment");
        assert_not_flagged(
            &MarkupDebris,
            &[
                "Il governo online = servizio pubblico, ha detto.",
                "Onore e onestà: così ha parlato il presidente.",
                "Die Gleichung a < b und c > d gilt.",
            ],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn german_plain_address_is_minor_and_prose_is_clean() {
        let t = "Mehr Informationen unter www.bund.de.";
        assert_flags(
            &MarkupDebris,
            t,
            Lang::GERMAN,
            &[("www.bund.de", Severity::Minor)],
        );
        assert_not_flagged(
            &MarkupDebris,
            &[
                "< (Dies ist ein Artikel.)",
                "Das Ziel ist klar: 3 < 5 und 7 > 2.",
                "Die Mitarbeiter von glocalist.press haben nichts geändert.",
                "Der Preis stieg um 5/10 Prozent im Jahr 2023/2024.",
            ],
            Lang::GERMAN,
        );
    }
}
