//! Throughput of the normal-family fills against `slice.fill(c)` on the same already-touched
//! buffer, all in one run so the ratios are comparable on a shared machine.
//!
//! ```text
//! cargo run --release --example normal_speed -- [MiB=1024] [reps=5]
//! RUSTFLAGS="-C target-cpu=x86-64-v3" CARGO_TARGET_DIR=target/v3 cargo run --release --example normal_speed
//! ```
//!
//! Prints, per method, the median of `reps` timings (GB/s) and the ratio to `slice.fill(c)`.
//! Methods are interleaved round-robin so slow phases of a shared machine hit all of them.
//! "(Avx512)" rows use the best level (AVX-512 where the CPU has it); "(AVX2 cap)" rows fill at
//! `Level::Avx2` (ChaCha and kernels), the default before the AVX-512 kernels.

use std::time::Instant;

use glorot::{fill_at_with, Distribution, Fans, Init, Key, Level};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let n = mib * (1 << 20) / 4;
    let mut buf = vec![0f32; n];
    // touch every page (in parallel, like the fills)
    buf.par_chunks_mut(1 << 16).for_each(|c| c.fill(1.0));

    let fans = Fans::new(4096, 4096);
    let xavier = Init::xavier_normal(1.0).distribution(fans).unwrap();
    let glorot = Init::GlorotNormal.distribution(fans).unwrap();
    let uniform = Init::xavier_uniform(1.0).distribution(fans).unwrap();
    let key = Key::new(1).tensor("w");

    type Method<'a> = (&'a str, Box<dyn Fn(&mut [f32]) + Sync + 'a>);
    // Each method fills at its own level (lowered to what the CPU has).
    let with = |d: Distribution, level: Level| {
        Box::new(move |v: &mut [f32]| fill_at_with(v, &d, &key, 0, level).unwrap())
            as Box<dyn Fn(&mut [f32]) + Sync>
    };
    let methods: Vec<Method> = vec![
        (
            "slice.fill(c) (2 threads, par_chunks)",
            Box::new(|v: &mut [f32]| v.par_chunks_mut(1 << 16).for_each(|c| c.fill(0.25))),
        ),
        ("xavier_uniform (Avx512)", with(uniform, Level::Avx512)),
        ("xavier_normal (Avx512)", with(xavier, Level::Avx512)),
        ("glorot_normal trunc (Avx512)", with(glorot, Level::Avx512)),
        ("xavier_uniform (AVX2 cap)", with(uniform, Level::Avx2)),
        ("xavier_normal (AVX2 cap)", with(xavier, Level::Avx2)),
        ("glorot_normal trunc (AVX2 cap)", with(glorot, Level::Avx2)),
        (
            "xavier_normal (Portable/wide)",
            with(xavier, Level::Portable),
        ),
        (
            "glorot_normal (Portable/wide)",
            with(glorot, Level::Portable),
        ),
    ];
    // optional filter: ONLY=<substring> keeps the baseline and the matching methods
    let only = std::env::var("ONLY").unwrap_or_default();
    let methods: Vec<Method> = methods
        .into_iter()
        .enumerate()
        .filter(|(i, (name, _))| *i == 0 || name.contains(only.as_str()))
        .map(|(_, m)| m)
        .collect();
    let mut times = vec![Vec::new(); methods.len()];
    for _ in 0..reps {
        for (i, (_, f)) in methods.iter().enumerate() {
            let t = Instant::now();
            f(&mut buf);
            times[i].push(t.elapsed().as_secs_f64());
            std::hint::black_box(&buf);
        }
    }
    // CPU cost per element on one thread (thread CPU time, so time stolen by other processes
    // on a shared machine does not count): the compute-bound rate one free core would reach.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let m = n.min(16 << 20);
    let mut cpu = vec![Vec::new(); methods.len()];
    for _ in 0..reps {
        for (i, (_, f)) in methods.iter().enumerate() {
            let slice = &mut buf[..m];
            let ns = one.install(|| {
                let t0 = thread_cpu_ns();
                f(slice);
                thread_cpu_ns() - t0
            });
            cpu[i].push(ns as f64 / m as f64);
        }
    }
    let bytes = (n * 4) as f64;
    let median = |t: &mut Vec<f64>| {
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        t[t.len() / 2]
    };
    let base = median(&mut times[0].clone());
    println!(
        "{} MiB f32, {} threads, median of {reps}; build: {}",
        mib,
        rayon::current_num_threads(),
        if cfg!(target_feature = "avx2") {
            "target-cpu with AVX2 (e.g. x86-64-v3)"
        } else {
            "default (SSE2 baseline)"
        }
    );
    println!(
        "{:<40} {:>9} {:>9} {:>14}",
        "method", "GB/s", "ratio", "1-thread CPU ns/elem"
    );
    for (i, (name, _)) in methods.iter().enumerate() {
        let m = median(&mut times[i]);
        let c = median(&mut cpu[i]);
        println!(
            "{:<40} {:>9.2} {:>9.3} {:>14.3}",
            name,
            bytes / m / 1e9,
            base / m,
            c
        );
    }
}

/// CPU time consumed by the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
