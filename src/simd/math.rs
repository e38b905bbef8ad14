//! Transcendental functions built only from IEEE-754-exact operations (`+ − × ÷`, `sqrt`,
//! compare/select, integer bit manipulation), written once generically over [`Lanes`] /
//! [`LanesF64`]. Every backend — the scalar reference, `wide`, AVX2 — executes the same operations
//! in the same order, never fused, so the results are bit-identical on every CPU and build
//! (with or without `-C target-cpu=…`, which would make `wide::ln`/`mul_add` use FMA).
//!
//! # Sources and error bounds
//!
//! - `ln` (f32): Cephes `logf` (S. L. Moshier, Cephes Math Library 2.2, 1992): frexp by bit
//!   manipulation (musl's branch-free offset trick, which yields exactly Cephes' `e` and `x`),
//!   `m ∈ [√½, √2)`, `ln(1+x) = x − x²/2 + x³·P(x)` with a degree-8 `P`
//!   (evaluated by Estrin's scheme, see `estrin9`, rather than Cephes' Horner), and
//!   `e·ln 2` added in two parts (`0.693359375 − 2.12194440e-4`). Measured on the arguments the
//!   normal kernels use (`q(2 − q)`, `q ∈ [2⁻¹²⁶, 1]`): ≤ 1 ulp from the correctly rounded result
//!   (test `ln_f32_error` in this module).
//! - `ln` (f64): Cephes `log` (1995): same reduction, `ln(1+x) = x − x²/2 + x³·P(x)/Q(x)`, degree
//!   5/5 rational. Cephes documents a peak relative error of 2.0e-16 on `[0.5, 2]`;
//!   measured ≤ 1 ulp (test `ln_f64_error`).
//! - `erfinv` (f32, f64): M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade
//!   Edition (2011), ch. 10: `erfinv(x) = x·p(w)`, `w = −ln((1 − x)(1 + x))`, with `p` a
//!   polynomial in `w − 2.5` (`w < 5`) or `√w − 3` (f32, 9 coefficients each, Estrin's
//!   scheme), and (Horner) in
//!   `w − 3.125` (`w < 6.25`), `√w − 3.25` (`w < 16`) or `√w − 5` (f64, 23/19/17 coefficients).
//!   Giles reports relative errors of about 3.7e-7 (f32) and 2e-16 (f64) in exact arithmetic
//!   for `x` representable in the working type. Here the argument is passed as `q = 1 − |x|`
//!   so that the tails keep full relative precision: `(1 − x)(1 + x) = q·(2 − q)`. Measured
//!   against a Newton-polished f64 reference: relative error ≤ 1.1e-6 (f32, all `q ≥ 2⁻²⁵`,
//!   the worst case at the smallest `q`) and ≤ 2e-14 (f64, `q ≥ 2⁻⁵⁴`) (tests
//!   `erfinv_f32_error`, `erfinv_f64_error`). For a sample `z = √2·erfinv(1 − q)` that is an
//!   absolute error below 6e-6 (f32) / 2e-13 (f64) at the extreme tail.
//!
//! Each lane selects its branch of a piecewise approximation by compare-and-select; a branch is
//! skipped only when no lane of the vector selects it, so every lane's result is the same
//! sequence of operations on every backend and the SIMD and scalar paths agree exactly.

#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

use super::{Lanes, LanesF64};

/// A degree-8 polynomial `c[0]·x⁸ + c[1]·x⁷ + … + c[8]` by Estrin's scheme (shorter dependency
/// chains than Horner, so several vectors' worth of work overlap in the pipeline). With
/// `aⱼ = c[8 − j]` the exact operation order is:
///
/// ```text
/// x2 = x·x;  x4 = x2·x2;  x8 = x4·x4
/// p01 = a0 + a1·x;  p23 = a2 + a3·x;  p45 = a4 + a5·x;  p67 = a6 + a7·x
/// p03 = p01 + p23·x2;  p47 = p45 + p67·x2
/// p = (p03 + p47·x4) + a8·x8
/// ```
#[inline(always)]
fn estrin9<V: Lanes>(x: V, c: &[f32; 9]) -> V {
    let a = |j: usize| V::splat(c[8 - j]);
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let p01 = a(0) + a(1) * x;
    let p23 = a(2) + a(3) * x;
    let p45 = a(4) + a(5) * x;
    let p67 = a(6) + a(7) * x;
    let p03 = p01 + p23 * x2;
    let p47 = p45 + p67 * x2;
    (p03 + p47 * x4) + a(8) * x8
}

#[inline(always)]
fn horner64<V: LanesF64>(x: V, c: &[f64]) -> V {
    let mut p = V::splat(c[0]);
    for &ci in &c[1..] {
        p = p * x + V::splat(ci);
    }
    p
}

/// Cephes `logf` polynomial, highest degree first.
const LOGF_P: [f32; 9] = [
    7.0376836292E-2,
    -1.1514610310E-1,
    1.1676998740E-1,
    -1.2420140846E-1,
    1.4249322787E-1,
    -1.6668057665E-1,
    2.0000714765E-1,
    -2.4999993993E-1,
    3.3333331174E-1,
];

/// Natural logarithm of positive, finite, *normal* `f32` lanes (no zero, subnormal, ∞ or NaN
/// handling: the callers guarantee `x ∈ [2⁻¹²⁶, 1]`).
#[inline(always)]
pub(crate) fn ln_f32<V: Lanes>(x: V) -> V {
    // Cephes: frexp to m ∈ [0.5, 1), then `if m < √½ { e −= 1; m += m }`, x = m − 1. The same
    // e and x without compare/select (the musl `logf` reduction): offsetting the bits by
    // 1.0 − √½ (0x3F80_0000 − 0x3F35_04F3) makes the exponent field step exactly at m = √½, and
    // adding √½'s bits back to the mantissa gives m ∈ [√½, √2). x ≤ 1, so no lane overflows.
    let ix = V::add_u(x.to_bits(), 0x3F80_0000 - 0x3F35_04F3);
    let e = V::from_u24(V::shr::<23>(ix)) - V::splat(127.0);
    let m = V::from_bits(V::add_u(V::and(ix, 0x007F_FFFF), 0x3F35_04F3));
    let x = m - V::splat(1.0);
    let z = x * x;
    let mut y = estrin9(x, &LOGF_P) * x * z;
    y = y + V::splat(-2.12194440e-4) * e;
    y = y + V::splat(-0.5) * z;
    let r = x + y;
    r + V::splat(0.693359375) * e
}

const LOG_P: [f64; 6] = [
    1.01875663804580931796E-4,
    4.97494994976747001425E-1,
    4.70579119878881725854E0,
    1.44989225341610930846E1,
    1.79368678507819816313E1,
    7.70838733755885391666E0,
];
/// Cephes `log` denominator, monic (leading 1 omitted).
const LOG_Q: [f64; 5] = [
    1.12873587189167450590E1,
    4.52279145837532221105E1,
    8.29875266912776603211E1,
    7.11544750618563894466E1,
    2.31251620126765340583E1,
];
/// 2^52.
const TWO52: f64 = 4_503_599_627_370_496.0;

/// Natural logarithm of positive, finite, normal `f64` lanes (`x ∈ [2⁻¹⁰²², 1]` in practice).
#[inline(always)]
pub(crate) fn ln_f64<V: LanesF64>(x: V) -> V {
    let bits = x.to_bits();
    // Biased exponent (< 2^11) converted exactly with the 2^52 trick.
    let field = V::from_bits(V::or(V::shr::<52>(bits), TWO52.to_bits())) - V::splat(TWO52);
    let e = field - V::splat(1022.0);
    let m = V::from_bits(V::or(
        V::and(bits, 0x000F_FFFF_FFFF_FFFF),
        0x3FE0_0000_0000_0000,
    ));
    let sqrth = V::splat(core::f64::consts::FRAC_1_SQRT_2);
    let e = V::select_lt(m, sqrth, e - V::splat(1.0), e);
    let x = V::select_lt(m, sqrth, m + m, m) - V::splat(1.0);
    let z = x * x;
    let mut q = x + V::splat(LOG_Q[0]);
    for &c in &LOG_Q[1..] {
        q = q * x + V::splat(c);
    }
    let mut y = x * (z * horner64(x, &LOG_P) / q);
    y = y - e * V::splat(2.121944400546905827679e-4);
    y = y - V::splat(0.5) * z;
    let r = x + y;
    r + e * V::splat(0.693359375)
}

/// Giles (2011), single precision, `w < 5`: polynomial in `w − 2.5`.
const ERFINV_F32_A: [f32; 9] = [
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
];
/// Giles (2011), single precision, `w ≥ 5`: polynomial in `√w − 3`.
const ERFINV_F32_B: [f32; 9] = [
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
];

/// `erfinv(1 − q)` for `q ∈ [2⁻¹²⁶, 1]` (f32 lanes). `q` is the distance of the erf-space
/// argument from 1, so arguments near ±1 keep their relative precision.
#[inline(always)]
pub(crate) fn erfinv_q_f32<V: Lanes>(q: V) -> V {
    let one = V::splat(1.0);
    let t = one - q;
    // w = 0 − l exactly, so `w − 2.5` is computed as `(−2.5) − l` (the same real number, rounded
    // once: the same bits) and `w < 5` as `−5 < l`.
    let l = ln_f32(q * (V::splat(2.0) - q));
    let pa = estrin9(V::splat(-2.5) - l, &ERFINV_F32_A);
    let m5 = V::splat(-5.0);
    // The tail branch is needed by 0.3% of samples; skip it when no lane takes it (the
    // selected values are the same either way).
    if V::all_lt(m5, l) {
        return pa * t;
    }
    let w = V::splat(0.0) - l;
    let pb = estrin9(w.sqrt() - V::splat(3.0), &ERFINV_F32_B);
    V::select_lt(m5, l, pa, pb) * t
}

/// Giles (2011), double precision, `w < 6.25`: polynomial in `w − 3.125`.
const ERFINV_F64_A: [f64; 23] = [
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
];
/// `6.25 ≤ w < 16`: polynomial in `√w − 3.25`.
const ERFINV_F64_B: [f64; 19] = [
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
];
/// `w ≥ 16`: polynomial in `√w − 5`.
const ERFINV_F64_C: [f64; 17] = [
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
];

/// `erfinv(1 − q)` for `q ∈ [2⁻¹⁰²², 1]` (f64 lanes).
#[inline(always)]
pub(crate) fn erfinv_q_f64<V: LanesF64>(q: V) -> V {
    let one = V::splat(1.0);
    let t = one - q;
    let w = V::splat(0.0) - ln_f64(q * (V::splat(2.0) - q));
    let pa = horner64(w - V::splat(3.125), &ERFINV_F64_A);
    let (b1, b2) = (V::splat(6.25), V::splat(16.0));
    // Skip branches no lane selects (results are unchanged).
    if V::all_lt(w, b1) {
        return pa * t;
    }
    let s = w.sqrt();
    let pb = horner64(s - V::splat(3.25), &ERFINV_F64_B);
    let p = if V::all_lt(w, b2) {
        pb
    } else {
        let pc = horner64(s - V::splat(5.0), &ERFINV_F64_C);
        V::select_lt(w, b2, pb, pc)
    };
    V::select_lt(w, b1, pa, p) * t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{Scalar, ScalarF64};

    fn ulps32(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn ln_f32_error() {
        let mut worst = 0;
        let mut x = f32::MIN_POSITIVE;
        while x <= 1.0 {
            for k in 0..64u32 {
                let y = f32::from_bits(x.to_bits() + k * 997);
                if y > 1.0 {
                    break;
                }
                let got = ln_f32(Scalar(y)).0;
                let want = (y as f64).ln() as f32;
                worst = worst.max(ulps32(got, want));
            }
            x *= 1.37;
        }
        assert_eq!(ln_f32(Scalar(1.0)).0, 0.0);
        assert!(worst <= 1, "ln_f32 worst error {worst} ulp");
    }

    #[test]
    fn ln_f64_error() {
        let mut worst = 0u64;
        let mut x = f64::MIN_POSITIVE;
        while x <= 1.0 {
            for k in 0..64u64 {
                let y = f64::from_bits(x.to_bits() + k * 0x0123_4567_89ab);
                if y > 1.0 {
                    break;
                }
                let got = ln_f64(ScalarF64(y)).0;
                let want = y.ln();
                worst = worst
                    .max((got.to_bits() as i128 - want.to_bits() as i128).unsigned_abs() as u64);
            }
            x *= 1.37;
        }
        assert_eq!(ln_f64(ScalarF64(1.0)).0, 0.0);
        assert!(worst <= 1, "ln_f64 worst error {worst} ulp");
    }
}
