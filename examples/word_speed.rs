//! End-to-end check: 1 GiB of f32 (already touched) filled with `glorot::fill` (uniform) vs
//! `par_chunks_mut(1 << 16).for_each(|c| c.fill(0.5))`, alternating, median of 5 after warm-up.
//! Run: `RAYON_NUM_THREADS=2 cargo run --release --example word_speed [reps]`.

use std::time::Instant;

use glorot::{fill, Distribution, Key};
use rayon::prelude::*;

/// CPU seconds used by the whole process so far (all threads, user + system).
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), glorot::Error> {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let n = 1usize << 28;
    let bytes = (n * 4) as f64;
    let mut v = vec![0f32; n];
    let dist = Distribution::uniform(-0.05, 0.05)?;
    let key = Key::new(42).tensor("w");
    let glorot_fill = |v: &mut Vec<f32>| fill(v, &dist, &key);
    let slice_fill = |v: &mut Vec<f32>| v.par_chunks_mut(1 << 16).for_each(|c| c.fill(0.5));
    // Warm-up: touches every page and warms both paths.
    slice_fill(&mut v);
    glorot_fill(&mut v)?;
    let (mut g, mut s) = (Vec::new(), Vec::new());
    let (mut gc, mut sc) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let (t, c) = (Instant::now(), cpu_seconds());
        glorot_fill(&mut v)?;
        g.push(bytes / t.elapsed().as_secs_f64() / 1e9);
        gc.push(bytes / (cpu_seconds() - c) / 1e9);
        let (t, c) = (Instant::now(), cpu_seconds());
        slice_fill(&mut v);
        s.push(bytes / t.elapsed().as_secs_f64() / 1e9);
        sc.push(bytes / (cpu_seconds() - c) / 1e9);
    }
    let (gcm, scm) = (median(gc), median(sc));
    println!(
        "per CPU-second (bytes / process CPU time): glorot {gcm:.2} GB/s, slice.fill {scm:.2} GB/s"
    );
    // The same kernel in cache (256 KiB, one chunk, one thread), for reference.
    let mut small = vec![0f32; 1 << 16];
    let mut c = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        for _ in 0..1024 {
            fill(&mut small, &dist, &key)?;
        }
        c.push(1024.0 * (small.len() * 4) as f64 / t.elapsed().as_secs_f64() / 1e9);
    }
    println!("in-cache 256 KiB, 1 thread: {:.2} GB/s", median(c));
    let (gm, sm) = (median(g.clone()), median(s.clone()));
    println!(
        "threads {}  glorot::fill {:.2} GB/s  slice.fill {:.2} GB/s  ratio {:.3}",
        rayon::current_num_threads(),
        gm,
        sm,
        gm / sm
    );
    println!("  glorot runs: {g:.2?}\n  fill runs:   {s:.2?}");
    Ok(())
}
