//! Check 8: broken punctuation.
//!
//! Unbalanced or mismatched quotation marks and brackets, stray `<`/`>`, space before
//! punctuation ("putin , che"), a missing space after a full stop ("die Hand.Gavriil")
//! and doubled punctuation (",,", ".." but not "...").
//!
//! A quotation may run over several sentences of a paragraph, so balance is judged per
//! line; the finding covers only the unmatched mark, so it lands in its own sentence.

use super::document::{Check, Document};
use crate::data::{CheckId, Finding, Severity, Span};
use regex::Regex;
use std::sync::LazyLock;

pub struct Punctuation;

impl Check for Punctuation {
    fn id(&self) -> CheckId {
        CheckId::Punctuation
    }

    fn run(&self, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let lines = lines(doc.text);
        for (k, &line) in lines.iter().enumerate() {
            let next_line = lines.get(k + 1).map(|l| l.slice(doc.text));
            check_quotes(doc.text, line, next_line, out);
            check_brackets(doc.text, line, out);
            check_stray_angle_brackets(doc.text, line, out);
            check_space_before(doc, line, out);
            check_missing_space_after(doc.text, line, out);
            check_doubled(doc.text, line, out);
        }
    }
}

/// A `punctuation` finding.
fn finding(span: Span, severity: Severity, message: impl Into<String>) -> Finding {
    Finding::new(CheckId::Punctuation, severity, span, message)
}

/// Trimmed, non-empty lines of `text`.
fn lines(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let lead = line.len() - line.trim_start().len();
            out.push(Span::new(start + lead, start + lead + trimmed.len()));
        }
        start += line.len();
    }
    out
}

/// Where a quotation mark stands relative to its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flank {
    /// Space (or line start) before, text after: «„Wort».
    Opening,
    /// Text before, space or punctuation after: «Wort“,».
    Closing,
    /// Space on both sides, or space before and punctuation after: «tun “,».
    Detached,
    /// Text on both sides.
    Inside,
}

fn flank(prev: Option<char>, next: Option<char>) -> Flank {
    let open_before = prev.is_none_or(|c| c.is_whitespace() || "([{–—-/".contains(c));
    let closed_after =
        next.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}…–—-".contains(c) || is_double_quote(c));
    match (open_before, closed_after) {
        (true, false) => Flank::Opening,
        (false, true) => Flank::Closing,
        (true, true) => Flank::Detached,
        (false, false) => Flank::Inside,
    }
}

fn is_double_quote(c: char) -> bool {
    matches!(c, '„' | '“' | '”' | '"' | '«' | '»')
}

/// Whether a quotation opened with `open` may be closed with `close`. Sloppy but common
/// combinations („…”, “…“) are accepted; only guillemets against curly or straight
/// quotes count as mismatched.
fn pairs(open: char, close: char) -> bool {
    match open {
        '„' | '“' | '"' => matches!(close, '“' | '”' | '"'),
        '”' => close == '”',
        '«' => close == '»',
        '»' => matches!(close, '«' | '»'),
        _ => false,
    }
}

struct OpenQuote {
    mark: char,
    at: usize,
}

fn check_quotes(text: &str, line: Span, next_line: Option<&str>, out: &mut Vec<Finding>) {
    let s = line.slice(text);
    let mut stack: Vec<OpenQuote> = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !is_double_quote(c) {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|n| n.1);
        let position = flank(prev, next);
        let at = line.start + i;
        let mark_span = Span::new(at, at + c.len_utf8());
        let top = stack.last().map(|q| q.mark);
        let closes = match c {
            '„' => false,
            '“' => {
                top == Some('„')
                    || (top.is_some() && matches!(position, Flank::Closing | Flank::Detached))
            }
            '”' => top.is_some_and(|t| t != '”' || position != Flank::Opening),
            '"' => match position {
                Flank::Opening => false,
                Flank::Inside => top == Some('"'),
                Flank::Closing | Flank::Detached => top.is_some(),
            },
            '«' => {
                top == Some('»')
                    || (top.is_some() && matches!(position, Flank::Closing | Flank::Detached))
            }
            '»' => {
                top == Some('«')
                    || (top.is_some() && matches!(position, Flank::Closing | Flank::Detached))
            }
            _ => false,
        };
        if closes {
            let Some(open) = stack.pop() else { continue };
            if !pairs(open.mark, c) {
                out.push(finding(
                    mark_span,
                    Severity::Minor,
                    format!("quotation opened with {} is closed with {}", open.mark, c),
                ));
            } else if position == Flank::Detached && prev.is_some_and(char::is_whitespace) {
                out.push(finding(
                    mark_span,
                    Severity::Minor,
                    format!("space before the closing quotation mark {c}"),
                ));
            }
            continue;
        }
        let closing_shaped = matches!(position, Flank::Closing | Flank::Detached) && c != '„';
        if stack.is_empty() && closing_shaped {
            out.push(finding(
                mark_span,
                Severity::Minor,
                format!("closing quotation mark {c} without an opening one"),
            ));
        } else {
            stack.push(OpenQuote { mark: c, at });
        }
    }
    // A quotation that goes on in the next paragraph is, by convention, left open at the
    // end of this one and reopened at the start of the next.
    let continues = next_line.is_some_and(|n| n.starts_with(is_double_quote));
    for open in stack {
        if continues && open.at == line.start {
            continue;
        }
        out.push(finding(
            Span::new(open.at, open.at + open.mark.len_utf8()),
            Severity::Minor,
            format!("quotation mark {} is never closed", open.mark),
        ));
    }
}

fn check_brackets(text: &str, line: Span, out: &mut Vec<Finding>) {
    let s = line.slice(text);
    let mut stack: Vec<(char, usize)> = Vec::new();
    // Start of the current whitespace-delimited token, kept as we go: looking it up from
    // each `)` again would be quadratic on a long run of `)` without spaces.
    let mut token_start = 0;
    for (i, c) in s.char_indices() {
        let at = line.start + i;
        if c.is_whitespace() {
            token_start = i + c.len_utf8();
        }
        match c {
            '(' | '[' | '{' => stack.push((c, at)),
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.last().is_some_and(|&(o, _)| o == opener) {
                    stack.pop();
                } else if !is_enumerator_or_smiley(&s[token_start..i]) {
                    out.push(finding(
                        Span::new(at, at + 1),
                        Severity::Minor,
                        format!("closing bracket {c} without an opening one"),
                    ));
                }
            }
            _ => {}
        }
    }
    for (c, at) in stack {
        out.push(finding(
            Span::new(at, at + 1),
            Severity::Minor,
            format!("bracket {c} is never closed"),
        ));
    }
}

/// Whether `token`, the text between the last whitespace and a `)`, makes it a list marker
/// ("a)", "2)") or a smiley (":)"). Looks at no more than four characters of it.
fn is_enumerator_or_smiley(token: &str) -> bool {
    let short_marker = !token.is_empty()
        && token.chars().nth(3).is_none()
        && token.chars().all(char::is_alphanumeric);
    short_marker || token.ends_with([':', ';'])
}

/// A `<` or `>` standing alone (not a comparison such as "< 5%"): debris of markup or
/// of a broken link.
fn check_stray_angle_brackets(text: &str, line: Span, out: &mut Vec<Finding>) {
    let s = line.slice(text);
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c != '<' && c != '>' {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|n| n.1);
        let alone = prev.is_none_or(char::is_whitespace) && next.is_none_or(char::is_whitespace);
        let before_number = s[i + 1..]
            .trim_start()
            .starts_with(|d: char| d.is_ascii_digit());
        if alone && !before_number {
            let at = line.start + i;
            out.push(finding(
                Span::new(at, at + 1),
                Severity::Major,
                format!("stray {c} (left over from markup)"),
            ));
        }
    }
}

static SPACE_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}](\s+)([,.;:!?])").expect("valid pattern"));

/// Space between a word and the punctuation after it ("putin , che", "ucraina .").
fn check_space_before(doc: &Document<'_>, line: Span, out: &mut Vec<Finding>) {
    let s = line.slice(doc.text);
    // French sets a thin space before ; : ! ? by rule.
    let french = doc.lang.code() == "fr";
    for caps in SPACE_BEFORE.captures_iter(s) {
        let (Some(space), Some(mark)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let after = s[mark.end()..].chars().next();
        // "..." for an omission, ".NET", "3 ,5" style decimals are not errors.
        let ends_mark = after.is_none_or(|c| c.is_whitespace() || is_double_quote(c));
        if !ends_mark || (french && mark.as_str() != "," && mark.as_str() != ".") {
            continue;
        }
        let span = Span::new(line.start + space.start(), line.start + mark.end());
        out.push(finding(
            span,
            Severity::Minor,
            format!("space before {:?}", mark.as_str()),
        ));
    }
}

static MISSING_SPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Ll}{2}([.!?])\p{Lu}\p{Ll}").expect("valid pattern"));

/// A sentence end glued to the next word ("die Hand.Gavriil"), outside URLs and domains.
fn check_missing_space_after(text: &str, line: Span, out: &mut Vec<Finding>) {
    let s = line.slice(text);
    // The token (between whitespace) of the last match, and whether it is a URL or the
    // like. Matches come in order, so the next match in the same token reuses it: finding
    // the token again for each of many matches in one long token would be quadratic.
    let mut last_token: Option<(usize, usize, bool)> = None;
    for caps in MISSING_SPACE.captures_iter(s) {
        let Some(mark) = caps.get(1) else { continue };
        let in_url = match last_token {
            Some((start, end, in_url)) if start <= mark.start() && mark.end() <= end => in_url,
            _ => {
                // Each search stops at whitespace, which lies after the last token's end,
                // so tokens are scanned about once in all.
                let token_start = s[..mark.start()]
                    .char_indices()
                    .rev()
                    .find(|&(_, c)| c.is_whitespace())
                    .map_or(0, |(p, c)| p + c.len_utf8());
                let token_end = s[mark.end()..]
                    .find(char::is_whitespace)
                    .map_or(s.len(), |p| mark.end() + p);
                let token = &s[token_start..token_end];
                let in_url =
                    token.contains(['/', '@', '=', '_']) || token.to_lowercase().starts_with("www");
                last_token = Some((token_start, token_end, in_url));
                in_url
            }
        };
        if in_url {
            continue;
        }
        let at = line.start + mark.start();
        out.push(finding(
            Span::new(at, at + 1),
            Severity::Minor,
            format!("missing space after {:?}", mark.as_str()),
        ));
    }
}

static DOUBLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.+|[,;:][,.;:]+").expect("valid pattern"));

/// ",,", ";;", ",." and exactly two full stops; an ellipsis ("...") is fine.
fn check_doubled(text: &str, line: Span, out: &mut Vec<Finding>) {
    let s = line.slice(text);
    for m in DOUBLED.find_iter(s) {
        let run = m.as_str();
        let is_double_stop = run == "..";
        let is_mixed = !run.starts_with('.');
        // "http://" and "12:30" style runs are not prose punctuation.
        let in_token = s[m.end()..].starts_with('/');
        if (is_double_stop || is_mixed) && !in_token {
            let span = Span::new(line.start + m.start(), line.start + m.end());
            out.push(finding(
                span,
                Severity::Minor,
                format!("doubled punctuation {run:?}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::run_check;
    use crate::checks::testing::{
        assert_flagged, assert_flags, assert_mentions, assert_not_flagged, finishes_within,
    };
    use crate::data::Lang;
    use std::time::Duration;

    /// Asserts that the check flags exactly `expected` in `text`; returns the findings.
    fn flags(text: &str, lang: Lang, expected: &[&str]) -> Vec<Finding> {
        assert_flagged(&Punctuation, text, lang, expected)
    }

    /// Asserts that the check flags nothing in any of `texts`.
    fn clean(texts: &[&str], lang: Lang) {
        assert_not_flagged(&Punctuation, texts, lang);
    }

    #[test]
    fn balanced_german_and_italian_quotes_are_fine() {
        clean(
            &[
                "Eine dritte Quelle sagte: „Bei den Amerikanern ist alles auseinandergefallen.“ Sie sagen das.",
                "Putin sagte: „Ich wusste es. Sie haben die Wurzeln abgeschnitten“, sagten russische Quellen.",
                "Trump nannte es “verheerend” und »sehr schlecht«, sagte er.",
            ],
            Lang::GERMAN,
        );
        clean(
            &[
                "Waltz ha detto che questo era \"qualcosa che dovrebbe essere discusso\". Poi «basta».",
                "Il Cremlino (e la Casa Bianca) hanno detto: «Va bene».",
            ],
            Lang::ITALIAN,
        );
    }

    #[test]
    fn unclosed_and_mismatched_quotes_are_flagged() {
        flags(
            "Er sagte: „Wir kommen morgen. Dann sehen wir weiter.",
            Lang::GERMAN,
            &["„"],
        );
        let text = "Il ministro ha detto: “La guerra è finita« e poi è partito.";
        let findings = flags(text, Lang::ITALIAN, &["«"]);
        assert_mentions(&findings[0], "closed with");
        flags(
            "Il governo ha detto che tutto va bene» secondo fonti.",
            Lang::ITALIAN,
            &["»"],
        );
    }

    #[test]
    fn closing_quote_without_opening_is_flagged_in_its_sentence() {
        let text = "Dorothy Shea rief die Klage an. Konflikt.”";
        let findings = flags(text, Lang::GERMAN, &["”"]);
        assert_eq!(findings[0].span.start, text.find('”').unwrap());
        flags(
            "Die Mitgliedstaaten des Rat umfassender Frieden. “",
            Lang::GERMAN,
            &["“"],
        );
    }

    #[test]
    fn detached_closing_quote_is_a_minor_blemish() {
        let text = "“Wir wir uns Haben Sie viel zu tun “, sagte Peskov in Kommentaren.";
        let findings = assert_flags(&Punctuation, text, Lang::GERMAN, &[("“", Severity::Minor)]);
        assert_mentions(&findings[0], "space before");
    }

    #[test]
    fn quotes_continuing_into_the_next_paragraph_are_fine() {
        let text = "„Wir sind bereit zu verhandeln.\n„Aber nicht um jeden Preis“, sagte er.\n";
        clean(&[text], Lang::GERMAN);
    }

    #[test]
    fn brackets_and_stray_angle_brackets() {
        let text = "< (Dies ist ein unbearbeiteter Artikel.)";
        assert_flags(&Punctuation, text, Lang::GERMAN, &[("<", Severity::Major)]);
        flags("Die Zahl stieg (laut Reuters auf 30.", Lang::GERMAN, &["("]);
        flags(
            "La quota è salita a trenta) secondo fonti.",
            Lang::ITALIAN,
            &[")"],
        );
        clean(
            &["Die Inflation lag bei < 2 Prozent. Es gibt a) dies und b) das :)"],
            Lang::GERMAN,
        );
    }

    #[test]
    fn space_before_punctuation() {
        let text = "Il presidente russo wladimir putin , che è previsto, e tra Russia e ucraina .";
        flags(text, Lang::ITALIAN, &[" ,", " ."]);
        flags(
            "Er sagte das nicht ; er schwieg .",
            Lang::GERMAN,
            &[" ;", " ."],
        );
        clean(
            &["Und dann ... kam er. Das .NET-Framework und Punkt 3 ,5 fehlen."],
            Lang::GERMAN,
        );
    }

    #[test]
    fn missing_space_after_full_stop() {
        flags(
            "Putin schüttelt die Hand.Gavriil Grigorov/Reuters",
            Lang::GERMAN,
            &["."],
        );
        flags(
            "Il Cremlino ha parlato.Poi è arrivato Trump.",
            Lang::ITALIAN,
            &["."],
        );
        let fine = "Die U.S. Army, z.B. Kreml.ru und glocalist.press, 3.5 Prozent, www.Spiegel.De und https://x.org/Abc.Def.";
        clean(&[fine], Lang::GERMAN);
    }

    #[test]
    fn doubled_punctuation_but_not_ellipsis() {
        flags(
            "Das war es.. Dann kam er,, und ging.",
            Lang::GERMAN,
            &["..", ",,"],
        );
        flags(
            "Il governo ha detto,. poi è partito;; basta.",
            Lang::ITALIAN,
            &[",.", ";;"],
        );
        clean(
            &["Und dann... kam er. Um 12:30 Uhr, z. B., auf https://example.org."],
            Lang::GERMAN,
        );
    }

    #[test]
    fn long_runs_without_spaces_take_linear_time() {
        // Guards complexity, not speed: looking up the token before each `)`, or the token
        // around each glued full stop, from scratch made the CLI take 33 s on the first
        // line (0.4 s now) and more than 25 s on 1 MB of the second (0.7 s now).
        for text in [
            format!("Text {}", ")".repeat(200_000)),
            format!("xx{}", "ab.Cd".repeat(100_000)),
        ] {
            let findings = finishes_within(Duration::from_secs(30), move || {
                run_check(&Punctuation, &text, Lang::GERMAN).len()
            });
            assert!(findings >= 100_000, "{findings}");
        }
    }

    #[test]
    fn enumerators_and_glued_stops_after_wide_spaces() {
        // A no-break space (two bytes) right before the token: the glued full stop used to
        // panic, slicing the token from inside the space.
        clean(&["Es gibt\u{a0}a) dies und\u{a0}b) das."], Lang::GERMAN);
        flags(
            "Er schüttelt die\u{a0}Hand.Gavriil Grigorov",
            Lang::GERMAN,
            &["."],
        );
        clean(&["Siehe\u{a0}www.Spiegel.De heute."], Lang::GERMAN);
    }
}
