//! Throughput table: glorot fills against the memory-bandwidth baseline, measured side by side
//! in one run on the same machine.
//!
//! ```text
//! cargo run --release --example throughput [-- --json] [--gib N] [--reps N]
//!     [--level scalar|portable|avx2|avx512] [--only SUBSTRING] [--threads N] [--no-alloc]
//!     [--cold]
//! ```
//!
//! For `--gib` GiB of f32 (default 1: 268,435,456 elements), at 1 thread and at all threads,
//! median GB/s over `--reps` runs (default 7) after one warm-up, runs of the two sides
//! interleaved so drift on a shared machine hits both alike:
//!
//! (a) into an already-touched buffer, each against `slice.fill(c)` over the same buffer with
//!     the same threads: f32 `xavier_uniform`, `kaiming_uniform(a=√5)` (PyTorch's `nn.Linear`
//!     default), `xavier_normal` (plain normal), `glorot_normal` (JAX, truncated),
//!     `trunc_normal(0, 0.02, −2, 2)` (timm/HF), and `normal(0, 0.02)` in f32, bf16, f16 and f64
//!     (the same element count in each dtype, so the G elem/s column compares dtypes);
//!     and the generator's own ceiling: ChaCha words alone, 3 words per 4 elements (the 24 bits
//!     each narrow kernel draws per element) generated into a small cache-resident scratch
//!     buffer and written nowhere. A kernel generates its words and then maps and stores them
//!     on the same thread, so no f32/bf16/f16 kernel with these bits can beat this row's ratio;
//! //! (b) allocate + `xavier_uniform` vs allocate + parallel `fill(c)` with the same allocation
//!     (glorot's allocator, filling a constant), for plain pages and for transparent huge pages
//!     (`--no-alloc` skips these).
//!
//! `--threads N` measures at N threads only. `--level` caps ChaCha and the kernels (the
//! default picks AVX-512 where the CPU has it), to measure the other paths. `--only` keeps the
//! (a) rows whose name contains the substring.
//!
//! `--cold` adds (b) again with a 3 s pause before every run: this VM returns memory that has
//! been free for more than ~2 s to its host, and first touch of such memory behaves differently
//! (notably for huge pages).
//!
//! `--json` prints one JSON object per measurement: name, threads, gbps_median, gelems_median,
//! ratio, ratio_to.

use glorot::{bf16, f16, fill, try_alloc_filled, Distribution, Element, Init, Key, Layout, Pages};
use rayon::prelude::*;
use std::time::{Duration, Instant};

struct Row {
    name: String,
    threads: usize,
    gbps: f64,
    /// Giga-elements per second (GB/s over the element size).
    gelems: f64,
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

/// The generator-ceiling row: the ChaCha words `n` narrow elements consume (3 per 4), each
/// parallel chunk generated into one cache-resident scratch buffer and discarded, vs
/// `slice.fill(c)` of `n` f32 over a touched buffer, interleaved.
fn words_only(key: &glorot::TensorKey, n: usize, reps: usize, threads: usize) -> Row {
    const CHUNK: usize = 1 << 16; // elements per parallel task, as the fills use
    const SCRATCH: usize = 4096; // words per `fill_words` call (16 KiB)
    let mut buf = vec![0.5f32; n];
    buf.par_chunks_mut(CHUNK).for_each(|x| x.fill(0.5));
    let buf = std::cell::RefCell::new(buf);
    let words_per_chunk = CHUNK / 4 * 3;
    let (ours, base) = side_by_side(
        n * 4,
        reps,
        None,
        || {
            (0..n.div_ceil(CHUNK)).into_par_iter().for_each(|c| {
                let mut scratch = [0u32; SCRATCH];
                let start = (c * words_per_chunk) as u64;
                for k in 0..words_per_chunk / SCRATCH {
                    glorot::internals::fill_words(key, start + (k * SCRATCH) as u64, &mut scratch);
                    std::hint::black_box(&scratch);
                }
            })
        },
        || {
            buf.borrow_mut()
                .par_chunks_mut(CHUNK)
                .for_each(|x| x.fill(0.5))
        },
    );
    Row {
        name: "ChaCha words alone, 3 per 4 elements (ceiling)".into(),
        threads,
        gbps: ours,
        gelems: ours / 4.0,
        ratio: Some((ours / base, format!("slice.fill(c) f32: {base:.2} GB/s"))),
    }
}

/// One touched-buffer row: `fill` of `dist` into `n` elements of `T` vs `slice.fill(c)` over
/// the same buffer, interleaved.
fn touched<T: Element + Copy + Send + Sync>(
    name: &str,
    dist: &Distribution,
    key: &glorot::TensorKey,
    n: usize,
    reps: usize,
    threads: usize,
    c: T,
) -> Row {
    let bytes = n * core::mem::size_of::<T>();
    let mut buf = vec![c; n];
    buf.par_chunks_mut(1 << 16).for_each(|x| x.fill(c));
    let buf = std::cell::RefCell::new(buf);
    let (ours, base) = side_by_side(
        bytes,
        reps,
        None,
        || fill(&mut buf.borrow_mut(), dist, key).unwrap(),
        || {
            buf.borrow_mut()
                .par_chunks_mut(1 << 16)
                .for_each(|x| x.fill(c))
        },
    );
    Row {
        name: format!("{name}, touched"),
        threads,
        gbps: ours,
        gelems: ours / core::mem::size_of::<T>() as f64,
        ratio: Some((
            ours / base,
            format!("slice.fill(c) {}: {base:.2} GB/s", T::DTYPE),
        )),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let cold = args.iter().any(|a| a == "--cold");
    let no_alloc = args.iter().any(|a| a == "--no-alloc");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| args.get(i + 1).expect("--only takes a substring").clone());
    let wanted = |name: &str| only.as_ref().is_none_or(|o| name.contains(o.as_str()));
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
    // `--threads N` measures at N threads only (default: 1 and all).
    let thread_counts: Vec<usize> = match args.iter().position(|a| a == "--threads") {
        Some(i) => vec![args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .filter(|&t| t > 0)
            .expect("--threads takes a positive integer")],
        None => vec![1, all],
    };
    let mut rows = Vec::new();

    // The (a) rows: every initializer the issue's table names, f32 plus the normal in the other
    // dtypes, each into an already-touched buffer of `n` elements of its dtype and compared
    // with `slice.fill(c)` over that same buffer (same bytes, same threads).
    let shaped = |init: Init| init.distribution_for_shape(&shape, Layout::Torch).unwrap();
    let f32_rows: Vec<(&str, Distribution)> = vec![
        ("xavier_uniform", shaped(Init::xavier_uniform(1.0))),
        (
            "kaiming_uniform(a=sqrt5) (torch default)",
            shaped(Init::torch_default_weight()),
        ),
        ("xavier_normal (plain)", shaped(Init::xavier_normal(1.0))),
        ("glorot_normal (JAX, truncated)", shaped(Init::GlorotNormal)),
        (
            "trunc_normal(0, 0.02, -2, 2)",
            shaped(Init::trunc_normal(0.0, 0.02, -2.0, 2.0)),
        ),
    ];
    let normal = Distribution::normal(0.0, 0.02).unwrap();
    for &threads in &thread_counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            if wanted("ChaCha words alone") {
                rows.push(words_only(&key, n, reps, threads));
            }
            for (name, d) in &f32_rows {
                if wanted(name) {
                    rows.push(touched::<f32>(name, d, &key, n, reps, threads, 0.5));
                }
            }
            if wanted("normal(0, 0.02) f32") {
                rows.push(touched::<f32>(
                    "normal(0, 0.02) f32",
                    &normal,
                    &key,
                    n,
                    reps,
                    threads,
                    0.5,
                ));
            }
            if wanted("normal(0, 0.02) bf16") {
                let c = bf16::from_f32(0.5);
                rows.push(touched::<bf16>(
                    "normal(0, 0.02) bf16",
                    &normal,
                    &key,
                    n,
                    reps,
                    threads,
                    c,
                ));
            }
            if wanted("normal(0, 0.02) f16") {
                let c = f16::from_f32(0.5);
                rows.push(touched::<f16>(
                    "normal(0, 0.02) f16",
                    &normal,
                    &key,
                    n,
                    reps,
                    threads,
                    c,
                ));
            }
            if wanted("normal(0, 0.02) f64") {
                rows.push(touched::<f64>(
                    "normal(0, 0.02) f64",
                    &normal,
                    &key,
                    n,
                    reps,
                    threads,
                    0.5,
                ));
            }
        });
    }

    // (b) runs after every (a) measurement: repeated 1 GiB allocate/free cycles (and memory the
    // VM hands back to its host) leave this machine's memory in a state where touched-buffer
    // fills measured afterwards in the same process ran up to 40% slower.
    for threads in thread_counts.iter().copied().filter(|_| !no_alloc) {
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
                    gelems: base / 4.0,
                    ratio: None,
                });
                rows.push(Row {
                    name: format!("alloc + xavier_uniform, {label}"),
                    threads,
                    gbps: ours,
                    gelems: ours / 4.0,
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
                "{{\"name\": \"{}\", \"threads\": {}, \"gbps_median\": {:.4}, \"gelems_median\": {:.4}, \"ratio\": {}, \"ratio_to\": {}}}",
                r.name, r.threads, r.gbps, r.gelems, ratio, to
            );
        }
    } else {
        println!(
            "{:.2} GiB of f32 ({n} elements per buffer), median of {reps} interleaved runs after a warm-up, level {:?}\n",
            gib,
            glorot::Level::available()
        );
        println!(
            "| {:<48} | {:>7} | {:>8} | {:>8} | {:>6} | {:<32} |",
            "measurement", "threads", "GB/s", "Gelem/s", "ratio", "ratio to"
        );
        println!(
            "|{:-<50}|{:->9}|{:->10}|{:->10}|{:->8}|{:-<34}|",
            "", "", "", "", "", ""
        );
        for r in &rows {
            let (ratio, to) = r
                .ratio
                .as_ref()
                .map_or((String::new(), String::new()), |(x, to)| {
                    (format!("{x:.2}"), to.clone())
                });
            println!(
                "| {:<48} | {:>7} | {:>8.2} | {:>8.3} | {:>6} | {:<32} |",
                r.name, r.threads, r.gbps, r.gelems, ratio, to
            );
        }
    }
}
