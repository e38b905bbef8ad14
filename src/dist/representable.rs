//! The one rule for "the dtype cannot hold it", applied by every fill, allocation and file
//! write ([`super::Plan::new`] runs it before preparing a plan): values the output type cannot
//! hold are an error, never a saturated or collapsed tensor.
//!
//! - a **constant** whose value rounds to ±∞ in the dtype (70000 in f16,
//!   [`Error::Unrepresentable`]);
//! - a **uniform** `[low, high)` with an end beyond the dtype's largest finite value
//!   ([`Error::Unrepresentable`]);
//! - a **normal** (or truncated normal) whose reachable range — `mean ± 5.42·std` for
//!   f32/bf16/f16, whose 24-bit sampler never goes farther, `mean ± 8.3·std` for f64, cut to
//!   `(low, high)` when truncated — leaves the dtype's finite range
//!   ([`Error::Unrepresentable`]): `normal(mean = 1e6)` in f16 would be all 65504s;
//! - a **random** distribution every sample of which would round to one value of the dtype
//!   ([`Error::TooNarrow`]): a uniform interval holding a single value, or a normal whose
//!   reachable range rounds to a single value (a std too small for the dtype at that mean,
//!   e.g. `std = 1e-9` at `mean = 1` in f32, or truncation bounds that leave one value).
//!
//! The clamps that remain in the kernels only keep half-open and open intervals exact after
//! rounding (a uniform's `high` never occurs); they never stand in for an out-of-range value.
//! The structured initializers' rule, built on [`round`] and [`check`], lives with them
//! (`structured::check_dtype`).

use crate::{bf16, f16, DType, Distribution, DistributionKind, Error, Result};

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
pub(crate) fn round(dtype: DType, x: f64) -> f64 {
    match dtype {
        DType::F16 => f16::from_f64(x).to_f64(),
        DType::BF16 => bf16::from_f64(x).to_f64(),
        DType::F32 => f64::from(x as f32),
        DType::F64 => x,
    }
}

/// Whether `x` rounds to a finite value of `dtype` (70000 does not in f16).
pub(crate) fn holds(dtype: DType, x: f64) -> bool {
    round(dtype, x).is_finite()
}

/// The rule of the module documentation, on top of what preparing the plan checks.
pub(crate) fn check(dtype: DType, dist: &Distribution) -> Result<()> {
    let max = max_finite(dtype);
    let z = if dtype == DType::F64 {
        Z_DOUBLE
    } else {
        Z_NARROW
    };
    match dist.kind() {
        DistributionKind::Constant(v) => {
            if !holds(dtype, v) {
                return Err(Error::Unrepresentable);
            }
        }
        DistributionKind::Uniform { low, high } => {
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
        DistributionKind::Normal { mean, std } => {
            let (lo, hi) = (mean - z * std, mean + z * std);
            if !(lo >= -max && hi <= max) {
                return Err(Error::Unrepresentable);
            }
            if round(dtype, lo) == round(dtype, hi) {
                return Err(Error::TooNarrow);
            }
        }
        DistributionKind::TruncatedNormal {
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
}
