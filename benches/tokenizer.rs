//! Start-up cost of the Gemma 3 tokenizer (rebuilt from GGUF metadata at every start) and
//! its encoding speed. Needs `MTAUDIT_MODEL` (path to gemma-3-270m-q4_k_m.gguf); without
//! it nothing is measured.

use candle_core::quantized::gguf_file::Content;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::lm::tokenizer::GemmaTokenizer;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

fn read_metadata(path: &Path) -> Content {
    let file = File::open(path).expect("model file opens");
    Content::read(&mut BufReader::new(file)).expect("GGUF metadata reads")
}

fn tokenizer(c: &mut Criterion) {
    let Some(path) = std::env::var_os("MTAUDIT_MODEL").map(PathBuf::from) else {
        eprintln!("skipping: set MTAUDIT_MODEL to the path of gemma-3-270m-q4_k_m.gguf");
        return;
    };
    let mut group = c.benchmark_group("tokenizer");
    group.sample_size(10);
    group.bench_function("read_gguf_metadata", |b| b.iter(|| read_metadata(&path)));
    let content = read_metadata(&path);
    // Dropping the tokenizer is not part of the start-up cost.
    group.bench_function("build_from_metadata", |b| {
        b.iter_with_large_drop(|| GemmaTokenizer::from_gguf(&content).expect("tokenizer builds"))
    });

    let tokenizer = GemmaTokenizer::from_gguf(&content).expect("tokenizer builds");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/samples/000_242c8710a1e8f699.txt"
    );
    let text = std::fs::read_to_string(sample).expect("sample article");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("encode_sample_article", |b| {
        b.iter(|| tokenizer.encode(&text).expect("encodes"))
    });
    group.finish();
}

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, tokenizer);
}
criterion_main!(group::benches);
