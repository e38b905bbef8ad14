//! Criterion benches for every fill at 4 MiB, 64 MiB and 1 GiB of output, into an
//! already-touched buffer, on all threads; `slice.fill(c)` on the same buffer is the baseline.
//!
//! `cargo bench --bench fill` (all sizes) or `cargo bench --bench fill -- 4MiB` (one size).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glorot::{bf16, f16, fill, Element, Init, Key, Layout};
use rayon::prelude::*;
use std::time::Duration;

const SIZES: [(&str, usize); 3] = [("4MiB", 4 << 20), ("64MiB", 64 << 20), ("1GiB", 1 << 30)];

fn bench_dtype<T: Element + Default>(c: &mut Criterion, dtype: &str) {
    let key = Key::new(0).tensor("bench");
    let mut group = c.benchmark_group(format!("fill_{dtype}"));
    for (label, bytes) in SIZES {
        let n = bytes / core::mem::size_of::<T>();
        if bytes >= 1 << 30 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(8));
        } else {
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(3));
        }
        group.throughput(Throughput::Bytes(bytes as u64));
        let mut buf = vec![T::default(); n];
        // A square-ish 2-D shape with n elements for the fan-based initializers.
        let shape = [n / 1024, 1024];
        let inits = [
            ("xavier_uniform", Init::xavier_uniform(1.0)),
            ("kaiming_uniform", Init::kaiming_uniform()),
            ("lecun_uniform", Init::LecunUniform),
            ("zeros", Init::Zeros),
        ];
        for (name, init) in inits {
            let dist = init.distribution_for_shape(&shape, Layout::Torch).unwrap();
            group.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| fill(&mut buf, &dist, &key).unwrap())
            });
        }
        let one = T::default();
        group.bench_function(BenchmarkId::new("slice_fill_baseline", label), |b| {
            b.iter(|| buf.par_chunks_mut(1 << 16).for_each(|c| c.fill(one)))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_dtype::<f32>(c, "f32");
    bench_dtype::<f64>(c, "f64");
    bench_dtype::<bf16>(c, "bf16");
    bench_dtype::<f16>(c, "f16");
}

criterion_group!(fill_benches, benches);
criterion_main!(fill_benches);
