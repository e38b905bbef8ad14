//! A [`Distribution`] prepared for one output type: the kernel's inputs.

use crate::element::{narrow_above, narrow_below, DType, Narrow};
use crate::sample::{
    constant, F64Sampler, NarrowSampler, NormalF64, NormalNarrow, TruncF64, TruncNarrow,
    UniformF64, UniformNarrow,
};
use crate::{bf16, f16, Distribution, DistributionKind, Error, Result};

/// A distribution prepared for one output type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Plan {
    /// Narrow family, constant value (already rounded to the output type, held as `f32`).
    ConstNarrow(f32),
    /// `f64` constant.
    ConstF64(f64),
    /// Narrow family, random.
    Narrow(Random<NarrowSampler, f32>),
    /// `f64`, random.
    F64(Random<F64Sampler, f64>),
}

/// A random fill in working type `F` (`f32` for the narrow family, `f64`): the sampler and the
/// closed interval `[lo, hi]` of output values (both exactly representable in the output type).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Random<S, F> {
    pub(crate) sampler: S,
    pub(crate) lo: F,
    pub(crate) hi: F,
}

impl Plan {
    /// Checks that `dtype` can hold what `dist` produces ([`super::representable`]) and
    /// prepares it: the error every fill, allocation and file write of that dtype returns.
    ///
    /// Order of the errors, most specific first: values beyond the type's range
    /// ([`Error::Unrepresentable`]), then no value of the type inside the interval at all
    /// ([`Error::InvalidBounds`], from preparing), then a single value of the type
    /// ([`Error::TooNarrow`]).
    pub(crate) fn new(dist: &Distribution, dtype: DType) -> Result<Plan> {
        let verdict = super::representable::check(dtype, dist);
        if verdict == Err(Error::Unrepresentable) {
            return Err(Error::Unrepresentable);
        }
        let plan = Plan::prepare(dist, dtype)?;
        verdict.map(|()| plan)
    }

    /// The plan without the representability rule: the kernels' clamps then meet values
    /// beyond the type's range, which the kernel tests exercise on purpose.
    pub(crate) fn prepare(dist: &Distribution, dtype: DType) -> Result<Plan> {
        match dtype {
            DType::F32 => Plan::narrow::<f32>(dist),
            DType::BF16 => Plan::narrow::<bf16>(dist),
            DType::F16 => Plan::narrow::<f16>(dist),
            DType::F64 => Plan::f64(dist),
        }
    }
}

impl Plan {
    fn narrow<T: Narrow>(dist: &Distribution) -> Result<Plan> {
        // A `Distribution` is valid by construction: no empty interval, NaN or `std <= 0`
        // reaches here (a zero std was built as a constant).
        match dist.kind() {
            DistributionKind::Constant(v) => constant::narrow::<T>(v).map(Plan::ConstNarrow),
            DistributionKind::Uniform { low, high } => {
                let (lo, hi) = inner_interval::<T>(low, false, high, true)?;
                let sampler = UniformNarrow::new(low, high)?;
                // Every value, rounded to T (monotone too), lies between the rounded values
                // at the two ends of the integer range; when both are inside [lo, hi] the
                // clamp changes nothing and the kernel skips it ([−∞, +∞] marks that) — four
                // instructions of about a dozen per vector. Otherwise (the largest sample
                // rounds up to `high`) the clamp stays.
                let (a, b) = sampler.ends();
                let (a, b) = (T::from_f32(a).to_f32(), T::from_f32(b).to_f32());
                let (lo, hi) = if lo <= a.min(b) && a.max(b) <= hi {
                    (f32::NEG_INFINITY, f32::INFINITY)
                } else {
                    (lo, hi)
                };
                Ok(Plan::Narrow(Random {
                    sampler: NarrowSampler::Uniform(sampler),
                    lo,
                    hi,
                }))
            }
            DistributionKind::Normal { mean, std } => {
                // |x − mean| ≤ 5.42·std; with margin for rounding, values that cannot reach
                // the type's largest finite value need no clamp ([−∞, +∞] marks that).
                let (lo, hi) = inner_interval::<T>(f64::MIN, false, f64::MAX, false)?;
                let (lo, hi) = if mean.abs() + 6.0 * std < 0.5 * f64::from(hi) {
                    (f32::NEG_INFINITY, f32::INFINITY)
                } else {
                    (lo, hi)
                };
                Ok(Plan::Narrow(Random {
                    sampler: NarrowSampler::Normal(NormalNarrow::new(mean, std)?),
                    lo,
                    hi,
                }))
            }
            DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => {
                let (lo, hi) = inner_interval::<T>(low, true, high, true)?;
                Ok(Plan::Narrow(Random {
                    sampler: NarrowSampler::TruncatedNormal(TruncNarrow::new(
                        mean, std, low, high,
                    )?),
                    lo,
                    hi,
                }))
            }
        }
    }

    fn f64(dist: &Distribution) -> Result<Plan> {
        match dist.kind() {
            DistributionKind::Constant(v) => Ok(Plan::ConstF64(v)),
            DistributionKind::Uniform { low, high } => Ok(Plan::F64(Random {
                sampler: F64Sampler::Uniform(UniformF64::new(low, high)),
                lo: low,
                hi: high.next_down(),
            })),
            DistributionKind::Normal { mean, std } => Ok(Plan::F64(Random {
                sampler: F64Sampler::Normal(NormalF64::new(mean, std)),
                lo: f64::MIN,
                hi: f64::MAX,
            })),
            DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => {
                let (lo, hi) = (low.next_up(), high.next_down());
                if lo > hi {
                    return Err(Error::InvalidBounds);
                }
                Ok(Plan::F64(Random {
                    sampler: F64Sampler::TruncatedNormal(TruncF64::new(mean, std, low, high)?),
                    lo,
                    hi,
                }))
            }
        }
    }
}

/// The closed interval of `T` values inside the interval from `lo` to `hi` (each end open or
/// closed), as exact `f32`s. Empty → [`Error::InvalidBounds`].
pub(crate) fn inner_interval<T: Narrow>(
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
) -> Result<(f32, f32)> {
    let a: T = narrow_above(lo, lo_open);
    let b: T = narrow_below(hi, hi_open);
    let (a, b) = (a.to_f32(), b.to_f32());
    if !(a.is_finite() && b.is_finite() && a <= b) {
        return Err(Error::InvalidBounds);
    }
    Ok((a, b))
}
