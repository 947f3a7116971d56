//! Language-model tests against the real model. They need the GGUF: set `MTAUDIT_MODEL`
//! to the path of gemma-3-270m-q4_k_m.gguf; without it they skip with a message.

mod support;

use mtaudit::data::Lang;
use mtaudit::lm::evidence::LmEvidence;
use mtaudit::lm::qgemm::Kernel;
use mtaudit::lm::{LanguageModel, ScoringOptions};
use std::path::PathBuf;
use std::sync::OnceLock;
use support::sample_text;

fn model_path() -> Option<PathBuf> {
    match std::env::var_os("MTAUDIT_MODEL") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!("skipping: set MTAUDIT_MODEL to the Gemma 3 270M GGUF to run the language-model tests");
            None
        }
    }
}

/// One loaded model per mode, shared by the tests of this file (loading one and building
/// its heads takes seconds).
fn model(exact: bool) -> Option<&'static LanguageModel> {
    static EXACT: OnceLock<LanguageModel> = OnceLock::new();
    if !exact {
        return evidence().map(|lm| &*lm.model);
    }
    let path = model_path()?;
    Some(EXACT.get_or_init(|| {
        let options = ScoringOptions {
            exact: true,
            ..ScoringOptions::default()
        };
        LanguageModel::load(&path, options).expect("model loads")
    }))
}

/// The default model as the audit asks it, without a score cache.
fn evidence() -> Option<&'static LmEvidence> {
    static EVIDENCE: OnceLock<LmEvidence> = OnceLock::new();
    let path = model_path()?;
    Some(EVIDENCE.get_or_init(|| {
        let model = LanguageModel::load(&path, ScoringOptions::default()).expect("model loads");
        LmEvidence::uncached(model).expect("model file hashes")
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

const SAMPLES: [&str; 5] = ["000_", "001_", "002_", "003_", "004_"];

/// Exact scoring of every sample (f32 weights, full head), recorded once: scoring them all
/// exactly takes minutes on two cores. `exact_scoring_reproduces_the_recorded_reference`
/// re-scores one sample to keep the record honest; `record_exact_reference` rewrites it.
const EXACT_REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/lm_reference/samples_exact.json"
);

/// The recorded exact surprisal of each sample's tokens, and the model it came from.
#[derive(serde::Serialize, serde::Deserialize)]
struct ExactReference {
    model_sha256: String,
    /// Per sample (by its name's prefix), every token's surprisal in nats.
    samples: std::collections::BTreeMap<String, Vec<f32>>,
}

/// Surprisal rounded as the record stores it (0.0001 nats; the comparisons allow 0.02).
fn recorded(surprisal: f32) -> f32 {
    (surprisal * 1e4).round() / 1e4
}

fn exact_reference() -> ExactReference {
    let text = std::fs::read_to_string(EXACT_REFERENCE).expect("exact reference fixture");
    let reference: ExactReference = serde_json::from_str(&text).expect("fixture parses");
    let sha256 = evidence().expect("model present").info.sha256.clone();
    assert_eq!(
        reference.model_sha256, sha256,
        "{EXACT_REFERENCE} was recorded with another model file; rerun \
         `cargo test --test lm_model -- --ignored record_exact_reference`"
    );
    reference
}

fn exact_surprisal(model: &LanguageModel, name: &str) -> Vec<f32> {
    let text = sample_text(name);
    let lang = mtaudit::langid::detect(&text).map(|d| d.lang);
    let tokens = model.score_tokens(&text, lang).unwrap();
    tokens.iter().map(|t| recorded(t.surprisal)).collect()
}

#[test]
#[ignore = "rewrites tests/fixtures/lm_reference/samples_exact.json (minutes)"]
fn record_exact_reference() {
    let (Some(exact), Some(lm)) = (model(true), evidence()) else {
        return;
    };
    let reference = ExactReference {
        model_sha256: lm.info.sha256.clone(),
        samples: SAMPLES
            .iter()
            .map(|name| (name.to_string(), exact_surprisal(exact, name)))
            .collect(),
    };
    let json = serde_json::to_string(&reference).unwrap();
    std::fs::write(EXACT_REFERENCE, json + "\n").unwrap();
}

#[test]
fn exact_scoring_reproduces_the_recorded_reference() {
    let Some(exact) = model(true) else { return };
    // The shortest sample; summation order may differ between CPUs' f32 kernels.
    let name = "003_";
    let want = &exact_reference().samples[name];
    let got = exact_surprisal(exact, name);
    assert_eq!(got.len(), want.len());
    let differences: Vec<f32> = got.iter().zip(want).map(|(a, b)| (a - b).abs()).collect();
    let mean_abs = mean(&differences);
    eprintln!(
        "exact vs recorded over {} tokens: mean |Δ| {mean_abs:.5} nats",
        got.len()
    );
    assert!(mean_abs <= 0.002, "mean absolute difference {mean_abs}");
}

#[test]
fn default_scoring_stays_within_002_nats_of_exact_on_the_samples() {
    let Some(default) = model(false) else { return };
    let reference = exact_reference();
    let mut differences = Vec::new();
    for name in SAMPLES {
        let text = sample_text(name);
        let lang = mtaudit::langid::detect(&text).map(|d| d.lang);
        let exact = &reference.samples[name];
        let scored = default.score_tokens(&text, lang).unwrap();
        assert_eq!(scored.len(), exact.len());
        differences.extend(
            scored
                .iter()
                .zip(exact)
                .map(|(a, b)| (a.surprisal - b).abs()),
        );
    }
    let mean_abs = mean(&differences);
    let worst = differences.iter().copied().fold(0f32, f32::max);
    eprintln!(
        "default vs exact over {} tokens: mean |Δ| {mean_abs:.4} nats, max {worst:.3}",
        differences.len()
    );
    assert!(mean_abs <= 0.02, "mean absolute difference {mean_abs}");
}

#[test]
fn every_simd_kernel_scores_a_sample_identically() {
    let Some(default) = model(false) else {
        return;
    };
    let chosen = default.options().kernel;
    let text = sample_text("003_");
    let want = default.score_tokens(&text, Some(Lang::GERMAN)).unwrap();
    let others = Kernel::ALL
        .into_iter()
        .filter(|&k| k != chosen && k != Kernel::Scalar && k.is_available());
    let mut compared = 0;
    for kernel in others {
        let model = LanguageModel::load(
            &model_path().unwrap(),
            ScoringOptions {
                kernel,
                ..ScoringOptions::default()
            },
        )
        .expect("model loads");
        let got = model.score_tokens(&text, Some(Lang::GERMAN)).unwrap();
        assert!(
            got == want,
            "the {kernel} kernel scores differently from {chosen}"
        );
        compared += 1;
    }
    if compared == 0 {
        eprintln!("skipping: this CPU runs no SIMD kernel besides {chosen}");
    }
}

/// Sentence of `article` containing `needle`, with its rank (0 = worst) under `worse`.
fn rank_of(
    text: &str,
    sentences: &[mtaudit::data::Sentence],
    scores: &[f32],
    needle: &str,
) -> (usize, usize) {
    let index = sentences
        .iter()
        .position(|s| s.span.slice(text).contains(needle))
        .expect("sentence present");
    let rank = scores.iter().filter(|&&s| s > scores[index]).count();
    (index, rank)
}

#[test]
fn garbled_sentences_rank_worst_and_the_clean_one_does_not() {
    let Some(lm) = evidence() else { return };
    let cases = [
        ("002_", "Wir wirkt uns sofort wieder auf.", true),
        ("002_", "Mitgliedstaaten des Rat umfassender Frieden.", true),
        (
            "001_",
            "Recep Tayyip Erdogan einen „gerechten Frieden“ zwischen der Ukraine und Russland.",
            false,
        ),
    ];
    // Each sample scored once, however many cases it holds.
    let mut scored_samples = std::collections::HashMap::new();
    for (name, needle, garbled) in cases {
        let (text, sentences, scored) = scored_samples.entry(name).or_insert_with(|| {
            let text = sample_text(name);
            let sentences = mtaudit::segment::segment(&text);
            let scored = lm.score(&text, &sentences, Lang::GERMAN, false).unwrap();
            (text, sentences, scored)
        });
        // Badness: lower SLOR is worse.
        let badness: Vec<f32> = scored.sentences.iter().map(|s| -s.slor).collect();
        let mean_badness: Vec<f32> = scored.sentences.iter().map(|s| s.mean_surprisal).collect();
        let (_, rank) = rank_of(text, sentences, &badness, needle);
        let (_, mean_rank) = rank_of(text, sentences, &mean_badness, needle);
        let quarter = sentences.len().div_ceil(4);
        eprintln!(
            "{needle}: SLOR rank {rank}, mean rank {mean_rank} of {} (worst quarter: < {quarter})",
            sentences.len()
        );
        if garbled {
            assert!(
                rank < quarter,
                "{needle:?} ranks {rank} of {}",
                sentences.len()
            );
        } else {
            assert!(
                rank >= quarter,
                "{needle:?} ranks {rank} of {}",
                sentences.len()
            );
        }
    }
}

/// Known failure (see the lm-model report): the worst 3-token window of this sentence is
/// "…unternehmen abgefunden" (9.0 nats), itself garbled, not the "Russlands Gericht" phrase.
#[test]
fn worst_span_of_the_ball_sentence_overlaps_the_garbled_phrase() {
    let Some(lm) = evidence() else { return };
    let text = sample_text("000_");
    let sentences = mtaudit::segment::segment(&text);
    let scored = lm.score(&text, &sentences, Lang::GERMAN, false).unwrap();
    let phrase = "der Ball sei vor dem Russlands Gericht";
    let start = text.find(phrase).expect("phrase present");
    let phrase_span = mtaudit::data::Span::new(start, start + phrase.len());
    let index = sentences
        .iter()
        .position(|s| s.span.contains(phrase_span))
        .expect("sentence with the phrase");
    let worst = scored.sentences[index].worst_span.expect("worst span");
    eprintln!(
        "worst span: {:?} ({:.2} nats)",
        worst.span.slice(&text),
        worst.mean_surprisal
    );
    assert!(
        worst.span.overlaps(phrase_span),
        "worst span {:?}",
        worst.span.slice(&text)
    );
}

/// The head and the variant pass of one chunk run beside the next chunk's forward pass;
/// neither the split nor the number of threads may change a score.
#[test]
fn scores_and_variants_do_not_depend_on_the_thread_count() {
    let Some(lm) = evidence() else {
        return;
    };
    let text = sample_text("003_");
    let sentences = mtaudit::segment::segment(&text);
    let on_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            lm.score(&text, &sentences, Lang::GERMAN, true)
                .expect("scores")
        })
    };
    let one = on_threads(1);
    assert!(
        one.sentences.iter().any(|s| !s.variants.is_empty()),
        "the sample has variant evidence to compare"
    );
    assert!(one == on_threads(3), "scores on 3 threads differ from 1");
}
