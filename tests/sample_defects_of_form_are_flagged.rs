//! Capitalisation, punctuation, encoding, fragments, near-duplicates and document statistics
//! on the real sample articles: the garbled passages named in the task are
//! flagged by the right check, and clean sentences around them are not.

mod support;

use mtaudit::data::{CheckId, Finding, Lang};
use support::{heuristic_findings, sample_text};

/// A sample article's text and every heuristic finding on it.
fn findings(prefix: &str, lang: Lang) -> (String, Vec<Finding>) {
    let text = sample_text(prefix);
    let findings = heuristic_findings(&text, lang);
    (text, findings)
}

/// Whether `check` flags a span whose text is `flagged` and which lies inside `context`.
fn has(text: &str, findings: &[Finding], check: CheckId, context: &str, flagged: &str) -> bool {
    let Some(at) = text.find(context) else {
        panic!("context {context:?} not in the sample")
    };
    findings.iter().any(|f| {
        f.check == check
            && f.span.slice(text) == flagged
            && f.span.start >= at
            && f.span.end <= at + context.len()
    })
}

fn flagged_by(text: &str, findings: &[Finding], check: CheckId) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.check == check)
        .map(|f| f.span.slice(text).to_string())
        .collect()
}

#[test]
fn sample_000() {
    let (text, f) = findings("000_242c8710a1e8f699.txt", Lang::GERMAN);
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "Maxim shemetov",
        "shemetov"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Fragment,
        "zu den von Washington sein",
        "den von Washington"
    ));
    assert!(has(&text, &f, CheckId::Punctuation, "Dynamik. “", "“"));
    assert!(has(
        &text,
        &f,
        CheckId::Fragment,
        "Zuschauer skeptisch",
        "Zuschauer skeptisch"
    ));
    assert!(flagged_by(&text, &f, CheckId::NearDuplicate).is_empty());
    assert!(flagged_by(&text, &f, CheckId::Encoding).is_empty());
}

#[test]
fn sample_001() {
    let (text, f) = findings("001_89a789b5965c4451.txt", Lang::GERMAN);
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "sagte an Eine anonyme",
        "Eine"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "Moskau in Der Nahe Osten",
        "Der"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "in der Die USA sagten",
        "Die"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "der Weiße Das Repräsentantenhaus",
        "Das"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Fragment,
        "zu gehen. Ukraine.",
        "Ukraine."
    ));
    // Balanced „…“ quotations spanning sentences are fine.
    assert!(flagged_by(&text, &f, CheckId::Punctuation).is_empty());
}

#[test]
fn sample_002() {
    let (text, f) = findings("002_66fad53027afa2c3.txt", Lang::GERMAN);
    assert!(has(
        &text,
        &f,
        CheckId::Fragment,
        "Klage an. Konflikt.”",
        "Konflikt.”"
    ));
    assert!(has(&text, &f, CheckId::Punctuation, "Konflikt.”", "”"));
    assert!(has(
        &text,
        &f,
        CheckId::Punctuation,
        "Haben Sie viel zu tun “,",
        "“"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Punctuation,
        "umfassender Frieden. “",
        "“"
    ));
    assert!(flagged_by(&text, &f, CheckId::Capitalisation).is_empty());
}

#[test]
fn sample_003() {
    let (text, f) = findings("003_810082e6ac50dd52.txt", Lang::GERMAN);
    assert!(has(&text, &f, CheckId::Punctuation, "< (Dies", "<"));
    assert!(has(
        &text,
        &f,
        CheckId::Punctuation,
        "die Hand.Gavriil",
        "."
    ));
    // "glocalist.press", "St. Petersburg" are fine.
    assert_eq!(flagged_by(&text, &f, CheckId::Punctuation).len(), 2);
}

#[test]
fn sample_004() {
    let (text, f) = findings("004_f3f7d7d9b85fe900.txt", Lang::ITALIAN);
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "il ruolo del Cremlino",
        "il"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "prospettive di un accordo",
        "prospettive"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "russo wladimir putin ,",
        "wladimir putin"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Capitalisation,
        "tra Russia e ucraina .",
        "ucraina"
    ));
    assert!(has(
        &text,
        &f,
        CheckId::Punctuation,
        "wladimir putin , che",
        " ,"
    ));
    assert!(has(&text, &f, CheckId::Punctuation, "e ucraina .", " ."));
    assert!(has(&text, &f, CheckId::Fragment, "a pagamento. Off", "Off"));
    let title = "Trump parla con Putin-Negotiations on Ucraina Russia Armistice";
    let repeats = flagged_by(&text, &f, CheckId::NearDuplicate);
    assert_eq!(repeats, [title]);
    let second = f
        .iter()
        .find(|f| f.check == CheckId::NearDuplicate)
        .map(|f| f.span.start);
    assert_eq!(
        second,
        text[1..].find(title).map(|i| i + 1),
        "the repeat, not the title, is flagged"
    );
    assert!(flagged_by(&text, &f, CheckId::DocumentStats).is_empty());
}
