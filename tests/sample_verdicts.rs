//! The audit's verdicts on the sample articles with language-model evidence: every
//! sentence a reader calls garbled (the examples of the issues and DEVELOPERS.md) should
//! be suspect or broken, and the clean control sentence must not be broken. Needs the
//! model (`MTAUDIT_MODEL`); skips with a message without it.

mod support;

use assert_cmd::Command;
use std::path::Path;

/// Garbled sentences the audit flags ("Wir wirkt" through the language model's
/// implausible-word finding on "wirkt", "des Rat" through the genitive rule).
const GARBLED: [&str; 8] = [
    "Wir wir uns Haben Sie viel zu tun",
    "Nahenvoyé",
    "Kernkraftwerk",
    "US -Präsident",
    "bersaglio",
    "der Ball sei vor dem Russlands Gericht",
    "Wir wirkt uns sofort wieder auf.",
    // Unsurprising to the model token by token; the genitive rule points at "Rat".
    "Mitgliedstaaten des Rat umfassender Frieden.",
];

const CLEAN: &str = "Unterdessen verkündete der türkische Präsident Recep Tayyip Erdogan";

/// The samples' audits with the language model, made once for all tests of this file (an
/// audit of the five costs about a minute on two cores); `None` (with a message) without
/// a model.
fn audit_samples() -> Option<&'static [serde_json::Value]> {
    static AUDITS: std::sync::OnceLock<Option<Vec<serde_json::Value>>> = std::sync::OnceLock::new();
    AUDITS.get_or_init(run_audit_of_samples).as_deref()
}

fn run_audit_of_samples() -> Option<Vec<serde_json::Value>> {
    let Some(model) = std::env::var_os("MTAUDIT_MODEL") else {
        eprintln!("skipping: set MTAUDIT_MODEL to the Gemma 3 270M GGUF");
        return None;
    };
    let home = tempfile::tempdir().unwrap();
    let samples = Path::new(support::SAMPLES);
    let output = Command::cargo_bin("mtaudit")
        .unwrap()
        .env("MTAUDIT_MODEL", model)
        .env("MTAUDIT_HOME", home.path())
        .args(["audit", "--format", "jsonl", "--quiet", "--exit-zero"])
        .arg(samples)
        .assert()
        .success();
    let audits: Vec<serde_json::Value> = String::from_utf8(output.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(audits.len(), 5);
    for audit in &audits {
        let model = &audit["evidence"]["language_model"];
        assert!(model.is_object(), "LM evidence used");
        let device = model["device"].as_str().expect("the device is named");
        assert!(device == "cpu" || device.starts_with("cuda:"), "{device}");
    }
    Some(audits)
}

/// (sentence, verdict) of every sentence of the samples that contains `phrase`.
fn verdicts_at(audits: &[serde_json::Value], phrase: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for audit in audits {
        let text = audit["text"].as_str().unwrap();
        for (offset, _) in text.match_indices(phrase) {
            let sentence = audit["sentences"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| {
                    let (start, end) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
                    (start..end).contains(&(offset as u64))
                })
                .expect("phrase inside a sentence");
            let span = sentence["start"].as_u64().unwrap() as usize
                ..sentence["end"].as_u64().unwrap() as usize;
            found.push((
                text[span].to_string(),
                sentence["verdict"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert!(!found.is_empty(), "{phrase:?} not in the samples");
    found
}

/// Fails naming every sentence containing one of `phrases` that was called ok.
fn assert_none_called_ok(audits: &[serde_json::Value], phrases: &[&str]) {
    let missed: Vec<String> = phrases
        .iter()
        .flat_map(|phrase| verdicts_at(audits, phrase))
        .filter(|(_, verdict)| verdict == "ok")
        .map(|(sentence, _)| sentence)
        .collect();
    assert!(
        missed.is_empty(),
        "garbled sentences called ok: {missed:#?}"
    );
}

#[test]
fn garbled_sample_sentences_are_flagged_and_the_clean_one_is_not_broken() {
    let Some(audits) = audit_samples() else {
        return;
    };
    assert_none_called_ok(audits, &GARBLED);
    for (sentence, verdict) in verdicts_at(audits, CLEAN) {
        assert_ne!(verdict, "broken", "{sentence}");
    }
}

/// The acceptance case of the default gate: without any configuration, every sample
/// article fails, each with its reasons.
#[test]
fn the_default_gate_fails_every_sample_article_with_its_reasons() {
    let Some(audits) = audit_samples() else {
        return;
    };
    for audit in audits {
        let id = audit["id"].as_str().unwrap();
        assert_eq!(audit["gate"]["passed"], false, "{id} passed the gate");
        let reasons = audit["gate"]["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty(), "{id}: no reasons");
        assert!(
            reasons.iter().all(|r| {
                let r = r.as_str().unwrap();
                r.starts_with("critical finding: ") || r.starts_with("needs an editor: ")
            }),
            "{id}: {reasons:?}"
        );
    }
}
