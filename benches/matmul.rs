//! Layer-sized matrix products, f32 (candle's GEMM, the exact mode) against the 8-bit ×
//! 16-bit integer kernels of the default mode ([`mtaudit::lm::qgemm`]), each kernel this
//! CPU runs: one chunk of 128 tokens through Gemma 3 270M's gate/up (640 → 4,096) and down
//! (2,048 → 640) projections, and one 16,384-row block of the output head. Needs no model
//! file.

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtaudit::lm::qgemm::{Kernel, PackedMatrix, QuantisedActivations};
use std::time::Duration;

const TOKENS: usize = 128;

fn bench_matmul(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, cols, rows) in [
        ("gate_up_640x4096", 640, 4096),
        ("down_2048x640", 2048, 640),
        ("head_640x16384", 640, 16_384),
    ] {
        let x = Tensor::randn(0f32, 1.0, (TOKENS, cols), &Device::Cpu).unwrap();
        // Q5_0 weights, as most of the GGUF's layers: the packed form holds them exactly.
        let w = Tensor::randn(0f32, 0.05, (rows, cols), &Device::Cpu).unwrap();
        let w = QTensor::quantize(&w, GgmlDType::Q5_0)
            .unwrap()
            .dequantize(&Device::Cpu)
            .unwrap();
        group.throughput(Throughput::Elements((2 * TOKENS * cols * rows) as u64));
        group.bench_function(format!("{name}/f32"), |b| {
            b.iter(|| x.matmul(&w.t().unwrap()).unwrap())
        });
        let w: Vec<f32> = w.flatten_all().unwrap().to_vec1().unwrap();
        let x: Vec<f32> = x.flatten_all().unwrap().to_vec1().unwrap();
        for kernel in Kernel::ALL {
            if !kernel.is_available() {
                eprintln!("skipping the {kernel} kernel: this CPU lacks its instructions");
                continue;
            }
            let packed = PackedMatrix::pack(&w, rows, cols)
                .unwrap()
                .with_kernel(kernel);
            group.bench_function(format!("{name}/{kernel}"), |b| {
                b.iter(|| packed.matmul(&QuantisedActivations::quantise(&x, cols).unwrap()))
            });
        }
    }
    group.finish();
}

// criterion_group! defines a public function without documentation: a module of its
// own keeps it out of the crate's public surface.
mod group {
    use super::*;
    criterion_group!(benches, bench_matmul);
}
criterion_main!(group::benches);
