//! Throughput table: glorot fills against the memory-bandwidth baseline, measured side by side
//! in one run on the same machine.
//!
//! ```text
//! cargo run --release --example throughput [-- --json] [--gib N] [--reps N] [--level avx2]
//! ```
//!
//! For 1 GiB of f32 (268,435,456 elements), at 1 thread and at all threads, median GB/s over
//! `--reps` runs (default 7) after one warm-up, runs of the two sides interleaved so drift on a
//! shared machine hits both alike:
//!
//! (a) `xavier_uniform`, `xavier_normal` (PyTorch, plain normal) and `glorot_normal` (JAX,
//!     truncated) into an already-touched buffer vs `slice.fill(c)` over the same buffer with the
//!     same threads (each ratio against the baseline runs interleaved with it);
//! (b) allocate + `xavier_uniform` vs allocate + parallel `fill(c)` with the same allocation
//!     (glorot's allocator, filling a constant), for plain pages and for transparent huge pages.
//!
//! `--cold` adds (b) again with a 3 s pause before every run: this VM returns memory that has
//! been free for more than ~2 s to its host, and first touch of such memory behaves differently
//! (notably for huge pages).
//!
//! `--json` prints one JSON object per measurement: name, threads, gbps_median, ratio, ratio_to.

use glorot::{fill, try_alloc_filled, Distribution, Init, Key, Layout, Pages};
use rayon::prelude::*;
use std::time::{Duration, Instant};

struct Row {
    name: String,
    threads: usize,
    gbps: f64,
    ratio: Option<(f64, String)>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Runs `a` and `b` alternately (`reps` each, after one warm-up of each) and returns their
/// median GB/s for `bytes` of output.
/// With `idle`, each run first sleeps that long (untimed), so the VM can hand freed memory
/// back to its host and the run measures first touch of reclaimed memory.
fn side_by_side(
    bytes: usize,
    reps: usize,
    idle: Option<Duration>,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (f64, f64) {
    let time = |f: &mut dyn FnMut()| {
        if let Some(d) = idle {
            std::thread::sleep(d);
        }
        let t = Instant::now();
        f();
        bytes as f64 / t.elapsed().as_secs_f64() / 1e9
    };
    time(&mut a);
    time(&mut b);
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        ra.push(time(&mut a));
        rb.push(time(&mut b));
    }
    (median(ra), median(rb))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let cold = args.iter().any(|a| a == "--cold");
    let value_of = |flag: &str, default: f64| -> f64 {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{flag} takes a number"))
            })
            .unwrap_or(default)
    };
    // `--level avx2` caps ChaCha and the kernels at AVX2 (the default picks AVX-512 where the
    // CPU has it), to compare the two in separate runs.
    if let Some(i) = args.iter().position(|a| a == "--level") {
        let level = match args.get(i + 1).map(String::as_str) {
            Some("scalar") => glorot::Level::Scalar,
            Some("portable") => glorot::Level::Portable,
            Some("avx2") => glorot::Level::Avx2,
            Some("avx512") => glorot::Level::Avx512,
            other => panic!("--level takes scalar, portable, avx2 or avx512, not {other:?}"),
        };
        glorot::internals::cap_level(level);
    }
    let gib = value_of("--gib", 1.0);
    let reps = value_of("--reps", 7.0) as usize;
    let n = (gib * (1u64 << 30) as f64) as usize / 4;
    let bytes = n * 4;
    let shape = [n / 1024, 1024];
    let dist = Init::xavier_uniform(1.0)
        .distribution_for_shape(&shape, Layout::Torch)
        .unwrap();
    let constant = Distribution::constant(0.5).unwrap();
    let key = Key::new(0).tensor("throughput");
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();

    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            // (a) touched buffer.
            let mut buf = vec![0f32; n];
            buf.par_chunks_mut(1 << 16).for_each(|c| c.fill(1.0));
            let buf = std::cell::RefCell::new(buf);
            let (ours, base) = side_by_side(
                bytes,
                reps,
                None,
                || fill(&mut buf.borrow_mut(), &dist, &key).unwrap(),
                || {
                    buf.borrow_mut()
                        .par_chunks_mut(1 << 16)
                        .for_each(|c| c.fill(0.5))
                },
            );
            rows.push(Row {
                name: "slice.fill(c), touched".into(),
                threads,
                gbps: base,
                ratio: None,
            });
            rows.push(Row {
                name: "xavier_uniform, touched".into(),
                threads,
                gbps: ours,
                ratio: Some((ours / base, "slice.fill(c), touched".into())),
            });
            // The normal family on the same buffer, each side by side with its own baseline runs.
            for (name, init) in [
                ("xavier_normal (plain), touched", Init::xavier_normal(1.0)),
                ("glorot_normal (truncated), touched", Init::GlorotNormal),
            ] {
                let d = init.distribution_for_shape(&shape, Layout::Torch).unwrap();
                let (ours, base) = side_by_side(
                    bytes,
                    reps,
                    None,
                    || fill(&mut buf.borrow_mut(), &d, &key).unwrap(),
                    || {
                        buf.borrow_mut()
                            .par_chunks_mut(1 << 16)
                            .for_each(|c| c.fill(0.5))
                    },
                );
                rows.push(Row {
                    name: name.into(),
                    threads,
                    gbps: ours,
                    ratio: Some((ours / base, "slice.fill(c), touched".into())),
                });
            }
            drop(buf);
        });
    }

    // (b) runs after every (a) measurement: repeated 1 GiB allocate/free cycles (and memory the
    // VM hands back to its host) leave this machine's memory in a state where touched-buffer
    // fills measured afterwards in the same process ran up to 40% slower.
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            // (b) fresh allocations, plain and huge pages; warm (memory freed moments before)
            // and, with --cold, after an idle pause.
            let mut variants = vec![
                (Pages::Plain, "plain pages", None),
                (Pages::Huge, "huge pages", None),
            ];
            if cold {
                let pause = Some(Duration::from_secs(3));
                variants.push((Pages::Plain, "plain pages, cold", pause));
                variants.push((Pages::Huge, "huge pages, cold", pause));
            }
            for (pages, label, idle) in variants {
                let (ours, base) = side_by_side(
                    bytes,
                    reps,
                    idle,
                    || drop(try_alloc_filled::<f32>(n, &dist, &key, pages).unwrap()),
                    || drop(try_alloc_filled::<f32>(n, &constant, &key, pages).unwrap()),
                );
                let base_name = format!("alloc + fill(c), {label}");
                rows.push(Row {
                    name: base_name.clone(),
                    threads,
                    gbps: base,
                    ratio: None,
                });
                rows.push(Row {
                    name: format!("alloc + xavier_uniform, {label}"),
                    threads,
                    gbps: ours,
                    ratio: Some((ours / base, base_name)),
                });
            }
        });
    }

    if json {
        for r in &rows {
            let (ratio, to) = match &r.ratio {
                Some((x, to)) => (format!("{x:.4}"), format!("\"{to}\"")),
                None => ("null".into(), "null".into()),
            };
            println!(
                "{{\"name\": \"{}\", \"threads\": {}, \"gbps_median\": {:.4}, \"ratio\": {}, \"ratio_to\": {}}}",
                r.name, r.threads, r.gbps, ratio, to
            );
        }
    } else {
        println!(
            "{:.2} GiB of f32, median of {reps} interleaved runs after a warm-up\n",
            gib
        );
        println!(
            "| {:<42} | {:>7} | {:>9} | {:>6} |",
            "measurement", "threads", "GB/s", "ratio"
        );
        println!("|{:-<44}|{:->9}|{:->11}|{:->8}|", "", "", "", "");
        for r in &rows {
            let ratio = r
                .ratio
                .as_ref()
                .map_or(String::new(), |(x, _)| format!("{x:.2}"));
            println!(
                "| {:<42} | {:>7} | {:>9.2} | {:>6} |",
                r.name, r.threads, r.gbps, ratio
            );
        }
    }
}
