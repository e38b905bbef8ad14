//! One-thread fills of 16 Mi elements for instruction counts under callgrind:
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/callgrind_fill KERNEL [scalar|portable|avx2|avx512]
//! ```
//!
//! KERNEL: `xavier_uniform`, `kaiming_uniform` (a = √5, PyTorch's default), `xavier_normal`,
//! `glorot_normal` (truncated), `trunc_normal` (0, 0.02, ±2), `f64_normal`, `bf16_normal`,
//! `f16_normal`, `f32_normal` (the last four `normal(0, 0.02)`); `jax_glorot_uniform` and
//! `jax_bf16` (JAX mode, `glorot::jax`, through the crate's chunk driver). The optional second argument
//! caps the level (`best`: the best the CPU has, the default). Callgrind counts a gather as
//! one instruction, so compare kernels that use them by time as well: an optional third
//! argument repeats the fill that many times over the same buffer (for `time` or `perf
//! record`), an optional fourth sets the element count (default 16 Mi; a small count such as
//! 16384 keeps the buffer in cache and times the kernel without the memory traffic).
use glorot::{bf16, f16, fill_at_with, Distribution, Element, Fans, Init, Key, Level};

/// Elements per fill: the optional fourth argument (default 16 Mi = 64 MiB of f32, beyond the
/// caches; e.g. 16384 keeps an f32 buffer in L2, to time the kernel without the memory).
fn elements() -> usize {
    std::env::args()
        .nth(4)
        .map_or(16 << 20, |r| r.parse().expect("elements"))
}

fn run<T: Element + Copy + Default + std::fmt::Debug>(d: &Distribution) {
    let n = elements();
    let reps: usize = std::env::args()
        .nth(3)
        .map_or(1, |r| r.parse().expect("reps"));
    let key = Key::new(7).tensor("w");
    let mut v = vec![T::default(); n];
    for _ in 0..reps {
        fill_at_with(&mut v, d, &key, 0, Level::Avx512).unwrap();
    }
    println!("{:?}", v[n / 3]);
}

fn run_jax<T: glorot::jax::JaxFloat + Copy + Default + std::fmt::Debug>(
    init: &glorot::jax::JaxInit,
) {
    let n = elements();
    let mut v = vec![T::default(); n];
    let k = glorot::jax::JaxKey::from_seed(7);
    glorot::jax::fill_at_with(&mut v, init, &[n / 1024, 1024], k, 0, Level::Avx512).unwrap();
    println!("{:?}", v[n / 3]);
}

fn main() {
    let which = std::env::args().nth(1).expect("which kernel");
    match std::env::args().nth(2).as_deref() {
        None | Some("best") => {}
        Some("scalar") => glorot::internals::cap_level(Level::Scalar),
        Some("portable") => glorot::internals::cap_level(Level::Portable),
        Some("avx2") => glorot::internals::cap_level(Level::Avx2),
        Some("avx512") => glorot::internals::cap_level(Level::Avx512),
        Some(other) => panic!("unknown level {other}"),
    }
    let fans = Fans::new(1024, 1024);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let d = |i: Init| i.distribution(fans).unwrap();
    let normal = Distribution::normal(0.0, 0.02).unwrap();
    pool.install(|| match which.as_str() {
        "xavier_uniform" => run::<f32>(&d(Init::xavier_uniform(1.0))),
        "kaiming_uniform" => run::<f32>(&d(Init::torch_default_weight())),
        "xavier_normal" => run::<f32>(&d(Init::xavier_normal(1.0))),
        "glorot_normal" => run::<f32>(&d(Init::GlorotNormal)),
        "trunc_normal" => run::<f32>(&d(Init::trunc_normal(0.0, 0.02, -2.0, 2.0))),
        "f32_normal" => run::<f32>(&normal),
        "f64_normal" => run::<f64>(&normal),
        "bf16_normal" => run::<bf16>(&normal),
        "f16_normal" => run::<f16>(&normal),
        "jax_glorot_uniform" => run_jax::<f32>(&glorot::jax::JaxInit::glorot_uniform()),
        "jax_bf16" => run_jax::<bf16>(&glorot::jax::JaxInit::lecun_uniform()),
        other => panic!("unknown kernel {other}"),
    });
}
