//! Hostile input for the string heuristics (no language model): a 5 MB article of the
//! sample articles concatenated over and over, and a 200 KB article that is one long glued
//! compound. Each must audit in seconds; before the checks were made linear they took
//! minutes. And for the reader: a gzipped JSON Lines file whose first line inflates to
//! 256 MiB, which must be skipped in bounded memory rather than read whole.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::data::Article;
use mtaudit::input::{discover, read, Input, DEFAULT_MAX_ARTICLE_BYTES};
use std::io::Write;
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

/// A `.jsonl.gz` file whose first line is 256 MiB of `a` (a gzip member of 1 MiB, repeated),
/// followed by one valid record.
fn gzip_bomb(dir: &std::path::Path) -> PathBuf {
    let member = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).expect("in memory");
        gz.finish().expect("in memory")
    };
    let mut file = member(&vec![b'a'; 1 << 20]).repeat(256);
    file.extend(member(b"\n{\"id\": \"after\", \"text\": \"Ein Satz.\"}\n"));
    let path = dir.join("bomb.jsonl.gz");
    std::fs::write(&path, file).expect("temporary file");
    path
}

fn oversized_record(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = Input::File {
        path: gzip_bomb(dir.path()),
        id: "bomb".into(),
    };
    let mut group = c.benchmark_group("adversarial");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(256 << 20));
    group.bench_function("gzip-bomb-record", |b| {
        b.iter(|| read(&input, DEFAULT_MAX_ARTICLE_BYTES).len())
    });
    group.finish();
}

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, adversarial, oversized_record);
}
criterion_main!(group::benches);
