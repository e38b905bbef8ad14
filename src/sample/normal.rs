//! Normal and truncated normal: inverse CDF, one fixed-size random integer per element.
//!
//! # Specification
//!
//! Every sample is `mean + std · z` with `z` a standard-normal (or truncated standard-normal)
//! variate obtained by inverting the CDF at a point determined by the element's random integer
//! alone — no Box–Muller pairs, no rejection, no ziggurat — so element `i` depends only on
//! (key, `i`), exactly as for the uniform distribution. The narrow family (`f32`, `bf16`, `f16`)
//! uses the element's 24-bit integer `k` (see the narrow kernel's word layout) and `f32`
//! arithmetic; `f64` uses the element's 64-bit word `r` (see the f64 kernel) and `f64` arithmetic. All operations are
//! IEEE-754 `+ − × ÷ sqrt` and comparisons, each rounded to nearest-even and never fused, in the
//! order written below; `bf16`/`f16` outputs are the `f32` result rounded once to nearest-even
//! (exactly `half::bf16::from_f32` / `half::f16::from_f32`) and then clamped as stated.
//!
//! ## The inverse error function `E(q) = erfinv(1 − q)`
//!
//! ### Narrow family (f32 arithmetic, since 0.2.0): a table of cubics, no logarithm
//!
//! With `t = 1 − q` (exact for `q ≥ ½`), `v = q` if `q < ½` (the *tail* side) else `v = t`
//! (the *central* side), `v' = max(v, 2⁻¹²⁶)` and `b` the IEEE bit pattern of `v'`:
//!
//! - index `i = (b >> 19) + (0 if q < ½ else 2048)` — the biased exponent of `v'` and its top
//!   four mantissa bits (16 pieces per binade), per side;
//! - local variable `x = f32::from_bits(((b << 4) & 0x7F_FFFF) + 0x3F80_0000) − 1.5` (exact,
//!   `x ∈ [−½, ½)`: the position inside the piece);
//! - `[c0, c1, c2, c3] = ICDF_F32[i]`, the 4096 × 4 `f32` constants of `src/simd/icdf_table.rs`
//!   (made by `tools/icdf_table.py`: on each piece, the cubic interpolating the function at the
//!   four Chebyshev nodes of `x`, solved in 80-digit arithmetic, rounded to `f32`; the entries
//!   of exponent fields 0 and 127 are never read and hold zeros);
//! - `P = ((c3·x + c2)·x + c1)·x + c0`; `E = P` on the tail side (where `P ≈ erfinv(1 − q)`),
//!   `E = P · t` on the central side (where `P ≈ erfinv(t)/t`: relative precision down to
//!   `t = 2⁻²⁴`, and `E = 0` exactly at `q = 1`).
//!
//! Accuracy: over every one of the 2²³ values of `q` the normal kernel uses, and over any `f32`
//! `q ∈ [2⁻¹²⁶, 1]`, `E` is within 1.49 ulp of `f32` of `erfinv(1 − q)` (mean 0.35 ulp); a
//! standard-normal `f32` sample (`√2` rounded to f32 times `±E`) is within 2.6 ulp of
//! `√2·erfinv(1 − q)`, and its bf16/f16 rounding within one step of the exact value's (tests
//! `simd::math::icdf_f32_error_every_grid_q`, `icdf_f32_error_any_f32_q`,
//! `standard_normal_every_k_f32_bf16_f16`: exhaustive over the 2²⁴ integers, dense elsewhere).
//!
//! ### f64: Giles' map (and the narrow map before 0.2.0, in f32 with Cephes' `logf`)
//!
//! `E(q) = P(w) · t` with `t = 1 − q` and `w = 0 − L(q · (2 − q))`, where `L` is the logarithm
//! below and `P` is Giles' (2011, "Approximating the erfinv function") polynomial for the
//! range of `w` that element's own `w` falls in (coefficients exactly as published):
//! `w < 6.25`: Horner in `w − 3.125` over Giles' 23 coefficients; `w < 16`: Horner in
//! `√w − 3.25` over 19; else Horner in `√w − 5` over 17 (Horner: `p = c₀; p = p·x + cᵢ`).
//!
//! `L(y)` for `y ∈ [2⁻¹⁰²², 1]` is Cephes' logarithm. Reduction: with `e` the unbiased binary
//! exponent and `m ∈ [0.5, 1)` the frexp mantissa of `y`: if `m < √½` then `e = e − 1`,
//! `x = (m + m) − 1`, else `x = m − 1` (all exact). `z = x·x`, `y₁ = x·((z·P(x))/Q(x))` with
//! Cephes' `log` `P` (6 coefficients, Horner) and monic `Q` (`q = x + Q₀`, then Horner over the
//! other 4), `y₂ = y₁ − e·2.121944400546905827679e-4`, `y₃ = y₂ − 0.5·z`,
//! `L = (x + y₃) + e·0.693359375`.
//!
//! (`tests/contract/normal.rs` re-implements exactly this text, scalar, and checks it against
//! the kernels bit for bit.)
//!
//! ## Normal { mean, std } (std > 0)
//!
//! - Plan: `a = √2 · std` (f64 product; rounded to `f32` for the narrow family, which also
//!   rounds `mean` to `f32`).
//! - Narrow: `m = k & (2²³ − 1)`; `q = m · 2⁻²³ + 2⁻²⁴` (exact: an odd integer below 2²⁴ times
//!   2⁻²⁴, so `q ∈ [2⁻²⁴, 1 − 2⁻²⁴]` and never 0 or 1); `g = −a` if `k < 2²³` else `a`;
//!   `x = mean + g · E(q)`. Then `x` is clamped into the finite range of the output type: a
//!   guard only, since a distribution whose range the type cannot hold is refused before any
//!   fill ([`crate::dist`], "Values the output type cannot hold").
//! - `f64`: `s = r >> 63`, `m = (r >> 11) & (2⁵² − 1)`; `q = m · 2⁻⁵² + 2⁻⁵³`;
//!   `g = −a` if `s = 0` else `a`; `x = mean + g · E(q)`.
//!
//! The largest `|x − mean| / std` is reached at `q = 2⁻²⁴` (narrow): `√2·erfinv(1 − 2⁻²⁴) ≈ 5.42`
//! (f32 kernel value 5.4196), and at `q = 2⁻⁵³` (f64): ≈ 8.29. No sample is ever ±∞ or NaN.
//!
//! ## TruncatedNormal { mean, std, low, high } (absolute bounds, PyTorch convention)
//!
//! Plan time (f64, deterministic code of this module — a Cephes `exp` and a series /
//! continued-fraction `erfc` written from `+ − × ÷` only, so the constants are identical on
//! every platform): standardised bounds `α = (low − mean)/std`, `β = (high − mean)/std`. If
//! `α + β > 0` the problem is mirrored (`α, β := −β, −α`, `f = −1`, else `f = 1`), so the
//! interval's lower end is on the side where `Φ` is small and keeps its relative precision —
//! this is what keeps the far-from-mean case (mean −3, std 1, bounds [−0.5, 0.5]) exact.
//! `c_lo = erfc(−α/√2) = 2Φ(α)`, `c_hi = 2Φ(β)`, `span = c_hi − c_lo` (zero → error
//! `InvalidBounds`: happens when the whole interval lies more than ~38 standard deviations from
//! the mean, where `erfc` underflows), `c0 = c_lo + span · 2⁻²⁵` (narrow) or `c_lo + span · 2⁻⁵⁴` (f64) — the
//! midpoint of the first grid cell — and `q_min = max(min(c0, 2 − (c_hi − span·2⁻²⁵)), MIN_POSITIVE)`
//! (resp. `2⁻⁵⁴`, `f64::MIN_POSITIVE`). For the narrow kernel `c0`, `span`, `q_min`, `mean`,
//! `a = √2 · std` are then rounded to `f32`, and `g_lo = −f·a`, `g_hi = f·a` (exact sign flips).
//!
//! Per element: `u = k · 2⁻²⁴` (f64: `u = (r >> 11) · 2⁻⁵³`), `c = c0 + span · u`;
//! if `1 < c` then `q = 2 − c`, `g = g_hi` else `q = c`, `g = g_lo`;
//! `q = max(q, q_min)`; `x = mean + g · E(q)`. Finally `x` (after rounding to `bf16`/`f16`)
//! is clamped into the closed interval of output values strictly inside `(low, high)`, so
//! no value ever equals a bound, in any dtype. If the output type has no value strictly inside,
//! building the plan fails with `InvalidBounds`.
//!
//! Working in `c = 2Φ` space with `q = min(c, 2 − c)` and the `(1 − x)(1 + x) = q(2 − q)`
//! identity means no step subtracts nearly equal numbers, and the narrow-σ case (σ = 0.001 with
//! bounds ±2 gives α = −2000, β = 2000, `c = 2u`) is just the plain normal on a `u` grid.
//!
//! Accuracy: the f32 `E` is within 1.49 ulp of `erfinv(1 − q)` for every f32 `q ≥ 2⁻¹²⁶`
//! (above), the f64 one within 2e-14 relative for `q ≥ 2⁻⁵⁴`; f64 truncation intervals reaching
//! beyond `|z| ≈ 8.3` standard deviations are still sampled inside the bounds but with
//! unverified tail shape.
//!
//! `std = 0` gives the constant `mean` (which, for the truncated normal, must lie strictly
//! inside `(low, high)`).

#![allow(clippy::excessive_precision)]

use super::{SampleF64, SampleNarrow};
use crate::simd::math::{erfinv_q_f32_inner, erfinv_q_f64};
use crate::simd::{Lanes, LanesF64};
use crate::{Error, Result};

/// √2 (rounded to the working type at use).
const SQRT2: f64 = core::f64::consts::SQRT_2;
/// 2⁻²⁴.
const INV_2_24: f32 = 1.0 / 16_777_216.0;
/// 2⁻⁵³.
const INV_2_53: f64 = 1.0 / 9_007_199_254_740_992.0;
/// 2⁵².
const TWO52: f64 = 4_503_599_627_370_496.0;

/// Validates `mean` and `std` of a normal-family distribution.
pub(crate) fn check_mean_std(mean: f64, std: f64) -> Result<()> {
    if !mean.is_finite() {
        return Err(Error::NonFiniteValue);
    }
    if !(std.is_finite() && std >= 0.0) {
        return Err(Error::InvalidStd);
    }
    Ok(())
}

/// `mean` and `std` rounded to f32, both finite.
fn narrow_mean_std(mean: f64, std: f64) -> Result<(f32, f32)> {
    let (m, s) = (mean as f32, std as f32);
    if !m.is_finite() {
        return Err(Error::NonFiniteValue);
    }
    if !s.is_finite() {
        return Err(Error::InvalidStd);
    }
    Ok((m, s))
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalNarrow {
    mean: f32,
    /// `√2·std` rounded to f32.
    a: f32,
}

impl NormalNarrow {
    pub(crate) fn new(mean: f64, std: f64) -> Result<Self> {
        let (mean, _) = narrow_mean_std(mean, std)?;
        let a = (SQRT2 * std) as f32;
        if !a.is_finite() {
            return Err(Error::InvalidStd);
        }
        Ok(Self { mean, a })
    }
}

impl SampleNarrow for NormalNarrow {
    #[inline(always)]
    fn sample<V: Lanes>(&self, k: V::U) -> V {
        let m = V::from_u24(V::and(k, 0x007F_FFFF));
        let q = m * V::splat(2.0 * INV_2_24) + V::splat(INV_2_24);
        let g = V::select_lt(
            V::from_u24(k),
            V::splat(8_388_608.0),
            V::splat(-self.a),
            V::splat(self.a),
        );
        // q ∈ [2⁻²⁴, 1 − 2⁻²⁴]: the clamp inside `erfinv_q_f32` would be the identity.
        V::splat(self.mean) + g * erfinv_q_f32_inner(q)
    }
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalF64 {
    mean: f64,
    /// `√2·std`.
    a: f64,
}

impl NormalF64 {
    pub(crate) fn new(mean: f64, std: f64) -> Self {
        Self {
            mean,
            a: SQRT2 * std,
        }
    }
}

/// Integers below 2⁵² to f64, exactly.
#[inline(always)]
fn from_u52<V: LanesF64>(u: V::U) -> V {
    V::from_bits(V::or(u, TWO52.to_bits())) - V::splat(TWO52)
}

impl SampleF64 for NormalF64 {
    #[inline(always)]
    fn sample<V: LanesF64>(&self, w: V::U) -> V {
        let s = from_u52::<V>(V::shr::<63>(w));
        let m = from_u52::<V>(V::and(V::shr::<11>(w), (1 << 52) - 1));
        let q = m * V::splat(2.0 * INV_2_53) + V::splat(INV_2_53);
        let g = V::select_lt(s, V::splat(0.5), V::splat(-self.a), V::splat(self.a));
        V::splat(self.mean) + g * erfinv_q_f64(q)
    }
}

/// The plan-time constants of a truncated normal in `c = 2Φ` space (f64).
struct TruncConsts {
    /// `-1` when the standardised interval was mirrored.
    f: f64,
    c_lo: f64,
    c_hi: f64,
}

fn trunc_consts(mean: f64, std: f64, low: f64, high: f64) -> Result<TruncConsts> {
    let alpha = (low - mean) / std;
    let beta = (high - mean) / std;
    let (a, b, f) = if alpha + beta > 0.0 {
        (-beta, -alpha, -1.0)
    } else {
        (alpha, beta, 1.0)
    };
    let c_lo = erfc(-a * core::f64::consts::FRAC_1_SQRT_2);
    let c_hi = erfc(-b * core::f64::consts::FRAC_1_SQRT_2);
    // NaN-safe: a NaN span fails too.
    if (c_hi - c_lo).partial_cmp(&0.0) != Some(core::cmp::Ordering::Greater) {
        return Err(Error::InvalidBounds);
    }
    Ok(TruncConsts { f, c_lo, c_hi })
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruncNarrow {
    mean: f32,
    c0: f32,
    span: f32,
    q_min: f32,
    /// `∓f·√2·std`: the factor applied when `c ≤ 1` / `c > 1`.
    g_lo: f32,
    g_hi: f32,
}

impl TruncNarrow {
    /// Parameters from a validated distribution with `std > 0`.
    pub(crate) fn new(mean: f64, std: f64, low: f64, high: f64) -> Result<Self> {
        let t = trunc_consts(mean, std, low, high)?;
        let (m, _) = narrow_mean_std(mean, std)?;
        let a = (SQRT2 * std) as f32;
        if !a.is_finite() {
            return Err(Error::InvalidStd);
        }
        let span = t.c_hi - t.c_lo;
        let half = span * 2f64.powi(-25);
        let c0 = t.c_lo + half;
        let q_min = (c0.min(2.0 - (t.c_hi - half)) as f32).max(f32::MIN_POSITIVE);
        Ok(Self {
            mean: m,
            c0: c0 as f32,
            span: span as f32,
            q_min,
            g_lo: -(t.f as f32) * a,
            g_hi: t.f as f32 * a,
        })
    }
}

impl SampleNarrow for TruncNarrow {
    #[inline(always)]
    fn sample<V: Lanes>(&self, k: V::U) -> V {
        let one = V::splat(1.0);
        let u = V::from_u24(k) * V::splat(INV_2_24);
        let c = V::splat(self.c0) + V::splat(self.span) * u;
        let q = V::select_lt(one, c, V::splat(2.0) - c, c).max_with(V::splat(self.q_min));
        let g = V::select_lt(one, c, V::splat(self.g_hi), V::splat(self.g_lo));
        // q ∈ [q_min, 1] with q_min ≥ 2⁻¹²⁶: the clamp inside `erfinv_q_f32` changes nothing.
        V::splat(self.mean) + g * erfinv_q_f32_inner(q)
    }
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruncF64 {
    mean: f64,
    c0: f64,
    span: f64,
    q_min: f64,
    g_lo: f64,
    g_hi: f64,
}

impl TruncF64 {
    pub(crate) fn new(mean: f64, std: f64, low: f64, high: f64) -> Result<Self> {
        let t = trunc_consts(mean, std, low, high)?;
        let span = t.c_hi - t.c_lo;
        let half = span * 2f64.powi(-54);
        let c0 = t.c_lo + half;
        let q_min = c0.min(2.0 - (t.c_hi - half)).max(f64::MIN_POSITIVE);
        let a = SQRT2 * std;
        Ok(Self {
            mean,
            c0,
            span,
            q_min,
            g_lo: -t.f * a,
            g_hi: t.f * a,
        })
    }
}

impl SampleF64 for TruncF64 {
    #[inline(always)]
    fn sample<V: LanesF64>(&self, w: V::U) -> V {
        let one = V::splat(1.0);
        let u = V::top53(w) * V::splat(INV_2_53);
        let c = V::splat(self.c0) + V::splat(self.span) * u;
        let q = V::select_lt(one, c, V::splat(2.0) - c, c).max_with(V::splat(self.q_min));
        let g = V::select_lt(one, c, V::splat(self.g_hi), V::splat(self.g_lo));
        V::splat(self.mean) + g * erfinv_q_f64(q)
    }
}

// ---------------------------------------------------------------------------------------------
// Plan-time special functions (scalar f64, deterministic: + − × ÷, floor and bit operations).

/// `eˣ`, Cephes `exp` (Moshier 1984/1995): `x = n·ln 2 + r` with `ln 2` split in two, then
/// `eʳ = 1 + 2r·P(r²)/(Q(r²) − r·P(r²))`. Cephes documents a peak relative error of 2.2e-16.
pub(crate) fn exp(x: f64) -> f64 {
    const P: [f64; 3] = [
        1.26177193074810590878E-4,
        3.02994407707441961300E-2,
        9.99999999999999999910E-1,
    ];
    const Q: [f64; 4] = [
        3.00198505138664455042E-6,
        2.52448340349684104192E-3,
        2.27265548208155028766E-1,
        2.00000000000000000009E0,
    ];
    const C1: f64 = 6.93145751953125E-1;
    const C2: f64 = 1.42860682030941723212E-6;
    if x.is_nan() {
        return x;
    }
    if x > 709.782712893384 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    let n = (core::f64::consts::LOG2_E * x + 0.5).floor();
    let r = x - n * C1;
    let r = r - n * C2;
    let rr = r * r;
    let p = r * ((P[0] * rr + P[1]) * rr + P[2]);
    let q = ((Q[0] * rr + Q[1]) * rr + Q[2]) * rr + Q[3];
    let y = 1.0 + 2.0 * (p / (q - p));
    // 2^n in two exact steps, so neither factor under- or overflows before the last rounding.
    let n = n as i32;
    let (n1, n2) = (n / 2, n - n / 2);
    y * pow2(n1) * pow2(n2)
}

/// 2ⁿ for `n ∈ [−1022, 1023]`.
fn pow2(n: i32) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}

/// `erfc(x)` in f64: `1 − erf(x)` by the positive-term series
/// `erf(x) = 2/√π · e^(−x²) · Σ x(2x²)ⁿ / (1·3·…·(2n+1))` for `0 ≤ x < 1.5`, the continued
/// fraction `erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))` (500 levels,
/// evaluated bottom-up) for `x ≥ 1.5`, and `erfc(x) = 2 − erfc(−x)` for `x < 0`. Relative error
/// about 1e-15 (tested against the series in their overlap and against published values).
pub(crate) fn erfc(x: f64) -> f64 {
    const FRAC_1_SQRT_PI: f64 = 0.564189583547756286948;
    if x.is_nan() {
        return x;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 1.5 {
        return 1.0 - erf_series(x);
    }
    if x > 27.3 {
        return 0.0;
    }
    let mut f = x;
    for k in (1..=500).rev() {
        f = x + (f64::from(k) * 0.5) / f;
    }
    exp(-x * x) * FRAC_1_SQRT_PI / f
}

/// `erf(x)` for `0 ≤ x < ~3` by the positive-term series (no cancellation).
pub(crate) fn erf_series(x: f64) -> f64 {
    const FRAC_2_SQRT_PI: f64 = core::f64::consts::FRAC_2_SQRT_PI;
    let x2 = 2.0 * x * x;
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term > 1e-17 * sum {
        n += 1.0;
        term = term * x2 / (2.0 * n + 1.0);
        sum += term;
    }
    FRAC_2_SQRT_PI * exp(-x * x) * sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::math::erfinv_q_f32;
    use crate::simd::{Scalar, ScalarF64};

    /// erfinv(1 − q) in f64 by Newton on erfc, for the tests only: √2·erfinv(1 − q) = z with
    /// erfc(z/√2) = q; start from the f64 kernel and polish with a series/continued-fraction erfc.
    fn erfinv_q_ref(q: f64) -> f64 {
        let mut y = erfinv_q_f64(ScalarF64(q)).0;
        for _ in 0..3 {
            // near q = 1 (small y) use erf(y) − (1 − q), which keeps relative precision
            let f = if q > 0.5 {
                (1.0 - q) - erf_series(y)
            } else {
                erfc(y) - q
            };
            let d = -2.0 / core::f64::consts::PI.sqrt() * exp(-y * y);
            y -= f / d;
        }
        y
    }

    #[test]
    fn erfinv_f32_error() {
        let mut worst = 0f64;
        let mut q = 2f64.powi(-25);
        while q <= 1.0 {
            for k in 0..8 {
                let qq = (q * (1.0 + k as f64 / 9.0)).min(1.0) as f32;
                let got = erfinv_q_f32(Scalar(qq)).0 as f64;
                let want = erfinv_q_ref(qq as f64);
                if want != 0.0 {
                    worst = worst.max(((got - want) / want).abs());
                }
            }
            q *= 1.01;
        }
        assert!(worst <= 1.1e-6, "erfinv f32 worst relative error {worst:e}");
    }

    #[test]
    fn standard_normal_every_k_f32_bf16_f16() {
        // Every one of the 2²⁴ integers of the narrow kernel through the sampler, against
        // z = √2·erfinv(1 − q) in f64 (the f64 kernel's map, 2e-14 relative).
        let n = NormalNarrow::new(0.0, 1.0).expect("valid");
        let (mut worst32, mut off16) = (0f64, [0u32; 2]);
        for k in 0..1u32 << 24 {
            let got = n.sample::<Scalar>(k).0;
            let m = f64::from(k & 0x007F_FFFF);
            let q = m * 2f64.powi(-23) + 2f64.powi(-24);
            let z = SQRT2 * erfinv_q_f64(ScalarF64(q)).0 * if k < 1 << 23 { -1.0 } else { 1.0 };
            let w = (z.abs() as f32).max(f32::MIN_POSITIVE);
            let ulp = f64::from(f32::from_bits(w.to_bits() + 1) - w);
            worst32 = worst32.max((f64::from(got) - z).abs() / ulp);
            // bf16/f16 are the f32 value rounded once: at most one step from z rounded once.
            let b = |x: f32| i32::from(half::bf16::from_f32(x).to_bits() as i16);
            let h = |x: f32| i32::from(half::f16::from_f32(x).to_bits() as i16);
            let zr = z as f32;
            off16[0] = off16[0].max((b(got) - b(zr)).unsigned_abs());
            off16[1] = off16[1].max((h(got) - h(zr)).unsigned_abs());
        }
        // Measured: 2.5 ulp (1.49 of the map, the rest √2 rounded to f32 and the product).
        assert!(worst32 <= 2.6, "f32 worst {worst32} ulp");
        assert!(off16[0] <= 1 && off16[1] <= 1, "bf16/f16 steps {off16:?}");
    }

    #[test]
    fn icdf_f32_error_any_f32_q() {
        // Truncated normals reach any f32 q in [2⁻¹²⁶, 1]: every 4099th bit pattern (260,000
        // values over all 126 binades; `tools/icdf_table.py --check` covers every 61st against
        // scipy's erfcinv), and the edges. Reference: Newton-polished erfinv (the f64 map alone
        // is verified for q ≥ 2⁻⁵⁴ only).
        // Newton on ln erfc in the tail, where erfc spans 38 decades and a plain Newton step
        // from Giles' f64 start (fitted for q ≥ 2⁻⁵⁴) overshoots.
        let reference = |q: f64| {
            if q >= 0.25 {
                return erfinv_q_ref(q);
            }
            let mut y = erfinv_q_f64(ScalarF64(q)).0;
            for _ in 0..12 {
                let c = erfc(y);
                let d = -2.0 / core::f64::consts::PI.sqrt() * exp(-y * y) / c;
                y -= (c.ln() - q.ln()) / d;
            }
            y
        };
        let (lo, one) = (f32::MIN_POSITIVE.to_bits(), 1f32.to_bits());
        let mut worst = (0f64, 0f32);
        for b in (lo..one)
            .step_by(4099)
            .chain([lo, 0.5f32.to_bits(), one - 1])
        {
            let q = f32::from_bits(b);
            let want = reference(f64::from(q));
            let got = erfinv_q_f32(Scalar(q)).0;
            let w = want.abs() as f32;
            let ulp = f64::from(f32::from_bits(w.to_bits() + 1) - w);
            let e = (f64::from(got) - want).abs() / ulp;
            if e > worst.0 {
                worst = (e, q);
            }
        }
        assert_eq!(erfinv_q_f32(Scalar(1.0)).0, 0.0);
        // Measured 1.49 ulp (the same as `tools/icdf_table.py --check` with scipy's erfcinv).
        assert!(worst.0 <= 1.5, "worst {} ulp at q = {:e}", worst.0, worst.1);
    }

    #[test]
    fn erfinv_f64_error() {
        let mut worst = 0f64;
        let mut q = 2f64.powi(-54);
        while q < 1.0 {
            let got = erfinv_q_f64(ScalarF64(q)).0;
            let want = erfinv_q_ref(q);
            worst = worst.max(((got - want) / want).abs());
            q *= 1.003;
        }
        assert!(worst <= 2e-14, "erfinv f64 worst relative error {worst:e}");
    }

    #[test]
    fn exp_matches_std() {
        let mut x = -745.0;
        while x < 709.0 {
            let (a, b) = (exp(x), x.exp());
            assert!((a - b).abs() <= 4e-16 * b, "exp({x}) = {a} vs {b}");
            x += 0.7391;
        }
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn erfc_published_values() {
        // erfc values from Abramowitz & Stegun / high-precision tables.
        let cases = [
            (0.0, 1.0),
            (0.5, 0.479500122186953462),
            (1.0, 0.157299207050285131),
            (1.5, 0.033894853524689273),
            (2.0, 0.004677734981047266),
            (3.0, 2.209049699858544e-5),
            (5.0, 1.537459794428035e-12),
            (10.0, 2.088487583762545e-45),
            (-1.0, 1.842700792949714869),
        ];
        for (x, want) in cases {
            let got = erfc(x);
            assert!(
                ((got - want) / want).abs() < 2e-15,
                "erfc({x}) = {got:e}, want {want:e}"
            );
        }
        // series and continued fraction agree where both are valid
        for i in 0..50 {
            let x = 1.5 + i as f64 * 0.02;
            let s = 1.0 - erf_series(x);
            let c = erfc(x);
            assert!(((s - c) / c).abs() < 1e-12, "{x}: {s:e} vs {c:e}");
        }
    }
}
