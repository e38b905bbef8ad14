//! Statistical tests of the normal family (run in CI; a few seconds in release).
//!
//! - Kolmogorov–Smirnov against the exact normal and truncated-normal CDFs, p > 1e-4, over
//!   several seeds, shapes and all four dtypes (for bf16/f16 the KS statistic is taken against
//!   the CDF of the *rounded* distribution, i.e. evaluated at the rounding boundaries);
//! - mean, std and excess kurtosis within a few standard errors of the exact values;
//! - the empirical std of every normal-family initializer within 1% of its formula at 1e6
//!   elements (JAX-style truncated ones: exactly √(scale/fan));
//! - distinct values in 1e4 samples: bf16 > 1000, f16 > 3000, f32/f64 > 5000;
//! - the two regimes where widely used truncated-normal implementations failed: narrow σ
//!   (0.001–0.02 with bounds ±2) and far from the mean (mean −3, σ 1, bounds [−0.5, 0.5]).

use glorot::{
    bf16, f16, fill, Distribution, Element, FanMode, Fans, Init, Key, Nonlinearity,
    VarianceDistribution,
};

// ------------------------------------------------------------------------------------------
// Reference functions in f64 (independent of the crate): erfc, Φ and 1 − Φ are the shared
// ones of `tests/common` (also used by the orthogonal tests).

use crate::common::{phi, phi_upper};

/// The reference distribution: normal (low = −∞, high = +∞) or truncated normal.
#[derive(Clone, Copy, Debug)]
struct Ref {
    mean: f64,
    std: f64,
    low: f64,
    high: f64,
}

impl Ref {
    fn normal(mean: f64, std: f64) -> Self {
        Ref {
            mean,
            std,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        }
    }
    fn trunc(mean: f64, std: f64, low: f64, high: f64) -> Self {
        Ref {
            mean,
            std,
            low,
            high,
        }
    }
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.low {
            return 0.0;
        }
        if x >= self.high {
            return 1.0;
        }
        let s = |v: f64| (v - self.mean) / self.std;
        let (a, b, z) = (s(self.low), s(self.high), s(x));
        if a > 0.0 {
            // upper tail: keep precision with 1 − Φ
            (phi_upper(a) - phi_upper(z)) / (phi_upper(a) - phi_upper(b))
        } else {
            (phi(z) - phi(a)) / (phi(b) - phi(a))
        }
    }
    /// Mean, std and excess kurtosis by Simpson integration of the density.
    fn moments(&self) -> (f64, f64, f64) {
        let lo = self.low.max(self.mean - 12.0 * self.std);
        let hi = self.high.min(self.mean + 12.0 * self.std);
        let n = 200_000;
        let h = (hi - lo) / n as f64;
        let pdf = |x: f64| (-0.5 * ((x - self.mean) / self.std).powi(2)).exp();
        let mut m = [0.0f64; 5];
        for i in 0..=n {
            let x = lo + i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let p = w * pdf(x);
            let d = x - self.mean;
            let mut dk = 1.0;
            for mk in m.iter_mut() {
                *mk += p * dk;
                dk *= d;
            }
        }
        let mu1 = m[1] / m[0];
        let e2 = m[2] / m[0];
        let e3 = m[3] / m[0];
        let e4 = m[4] / m[0];
        let var = e2 - mu1 * mu1;
        let c4 = e4 - 4.0 * mu1 * e3 + 6.0 * mu1 * mu1 * e2 - 3.0 * mu1.powi(4);
        (self.mean + mu1, var.sqrt(), c4 / (var * var) - 3.0)
    }
}

/// Kolmogorov distribution tail: P(K > λ) with the Stephens small-sample correction.
fn ks_pvalue(d: f64, n: usize) -> f64 {
    let sn = (n as f64).sqrt();
    let lambda = (sn + 0.12 + 0.11 / sn) * d;
    if lambda < 0.3 {
        return 1.0;
    }
    let mut p = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let t = 2.0 * (-2.0 * k * k * lambda * lambda).exp();
        p += if k as u64 % 2 == 1 { t } else { -t };
        if t < 1e-16 {
            break;
        }
    }
    p.clamp(0.0, 1.0)
}

/// The next representable value above `x` in the element type, as f64.
trait Stat: Element + Default {
    fn next_above(x: f64) -> f64;
    fn next_below(x: f64) -> f64;
}
impl Stat for f32 {
    fn next_above(x: f64) -> f64 {
        let v = x as f32;
        f64::from(f32::from_bits(if v >= 0.0 {
            if v == 0.0 {
                1
            } else {
                v.to_bits() + 1
            }
        } else {
            v.to_bits() - 1
        }))
    }
    fn next_below(x: f64) -> f64 {
        -Self::next_above(-x)
    }
}
impl Stat for f64 {
    fn next_above(x: f64) -> f64 {
        x + x.abs() * 1e-15 + 1e-300
    }
    fn next_below(x: f64) -> f64 {
        x - x.abs() * 1e-15 - 1e-300
    }
}
macro_rules! stat16 {
    ($t:ty) => {
        impl Stat for $t {
            fn next_above(x: f64) -> f64 {
                let v = <$t>::from_f64(x);
                let b = v.to_bits();
                let n = if b & 0x7fff == 0 {
                    1
                } else if b & 0x8000 == 0 {
                    b + 1
                } else {
                    b - 1
                };
                <$t>::from_bits(n).to_f64()
            }
            fn next_below(x: f64) -> f64 {
                -Self::next_above(-x)
            }
        }
    };
}
stat16!(bf16);
stat16!(f16);

/// KS p-value of a sample against `r`, exact for rounded (discrete) data: the ECDF just below
/// and at each distinct value is compared with the reference CDF at the rounding boundaries.
fn ks<T: Stat>(v: &[T], r: &Ref) -> f64 {
    let mut x: Vec<f64> = v.iter().map(|e| e.to_f64()).collect();
    x.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = x.len();
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && x[j] == x[i] {
            j += 1;
        }
        let v = x[i];
        let upper = 0.5 * (v + T::next_above(v));
        let lower = 0.5 * (v + T::next_below(v));
        d = d.max((j as f64 / n as f64 - r.cdf(upper)).abs());
        d = d.max((i as f64 / n as f64 - r.cdf(lower)).abs());
        i = j;
    }
    ks_pvalue(d, n)
}

fn sample<T: Stat>(d: &Distribution, n: usize, seed: u64, name: &str) -> Vec<T> {
    let mut v = vec![T::default(); n];
    fill(&mut v, d, &Key::new(seed).tensor(name)).unwrap();
    v
}

fn moments_of<T: Element>(v: &[T]) -> (f64, f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().map(|x| x.to_f64()).sum::<f64>() / n;
    let (mut m2, mut m4) = (0.0, 0.0);
    for x in v {
        let d = x.to_f64() - mean;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    let var = m2 / n;
    (mean, var.sqrt(), (m4 / n) / (var * var) - 3.0)
}

/// Checks KS and moments of `d` against `r` for one dtype.
fn check<T: Stat>(d: &Distribution, r: &Ref, n: usize, seed: u64, name: &str) {
    let v: Vec<T> = sample(d, n, seed, name);
    assert!(
        v.iter().all(|x| x.to_f64().is_finite()),
        "non-finite value {d:?}"
    );
    let p = ks(&v, r);
    assert!(
        p > 1e-4,
        "KS p = {p:e} for {:?} {d:?} n={n} seed={seed}",
        T::DTYPE
    );
    let (m, s, k) = moments_of(&v);
    let (em, es, ek) = r.moments();
    let nf = n as f64;
    let se_m = es / nf.sqrt();
    let se_s = es * ((ek + 2.0) / (4.0 * nf)).sqrt();
    let se_k = (24.0 / nf).sqrt() * (1.0 + ek.abs());
    // 16-bit rounding adds a variance of about spacing²/12 (the spacing at |mean| + 2σ is an
    // upper bound): allow for it in the mean and std checks.
    let slack = if T::DTYPE.size() == 2 {
        let top = em.abs() + 2.0 * es;
        let ulp = T::next_above(top) - top;
        ulp * ulp / (8.0 * es) + 2e-3 * es
    } else {
        0.0
    };
    assert!(
        (m - em).abs() < 5.0 * se_m + slack,
        "mean {m} vs {em} {:?} {d:?}",
        T::DTYPE
    );
    assert!(
        (s - es).abs() < 5.0 * se_s + slack,
        "std {s} vs {es} {:?} {d:?}",
        T::DTYPE
    );
    assert!(
        (k - ek).abs() < 6.0 * se_k,
        "kurtosis {k} vs {ek} {:?} {d:?}",
        T::DTYPE
    );
}

fn check_all_dtypes(d: &Distribution, r: &Ref, n: usize, seed: u64, name: &str) {
    check::<f32>(d, r, n, seed, name);
    check::<f64>(d, r, n, seed, name);
    check::<bf16>(d, r, n, seed, name);
    check::<f16>(d, r, n, seed, name);
}

#[test]
fn normal_matches_exact_cdf() {
    for (seed, n, mean, std) in [
        (1u64, 200_000usize, 0.0, 1.0),
        (2, 50_003, 0.5, 2.0),
        (3, 100_000, -1.0, 0.01),
        (4, 7_777, 0.0, 0.05),
    ] {
        let d = Distribution::normal(mean, std).unwrap();
        check_all_dtypes(&d, &Ref::normal(mean, std), n, seed, "normal.weight");
    }
}

#[test]
fn truncated_normal_matches_exact_cdf() {
    for (seed, n, mean, std, low, high) in [
        (5u64, 200_000usize, 0.0, 1.0, -2.0, 2.0),
        (6, 100_000, 0.3, 0.7, -1.0, 0.5),
        (7, 65_537, 0.0, 1.0, 0.5, 4.0),
        (8, 30_000, 2.0, 1.5, -6.0, 1.0),
    ] {
        let d = Distribution::truncated_normal(mean, std, low, high).unwrap();
        check_all_dtypes(&d, &Ref::trunc(mean, std, low, high), n, seed, "t.weight");
    }
}

#[test]
fn narrow_sigma_regime() {
    // σ = 0.001–0.02 with bounds ±2 (hundreds of σ away): must be a plain normal, nothing stuck
    // at the bounds, no outliers, correct kurtosis, in every dtype.
    for (seed, std) in [(11u64, 0.001), (12, 0.005), (13, 0.02)] {
        let d = Distribution::truncated_normal(0.0, std, -2.0, 2.0).unwrap();
        let r = Ref::trunc(0.0, std, -2.0, 2.0);
        check_all_dtypes(&d, &r, 100_000, seed, "narrow");
        let v: Vec<bf16> = sample(&d, 100_000, seed, "narrow");
        let max = v.iter().map(|x| x.to_f32().abs()).fold(0.0, f32::max);
        assert!(f64::from(max) < 6.0 * std, "outlier {max} for σ={std}");
    }
}

#[test]
fn far_from_mean_regime() {
    // mean −3, σ 1, bounds [−0.5, 0.5]: the mass is in the left end of the interval.
    let d = Distribution::truncated_normal(-3.0, 1.0, -0.5, 0.5).unwrap();
    let r = Ref::trunc(-3.0, 1.0, -0.5, 0.5);
    check_all_dtypes(&d, &r, 200_000, 21, "far");
    check_all_dtypes(&d, &r, 31_001, 22, "far2");
    let (m, _, _) = r.moments();
    assert!(m < -0.2, "reference mean {m}");
    // the mirrored case too
    let d = Distribution::truncated_normal(3.0, 1.0, -0.5, 0.5).unwrap();
    check_all_dtypes(&d, &Ref::trunc(3.0, 1.0, -0.5, 0.5), 100_000, 23, "far3");
}

#[test]
fn initializer_std_within_one_percent_at_1e6() {
    let fans = Fans::new(1024, 512);
    let (fi, fo) = (1024.0f64, 512.0f64);
    let cases: Vec<(Init, f64)> = vec![
        (Init::xavier_normal(1.0), (2.0 / (fi + fo)).sqrt()),
        (
            Init::xavier_normal(5.0 / 3.0),
            5.0 / 3.0 * (2.0 / (fi + fo)).sqrt(),
        ),
        (Init::kaiming_normal(), (2.0 / fi).sqrt()),
        (
            Init::kaiming_normal_with(0.2, FanMode::FanOut, Nonlinearity::LeakyRelu),
            (2.0 / (1.0 + 0.04) / fo).sqrt(),
        ),
        (
            Init::Normal {
                mean: 0.0,
                std: 0.02,
            },
            0.02,
        ),
        (Init::GlorotNormal, (2.0 / (fi + fo)).sqrt()),
        (Init::HeNormal, (2.0 / fi).sqrt()),
        (Init::LecunNormal, (1.0 / fi).sqrt()),
        (
            Init::VarianceScaling {
                scale: 0.1,
                mode: FanMode::FanOut,
                distribution: VarianceDistribution::Normal,
            },
            (0.1 / fo).sqrt(),
        ),
        (
            Init::VarianceScaling {
                scale: 3.0,
                mode: FanMode::FanGeoAvg,
                distribution: VarianceDistribution::TruncatedNormal,
            },
            (3.0 / (fi * fo).sqrt()).sqrt(),
        ),
    ];
    let n = 1_000_000;
    for (init, want) in cases {
        let d = init.distribution(fans).unwrap();
        let check = |got: f64, dt: &str| {
            assert!(
                (got / want - 1.0).abs() < 0.01,
                "{} {dt}: std {got} vs {want}",
                init.name()
            );
        };
        check(moments_of(&sample::<f32>(&d, n, 31, init.name())).1, "f32");
        check(moments_of(&sample::<f64>(&d, n, 32, init.name())).1, "f64");
        check(
            moments_of(&sample::<bf16>(&d, n, 33, init.name())).1,
            "bf16",
        );
        check(moments_of(&sample::<f16>(&d, n, 35, init.name())).1, "f16");
    }
    // trunc_normal (PyTorch defaults) has the truncated std 0.8796…
    let d = Init::trunc_normal(0.0, 1.0, -2.0, 2.0)
        .distribution(fans)
        .unwrap();
    let s = moments_of(&sample::<f32>(&d, n, 34, "tn")).1;
    assert!(
        (s / glorot::TRUNCATED_STD_CORRECTION - 1.0).abs() < 0.01,
        "{s}"
    );
}

fn distinct<T: Element>(v: &[T]) -> usize {
    let mut x: Vec<u64> = v.iter().map(|e| e.to_f64().to_bits()).collect();
    x.sort_unstable();
    x.dedup();
    x.len()
}

#[test]
fn distinct_values_in_1e4_samples() {
    for d in [
        Distribution::truncated_normal(0.0, 1.0, -2.0, 2.0).unwrap(),
        Distribution::truncated_normal(0.0, 0.02, -2.0, 2.0).unwrap(),
        Distribution::truncated_normal(-3.0, 1.0, -0.5, 0.5).unwrap(),
        Distribution::normal(0.0, 1.0).unwrap(),
    ] {
        let n = 10_000;
        let b = distinct(&sample::<bf16>(&d, n, 41, "d"));
        let h = distinct(&sample::<f16>(&d, n, 41, "d"));
        let f = distinct(&sample::<f32>(&d, n, 41, "d"));
        let g = distinct(&sample::<f64>(&d, n, 41, "d"));
        assert!(b > 1000, "bf16 distinct {b} {d:?}");
        assert!(h > 3000, "f16 distinct {h} {d:?}");
        assert!(f > 5000 && g > 5000, "f32 {f} f64 {g} {d:?}");
    }
}

#[test]
fn ks_pvalue_sanity() {
    // P(K > 1.36) ≈ 0.05, P(K > 1.63) ≈ 0.01 for large n
    let n = 1_000_000;
    let p = ks_pvalue(1.358 / (n as f64).sqrt(), n);
    assert!((p - 0.05).abs() < 0.002, "{p}");
    let p = ks_pvalue(1.628 / (n as f64).sqrt(), n);
    assert!((p - 0.01).abs() < 0.001, "{p}");
    assert!((phi(1.0) - 0.8413447460685429).abs() < 1e-15);
    assert!((phi_upper(5.0) / 2.866515718791939e-7 - 1.0).abs() < 1e-12);
}
