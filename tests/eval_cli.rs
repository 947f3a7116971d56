//! `mtaudit eval` on a small labelled fixture whose metrics are worked out by hand.
//!
//! The fixture's combination gives p = σ(2·minor + 4·critical − 2) from the heuristic
//! findings alone, so with `--no-lm` the scores are: b (markup debris, critical, and a
//! minor wrong-language finding) σ(4) = 0.982; e (detached hyphen, minor) σ(0) = 0.5;
//! a, c, d (no findings) σ(−2) = 0.119. Labels: a, b, e broken; c, d ok. The article
//! estimate is σ(4·t − 2), t the mean of an article's three highest sentence scores.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eval/hand")
        .join(name)
}

fn eval(args: &[&str], dir: &Path) -> serde_json::Value {
    let output = Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir)
        .args(["eval", "--no-lm", "--format", "json", "--combination"])
        .arg(fixture("combination.json"))
        .args(args)
        .assert()
        .success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn close(value: &serde_json::Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((got - expected).abs() < 1e-3, "{got} vs {expected}");
}

#[test]
fn sentence_metrics_match_the_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let predictions = dir.path().join("predictions.jsonl");
    let sentences = fixture("sentences.jsonl");
    let report = eval(
        &[
            "--gold",
            sentences.to_str().unwrap(),
            "--write-predictions",
            predictions.to_str().unwrap(),
        ],
        dir.path(),
    );
    let overall = &report["sentences"]["overall"];
    assert_eq!(overall["n_broken"], 3);
    assert_eq!(overall["n_ok"], 2);
    // Pairs broken × ok: b and e beat c and d (4), a ties with both (2 × ½): 5 / 6.
    close(&overall["auroc"], 5.0 / 6.0);
    // Thresholds 0.982 (P 1, R ⅓), 0.5 (P 1, R ⅔), 0.119 (P ⅗, R 1).
    close(&overall["average_precision"], (1.0 + 1.0 + 0.6) / 3.0);
    // At the broken threshold 0.8 only b is flagged.
    let at = &overall["at_threshold"];
    close(&at["threshold"], 0.8);
    assert_eq!(at["true_positives"], 1);
    assert_eq!(at["false_positives"], 0);
    assert_eq!(at["false_negatives"], 2);
    close(&at["f1"], 0.5);
    // Ranks: score (a 2, b 5, c 2, d 2, e 4), severity (a 4, b 5, c 1.5, d 1.5, e 3).
    close(&overall["spearman"], 6.0 / 76f64.sqrt());
    assert_eq!(
        report["sentences"]["by_check"]["markup-debris"]["n_fired"],
        1
    );
    assert!(report["articles"].is_null());

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&predictions)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l.get("id").is_some())
        .collect();
    // Then one line per article: here each sentence is an article of its own.
    assert_eq!(lines.len(), 5);
    let b = lines.iter().find(|l| l["id"] == "b").unwrap();
    close(&b["score"], 1.0 / (1.0 + (-4f64).exp()));
    assert_eq!(b["verdict"], "broken");
    let c = lines.iter().find(|l| l["id"] == "c").unwrap();
    assert_eq!(c["verdict"], "ok");
}

#[test]
fn article_estimate_and_penalty_rank_like_the_article_gold() {
    let dir = tempfile::tempdir().unwrap();
    let docs = fixture("docs.jsonl");
    let predictions = dir.path().join("predictions.jsonl");
    let report = eval(
        &[
            "--gold",
            docs.to_str().unwrap(),
            "--write-predictions",
            predictions.to_str().unwrap(),
        ],
        dir.path(),
    );
    // Penalty per word: clean 0 < hyphen (1 minor) < debris (critical): same order as
    // doc_mqm_mean 0.5 < 3 < 10. The estimate: clean t = 0.119, hyphen (0.5 + 0.119) / 2,
    // debris (0.982 + 0.119) / 2: the same order; only debris has a major error (25 points).
    let articles = &report["articles"];
    assert_eq!(articles["n"], 3);
    assert_eq!(articles["with_major"], 1);
    close(&articles["penalty_spearman"], 1.0);
    close(&articles["estimate_spearman"], 1.0);
    close(&articles["estimate_auroc_major"], 1.0);
    // The debris article fails the default gate by its critical finding; the estimates
    // (at most σ(0.2) = 0.55) stay under the default limit.
    let gate = &report["gate"];
    assert_eq!(
        (&gate["articles"], &gate["failed"], &gate["failed_critical"]),
        (&3.into(), &1.into(), &1.into())
    );
    assert_eq!(gate["failed_needs_editor"], 0);
    let estimate = |key: &str| -> f64 {
        std::fs::read_to_string(&predictions)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|l| l["article"] == key)
            .unwrap()["needs_editor"]
            .as_f64()
            .unwrap()
    };
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let (low, mid, high) = (sigmoid(-2.0), sigmoid(0.0), sigmoid(4.0));
    assert!((estimate("t|s|clean") - sigmoid(4.0 * low - 2.0)).abs() < 1e-9);
    assert!((estimate("t|s|hyphen") - sigmoid(2.0 * (mid + low) - 2.0)).abs() < 1e-9);
    assert!((estimate("t|s|debris") - sigmoid(2.0 * (high + low) - 2.0)).abs() < 1e-9);
    // Without sentence files the labelled segments are the items (the mid one kept for
    // rank correlation only).
    let overall = &report["sentences"]["overall"];
    assert_eq!(overall["n"], 6);
    assert_eq!(overall["n_mid"], 1);
}

#[test]
fn fit_writes_parameters_that_audit_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fitted.json");
    let sentences = fixture("sentences.jsonl");
    eval(
        &[
            "--gold",
            sentences.to_str().unwrap(),
            "--fit",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let fitted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(fitted["provenance"]["fitted_by"]
        .as_str()
        .unwrap()
        .contains("--fit"));
    let article = dir.path().join("a.txt");
    std::fs::write(&article, "Der US -Präsident sprach mit dem Kanzler.\n").unwrap();
    Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir.path())
        .args(["audit", "--no-lm", "--format", "jsonl", "--combination"])
        .arg(&out)
        .arg(&article)
        .assert()
        .success();
}

#[test]
fn fitting_on_one_document_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.jsonl");
    // A reviewer's export from one article: both labels, but one document.
    std::fs::write(
        &labels,
        "{\"id\": \"a#0\", \"text\": \"Der US -Präsident sprach.\", \"lang\": \"de\", \"label\": \"broken\", \"doc_id\": \"a\", \"seg_id\": 1}\n\
         {\"id\": \"a#1\", \"text\": \"Die Ministerin reiste ab.\", \"lang\": \"de\", \"label\": \"ok\", \"doc_id\": \"a\", \"seg_id\": 2}\n",
    )
    .unwrap();
    Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "--no-lm", "--gold"])
        .arg(&labels)
        .args(["--fit", "fitted.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("more documents"));
    assert!(!dir.path().join("fitted.json").exists());
}

#[test]
fn unreadable_gold_and_bad_parameters_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "--no-lm", "--gold", "missing.jsonl"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing.jsonl"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1}").unwrap();
    Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "--no-lm", "--combination"])
        .arg(&bad)
        .arg("--gold")
        .arg(fixture("sentences.jsonl"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.json"));
}

#[test]
fn token_metrics_against_gold_token_labels() {
    // MultiGED-like records (tests/fixtures/eval/tokens.jsonl): the repetition check
    // marks "di di" (the second "di" is erroneous: tp 1, fp 1), capitalisation marks
    // "ich" (tp; "gelesen" is missed), the fragment check (major) marks "den" (tp) and the
    // whole of "Die Regierung hat gestern in Berlin," (left out: its "," is missed);
    // "Er ging gestern." is not the text "Er kam gestern." and is left out; the clean
    // sentence adds 7 correct tokens.
    let dir = tempfile::tempdir().unwrap();
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/tokens.jsonl");
    let report = eval(&["--gold", gold.to_str().unwrap()], dir.path());
    let tokens = &report["tokens"];
    assert_eq!(tokens["items"], 5);
    assert_eq!(tokens["items_unlocated"], 1);
    assert_eq!(tokens["tokens"], 36);
    assert_eq!(tokens["erroneous_tokens"], 5);
    assert_eq!(tokens["whole_text_findings"], 1);
    let counts = |scores: &serde_json::Value| {
        [
            scores["true_positives"].as_u64().unwrap(),
            scores["false_positives"].as_u64().unwrap(),
            scores["false_negatives"].as_u64().unwrap(),
        ]
    };
    assert_eq!(counts(&tokens["overall"]), [3, 1, 2]);
    // P 3/4, R 3/5: F0.5 = 1.25 · 0.45 / (0.1875 + 0.6) = 5/7.
    close(&tokens["overall"]["precision"], 0.75);
    close(&tokens["overall"]["recall"], 0.6);
    close(&tokens["overall"]["f05"], 5.0 / 7.0);
    assert_eq!(counts(&tokens["major_and_above"]), [1, 0, 4]);
    let by_check = &tokens["by_check"];
    assert_eq!(counts(&by_check["repetition"]), [1, 1, 4]);
    assert_eq!(counts(&by_check["capitalisation"]), [1, 0, 4]);
    assert_eq!(counts(&by_check["fragment"]), [1, 0, 4]);
    assert_eq!(counts(&by_check["detached-hyphen"]), [0, 0, 5]);

    let table = |gold: &Path| {
        let output = Command::cargo_bin("mtaudit")
            .unwrap()
            .current_dir(dir.path())
            .args(["eval", "--no-lm", "--gold"])
            .arg(gold)
            .assert()
            .success();
        String::from_utf8(output.get_output().stdout.clone()).unwrap()
    };
    let with_tokens = table(&gold);
    assert!(
        with_tokens.contains("tokens (gold token labels): items 5  not located 1"),
        "{with_tokens}"
    );
    let without_tokens = table(&fixture("sentences.jsonl"));
    assert!(
        !without_tokens.contains("tokens (gold token labels)"),
        "{without_tokens}"
    );

    // Gold without token labels keeps the report as it was: no "tokens" block.
    let plain = eval(
        &["--gold", fixture("sentences.jsonl").to_str().unwrap()],
        dir.path(),
    );
    assert!(plain.get("tokens").is_none());
}
