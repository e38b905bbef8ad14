//! Criterion benchmarks of the normal-family fills (f32 unless noted) at 4 MiB and 64 MiB,
//! against `slice.fill(c)` on the same buffer. (The 1 GiB comparison is
//! `examples/normal_speed.rs`, which interleaves methods and reports medians and ratios.)

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glorot::{bf16, fill, fill_at_with, Distribution, Fans, Init, Key, Level};

fn bench(c: &mut Criterion) {
    let fans = Fans::new(4096, 4096);
    let xavier = Init::xavier_normal(1.0).distribution(fans).unwrap();
    let glorot = Init::GlorotNormal.distribution(fans).unwrap();
    let far = Distribution::truncated_normal(-3.0, 1.0, -0.5, 0.5).unwrap();
    let key = Key::new(1).tensor("w");
    for mib in [4usize, 64] {
        let n = mib << 18; // f32 elements
        let mut g = c.benchmark_group(format!("normal_{mib}MiB"));
        g.throughput(Throughput::Bytes((n * 4) as u64));
        g.sample_size(10);
        let mut v = vec![1f32; n];
        g.bench_function("slice_fill", |b| b.iter(|| v.fill(0.5)));
        for (name, d) in [
            ("xavier_normal", xavier),
            ("glorot_normal", glorot),
            ("trunc_far", far),
        ] {
            for (bname, backend) in [("simd", Level::Avx512), ("portable", Level::Portable)] {
                g.bench_with_input(BenchmarkId::new(name, bname), &d, |b, d| {
                    b.iter(|| fill_at_with(&mut v, d, &key, 0, backend).unwrap())
                });
            }
        }
        let mut f64s = vec![1f64; n / 2];
        g.bench_function("xavier_normal_f64", |b| {
            b.iter(|| fill(&mut f64s, &xavier, &key).unwrap())
        });
        let mut h = vec![bf16::ONE; n * 2];
        g.bench_function("glorot_normal_bf16", |b| {
            b.iter(|| fill(&mut h, &glorot, &key).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
