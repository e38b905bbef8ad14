//! Times `glorot::structured::orthogonal` against `torch.nn.init.orthogonal_` on the same
//! shapes in the same run (torch via `python3`, skipped when it is not installed), and prints
//! the ratio table.
//!
//! `cargo run --release --example orthogonal_vs_torch [-- SIZES...]` (default 1024 2048 4096);
//! `-- --ceiling` measures only the machine's ceiling (below).
//! Threads: 1 and the machine's count, for both sides.
//!
//! It also measures the machine's own ceiling for the 1 → N-thread speed-up: the same fixed
//! amount of register-only floating-point work (independent multiply-add chains, no memory
//! traffic) per thread, on one thread and on N at once. On a VM whose vCPUs share physical
//! cores (SMT siblings) or a power budget, that ceiling is well below N, and no compute-bound
//! kernel, glorot's or LAPACK's, can scale past it.

use std::process::Command;
use std::time::Instant;

use glorot::{structured, Key};

const TORCH: &str = r#"
import sys, time, torch
n, threads, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
t = torch.empty(n, n)
torch.nn.init.orthogonal_(t)
best, cpu = float("inf"), float("inf")
for _ in range(reps):
    c = time.process_time(); s = time.perf_counter(); torch.nn.init.orthogonal_(t)
    best = min(best, time.perf_counter() - s); cpu = min(cpu, time.process_time() - c)
print(best, cpu)
"#;

/// (wall, CPU) seconds of the fastest repetition.
fn torch_time(n: usize, threads: usize, reps: usize) -> Option<(f64, f64)> {
    let out = Command::new("python3")
        .args([
            "-c",
            TORCH,
            &n.to_string(),
            &threads.to_string(),
            &reps.to_string(),
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let mut it = text.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some((it.next()??, it.next()??))
}

/// CPU seconds used by this process so far (all threads).
fn cpu_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// (wall, CPU) seconds of the fastest repetition, and a hash of the bits.
fn glorot_time(n: usize, threads: usize, reps: usize) -> ((f64, f64), u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let key = Key::new(0).tensor("w");
    let mut w = vec![0f32; n * n];
    let (mut best, mut cpu) = (f64::INFINITY, f64::INFINITY);
    pool.install(|| {
        for _ in 0..reps {
            let (s, c) = (Instant::now(), cpu_now());
            structured::orthogonal(&mut w, &[n, n], 1.0, &key).unwrap();
            best = best.min(s.elapsed().as_secs_f64());
            cpu = cpu.min(cpu_now() - c);
        }
    });
    let hash = w.iter().fold(0xcbf29ce484222325u64, |h, x| {
        (h ^ x.to_bits() as u64).wrapping_mul(0x100000001b3)
    });
    ((best, cpu), hash)
}

/// Register-only floating-point work: 48 independent chains of `x·m + c`, which LLVM keeps in
/// twelve 128-bit registers: enough multiplies and adds in flight to keep a core's
/// floating-point pipes nearly full on one thread (fewer chains would leave latency for an SMT
/// sibling to fill, and the measured ceiling would be too optimistic). No loads or stores.
fn spin(iters: u64) -> f32 {
    let mut x = [1.0f32; 48];
    let (m, c) = (
        std::hint::black_box(0.999_999_9f32),
        std::hint::black_box(1e-7f32),
    );
    for _ in 0..iters {
        for v in &mut x {
            *v = *v * m + c;
        }
    }
    x.iter().sum()
}

/// Wall seconds for `threads` threads each doing the same `spin`.
fn spin_time(threads: usize, iters: u64) -> f64 {
    let s = Instant::now();
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| std::hint::black_box(spin(iters)));
        }
    });
    s.elapsed().as_secs_f64()
}

/// The machine's 1 → `threads` speed-up on compute-bound work (best of three each):
/// `threads` times the work in the time `threads × single` would take alone.
fn machine_ceiling(threads: usize) -> f64 {
    let iters = 200_000_000;
    let one = (0..3)
        .map(|_| spin_time(1, iters))
        .fold(f64::INFINITY, f64::min);
    let all = (0..3)
        .map(|_| spin_time(threads, iters))
        .fold(f64::INFINITY, f64::min);
    threads as f64 * one / all
}

fn main() {
    if std::env::args().any(|a| a == "--ceiling") {
        let all = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "Machine ceiling, 1 → {all} threads: {:.2}×",
            machine_ceiling(all)
        );
        return;
    }
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("sizes are integers"))
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1024, 2048, 4096]
    } else {
        sizes
    };
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = vec![1];
    if all > 1 {
        threads.push(all);
    }
    println!(
        "Wall seconds (CPU seconds of the process in parentheses), fastest of the repetitions."
    );
    println!("| n×n f32 | threads | glorot | torch.nn.init.orthogonal_ | torch / glorot (wall) | torch / glorot (CPU) | glorot speed-up 1→{all} threads | torch speed-up 1→{all} threads | bits hash |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &n in &sizes {
        let reps = if n >= 4096 { 3 } else { 5 };
        let (mut single, mut torch_single) = (None, None);
        for &t in &threads {
            let ((g, gc), hash) = glorot_time(n, t, reps);
            let torch = torch_time(n, t, reps);
            let ratio = torch.map_or("—".into(), |(x, _)| format!("{:.2}×", x / g));
            let ratio_cpu = torch.map_or("—".into(), |(_, x)| format!("{:.2}×", x / gc));
            let speedup = match single {
                None => {
                    single = Some(g);
                    "—".to_string()
                }
                Some(s) => format!("{:.2}×", s / g),
            };
            let torch_speedup = match (torch_single, torch) {
                (None, _) => {
                    torch_single = torch.map(|x| x.0);
                    "—".to_string()
                }
                (Some(s), Some((x, _))) => format!("{:.2}×", s / x),
                (Some(_), None) => "—".to_string(),
            };
            let tt = torch.map_or("not installed".into(), |(x, c)| format!("{x:.3} ({c:.3})"));
            println!(
                "| {n}² | {t} | {g:.3} ({gc:.3}) | {tt} | {ratio} | {ratio_cpu} | {speedup} | {torch_speedup} | {hash:016x} |"
            );
        }
    }
    if all > 1 {
        println!();
        println!(
            "Machine ceiling, 1 → {all} threads on register-only floating-point work: {:.2}×",
            machine_ceiling(all)
        );
    }
}
