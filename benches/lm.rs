//! Language-model scoring speed: tokens/s for default scoring (shortlist head; once per
//! integer kernel this CPU runs) and exact scoring of a sample article, and model load
//! time. Needs `MTAUDIT_MODEL` (path to the GGUF); without it the benchmarks are skipped.
//! Run: `MTAUDIT_MODEL=… cargo bench --bench lm`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::data::Lang;
use mtaudit::lm::evidence::LmEvidence;
use mtaudit::lm::qgemm::Kernel;
use mtaudit::lm::{LanguageModel, ScoringOptions};
use std::path::PathBuf;
use std::time::Duration;

/// A mid-sized German sample (about 1,000 tokens): long enough to span several chunks,
/// short enough for ten timed iterations per mode in about a minute.
const ARTICLE: &str = "001_89a789b5965c4451.txt"; // German

fn bench_scoring(c: &mut Criterion) {
    let Some(path) = std::env::var_os("MTAUDIT_MODEL").map(PathBuf::from) else {
        eprintln!(
            "skipping: set MTAUDIT_MODEL to the Gemma 3 270M GGUF to benchmark the language model"
        );
        return;
    };
    let article = format!(
        "{}/tests/fixtures/samples/{ARTICLE}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(article).expect("sample article");
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

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, bench_scoring);
}
criterion_main!(group::benches);
