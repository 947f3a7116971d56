//! Acceptance: on human reference translations rated error-free, at most 5% of items get a
//! major or critical finding from the heuristics.

mod support;

use flate2::read::GzDecoder;
use mtaudit::data::{Lang, Severity};
use std::io::{BufRead, BufReader};
use support::heuristic_findings;

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    label: String,
}

fn ok_references() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dev.refs.binary.jsonl.gz"
    );
    let file = std::fs::File::open(path).expect("reference fixture");
    BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str::<Item>(&l.unwrap()).unwrap())
        .filter(|i| i.label == "ok")
        .map(|i| i.text)
        .collect()
}

#[test]
fn at_most_five_percent_of_clean_references_get_major_findings() {
    let refs = ok_references();
    assert!(refs.len() > 1000, "fixture has {} ok items", refs.len());
    let mut flagged = Vec::new();
    for text in &refs {
        let findings = heuristic_findings(text, Lang::GERMAN);
        if let Some(f) = findings.iter().find(|f| f.severity >= Severity::Major) {
            flagged.push(format!(
                "[{}] {} :: {:?}",
                f.check,
                f.message,
                f.span.slice(text)
            ));
        }
    }
    let ratio = flagged.len() as f64 / refs.len() as f64;
    eprintln!(
        "{} of {} clean references flagged major+ ({:.2}%)",
        flagged.len(),
        refs.len(),
        100.0 * ratio
    );
    for line in flagged.iter().take(40) {
        eprintln!("  {line}");
    }
    assert!(ratio <= 0.05, "false-positive ratio {ratio:.3} above 5%");
}
