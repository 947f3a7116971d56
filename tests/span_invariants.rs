//! Property tests of the offsets every report relies on: sentences are ordered,
//! non-overlapping, trimmed spans on char boundaries; every finding lies inside the text,
//! on char boundaries, and inside the sentence it is assigned to. Texts mix German words,
//! punctuation, line breaks, HTML fragments and arbitrary Unicode (multibyte, combining
//! marks, zero-width and control characters). The audit runs without a language model.

use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::data::{Article, ArticleAudit, Lang, Sentence, Span};
use mtaudit::segment::segment;
use proptest::prelude::*;
use std::sync::OnceLock;

const WORDS: &[&str] = &[
    "Der",
    "die",
    "das",
    "Bundesregierung",
    "hat",
    "am",
    "Montag",
    "erklärt",
    "dass",
    "die",
    "Maßnahmen",
    "für",
    "Straßenbahnen",
    "über",
    "Öl",
    "Ärzte",
    "größer",
    "Kanzler",
    "Merz",
    "sagte",
    "z. B.",
    "Dr.",
    "Prof.",
    "13.",
    "März",
    "U.S.",
    "usw.",
    "ca.",
    "2025",
    "3,5",
    "Mio.",
    "Prozent",
    "the",
    "government",
    "said",
    "il",
    "governo",
    "ha",
    "detto",
    "che",
    "Foto:",
    "dpa",
    "Lesen",
    "Sie",
    "auch",
    "Homeoffice",
    "Witkoff",
    "E-Mail",
    "Corona-",
    "Krise",
    "-",
    "–",
    "—",
    "@user",
    "https://example.com/a?b=c",
    "#hashtag",
    "IN",
    "GROSS",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Donaudampfschifffahrtsgesellschaftskapitän",
];

const PUNCTUATION: &[&str] = &[
    ".",
    ". ",
    "!",
    "?",
    "?!",
    "…",
    "...",
    ",",
    ";",
    ":",
    " ",
    "  ",
    "\t",
    "„",
    "“",
    "”",
    "\"",
    "'",
    "»",
    "«",
    "(",
    ")",
    "[",
    "]",
    " .",
    " ,",
    "..",
    ".\u{201c}",
    ").",
];

const BREAKS: &[&str] = &[
    "\n", "\n\n", "\r\n", "\r", "\u{2028}", "\u{85}", "\u{b}", "\u{c}",
];

const MARKUP: &[&str] = &[
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "<script>alert(1)</script>",
    "</script>",
    "<!--",
    "-->",
    "&amp;",
    "&nbsp;",
    "&#8220;",
    "<a href=\"x\">",
    "</a>",
    "<div class='c'>",
    "{{ x }}",
    "**fett**",
    "# Titel",
    "[link](http://x)",
    "\\n",
    "\u{fffd}",
    "Ã¤",
    "â€ž",
];

const UNICODE: &[&str] = &[
    "ß",
    "ä",
    "€",
    "😀",
    "🇩🇪",
    "👩‍👩‍👧",
    "e\u{301}",
    "\u{301}",
    "\u{308}",
    "a\u{308}\u{301}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{ad}",
    "\u{a0}",
    "\u{202f}",
    "\u{3000}",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "İ",
    "ı",
    "ﬁ",
    "ǅ",
    "Σ",
    "ς",
    "ẞ",
    "\u{10ffff}",
    "日本語",
    "عربي",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(WORDS).prop_map(|w| format!("{w} ")),
        2 => prop::sample::select(WORDS).prop_map(str::to_string),
        3 => prop::sample::select(PUNCTUATION).prop_map(str::to_string),
        2 => prop::sample::select(BREAKS).prop_map(str::to_string),
        1 => prop::sample::select(MARKUP).prop_map(str::to_string),
        2 => prop::sample::select(UNICODE).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{1,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..160).prop_map(|pieces| pieces.concat())
}

/// Text with whole sentences repeated, for the near-duplicate and repetition checks.
fn repetitive_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(text(), 1..4), 1usize..4)
        .prop_map(|(parts, times)| parts.iter().map(|p| p.repeat(times)).collect())
}

fn auditors() -> &'static [Auditor] {
    static AUDITORS: OnceLock<Vec<Auditor>> = OnceLock::new();
    AUDITORS.get_or_init(|| {
        [None, Some(Lang::GERMAN), Some(Lang::ITALIAN)]
            .into_iter()
            .map(|lang| {
                let settings = Config::default()
                    .resolve("mtaudit.toml".as_ref())
                    .expect("default settings");
                Auditor::new(settings, lang)
            })
            .collect()
    })
}

fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        span.start <= span.end && span.end <= text.len(),
        "{} span {:?} outside the text of {} bytes",
        what,
        span,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{} span {:?} not on char boundaries",
        what,
        span
    );
    Ok(())
}

fn check_sentences(text: &str, sentences: &[Sentence]) -> Result<(), TestCaseError> {
    let mut previous_end = 0;
    for s in sentences {
        check_span(text, s.span, "sentence")?;
        prop_assert!(!s.span.is_empty(), "empty sentence at {:?}", s.span);
        prop_assert!(
            s.span.start >= previous_end,
            "sentence {:?} overlaps or precedes the one ending at {}",
            s.span,
            previous_end
        );
        previous_end = s.span.end;
        let slice = s.span.slice(text);
        prop_assert_eq!(slice, slice.trim(), "untrimmed sentence {:?}", s.span);
        prop_assert!(!slice.contains('\n'), "sentence {:?} spans a line", s.span);
    }
    Ok(())
}

fn check_audit(text: &str, audit: &ArticleAudit) -> Result<(), TestCaseError> {
    prop_assert_eq!(audit.text.as_str(), text);
    let sentences: Vec<Sentence> = audit
        .sentences
        .iter()
        .map(|s| Sentence {
            span: s.span,
            kind: s.kind,
        })
        .collect();
    check_sentences(text, &sentences)?;
    prop_assert_eq!(&sentences, &segment(text));
    for (index, s) in audit.sentences.iter().enumerate() {
        prop_assert_eq!(s.index, index);
        for &f in &s.findings {
            prop_assert_eq!(audit.findings.get(f).and_then(|f| f.sentence), Some(index));
        }
    }
    for (i, f) in audit.findings.iter().enumerate() {
        let span = f.finding.span;
        check_span(text, span, f.finding.check.as_str())?;
        if let Some(s) = f.sentence {
            prop_assert!(s < audit.sentences.len(), "finding {} in sentence {}", i, s);
            let sentence = &audit.sentences[s];
            prop_assert!(sentence.findings.contains(&i));
            // The sentence a finding belongs to is the one its start lies in, or the gap
            // after it (the first sentence also takes the gap before it): findings of whole
            // lines, paragraphs or regions may run on into the following sentences.
            let next = audit.sentences.get(s + 1).map(|n| n.span.start);
            prop_assert!(
                (s == 0 || sentence.span.start <= span.start) && next.is_none_or(|n| span.start < n),
                "{} finding {:?} ({:?}) assigned to sentence {} {:?} ({:?}), which its start is not in",
                f.finding.check,
                span,
                span.slice(text),
                s,
                sentence.span,
                sentence.span.slice(text)
            );
        }
    }
    Ok(())
}

fn audit(text: &str, choice: usize) -> Result<(), TestCaseError> {
    // The reader refuses all-whitespace articles, so the auditor never sees one.
    if text.trim().is_empty() {
        return Ok(());
    }
    let article = Article {
        id: "prop".into(),
        source: "prop.txt".into(),
        title: None,
        lang: None,
        text: text.to_string(),
    };
    let auditors = auditors();
    check_audit(text, &auditors[choice % auditors.len()].audit(&article))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn sentences_are_ordered_trimmed_spans(text in text()) {
        check_sentences(&text, &segment(&text))?;
    }

    #[test]
    fn sentences_of_arbitrary_strings(text in any::<String>()) {
        check_sentences(&text, &segment(&text))?;
    }

    #[test]
    fn findings_lie_inside_text_and_sentence(text in text(), choice in 0usize..3) {
        audit(&text, choice)?;
    }

    #[test]
    fn findings_of_repetitive_texts(text in repetitive_text(), choice in 0usize..3) {
        audit(&text, choice)?;
    }
}

/// Found by the `audit` fuzz target: a run of control characters starting with a vertical
/// tab (whitespace, so outside the first sentence) is one encoding finding that starts
/// before the first sentence; it belongs to that sentence.
#[test]
fn control_characters_before_the_first_sentence() {
    let text = "\u{b}\0\0\0\0\0\0\0sch";
    audit(text, 0).unwrap();
    let article = Article {
        id: "x".into(),
        source: "x.jsonl:1".into(),
        title: None,
        lang: None,
        text: text.into(),
    };
    let audit = auditors()[0].audit(&article);
    assert_eq!(audit.sentences[0].span, Span::new(1, 11));
    let control = audit
        .findings
        .iter()
        .find(|f| f.finding.span == Span::new(0, 8))
        .expect("the control characters are flagged");
    assert_eq!(control.sentence, Some(0));
}
