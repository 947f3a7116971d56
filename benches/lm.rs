//! Language-model scoring speed: tokens/s for default scoring (shortlist head; once per
//! integer kernel this CPU runs) and exact scoring of a sample article, and model load
//! time; then how the threads are used (`lm_articles`): one article alone on every core,
//! several long articles side by side, and many short ones side by side, as the batch
//! runs them. Needs `MTAUDIT_MODEL` (path to the GGUF); without it the benchmarks are
//! skipped. Run: `MTAUDIT_MODEL=… cargo bench --bench lm`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::data::Lang;
use mtaudit::lm::evidence::LmEvidence;
use mtaudit::lm::qgemm::Kernel;
use mtaudit::lm::{LanguageModel, ScoringOptions};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A mid-sized German sample (about 1,000 tokens): long enough to span several chunks,
/// short enough for ten timed iterations per mode in about a minute.
const ARTICLE: &str = "001_89a789b5965c4451.txt"; // German

/// Tokens of a short article in `lm_articles`: a headline and a sentence or two.
const SHORT_ARTICLE_TOKENS: usize = 48;

/// The model file, or `None` (with a message) when `MTAUDIT_MODEL` is not set.
fn model_path() -> Option<PathBuf> {
    let path = std::env::var_os("MTAUDIT_MODEL").map(PathBuf::from);
    if path.is_none() {
        eprintln!(
            "skipping: set MTAUDIT_MODEL to the Gemma 3 270M GGUF to benchmark the language model"
        );
    }
    path
}

fn sample_text() -> String {
    let article = format!(
        "{}/tests/fixtures/samples/{ARTICLE}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(article).expect("sample article")
}

fn bench_scoring(c: &mut Criterion) {
    let Some(path) = model_path() else {
        return;
    };
    let text = sample_text();
    let sentences = mtaudit::segment::segment(&text);

    let mut group = c.benchmark_group("lm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    // Default scoring with every integer kernel this CPU runs (fastest first), then exact.
    let modes = Kernel::ALL
        .into_iter()
        .filter(|kernel| {
            let available = kernel.is_available();
            if !available {
                eprintln!("skipping the {kernel} kernel: this CPU lacks its instructions");
            }
            available && *kernel != Kernel::Scalar
        })
        .map(|kernel| (format!("score_default/{kernel}"), false, kernel))
        .chain([("score_exact".to_string(), true, Kernel::best())]);
    for (name, exact, kernel) in modes {
        let model = LanguageModel::load(
            &path,
            ScoringOptions {
                exact,
                kernel,
                ..ScoringOptions::default()
            },
        )
        .expect("model loads");
        let tokens = model.tokenizer().encode(&text).expect("tokenizes").len();
        let lm = LmEvidence::uncached(model).expect("model file hashes");
        group.throughput(Throughput::Elements(tokens as u64));
        // The audit's path without the score cache: tokens, then sentence features.
        group.bench_function(name, |b| {
            b.iter(|| {
                lm.score(&text, &sentences, Lang::GERMAN, false)
                    .expect("scores")
            })
        });
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function("load", |b| {
        b.iter(|| LanguageModel::load(&path, ScoringOptions::default()).expect("model loads"))
    });
    group.finish();
}

/// Tokens/s of default scoring for three shapes of work on rayon's pool: one article
/// alone (its matrix products and normalisation split across the threads), four copies
/// of it side by side (one article per thread, as a batch runs), and the same tokens cut
/// into short articles side by side (whether short articles need several packed into
/// one forward pass to keep the products efficient).
fn bench_thread_plan(c: &mut Criterion) {
    let Some(path) = model_path() else {
        return;
    };
    let model = LanguageModel::load(Path::new(&path), ScoringOptions::default()).expect("loads");
    let ids: Vec<u32> = model
        .tokenizer()
        .encode(&sample_text())
        .expect("tokenizes")
        .iter()
        .map(|t| t.id)
        .collect();
    let long: Vec<&[u32]> = vec![&ids; 4];
    let short: Vec<&[u32]> = long
        .iter()
        .flat_map(|ids| ids.chunks(SHORT_ARTICLE_TOKENS))
        .collect();
    let score = |articles: &[&[u32]]| {
        articles.par_iter().for_each(|ids| {
            model.score_ids(ids, Some(Lang::GERMAN)).expect("scores");
        })
    };
    score(&short[..1]); // builds the German head outside the timings

    let mut group = c.benchmark_group("lm_articles");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(ids.len() as u64));
    group.bench_function("one_article_alone", |b| b.iter(|| score(&long[..1])));
    group.throughput(Throughput::Elements(4 * ids.len() as u64));
    group.bench_function("four_articles_side_by_side", |b| b.iter(|| score(&long)));
    group.bench_function(
        format!("{}_short_articles_side_by_side", short.len()),
        |b| b.iter(|| score(&short)),
    );
    group.finish();
}

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, bench_scoring, bench_thread_plan);
}
criterion_main!(group::benches);
