//! Uniform on `[low, high)`.
//!
//! Narrow family (`f32`, `bf16`, `f16`): with `k` the element's 24-bit integer,
//! `u = k · 2⁻²⁴` (exact, in `[0, 1 − 2⁻²⁴]`) and `x = low + span · u` in `f32` arithmetic
//! (one rounded multiply, then one rounded add; never fused), where `low` and `span = high − low`
//! are rounded to `f32` once. `f64`: `u = (w >> 11) · 2⁻⁵³` from the element's 64-bit word and the
//! same formula in `f64`.
//!
//! Rounding in `low + span · u` can reach `high` even though `u < 1`; the kernels then clamp to
//! the largest output value below `high` (and to the smallest at or above `low`), so the
//! half-open contract holds in every dtype, after rounding to `bf16`/`f16` included.

use super::{SampleF64, SampleNarrow};
use crate::simd::{Lanes, LanesF64};
use crate::{Error, Result};

/// 2⁻²⁴.
const INV_2_24: f32 = 1.0 / 16_777_216.0;
/// 2⁻⁵³.
const INV_2_53: f64 = 1.0 / 9_007_199_254_740_992.0;

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UniformNarrow {
    low: f32,
    span: f32,
}

impl UniformNarrow {
    pub(crate) fn new(low: f64, high: f64) -> Result<Self> {
        let (low, high) = (low as f32, high as f32);
        let span = high - low;
        if !(low.is_finite() && span.is_finite()) {
            return Err(Error::InvalidBounds);
        }
        Ok(Self { low, span })
    }
}

impl UniformNarrow {
    /// The values at the two ends of the integer range, `k = 0` and `k = 2²⁴ − 1`. The map
    /// `k ↦ low + span·(k·2⁻²⁴)` is monotone in `k` (each IEEE operation is monotone in its
    /// arguments), so every sample lies between these two.
    pub(crate) fn ends(&self) -> (f32, f32) {
        let at = |k: u32| self.sample::<crate::simd::Scalar>(k).0;
        (at(0), at((1 << 24) - 1))
    }
}

impl SampleNarrow for UniformNarrow {
    #[inline(always)]
    fn sample<V: Lanes>(&self, k: V::U) -> V {
        V::splat(self.low) + V::splat(self.span) * (V::from_u24(k) * V::splat(INV_2_24))
    }
}

#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UniformF64 {
    low: f64,
    span: f64,
}

impl UniformF64 {
    /// `low`, `high` come from a validated [`Distribution`](crate::Distribution).
    pub(crate) fn new(low: f64, high: f64) -> Self {
        Self {
            low,
            span: high - low,
        }
    }
}

impl SampleF64 for UniformF64 {
    #[inline(always)]
    fn sample<V: LanesF64>(&self, w: V::U) -> V {
        V::splat(self.low) + V::splat(self.span) * (V::top53(w) * V::splat(INV_2_53))
    }
}
