//! Hostile input for the string heuristics (no language model): a 5 MB article of the
//! sample articles concatenated over and over, and a 200 KB article that is one long glued
//! compound. Each must audit in seconds; before the checks were made linear they took
//! minutes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::input::{discover, read, Article, DEFAULT_MAX_ARTICLE_BYTES};
use std::path::PathBuf;
use std::time::Duration;

/// The five sample articles, concatenated and repeated up to 5,000,000 bytes.
fn concatenated_samples() -> String {
    const BYTES: usize = 5_000_000;
    let samples = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/samples"
    ));
    let (inputs, _) = discover(&[samples]);
    let one_round: String = inputs
        .iter()
        .flat_map(|i| read(i, DEFAULT_MAX_ARTICLE_BYTES))
        .map(|a| a.expect("sample article").text)
        .collect();
    let mut text = one_round.repeat(BYTES / one_round.len() + 1);
    let mut end = BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

fn article(id: &str, text: String) -> Article {
    Article {
        id: id.to_string(),
        source: id.to_string(),
        title: None,
        lang: None,
        text,
    }
}

fn adversarial(c: &mut Criterion) {
    let settings = Config::default()
        .resolve("mtaudit.toml".as_ref())
        .expect("default settings");
    let auditor = Auditor::new(settings, None);
    let cases = [
        article("concatenated-samples", concatenated_samples()),
        article(
            "long-compound",
            format!(
                "Der Präsident sprach. {}",
                "Donaudampfschifffahrtsgesellschaftskapitän".repeat(4800)
            ),
        ),
    ];

    let mut group = c.benchmark_group("adversarial");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    for case in &cases {
        group.throughput(Throughput::Bytes(case.text.len() as u64));
        group.bench_function(&case.id, |b| b.iter(|| auditor.audit(case).findings.len()));
    }
    group.finish();
}

criterion_group!(benches, adversarial);
criterion_main!(benches);
