//! JAX mode's speed: `glorot::jax` `glorot_uniform` against glorot's own `xavier_uniform` and
//! against jax itself, on the same tensor in one run.
//!
//! ```text
//! cargo run --release --example jax_speed [-- --mib 256] [--reps 5] [--no-python]
//! ```
//!
//! A `(rows, 4096)` f32 kernel of `--mib` MiB (default 256 MiB = 67,108,864 elements) is filled
//! into an already-touched buffer; medians over `--reps` runs after one warm-up, the Rust sides
//! interleaved so drift on a shared machine hits both alike, at 1 thread and at all threads.
//! Also the portable (compile-time instruction set) kernel and the scalar reference at all
//! threads, to show what the run-time AVX2 copy buys.
//!
//! If `python3 -c "import jax"` works (and `--no-python` is not given), the same tensor is then
//! made by jax on the CPU: `jax.jit(glorot_uniform(), static_argnums=(1, 2))(jax.random.key(0),
//! shape, jnp.float32).block_until_ready()` (compiled once beforehand), and its checksum is
//! compared with glorot's result for the same key, so the timing is of bit-equal output.

use std::process::Command;
use std::time::Instant;

use glorot::jax::{self, JaxInit, JaxKey};
use glorot::{fill, Init, Key, Layout, Level};
use rayon::prelude::*;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Σ (bits_i + 1) · (K · (i + 1)) mod 2⁶⁴, as `PY` computes it.
fn checksum(v: &[f32]) -> u64 {
    v.iter().enumerate().fold(0u64, |s, (i, x)| {
        s.wrapping_add((u64::from(x.to_bits()) + 1).wrapping_mul(K.wrapping_mul(i as u64 + 1)))
    })
}

const PY: &str = r#"
import sys, time
import numpy as np
import jax, jax.numpy as jnp
rows, cols, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
f = jax.jit(jax.nn.initializers.glorot_uniform(), static_argnums=(1, 2))
key = jax.random.key(0)
w = f(key, (rows, cols), jnp.float32).block_until_ready()
u = np.asarray(w).reshape(-1).view(np.uint32).astype(np.uint64)
i = np.arange(1, u.size + 1, dtype=np.uint64)
with np.errstate(over="ignore"):
    s = int(np.sum((u + np.uint64(1)) * (np.uint64(0x9E3779B97F4A7C15) * i), dtype=np.uint64))
del u, i, w
ts = []
for _ in range(reps):
    t = time.perf_counter()
    f(key, (rows, cols), jnp.float32).block_until_ready()
    ts.append(time.perf_counter() - t)
ts.sort()
print(jax.__version__, s, ts[len(ts) // 2])
"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{flag} takes a number"))
            })
            .unwrap_or(default)
    };
    let mib = value_of("--mib", 256);
    let reps = value_of("--reps", 5);
    let cols = 4096;
    let rows = mib * (1 << 20) / 4 / cols;
    let (shape, n) = ([rows, cols], rows * cols);
    let bytes = (n * 4) as f64;
    let jkey = JaxKey::from_seed(0);
    let jinit = JaxInit::glorot_uniform();
    let tkey = Key::new(0).tensor("w");
    let xavier = Init::xavier_uniform(1.0)
        .distribution_for_shape(&shape, Layout::Jax)
        .unwrap();
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{mib} MiB f32, shape {shape:?}, {reps} reps (median GB/s of output)");

    let mut buf = vec![0f32; n];
    buf.par_chunks_mut(1 << 16).for_each(|c| c.fill(1.0));
    let gbps = |f: &mut dyn FnMut(&mut [f32]), buf: &mut [f32]| {
        let t = Instant::now();
        f(buf);
        bytes / t.elapsed().as_secs_f64() / 1e9
    };
    let mut ours_all = 0.0;
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut a = |b: &mut [f32]| jax::fill(b, &jinit, &shape, jkey).unwrap();
            let mut x = |b: &mut [f32]| fill(b, &xavier, &tkey).unwrap();
            gbps(&mut a, &mut buf);
            gbps(&mut x, &mut buf);
            let (mut ra, mut rx) = (Vec::new(), Vec::new());
            for _ in 0..reps {
                ra.push(gbps(&mut a, &mut buf));
                rx.push(gbps(&mut x, &mut buf));
            }
            let (ma, mx) = (median(ra), median(rx));
            println!(
                "{threads} thread(s): jax::glorot_uniform {ma:6.2} GB/s | glorot xavier_uniform {mx:6.2} GB/s | ratio {:.2}",
                ma / mx
            );
            if threads == all {
                ours_all = ma;
            }
        });
    }
    for (name, level) in [("portable", Level::Portable), ("scalar", Level::Scalar)] {
        let mut f = |b: &mut [f32]| jax::fill_at_with(b, &jinit, &shape, jkey, 0, level).unwrap();
        gbps(&mut f, &mut buf);
        let m = median((0..reps.min(3)).map(|_| gbps(&mut f, &mut buf)).collect());
        println!("{all} thread(s): jax::glorot_uniform, {name} level {m:6.2} GB/s");
    }

    if args.iter().any(|a| a == "--no-python") {
        return;
    }
    jax::fill(&mut buf, &jinit, &shape, jkey).unwrap();
    let mine = checksum(&buf);
    drop(buf);
    let r = Command::new("python3")
        .args([
            "-c",
            PY,
            &rows.to_string(),
            &cols.to_string(),
            &reps.to_string(),
        ])
        .env("JAX_PLATFORMS", "cpu")
        .output();
    match r {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            let f: Vec<&str> = out.split_whitespace().collect();
            let (version, sum, secs): (&str, u64, f64) =
                (f[0], f[1].parse().unwrap(), f[2].parse().unwrap());
            let theirs = bytes / secs / 1e9;
            println!(
                "jax {version} (jit, CPU, its own threads): glorot_uniform {theirs:6.2} GB/s; \
                 glorot::jax at {all} threads is {:.1}x faster; outputs bit-equal: {}",
                ours_all / theirs,
                if sum == mine { "yes" } else { "NO" }
            );
            assert_eq!(sum, mine, "jax's tensor differs from glorot::jax's");
        }
        Ok(o) => println!(
            "jax not timed: {}",
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("jax not timed: python3 not runnable: {e}"),
    }
}
