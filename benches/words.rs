//! Word generation alone, one thread: the crate's ChaCha vs rand_chacha `fill_bytes` into the
//! same 64 KiB buffer (16 Ki words), for each round count. Throughput is reported in bytes.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glorot::internals::{fill_words, fill_words_at};
use glorot::Level;
use glorot::{Key, Rounds};
use rand_chacha::{ChaCha12Rng, ChaCha20Rng, ChaCha8Rng};
use rand_core::{Rng, SeedableRng};

const WORDS: usize = 16 * 1024;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("words_64KiB");
    group.throughput(Throughput::Bytes((WORDS * 4) as u64));
    for (name, rounds) in [
        ("chacha8", Rounds::ChaCha8),
        ("chacha12", Rounds::ChaCha12),
        ("chacha20", Rounds::ChaCha20),
    ] {
        let key = Key::with_rounds(1, rounds).tensor("w");
        let mut buf = vec![0u32; WORDS];
        let mut pos = 0u64;
        group.bench_function(BenchmarkId::new("glorot", name), |b| {
            b.iter(|| {
                fill_words(&key, pos, &mut buf);
                pos += WORDS as u64;
                black_box(&buf);
            })
        });
        for (level, label) in [
            (Level::Avx2, "glorot_avx2_only"),
            (Level::Portable, "glorot_sse2"),
            (Level::Scalar, "glorot_scalar"),
        ] {
            let mut pos = 0u64;
            group.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| {
                    fill_words_at(&key, pos, &mut buf, level);
                    pos += WORDS as u64;
                    black_box(&buf);
                })
            });
        }
        let mut bytes = vec![0u8; WORDS * 4];
        macro_rules! reference {
            ($t:ty) => {{
                let mut rng = <$t>::from_seed(key.chacha_seed());
                rng.set_stream(key.stream());
                group.bench_function(BenchmarkId::new("rand_chacha", name), |b| {
                    b.iter(|| {
                        rng.fill_bytes(&mut bytes);
                        black_box(&bytes);
                    })
                });
            }};
        }
        match rounds {
            Rounds::ChaCha8 => reference!(ChaCha8Rng),
            Rounds::ChaCha12 => reference!(ChaCha12Rng),
            Rounds::ChaCha20 => reference!(ChaCha20Rng),
        }
    }
    group.finish();

    // The whole narrow kernel on one thread, in cache: 64 Ki f32 (256 KiB, one parallel chunk,
    // so no threading), words generated and mapped. Throughput in output bytes.
    let mut group = c.benchmark_group("fill_f32_256KiB");
    group.throughput(Throughput::Bytes(4 << 16));
    let key = Key::new(1).tensor("w");
    let dist = glorot::Distribution::uniform(-0.05, 0.05).expect("valid");
    let mut v = vec![0f32; 1 << 16];
    group.bench_function("uniform", |b| {
        b.iter(|| {
            glorot::fill(&mut v, &dist, &key).expect("fill");
            black_box(&v);
        })
    });
    group.bench_function("slice_fill", |b| {
        b.iter(|| {
            v.fill(black_box(0.5));
            black_box(&v);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
