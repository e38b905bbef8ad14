//! End-to-end check: 1 GiB of f32 (already touched) filled with `glorot::fill` (uniform) vs
//! `par_chunks_mut(1 << 16).for_each(|c| c.fill(0.5))`, alternating, median of 5 after warm-up.
//! Run: `RAYON_NUM_THREADS=2 cargo run --release --example word_speed [reps]`.

use std::time::Instant;

use glorot::{fill, Distribution, Key};
use rayon::prelude::*;

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
    for _ in 0..reps {
        let t = Instant::now();
        glorot_fill(&mut v)?;
        g.push(bytes / t.elapsed().as_secs_f64() / 1e9);
        let t = Instant::now();
        slice_fill(&mut v);
        s.push(bytes / t.elapsed().as_secs_f64() / 1e9);
    }
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
