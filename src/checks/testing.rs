//! Helpers for the checks' unit tests.
use super::document::{Check, CheckSettings, Document};
use crate::data::{Finding, Lang, Severity};

/// Runs `check` on `text` (segmented as the pipeline would) in language `lang`.
pub fn run_check(check: &dyn Check, text: &str, lang: Lang) -> Vec<Finding> {
    run_check_with(check, text, lang, &CheckSettings::default())
}

pub fn run_check_with(
    check: &dyn Check,
    text: &str,
    lang: Lang,
    settings: &CheckSettings,
) -> Vec<Finding> {
    let sentences = crate::segment::segment(text);
    let doc = Document::new(text, lang, &sentences, settings);
    let mut out = Vec::new();
    check.run(&doc, &mut out);
    for f in &out {
        assert_eq!(f.check, check.id(), "finding from the wrong check id");
        assert!(
            f.span.end <= text.len()
                && text.is_char_boundary(f.span.start)
                && text.is_char_boundary(f.span.end),
            "bad span {:?}",
            f.span
        );
    }
    out
}

/// Runs `work` on another thread and fails if it takes longer than `limit`. This guards
/// complexity, not speed: the limit is generous for a debug build on a loaded machine,
/// while a super-linear check takes minutes on the hostile inputs it is used with.
pub fn finishes_within<T: Send + 'static>(
    limit: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let (sender, receiver) = channel();
    std::thread::spawn(move || sender.send(work()));
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            panic!("not finished within {limit:?}: super-linear on this input?")
        }
        Err(RecvTimeoutError::Disconnected) => panic!("the work panicked"),
    }
}

/// The five sample articles, concatenated and repeated up to `bytes` (on a char
/// boundary): a long article full of exact repeats.
pub fn concatenated_samples(bytes: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/samples");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("sample directory")
        .map(|e| e.expect("sample entry").path())
        .collect();
    paths.sort();
    let samples: String = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("sample article"))
        .collect();
    let mut text = samples.repeat(bytes / samples.len() + 1);
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// The flagged text of each finding.
pub fn flagged<'t>(text: &'t str, findings: &[Finding]) -> Vec<&'t str> {
    findings.iter().map(|f| f.span.slice(text)).collect()
}

/// Runs `check` on `text` in `lang` and asserts that it flags exactly the texts of
/// `expected`, in order, each with its severity. Returns the findings for further checks.
pub fn assert_flags(
    check: &dyn Check,
    text: &str,
    lang: Lang,
    expected: &[(&str, Severity)],
) -> Vec<Finding> {
    let findings = run_check(check, text, lang);
    let got: Vec<(&str, Severity)> = findings
        .iter()
        .map(|f| (f.span.slice(text), f.severity))
        .collect();
    assert_eq!(got, expected, "in {text:?}");
    findings
}

/// Runs `check` on `text` in `lang` and asserts that it flags exactly `expected`, in
/// order. Returns the findings for further checks.
pub fn assert_flagged(
    check: &dyn Check,
    text: &str,
    lang: Lang,
    expected: &[&str],
) -> Vec<Finding> {
    let findings = run_check(check, text, lang);
    assert_eq!(flagged(text, &findings), expected, "in {text:?}");
    findings
}

/// Asserts that `check` flags nothing in any of `texts`, in `lang`.
pub fn assert_not_flagged(check: &dyn Check, texts: &[&str], lang: Lang) {
    for text in texts {
        let findings = run_check(check, text, lang);
        assert!(
            findings.is_empty(),
            "{text:?}: {:?}",
            flagged(text, &findings)
        );
    }
}

/// Asserts that the message of `finding` contains `part`.
pub fn assert_mentions(finding: &Finding, part: &str) {
    assert!(
        finding.message.contains(part),
        "{:?} does not mention {part:?}",
        finding.message
    );
}
