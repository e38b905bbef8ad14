//! Criterion benchmarks of `glorot::structured::orthogonal` (PyTorch convention) on square f32
//! matrices, 1024², 2048², 4096², on 1 and 2 threads (explicit rayon pools). The comparison with
//! `torch.nn.init.orthogonal_` in the same run is `examples/orthogonal_vs_torch.rs`.
//!
//! `cargo bench --bench orthogonal` (4096² takes a few seconds per iteration; ten samples).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glorot::{structured, Key};

fn bench(c: &mut Criterion) {
    let key = Key::new(1).tensor("w");
    let mut g = c.benchmark_group("orthogonal_f32");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    for n in [1024usize, 2048, 4096] {
        // Flops of the sampler: 2mn² − 2n³/3 = 4n³/3 for a square matrix.
        g.throughput(Throughput::Elements((4 * n * n * n / 3) as u64));
        g.measurement_time(Duration::from_secs(if n >= 4096 { 40 } else { 10 }));
        let mut w = vec![0f32; n * n];
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_with_input(
                BenchmarkId::new(format!("{n}x{n}"), format!("{threads}t")),
                &threads,
                |b, _| {
                    b.iter(|| {
                        pool.install(|| structured::orthogonal(&mut w, &[n, n], 1.0, &key))
                            .unwrap()
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
