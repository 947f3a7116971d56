//! Language-model tests against the real model. They need the GGUF: set `MTAUDIT_MODEL`
//! to the path of gemma-3-270m-q4_k_m.gguf; without it they skip with a message.

use mtaudit::langid::Lang;
use mtaudit::lm::{LanguageModel, ScoringOptions};
use std::path::PathBuf;
use std::sync::OnceLock;

fn model_path() -> Option<PathBuf> {
    match std::env::var_os("MTAUDIT_MODEL") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!("skipping: set MTAUDIT_MODEL to the Gemma 3 270M GGUF to run the language-model tests");
            None
        }
    }
}

/// One loaded model per mode, shared by the tests of this file.
fn model(exact: bool) -> Option<&'static LanguageModel> {
    static EXACT: OnceLock<LanguageModel> = OnceLock::new();
    static DEFAULT: OnceLock<LanguageModel> = OnceLock::new();
    let path = model_path()?;
    let cell = if exact { &EXACT } else { &DEFAULT };
    Some(cell.get_or_init(|| {
        LanguageModel::load(
            &path,
            ScoringOptions {
                exact,
                ..ScoringOptions::default()
            },
        )
        .expect("model loads")
    }))
}

#[derive(serde::Deserialize)]
struct Reference {
    text: String,
    lang: String,
    bos_id: u32,
    ids: Vec<u32>,
    nll: Vec<f32>,
    mean_nll: f32,
}

fn reference(name: &str) -> Reference {
    let path = format!(
        "{}/tests/fixtures/lm_reference/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture parses")
}

fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len() as f32
}

fn check_against_llama_cpp(name: &str) {
    let Some(model) = model(true) else { return };
    let reference = reference(name);
    assert_eq!(
        reference.ids[0], reference.bos_id,
        "fixture ids start with BOS"
    );
    let ids = &reference.ids[1..];
    assert_eq!(ids.len(), reference.nll.len());
    let tokens: Vec<u32> = model
        .tokenizer()
        .encode(&reference.text)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(tokens, ids, "tokenizer agrees with llama.cpp");
    let lang: Lang = reference.lang.parse().unwrap();
    // Small batches so the paragraph spans several chunks and exercises the KV cache.
    let surprisal = model.score_ids(ids, Some(lang)).unwrap();
    let ours = mean(&surprisal);
    eprintln!(
        "{name}: mean NLL candle {ours:.4} vs llama.cpp {:.4}",
        reference.mean_nll
    );
    assert!(
        (ours - reference.mean_nll).abs() <= 0.05,
        "mean NLL {ours} vs llama.cpp {}",
        reference.mean_nll
    );
    let mean_abs = mean(
        &surprisal
            .iter()
            .zip(&reference.nll)
            .map(|(a, b)| (a - b).abs())
            .collect::<Vec<_>>(),
    );
    assert!(
        mean_abs < 0.3,
        "per-token mean absolute difference {mean_abs}"
    );
}

#[test]
fn german_paragraph_matches_llama_cpp() {
    check_against_llama_cpp("german_paragraph");
}

#[test]
fn italian_paragraph_matches_llama_cpp() {
    check_against_llama_cpp("italian_paragraph");
}
