//! The counter-based contract for the normal family (see `glorot::dist::normal`).
//!
//! - the documented specification, re-implemented here independently from rand_chacha and
//!   plain scalar `f32` / `f64` arithmetic, reproduces elements at scattered indices bit for bit;
//! - 1, 2, 3 and 8 threads give identical bits;
//! - an offset fill of `[a, b)` equals the slice `[a, b)` of the whole tensor;
//! - every backend (run-time AVX-512 or AVX2, portable `wide`, scalar) gives the same bits,
//!   including tails shorter than a vector;
//! - values are finite and truncated values lie strictly inside the bounds in every dtype.

#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

use glorot::{
    bf16, f16, fill, fill_at, fill_at_with, Distribution, DistributionKind, Element, Key, Level,
    Rounds, TensorKey,
};
use proptest::prelude::*;

// Words and integers straight from rand_chacha (tests/spec/mod.rs).
use crate::spec::{k24, w64};

// ------------------------------------------------------------------------------------------
// The spec's functions, scalar, written out again from the documentation.

// The spec's coefficient table, the shipped constants themselves (`ICDF_F32`).
include!("../../src/simd/icdf_table.rs");

/// erfinv(1 − q), f32, as specified since 0.2.0: a cubic per (side, binade, piece).
fn e32(q: f32) -> f32 {
    let tail = q < 0.5;
    let t = 1.0 - q;
    let v = if tail { q } else { t }.max(f32::MIN_POSITIVE);
    let b = v.to_bits();
    let i = (b >> 19) + if tail { 0 } else { 2048 };
    let x = f32::from_bits(((b << 4) & 0x7F_FFFF) + 0x3F80_0000) - 1.5;
    let [c0, c1, c2, c3] = ICDF_F32[i as usize];
    let p = ((c3 * x + c2) * x + c1) * x + c0;
    if tail {
        p
    } else {
        p * t
    }
}

/// Cephes log (f64), as specified.
fn ln64(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut e = (bits >> 52) as f64 - 1022.0;
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000);
    if m < std::f64::consts::FRAC_1_SQRT_2 {
        e -= 1.0;
        m = m + m;
    }
    let x = m - 1.0;
    let z = x * x;
    let mut p = 1.01875663804580931796E-4;
    for c in [
        4.97494994976747001425E-1,
        4.70579119878881725854E0,
        1.44989225341610930846E1,
        1.79368678507819816313E1,
        7.70838733755885391666E0,
    ] {
        p = p * x + c;
    }
    let mut q = x + 1.12873587189167450590E1;
    for c in [
        4.52279145837532221105E1,
        8.29875266912776603211E1,
        7.11544750618563894466E1,
        2.31251620126765340583E1,
    ] {
        q = q * x + c;
    }
    let mut y = x * (z * p / q);
    y -= e * 2.121944400546905827679e-4;
    y -= 0.5 * z;
    (x + y) + e * 0.693359375
}

fn poly(x: f64, c: &[f64]) -> f64 {
    c[1..].iter().fold(c[0], |p, &ci| p * x + ci)
}

/// erfinv(1 − q), f64, Giles 2011 (three branches).
fn e64(q: f64) -> f64 {
    let t = 1.0 - q;
    let w = 0.0 - ln64(q * (2.0 - q));
    let p = if w < 6.25 {
        poly(
            w - 3.125,
            &[
                -3.6444120640178196996e-21,
                -1.685059138182016589e-19,
                1.2858480715256400167e-18,
                1.115787767802518096e-17,
                -1.333171662854620906e-16,
                2.0972767875968561637e-17,
                6.6376381343583238325e-15,
                -4.0545662729752068639e-14,
                -8.1519341976054721522e-14,
                2.6335093153082322977e-12,
                -1.2975133253453532498e-11,
                -5.4154120542946279317e-11,
                1.051212273321532285e-09,
                -4.1126339803469836976e-09,
                -2.9070369957882005086e-08,
                4.2347877827932403518e-07,
                -1.3654692000834678645e-06,
                -1.3882523362786468719e-05,
                0.0001867342080340571352,
                -0.00074070253416626697512,
                -0.0060336708714301490533,
                0.24015818242558961693,
                1.6536545626831027356,
            ],
        )
    } else if w < 16.0 {
        poly(
            w.sqrt() - 3.25,
            &[
                2.2137376921775787049e-09,
                9.0756561938885390979e-08,
                -2.7517406297064545428e-07,
                1.8239629214389227755e-08,
                1.5027403968909827627e-06,
                -4.013867526981545969e-06,
                2.9234449089955446044e-06,
                1.2475304481671778723e-05,
                -4.7318229009055733981e-05,
                6.8284851459573175448e-05,
                2.4031110387097893999e-05,
                -0.0003550375203628474796,
                0.00095328937973738049703,
                -0.0016882755560235047313,
                0.0024914420961078508066,
                -0.0037512085075692412107,
                0.005370914553590063617,
                1.0052589676941592334,
                3.0838856104922207635,
            ],
        )
    } else {
        poly(
            w.sqrt() - 5.0,
            &[
                -2.7109920616438573243e-11,
                -2.5556418169965252055e-10,
                1.5076572693500548083e-09,
                -3.7894654401267369937e-09,
                7.6157012080783393804e-09,
                -1.4960026627149240478e-08,
                2.9147953450901080826e-08,
                -6.7711997758452339498e-08,
                2.2900482228026654717e-07,
                -9.9298272942317002539e-07,
                4.5260625972231537039e-06,
                -1.9681778105531670567e-05,
                7.5995277030017761139e-05,
                -0.00021503011930044477347,
                -0.00013871931833623122026,
                1.0103004648645343977,
                4.8499064014085844221,
            ],
        )
    };
    p * t
}

/// Plan-time exp (Cephes), as specified.
fn exp_spec(x: f64) -> f64 {
    if x < -745.2 {
        return 0.0;
    }
    let n = (std::f64::consts::LOG2_E * x + 0.5).floor();
    let r = x - n * 6.93145751953125E-1;
    let r = r - n * 1.42860682030941723212E-6;
    let rr = r * r;
    let p = r
        * ((1.26177193074810590878E-4 * rr + 3.02994407707441961300E-2) * rr
            + 9.99999999999999999910E-1);
    let q = ((3.00198505138664455042E-6 * rr + 2.52448340349684104192E-3) * rr
        + 2.27265548208155028766E-1)
        * rr
        + 2.00000000000000000009E0;
    let y = 1.0 + 2.0 * (p / (q - p));
    let n = n as i32;
    let p2 = |n: i32| f64::from_bits(((n + 1023) as u64) << 52);
    y * p2(n / 2) * p2(n - n / 2)
}

/// Plan-time erfc, as specified.
fn erfc_spec(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc_spec(-x);
    }
    if x < 1.5 {
        let x2 = 2.0 * x * x;
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term > 1e-17 * sum {
            n += 1.0;
            term = term * x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - std::f64::consts::FRAC_2_SQRT_PI * exp_spec(-x * x) * sum;
    }
    if x > 27.3 {
        return 0.0;
    }
    let mut f = x;
    for k in (1..=500).rev() {
        f = x + (f64::from(k) * 0.5) / f;
    }
    exp_spec(-x * x) * 0.564189583547756286948 / f
}

fn normal_f32(key: &TensorKey, mean: f64, std: f64, i: u64) -> f32 {
    let k = k24(key, i);
    let a = (std::f64::consts::SQRT_2 * std) as f32;
    let m = (k & 0x7F_FFFF) as f32;
    let q = m * 2f32.powi(-23) + 2f32.powi(-24);
    let g = if k < 1 << 23 { -a } else { a };
    mean as f32 + g * e32(q)
}

fn normal_f64(key: &TensorKey, mean: f64, std: f64, i: u64) -> f64 {
    let w = w64(key, i);
    let a = std::f64::consts::SQRT_2 * std;
    let m = ((w >> 11) & ((1 << 52) - 1)) as f64;
    let q = m * 2f64.powi(-52) + 2f64.powi(-53);
    let g = if w >> 63 == 0 { -a } else { a };
    mean + g * e64(q)
}

/// (f, c_lo, c_hi) of the spec.
fn trunc_consts(mean: f64, std: f64, low: f64, high: f64) -> (f64, f64, f64) {
    let (alpha, beta) = ((low - mean) / std, (high - mean) / std);
    let (a, b, f) = if alpha + beta > 0.0 {
        (-beta, -alpha, -1.0)
    } else {
        (alpha, beta, 1.0)
    };
    let r = std::f64::consts::FRAC_1_SQRT_2;
    (f, erfc_spec(-a * r), erfc_spec(-b * r))
}

fn trunc_f32(key: &TensorKey, mean: f64, std: f64, low: f64, high: f64, i: u64) -> f32 {
    let (f, c_lo, c_hi) = trunc_consts(mean, std, low, high);
    let span = c_hi - c_lo;
    let half = span * 2f64.powi(-25);
    let c0 = c_lo + half;
    let q_min = (c0.min(2.0 - (c_hi - half)) as f32).max(f32::MIN_POSITIVE);
    let (c0, span, f) = (c0 as f32, span as f32, f as f32);
    let a = (std::f64::consts::SQRT_2 * std) as f32;
    let u = k24(key, i) as f32 * (1.0 / 16_777_216.0);
    let c = c0 + span * u;
    let (q, g) = if 1.0 < c {
        (2.0 - c, f * a)
    } else {
        (c, -f * a)
    };
    let q = if q < q_min { q_min } else { q };
    let x = mean as f32 + g * e32(q);
    // clamp into the f32 values strictly inside (low, high)
    let mut lo = low as f32;
    while f64::from(lo) <= low {
        lo = next_up(lo);
    }
    let mut hi = high as f32;
    while f64::from(hi) >= high {
        hi = -next_up(-hi);
    }
    x.max(lo).min(hi)
}

fn next_up(x: f32) -> f32 {
    if x == 0.0 {
        f32::from_bits(1)
    } else if x > 0.0 {
        f32::from_bits(x.to_bits() + 1)
    } else {
        f32::from_bits(x.to_bits() - 1)
    }
}

fn trunc_f64(key: &TensorKey, mean: f64, std: f64, low: f64, high: f64, i: u64) -> f64 {
    let (f, c_lo, c_hi) = trunc_consts(mean, std, low, high);
    let span = c_hi - c_lo;
    let half = span * 2f64.powi(-54);
    let c0 = c_lo + half;
    let q_min = c0.min(2.0 - (c_hi - half)).max(f64::MIN_POSITIVE);
    let u = (w64(key, i) >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
    let c = c0 + span * u;
    let a = std::f64::consts::SQRT_2 * std;
    let (q, g) = if 1.0 < c {
        (2.0 - c, f * a)
    } else {
        (c, -f * a)
    };
    let q = if q < q_min { q_min } else { q };
    let x = mean + g * e64(q);
    let lo = f64::from_bits(if low >= 0.0 {
        low.to_bits() + 1
    } else {
        low.to_bits() - 1
    });
    let hi = f64::from_bits(if high > 0.0 {
        high.to_bits() - 1
    } else {
        high.to_bits() + 1
    });
    x.max(lo).min(hi)
}

fn scattered(n: u64) -> impl Iterator<Item = u64> {
    (0..n)
        .step_by(997)
        .chain([0, 1, 7, 8, 47, 48, 63, 64, 65535, 65536, n - 1])
}

#[test]
fn spec_reproduces_scattered_normal_elements() {
    let n = 100_003;
    for rounds in [Rounds::ChaCha8, Rounds::ChaCha12, Rounds::ChaCha20] {
        let key = Key::with_rounds(2011, rounds).tensor("blocks.0.mlp.fc1.weight");
        let d = Distribution::normal(0.25, 0.02).unwrap();
        let mut a = vec![0f32; n];
        fill(&mut a, &d, &key).unwrap();
        let mut b = vec![0f64; n];
        fill(&mut b, &d, &key).unwrap();
        let mut h = vec![bf16::ZERO; n];
        fill(&mut h, &d, &key).unwrap();
        for i in scattered(n as u64) {
            let x = normal_f32(&key, 0.25, 0.02, i);
            assert_eq!(a[i as usize].to_bits(), x.to_bits(), "f32 element {i}");
            assert_eq!(h[i as usize], bf16::from_f32(x), "bf16 element {i}");
            assert_eq!(
                b[i as usize].to_bits(),
                normal_f64(&key, 0.25, 0.02, i).to_bits(),
                "f64 element {i}"
            );
        }
    }
}

#[test]
fn spec_reproduces_scattered_truncated_elements() {
    let n = 70_001;
    let key = Key::new(77).tensor("head.weight");
    // (mean, std, low, high): standard, far from the mean, narrow σ, one-sided mirrored case
    for (mean, std, low, high) in [
        (0.0, 1.0, -2.0, 2.0),
        (-3.0, 1.0, -0.5, 0.5),
        (0.0, 0.01, -2.0, 2.0),
        (0.5, 0.3, 0.0, 3.0),
        (1.0, 2.0, -10.0, 0.0),
    ] {
        let d = Distribution::truncated_normal(mean, std, low, high).unwrap();
        let mut a = vec![0f32; n];
        fill(&mut a, &d, &key).unwrap();
        let mut b = vec![0f64; n];
        fill(&mut b, &d, &key).unwrap();
        let mut h = vec![f16::ZERO; n];
        fill(&mut h, &d, &key).unwrap();
        for i in scattered(n as u64) {
            let x = trunc_f32(&key, mean, std, low, high, i);
            assert_eq!(a[i as usize].to_bits(), x.to_bits(), "f32 {i} {d:?}");
            // f16: round once, then clamp into the f16 values strictly inside the bounds
            let r = f16::from_f32(x);
            let r = if f64::from(r.to_f32()) <= low {
                f16::from_bits(r.to_bits() + if r.to_f32() < 0.0 { u16::MAX } else { 1 })
            } else if f64::from(r.to_f32()) >= high {
                f16::from_bits(r.to_bits() + if r.to_f32() > 0.0 { u16::MAX } else { 1 })
            } else {
                r
            };
            assert_eq!(h[i as usize], r, "f16 {i} {d:?}");
            assert_eq!(
                b[i as usize].to_bits(),
                trunc_f64(&key, mean, std, low, high, i).to_bits(),
                "f64 {i} {d:?}"
            );
        }
    }
}

fn dists() -> Vec<Distribution> {
    vec![
        Distribution::normal(0.0, 1.0).unwrap(),
        Distribution::normal(-1.5, 0.02).unwrap(),
        Distribution::truncated_normal(0.0, 1.0, -2.0, 2.0).unwrap(),
        Distribution::truncated_normal(-3.0, 1.0, -0.5, 0.5).unwrap(),
        Distribution::truncated_normal(0.0, 0.005, -2.0, 2.0).unwrap(),
    ]
}

fn all_threads_equal<T: Element + Default>(dist: &Distribution, n: usize) {
    let key = Key::new(99).tensor("t");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut v = vec![T::default(); n];
        pool.install(|| fill(&mut v, dist, &key)).unwrap();
        v
    };
    let one = run(1);
    for t in [2, 3, 8] {
        assert!(
            run(t) == one,
            "{t} threads differ for {:?} {dist:?}",
            T::DTYPE
        );
    }
}

#[test]
fn thread_count_does_not_change_bits() {
    let n = 2 * 65536 + 4321;
    for d in dists() {
        all_threads_equal::<f32>(&d, n);
        all_threads_equal::<f64>(&d, n);
        all_threads_equal::<bf16>(&d, n);
        all_threads_equal::<f16>(&d, n);
    }
}

fn backends_agree<T: Element + Default>(
    dist: &Distribution,
    a: u64,
    len: usize,
) -> Result<(), TestCaseError> {
    let key = Key::new(11).tensor("s");
    // Random parameters can be invalid for a dtype (no value strictly inside the bounds) or
    // have no representable mass (an interval ~38σ or more from the mean): then every backend
    // must report the same error.
    let get = |b: Level| {
        let mut x = vec![T::default(); len];
        let r = fill_at_with(&mut x, dist, &key, a, b);
        (r, x)
    };
    let reference = get(Level::Scalar);
    prop_assert!(
        get(Level::Avx512) == reference,
        "Simd (run-time AVX-512/AVX2) differs from scalar at {a}+{len} {dist:?}"
    );
    prop_assert!(
        get(Level::Portable) == reference,
        "Portable (wide) differs from scalar at {a}+{len} {dist:?}"
    );
    Ok(())
}

#[test]
fn backends_agree_on_every_short_tail() {
    for d in dists() {
        for a in 0..66 {
            for len in 0..19 {
                backends_agree::<f32>(&d, a, len).unwrap();
                backends_agree::<f64>(&d, a, len).unwrap();
                backends_agree::<bf16>(&d, a, len).unwrap();
            }
        }
        // around the AVX2 (32-lane) and AVX-512 (64-lane) backends' widths (four interleaved
        // vectors each) and twice the latter
        for a in [0, 1, 31, 63] {
            for len in 20..140 {
                backends_agree::<f32>(&d, a, len).unwrap();
                backends_agree::<f16>(&d, a, len).unwrap();
            }
        }
    }
}

#[test]
fn backends_agree_on_long_runs() {
    for d in dists() {
        backends_agree::<f32>(&d, 12345, 70_000).unwrap();
        backends_agree::<f64>(&d, 999, 70_000).unwrap();
        backends_agree::<bf16>(&d, 1, 70_000).unwrap();
        backends_agree::<f16>(&d, 5, 70_000).unwrap();
    }
}

const WHOLE: usize = 150_000;

/// A distribution and its whole tensor in three dtypes.
type Wholes = Vec<(Distribution, Vec<f32>, Vec<f64>, Vec<f16>)>;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn offset_fill_is_slice_of_whole(a in 0usize..WHOLE, len in 0usize..100_000) {
        let b = (a + len).min(WHOLE);
        let key = Key::new(3).tensor("w");
        thread_local! {
            static W: Wholes = dists()
                .into_iter()
                .map(|d| {
                    let key = Key::new(3).tensor("w");
                    let mut x = vec![0f32; WHOLE];
                    fill(&mut x, &d, &key).unwrap();
                    let mut y = vec![0f64; WHOLE];
                    fill(&mut y, &d, &key).unwrap();
                    let mut z = vec![f16::ZERO; WHOLE];
                    fill(&mut z, &d, &key).unwrap();
                    (d, x, y, z)
                })
                .collect();
        }
        W.with(|w| -> Result<(), TestCaseError> {
            for (d, x, y, z) in w {
                let mut p = vec![0f32; b - a];
                fill_at(&mut p, d, &key, a as u64).unwrap();
                prop_assert!(p[..] == x[a..b]);
                let mut p = vec![0f64; b - a];
                fill_at(&mut p, d, &key, a as u64).unwrap();
                prop_assert!(p[..] == y[a..b]);
                let mut p = vec![f16::ZERO; b - a];
                fill_at(&mut p, d, &key, a as u64).unwrap();
                prop_assert!(p[..] == z[a..b]);
            }
            Ok(())
        })?;
    }

    #[test]
    fn backends_agree_on_random_parameters(
        a in 0u64..1_000_000, len in 0usize..200,
        mean in -5.0f64..5.0, std in 1e-3f64..10.0, lo in -4.0f64..3.0, width in 0.05f64..6.0,
    ) {
        let n = Distribution::normal(mean, std).unwrap();
        let t = Distribution::truncated_normal(mean, std, lo, lo + width).unwrap();
        for d in [n, t] {
            backends_agree::<f32>(&d, a, len)?;
            backends_agree::<f64>(&d, a, len)?;
            backends_agree::<bf16>(&d, a, len)?;
            backends_agree::<f16>(&d, a, len)?;
        }
    }
}

fn strictly_inside<T: Element + Default>(d: &Distribution, low: f64, high: f64) {
    let mut v = vec![T::default(); 200_000];
    fill(&mut v, d, &Key::new(8).tensor("b")).unwrap();
    for x in &v {
        let x = x.to_f64();
        assert!(
            x.is_finite() && low < x && x < high,
            "{x} outside ({low}, {high}) {:?} {d:?}",
            T::DTYPE
        );
    }
}

#[test]
fn truncated_values_strictly_inside_in_every_dtype() {
    for (mean, std, low, high) in [
        (0.0, 1.0, -2.0, 2.0),
        (-3.0, 1.0, -0.5, 0.5),
        (0.0, 0.001, -2.0, 2.0),
        (0.0, 0.02, -2.0, 2.0),
        (0.0, 1.0, -0.01, 0.01),
        (5.0, 1.0, -1.0, 1.0),
        (0.0, 100.0, -0.3, 0.2),
        (0.0, 1.0, 1.0, 1.0625),
    ] {
        let d = Distribution::truncated_normal(mean, std, low, high).unwrap();
        strictly_inside::<f32>(&d, low, high);
        strictly_inside::<f64>(&d, low, high);
        strictly_inside::<bf16>(&d, low, high);
        strictly_inside::<f16>(&d, low, high);
    }
}

#[test]
fn normal_values_are_finite_and_bounded_by_documented_max() {
    let d = Distribution::normal(0.0, 1.0).unwrap();
    let mut v = vec![0f32; 1 << 20];
    fill(&mut v, &d, &Key::new(4).tensor("m")).unwrap();
    assert!(v.iter().all(|x| x.is_finite() && x.abs() <= 5.42));
    // the extreme integers map to the documented extreme value
    let z_max = std::f32::consts::SQRT_2 * e32(1.0 / 16_777_216.0);
    assert!((5.419..5.4205).contains(&z_max), "{z_max}");
    // f16 cannot hold normal(0, 1e5) (most samples beyond 65504): an error, never a tensor
    // saturated to ±65504 (this test pinned that clamp before the one dtype rule); f32 and
    // bf16 can, and give finite values.
    let big = Distribution::normal(0.0, 1e5).unwrap();
    let mut h = vec![f16::ZERO; 10_000];
    assert_eq!(
        fill(&mut h, &big, &Key::new(4).tensor("m")),
        Err(glorot::Error::Unrepresentable)
    );
    assert!(h.iter().all(|x| x.to_bits() == 0), "nothing written");
    let mut b = vec![bf16::ZERO; 10_000];
    fill(&mut b, &big, &Key::new(4).tensor("m")).unwrap();
    assert!(b.iter().all(|x| x.is_finite()));
}

#[test]
fn constructors_validate() {
    use glorot::Error;
    assert_eq!(
        Distribution::normal(f64::NAN, 1.0),
        Err(Error::NonFiniteValue)
    );
    assert_eq!(Distribution::normal(0.0, -1.0), Err(Error::InvalidStd));
    assert_eq!(
        Distribution::normal(0.0, f64::INFINITY),
        Err(Error::InvalidStd)
    );
    assert_eq!(
        Distribution::normal(2.0, 0.0).map(|d| d.kind()),
        Ok(DistributionKind::Constant(2.0))
    );
    assert_eq!(
        Distribution::truncated_normal(0.0, 1.0, 1.0, 1.0),
        Err(Error::InvalidBounds)
    );
    assert_eq!(
        Distribution::truncated_normal(0.0, 1.0, f64::NEG_INFINITY, 1.0),
        Err(Error::InvalidBounds)
    );
    assert_eq!(
        Distribution::truncated_normal(0.0, 0.0, -1.0, 1.0).map(|d| d.kind()),
        Ok(DistributionKind::Constant(0.0))
    );
    assert_eq!(
        Distribution::truncated_normal(3.0, 0.0, -1.0, 1.0),
        Err(Error::InvalidBounds)
    );
    // no bf16 value strictly inside (1, 1.001)
    let d = Distribution::truncated_normal(0.0, 1.0, 1.0, 1.001).unwrap();
    let mut v = vec![bf16::ZERO; 4];
    assert_eq!(
        fill(&mut v, &d, &Key::new(0).tensor("x")),
        Err(Error::InvalidBounds)
    );
    // an interval ~9000σ from the mean has no representable mass: an error, never garbage
    let far = Distribution::truncated_normal(5.0, 1e-3, -4.0, -3.9).unwrap();
    for b in [Level::Avx512, Level::Portable, Level::Scalar] {
        let mut v = vec![0f32; 4];
        assert_eq!(
            fill_at_with(&mut v, &far, &Key::new(0).tensor("x"), 0, b),
            Err(Error::InvalidBounds)
        );
    }
    // a bad std cannot be wrapped into a Distribution by way of its kind either
    let bad = DistributionKind::Normal {
        mean: 0.0,
        std: f64::NAN,
    };
    assert_eq!(Distribution::from_kind(bad), Err(Error::InvalidStd));
}

#[test]
fn f16_backends_agree_across_subnormals_and_overflow() {
    // f16 subnormals start below 6.1e-5; f16::MAX is 65504.
    for d in [
        Distribution::normal(0.0, 1e-5).unwrap(),
        Distribution::normal(1e-4, 3e-5).unwrap(),
        Distribution::truncated_normal(0.0, 1e-6, -1e-5, 2e-5).unwrap(),
    ] {
        backends_agree::<f16>(&d, 77, 50_000).unwrap();
        backends_agree::<bf16>(&d, 77, 50_000).unwrap();
        let mut v = vec![f16::ZERO; 50_000];
        fill(&mut v, &d, &Key::new(1).tensor("h")).unwrap();
        assert!(v.iter().all(|x| x.is_finite()), "{d:?}");
    }
    // Beyond f16's range: an error on every backend (it used to clamp to ±65504; the kernel's
    // own clamp on such values is still pinned level by level in `src/kernel/mod.rs`), and
    // bf16 holds them.
    for d in [
        Distribution::normal(0.0, 3e4).unwrap(),
        Distribution::uniform(-70000.0, 70000.0).unwrap(),
    ] {
        for level in [Level::Avx512, Level::Portable, Level::Scalar] {
            let mut v = vec![f16::ZERO; 64];
            assert_eq!(
                fill_at_with(&mut v, &d, &Key::new(1).tensor("h"), 0, level),
                Err(glorot::Error::Unrepresentable),
                "{d:?} {level:?}"
            );
        }
        backends_agree::<bf16>(&d, 77, 50_000).unwrap();
    }
}
