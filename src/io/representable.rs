//! The writer's rule for "the dtype cannot hold it", applied to every tensor before the first
//! byte. The in-memory fills clamp into the output type's finite range (documented on
//! [`crate::dist`]); a file written from a spec instead refuses what would be clamped or
//! collapsed:
//!
//! - a **constant** whose value rounds to ±∞ in the dtype (70000 in f16);
//! - a **uniform** `[low, high)` with an end beyond the dtype's largest finite value;
//! - a **normal** (or truncated normal) whose reachable range — `mean ± 5.42·std` for
//!   f32/bf16/f16, whose 24-bit sampler never goes farther, `mean ± 8.3·std` for f64, cut to
//!   `(low, high)` when truncated — leaves the dtype's finite range
//!   ([`Error::Unrepresentable`]): `normal(mean = 1e6)` in f16 would be all 65504s;
//! - a **random** distribution every sample of which would round to one value of the dtype
//!   ([`Error::TooNarrow`]): a uniform interval holding a single value, or a normal whose
//!   reachable range rounds to a single value (a std too small for the dtype at that mean,
//!   e.g. `std = 1e-9` at `mean = 1` in f32, or truncation bounds that leave one value).
//!
//! The structured initializers ([`check_structured`]): the orthogonal family's values lie in
//! `[−gain, gain]` (every entry of an orthogonal matrix is at most 1 in magnitude), so a gain
//! that rounds to ±∞ is unrepresentable and a positive gain that rounds to 0 collapses the
//! matrix to zeros (too narrow); identity's gain must round to a finite value; sparse's
//! non-zero values follow the normal rule above.

use crate::{bf16, f16, DType, Distribution, Error, Init, Result};

/// Farthest normal sample from the mean, in standard deviations (see [`crate::dist::normal`]:
/// 5.4196 for the 24-bit narrow sampler, 8.29 for f64), rounded up.
const Z_NARROW: f64 = 5.42;
const Z_DOUBLE: f64 = 8.3;

fn max_finite(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => f16::MAX.to_f64(),
        DType::BF16 => bf16::MAX.to_f64(),
        DType::F32 => f64::from(f32::MAX),
        DType::F64 => f64::MAX,
    }
}

/// `x` rounded to the nearest value of `dtype` (±∞ beyond its range).
fn round(dtype: DType, x: f64) -> f64 {
    match dtype {
        DType::F16 => f16::from_f64(x).to_f64(),
        DType::BF16 => bf16::from_f64(x).to_f64(),
        DType::F32 => f64::from(x as f32),
        DType::F64 => x,
    }
}

/// The rule of the module documentation, on top of what the fill itself checks.
pub(crate) fn check(dtype: DType, dist: &Distribution) -> Result<()> {
    let max = max_finite(dtype);
    let z = if dtype == DType::F64 {
        Z_DOUBLE
    } else {
        Z_NARROW
    };
    match *dist {
        Distribution::Constant(v) => {
            if !round(dtype, v).is_finite() {
                return Err(Error::Unrepresentable);
            }
        }
        Distribution::Uniform { low, high } => {
            if low < -max || high > max {
                return Err(Error::Unrepresentable);
            }
            // The smallest dtype value >= low and the largest < high.
            let mut a = round(dtype, low);
            if a < low {
                a = next(dtype, a, true);
            }
            let mut b = round(dtype, high);
            if b >= high {
                b = next(dtype, b, false);
            }
            if a == b {
                return Err(Error::TooNarrow);
            }
        }
        Distribution::Normal { mean, std } => {
            let (lo, hi) = (mean - z * std, mean + z * std);
            if !(lo >= -max && hi <= max) {
                return Err(Error::Unrepresentable);
            }
            if round(dtype, lo) == round(dtype, hi) {
                return Err(Error::TooNarrow);
            }
        }
        Distribution::TruncatedNormal {
            mean,
            std,
            low,
            high,
        } => {
            let (lo, hi) = ((mean - z * std).max(low), (mean + z * std).min(high));
            if !(lo >= -max && hi <= max) {
                return Err(Error::Unrepresentable);
            }
            if round(dtype, lo) == round(dtype, hi) {
                return Err(Error::TooNarrow);
            }
        }
    }
    Ok(())
}

/// The rule for the structured initializers (module documentation).
pub(crate) fn check_structured(dtype: DType, init: &Init) -> Result<()> {
    match *init {
        Init::Orthogonal { gain }
        | Init::OrthogonalJax { scale: gain, .. }
        | Init::DeltaOrthogonal { scale: gain, .. } => {
            // |Q_ij| <= 1 exactly, and at most a few ulps above after rounding in the working
            // precision: the margin keeps a gain at the dtype's edge from overflowing there.
            if !round(dtype, gain * (1.0 + 1.0 / 1048576.0)).is_finite() {
                return Err(Error::Unrepresentable);
            }
            if gain > 0.0 && round(dtype, gain) == 0.0 {
                return Err(Error::TooNarrow);
            }
        }
        Init::Identity { gain } if !round(dtype, gain).is_finite() => {
            return Err(Error::Unrepresentable);
        }
        Init::Sparse { std, .. } => {
            let d = Distribution::normal(0.0, std)?;
            check(dtype, &d)?;
            crate::dist::Plan::new(&d, dtype)?;
        }
        _ => {}
    }
    Ok(())
}

/// The neighbour of the dtype value `x` upwards or downwards.
fn next(dtype: DType, x: f64, up: bool) -> f64 {
    let step16 = |bits: u16| -> u16 {
        // Sign-magnitude: moving away from zero increments the magnitude.
        let neg = bits & 0x8000 != 0;
        let mag = bits & 0x7fff;
        if mag == 0 {
            return if up { 0x0001 } else { 0x8001 };
        }
        if neg == up {
            bits - 1
        } else {
            bits + 1
        }
    };
    match dtype {
        DType::F16 => f16::from_bits(step16(f16::from_f64(x).to_bits())).to_f64(),
        DType::BF16 => bf16::from_bits(step16(bf16::from_f64(x).to_bits())).to_f64(),
        DType::F32 => {
            let v = x as f32;
            f64::from(if up { v.next_up() } else { v.next_down() })
        }
        DType::F64 => {
            if up {
                x.next_up()
            } else {
                x.next_down()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let c = |v| Distribution::constant(v).unwrap();
        assert_eq!(check(DType::F16, &c(70000.0)), Err(Error::Unrepresentable));
        assert_eq!(check(DType::F16, &c(65504.0)), Ok(()));
        assert_eq!(check(DType::F32, &c(70000.0)), Ok(()));
        let n = |m, s| Distribution::normal(m, s).unwrap();
        assert_eq!(check(DType::F16, &n(1e6, 1.0)), Err(Error::Unrepresentable));
        assert_eq!(check(DType::F16, &n(0.0, 3e4)), Err(Error::Unrepresentable));
        assert_eq!(check(DType::F16, &n(0.0, 1e4)), Ok(()));
        assert_eq!(check(DType::F32, &n(1.0, 1e-9)), Err(Error::TooNarrow));
        assert_eq!(check(DType::F64, &n(1.0, 1e-9)), Ok(()));
        assert_eq!(check(DType::BF16, &n(1.0, 0.02)), Ok(()));
        let u = |a, b| Distribution::uniform(a, b).unwrap();
        assert_eq!(
            check(DType::F16, &u(-70000.0, 70000.0)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(check(DType::F16, &u(-1.0, 1.0)), Ok(()));
        // Only 1.0 in [1, 1.005) in bf16 (next is 1.0078125).
        assert_eq!(check(DType::BF16, &u(1.0, 1.005)), Err(Error::TooNarrow));
        assert_eq!(check(DType::BF16, &u(1.0, 1.008)), Ok(()));
        // Huge-kaiming-a-like bound: nothing but zero in f32, fine in f64.
        assert_eq!(
            check(DType::F32, &u(-1e-100, 1e-100)),
            Err(Error::TooNarrow)
        );
        assert_eq!(check(DType::F64, &u(-1e-100, 1e-100)), Ok(()));
        let t = |m, s, a, b| Distribution::truncated_normal(m, s, a, b).unwrap();
        assert_eq!(check(DType::F16, &t(0.0, 1.0, -1e6, 1e6)), Ok(()));
        assert_eq!(
            check(DType::F16, &t(0.0, 1e5, -1e6, 1e6)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(
            check(DType::BF16, &t(0.0, 1.0, 0.999, 1.001)),
            Err(Error::TooNarrow)
        );
        assert_eq!(
            check(DType::F32, &t(1.0, 1e-12, -3.0, 3.0)),
            Err(Error::TooNarrow)
        );
    }

    #[test]
    fn the_structured_rule() {
        let o = |gain| Init::Orthogonal { gain };
        assert_eq!(check_structured(DType::F16, &o(65504.0)), Ok(()));
        assert_eq!(
            check_structured(DType::F16, &o(70000.0)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(check_structured(DType::F32, &o(70000.0)), Ok(()));
        assert_eq!(check_structured(DType::F16, &o(0.0)), Ok(()));
        assert_eq!(
            check_structured(DType::F32, &o(1e-50)),
            Err(Error::TooNarrow)
        );
        assert_eq!(check_structured(DType::F64, &o(1e-50)), Ok(()));
        let j = Init::OrthogonalJax {
            scale: 1e6,
            column_axis: -1,
        };
        assert_eq!(
            check_structured(DType::BF16, &j),
            Ok(()),
            "bf16 reaches 3.4e38"
        );
        assert_eq!(
            check_structured(DType::F16, &j),
            Err(Error::Unrepresentable)
        );
        assert_eq!(
            check_structured(DType::F16, &Init::Identity { gain: 1e5 }),
            Err(Error::Unrepresentable)
        );
        assert_eq!(
            check_structured(DType::F16, &Init::Identity { gain: 1.0 }),
            Ok(())
        );
        let sp = |std| Init::Sparse { sparsity: 0.5, std };
        assert_eq!(check_structured(DType::F32, &sp(0.01)), Ok(()));
        assert_eq!(
            check_structured(DType::F16, &sp(3e4)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(check_structured(DType::F16, &Init::Eye), Ok(()));
        assert_eq!(
            check_structured(DType::F16, &Init::Dirac { groups: 1 }),
            Ok(())
        );
    }
}
