//! Shared helpers of the integration tests: statistics (here) and the Python gate
//! ([`python`]).
#![allow(dead_code)]

pub mod python;

/// Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²},
/// with the Stephens (1970) small-sample correction λ = (√n + 0.12 + 0.11/√n)·D.
pub fn ks_p_value(d: f64, n: usize) -> f64 {
    let sn = (n as f64).sqrt();
    let lambda = (sn + 0.12 + 0.11 / sn) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as u64 % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// KS statistic of `samples` against a distribution whose values are rounded to a grid:
/// `cdf` is the CDF of the continuous distribution, and `cell(x)` returns the interval
/// `(below, above)` of continuous values that round to the representable value `x`.
/// Comparing the empirical CDF with the exact CDF of the *rounded* distribution at every jump
/// makes the test exact for bf16/f16 as well as f32/f64.
pub fn ks_statistic(
    samples: &mut [f64],
    cdf: impl Fn(f64) -> f64,
    cell: impl Fn(f64) -> (f64, f64),
) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = samples.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < samples.len() {
        let x = samples[i];
        let mut j = i;
        while j < samples.len() && samples[j] == x {
            j += 1;
        }
        let (below, above) = cell(x);
        let (f_before, f_after) = (cdf(below), cdf(above));
        d = d
            .max((i as f64 / n - f_before).abs())
            .max((j as f64 / n - f_after).abs());
        i = j;
    }
    d
}

/// Mean and (population) standard deviation.
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// erfc by the positive-term erf series (x < 2) or a 300-level continued fraction (x ≥ 2);
/// relative error ~1e-15. Independent of the crate.
pub fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        let x2 = 2.0 * x * x;
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term > 1e-18 * sum {
            n += 1.0;
            term *= x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp() * sum;
    }
    if x > 27.0 {
        return 0.0;
    }
    let mut f = x;
    for k in (1..=300).rev() {
        f = x + (k as f64 * 0.5) / f;
    }
    (-x * x).exp() / (std::f64::consts::PI.sqrt() * f)
}

/// Φ(x), the standard normal CDF, with full relative precision in the lower tail.
pub fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// 1 − Φ(x), with full relative precision in the upper tail.
pub fn phi_upper(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

/// One-sample KS p-value of continuous `samples` against N(0, 1).
pub fn ks_standard_normal(mut samples: Vec<f64>) -> f64 {
    let n = samples.len();
    let d = ks_statistic(&mut samples, phi, |x| (x, x));
    ks_p_value(d, n)
}

/// FNV-1a-64 over the `f64` bit patterns of `values` (each element widened exactly): the
/// fingerprint the value-stability vectors of whole tensors store.
pub fn fnv_f64(values: impl IntoIterator<Item = f64>) -> u64 {
    values.into_iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
        (h ^ x.to_bits()).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// max |MᵀM − I| for `rows × cols` row-major `m` with `rows ≥ cols` (columns orthonormal),
/// or max |MMᵀ − I| when `rows < cols`, divided by `gain²`; in f64.
pub fn orthonormality_error(m: &[f64], rows: usize, cols: usize, gain: f64) -> f64 {
    // The vectors that should be orthonormal, each contiguous.
    let (count, len) = if rows >= cols {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let vecs: Vec<f64> = if rows >= cols {
        (0..cols)
            .flat_map(|k| (0..rows).map(move |i| m[i * cols + k]))
            .collect()
    } else {
        m.to_vec()
    };
    let mut worst: f64 = 0.0;
    for a in 0..count {
        for b in a..count {
            let (va, vb) = (&vecs[a * len..][..len], &vecs[b * len..][..len]);
            let dot: f64 = va.iter().zip(vb).map(|(x, y)| x * y).sum::<f64>() / (gain * gain);
            worst = worst.max((dot - if a == b { 1.0 } else { 0.0 }).abs());
        }
    }
    worst
}

/// Fingerprints of four orthogonal tensors (PyTorch convention, gain 1) under one key: tall and
/// wide f32, square f64, bf16. `tests/value_stability/orthogonal.rs` pins them to hard-coded
/// values; `tests/orthogonal.rs` checks every thread count and SIMD level gives the same.
pub fn orthogonal_fingerprints() -> Vec<u64> {
    use glorot::{bf16, Element, Key};
    fn one<T: Element + Default>(shape: &[usize], key: &glorot::TensorKey) -> u64 {
        let mut v = vec![T::default(); shape.iter().product()];
        glorot::structured::orthogonal(&mut v, shape, 1.0, key).unwrap();
        fnv_f64(v.iter().map(|x| x.to_f64()))
    }
    let key = Key::new(5).tensor("lstm.weight_hh_l0");
    vec![
        one::<f32>(&[300, 200], &key),
        one::<f32>(&[130, 257], &key),
        one::<f64>(&[200, 200], &key),
        one::<bf16>(&[96, 96], &key),
    ]
}
