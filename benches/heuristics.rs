//! Throughput of the string heuristics alone (no language model), on one core: the five
//! sample articles audited one after another by `Auditor::audit`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::input::{discover, read, DEFAULT_MAX_ARTICLE_BYTES};
use std::path::PathBuf;

fn heuristics(c: &mut Criterion) {
    let samples = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/samples"
    ));
    let (inputs, _) = discover(&[samples]);
    let articles: Vec<_> = inputs
        .iter()
        .flat_map(|i| read(i, DEFAULT_MAX_ARTICLE_BYTES))
        .map(|a| a.expect("sample article"))
        .collect();
    let settings = Config::default()
        .resolve("mtaudit.toml".as_ref())
        .expect("default settings");
    let auditor = Auditor::new(settings, None);
    let sentences: usize = articles
        .iter()
        .map(|a| auditor.audit(a).sentences.len())
        .sum();

    let mut group = c.benchmark_group("heuristics");
    group.throughput(Throughput::Elements(sentences as u64));
    group.bench_function("sample articles (elements = sentences)", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| auditor.audit(a).findings.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, heuristics);
}
criterion_main!(group::benches);
