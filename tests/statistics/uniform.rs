//! Statistical tests for the uniform family, kept apart from the fast unit tests (but run in
//! CI): Kolmogorov–Smirnov against the exact uniform CDF over several seeds, shapes and dtypes,
//! and the empirical standard deviation of every variance-scaled initializer within 1% of its
//! formula at 10⁶ elements.

use crate::common::{ks_p_value, ks_statistic, mean_std};
use glorot::{
    bf16, f16, fill, DType, Distribution, Element, FanMode, Fans, Init, Key, Layout, Nonlinearity,
};

/// The continuous values that round to `x` in the element type, via neighbour midpoints.
fn cell<T: Element>(x: f64) -> (f64, f64) {
    let (down, up) = neighbours::<T>(x);
    ((down + x) / 2.0, (x + up) / 2.0)
}

/// The representable values just below and just above `x` in the element type.
fn neighbours<T: Element>(x: f64) -> (f64, f64) {
    /// Adjacent 16-bit float patterns (finite x).
    fn step16(bits: u16, x: f64, to_f64: impl Fn(u16) -> f64) -> (f64, f64) {
        let (down, up) = if x > 0.0 {
            (bits - 1, bits + 1)
        } else if x < 0.0 {
            (bits + 1, bits - 1)
        } else {
            (0x8001, 0x0001)
        };
        (to_f64(down), to_f64(up))
    }
    match T::DTYPE {
        DType::F32 => {
            let v = x as f32;
            (f64::from(v.next_down()), f64::from(v.next_up()))
        }
        DType::F64 => (x.next_down(), x.next_up()),
        DType::BF16 => step16(bf16::from_f64(x).to_bits(), x, |b| {
            bf16::from_bits(b).to_f64()
        }),
        DType::F16 => step16(f16::from_f64(x).to_bits(), x, |b| {
            f16::from_bits(b).to_f64()
        }),
    }
}

fn uniform_ks<T: Element + Default>(seed: u64, name: &str, n: usize, low: f64, high: f64) -> f64 {
    let mut v = vec![T::default(); n];
    fill(
        &mut v,
        &Distribution::uniform(low, high).unwrap(),
        &Key::new(seed).tensor(name),
    )
    .unwrap();
    let mut s: Vec<f64> = v.into_iter().map(Element::to_f64).collect();
    let cdf = |x: f64| ((x - low) / (high - low)).clamp(0.0, 1.0);
    let d = ks_statistic(&mut s, cdf, cell::<T>);
    ks_p_value(d, n)
}

#[test]
fn kolmogorov_smirnov_uniform() {
    let cases: [(u64, &str, usize, f64, f64); 5] = [
        (1, "a", 100_000, -1.0, 1.0),
        (2, "layers.0.weight", 1_000_000, -0.05, 0.05),
        (3, "x", 12_345, 0.0, 1.0),
        (4, "conv", 300_001, -3.0, 7.0),
        (5, "tiny", 1_000, 2.0, 2.5),
    ];
    for (seed, name, n, low, high) in cases {
        for (dtype, p) in [
            ("f32", uniform_ks::<f32>(seed, name, n, low, high)),
            ("f64", uniform_ks::<f64>(seed, name, n, low, high)),
            ("bf16", uniform_ks::<bf16>(seed, name, n, low, high)),
            ("f16", uniform_ks::<f16>(seed, name, n, low, high)),
        ] {
            assert!(
                p > 1e-4,
                "KS p = {p} for {dtype} seed {seed} n {n} [{low}, {high})"
            );
        }
    }
}

#[test]
fn ks_detects_a_wrong_distribution() {
    // The test must be able to fail: the same samples against a slightly shifted CDF.
    let n = 1_000_000;
    let mut v = vec![0f32; n];
    fill(
        &mut v,
        &Distribution::uniform(0.0, 1.0).unwrap(),
        &Key::new(1).tensor("w"),
    )
    .unwrap();
    let mut s: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
    let d = ks_statistic(&mut s, |x| ((x - 0.005) / 1.0).clamp(0.0, 1.0), cell::<f32>);
    assert!(ks_p_value(d, n) < 1e-10);
}

fn std_of<T: Element + Default>(init: Init, shape: &[usize], layout: Layout) -> f64 {
    let v: Vec<T> = init
        .alloc(shape, layout, &Key::new(77).tensor("std"))
        .unwrap();
    let s: Vec<f64> = v.into_iter().map(Element::to_f64).collect();
    mean_std(&s).1
}

#[test]
fn standard_deviation_matches_formula_within_one_percent() {
    // 1000 x 1000 = 10^6 elements; torch layout (out, in) → fan_in = fan_out = 1000.
    let shape = [1000, 1000];
    let f = Fans::torch(&shape).unwrap();
    let (fi, fo) = (f.fan_in as f64, f.fan_out as f64);
    let tanh = 5.0 / 3.0;
    let cases = [
        (Init::xavier_uniform(1.0), (2.0 / (fi + fo)).sqrt()),
        (Init::xavier_uniform(tanh), tanh * (2.0 / (fi + fo)).sqrt()),
        (Init::kaiming_uniform(), (2.0f64).sqrt() / fi.sqrt()),
        (
            Init::kaiming_uniform_with(0.0, FanMode::FanOut, Nonlinearity::Relu),
            2f64.sqrt() / fo.sqrt(),
        ),
        (Init::torch_default_weight(), 1.0 / (3.0 * fi).sqrt()),
        (Init::GlorotUniform, (2.0 / (fi + fo)).sqrt()),
        (Init::HeUniform, (2.0 / fi).sqrt()),
        (Init::LecunUniform, (1.0 / fi).sqrt()),
    ];
    for (init, expected) in cases {
        for (dtype, got) in [
            ("f32", std_of::<f32>(init, &shape, Layout::Torch)),
            ("f64", std_of::<f64>(init, &shape, Layout::Torch)),
            ("bf16", std_of::<bf16>(init, &shape, Layout::Torch)),
        ] {
            let rel = (got / expected - 1.0).abs();
            assert!(
                rel < 0.01,
                "{} {dtype}: std {got} vs formula {expected} ({:.3}% off)",
                init.name(),
                100.0 * rel
            );
        }
    }
    // A non-square JAX-layout kernel, so fan_in != fan_out matters.
    let shape = [3, 3, 64, 128];
    let f = Fans::jax(&shape).unwrap();
    let got = std_of::<f32>(Init::GlorotUniform, &shape, Layout::Jax);
    let expected = (2.0 / (f.fan_in + f.fan_out) as f64).sqrt();
    assert!(
        (got / expected - 1.0).abs() < 0.01,
        "glorot_uniform jax {got} vs {expected}"
    );
}
