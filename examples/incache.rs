//! One thread, in cache: CPU nanoseconds per element of the normal, truncated normal and
//! uniform fills in f64, f32 and bf16, at the best level or a capped one — the kernel's own
//! cost without the memory traffic (a 8192-element buffer refilled at advancing offsets; best
//! of 15 rounds of 100 fills, per-thread CPU time, so other processes on the machine distort
//! it less than wall time).
//!
//! ```text
//! cargo run --release --example incache [-- scalar|portable|avx2|avx512]
//! ```
//!
//! It uses only API that 0.1.0 already had, so the same file built in a checkout of an older
//! version compares versions: run the binaries alternately.

use glorot::{fill_at_with, Distribution, Element, Fans, Init, Key, Level};

/// CPU seconds of the calling thread.
fn cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn ns_per_element<T: Element + Copy + Default>(d: &Distribution, level: Level) -> f64 {
    let n = 1 << 13;
    let mut buf = vec![T::default(); n];
    let key = Key::new(1).tensor("w");
    let mut best = f64::INFINITY;
    for _ in 0..15 {
        let t = cpu();
        for r in 0..100u64 {
            fill_at_with(&mut buf, d, &key, r * n as u64, level).unwrap();
        }
        best = best.min((cpu() - t) / (100 * n) as f64);
    }
    best * 1e9
}

fn main() {
    let level = match std::env::args().nth(1).as_deref() {
        None => Level::Avx512,
        Some("scalar") => Level::Scalar,
        Some("portable") => Level::Portable,
        Some("avx2") => Level::Avx2,
        Some("avx512") => Level::Avx512,
        Some(other) => panic!("level: scalar, portable, avx2 or avx512, not {other}"),
    };
    // One thread: the fills run on this one.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .unwrap();
    let fans = Fans::new(4096, 4096);
    let normal = Distribution::normal(0.0, 0.02).unwrap();
    let truncated = Init::GlorotNormal.distribution(fans).unwrap();
    let uniform = Init::xavier_uniform(1.0).distribution(fans).unwrap();
    pool.install(|| {
        let rows: [(&str, f64); 7] = [
            ("f64 normal", ns_per_element::<f64>(&normal, level)),
            (
                "f64 glorot_normal",
                ns_per_element::<f64>(&truncated, level),
            ),
            ("f64 xavier_uniform", ns_per_element::<f64>(&uniform, level)),
            ("f32 normal", ns_per_element::<f32>(&normal, level)),
            (
                "f32 glorot_normal",
                ns_per_element::<f32>(&truncated, level),
            ),
            ("f32 xavier_uniform", ns_per_element::<f32>(&uniform, level)),
            (
                "bf16 normal",
                ns_per_element::<glorot::bf16>(&normal, level),
            ),
        ];
        for (name, ns) in rows {
            print!("{name} {ns:.2}  ");
        }
        println!("(CPU ns/element, one thread, in cache, level cap {level:?})");
    });
}
