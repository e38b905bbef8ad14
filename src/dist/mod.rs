//! Distributions: what a tensor's values are drawn from, independent of dtype and shape.
//!
//! A [`Distribution`] is validated when it is built, and its representation is private, so an
//! invalid one cannot exist. Before filling, it is checked against the output type and turned
//! into a plan (`plan.rs`) for that type: the family's sampler with parameters rounded to that
//! type's arithmetic, and the closed interval of that type's values the output must stay in.
//! Kernels consume plans; they never see `f64` user parameters.
//!
//! # Values the output type cannot hold
//!
//! One rule for memory and files: [`fill`](crate::fill), [`try_alloc_filled`](crate::try_alloc_filled),
//! [`Init::alloc`](crate::Init::alloc), the block fills and the safetensors writer all refuse,
//! before writing anything, what the output type cannot hold, instead of saturating it:
//!
//! - [`Error::Unrepresentable`]: a constant that rounds to ±∞ in the type (70000 in f16); a
//!   uniform with an end beyond the type's largest finite value; a normal whose reachable range
//!   `mean ± 5.42·std` (f64: `8.3·std`, the farthest sample the sampler can draw; cut to
//!   `(low, high)` when truncated) leaves the type's finite range — `normal(0, 1e5)` in f16
//!   would be mostly ±65504;
//! - [`Error::TooNarrow`]: a random distribution all of whose samples would round to one value
//!   of the type (`normal(1, 1e-9)` in f32, `uniform(1, 1.005)` in bf16).
//!
//! ```
//! use glorot::{f16, fill, Distribution, Error, Key};
//! let mut h = vec![f16::ZERO; 8];
//! let key = Key::new(0).tensor("w");
//! assert_eq!(fill(&mut h, &Distribution::normal(0.0, 1e5)?, &key), Err(Error::Unrepresentable));
//! assert_eq!(fill(&mut h, &Distribution::constant(7e4)?, &key), Err(Error::Unrepresentable));
//! assert!(h.iter().all(|x| x.to_bits() == 0)); // nothing written
//! let mut w = vec![0f32; 8];
//! fill(&mut w, &Distribution::normal(0.0, 1e5)?, &key)?; // f32 holds it
//! # Ok::<(), glorot::Error>(())
//! ```
//!
//! (Earlier versions clamped such values into the finite range in memory, and only the file
//! writer refused them; inputs the type can hold give the same bits as before.)

pub(crate) mod plan;
mod representable;

pub(crate) use plan::Plan;
pub(crate) use representable::{holds, round as round_to};

/// The normal family's complete sampling specification (it lives with the samplers).
pub use crate::sample::normal;

use crate::{Error, Result};

/// A validated distribution: what a tensor's values are drawn from.
///
/// The representation is private, so the only way to get one is a validating constructor
/// ([`constant`](Distribution::constant), [`zeros`](Distribution::zeros),
/// [`ones`](Distribution::ones), [`uniform`](Distribution::uniform),
/// [`symmetric_uniform`](Distribution::symmetric_uniform), [`normal`](Distribution::normal),
/// [`truncated_normal`](Distribution::truncated_normal), [`from_kind`](Distribution::from_kind)
/// or an [`Init`](crate::Init)): an empty interval, a NaN or a negative standard deviation
/// cannot be represented, so no fill ever sees one (the `rand_distr` design).
/// [`kind`](Distribution::kind) is the read-only view of the family and its parameters.
///
/// ```
/// use glorot::{Distribution, DistributionKind, Error};
/// let d = Distribution::uniform(1.0, 0.0); // through the constructor: an error
/// assert_eq!(d, Err(Error::InvalidBounds));
/// let d = Distribution::uniform(0.0, 1.0)?;
/// assert_eq!(d.kind(), DistributionKind::Uniform { low: 0.0, high: 1.0 });
/// # Ok::<(), glorot::Error>(())
/// ```
///
/// Building the value directly does not compile, neither by variant syntax nor by wrapping a
/// [`DistributionKind`]:
///
/// ```compile_fail,E0223
/// use glorot::{Distribution, DistributionKind, Error};
/// let d = Distribution::Uniform { low: 1.0, high: 0.0 }; // no such variant
/// ```
///
/// ```compile_fail,E0423
/// use glorot::{Distribution, DistributionKind, Error};
/// let d = Distribution(DistributionKind::Uniform { low: 1.0, high: 0.0 }); // private field
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distribution(DistributionKind);

/// The family and parameters of a [`Distribution`] ([`Distribution::kind`]): a plain value to
/// inspect or match on. Building one checks nothing; turning it into a [`Distribution`]
/// ([`Distribution::from_kind`]) does.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum DistributionKind {
    /// Every element equals the value (rounded to nearest in the output type); finite.
    Constant(f64),
    /// Uniform on the half-open interval `[low, high)`: `low` can occur, `high` never does.
    Uniform {
        /// Inclusive lower end.
        low: f64,
        /// Exclusive upper end.
        high: f64,
    },
    /// Normal (Gaussian) with the given mean and standard deviation. See [`normal`] for the exact
    /// sampling specification.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (`> 0`; `std = 0` is built as a constant by
        /// [`Distribution::normal`]).
        std: f64,
    },
    /// Normal(mean, std²) conditioned on the open interval `(low, high)`; `low` and `high` are
    /// absolute values (PyTorch's `trunc_normal_` convention), not multiples of `std`. Samples
    /// lie strictly inside `(low, high)` in every output type. See [`normal`].
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        std: f64,
        /// Exclusive lower bound (absolute).
        low: f64,
        /// Exclusive upper bound (absolute).
        high: f64,
    },
}

impl Distribution {
    /// The family and its parameters.
    pub const fn kind(&self) -> DistributionKind {
        self.0
    }

    /// The distribution `kind` describes, through the constructor of its family (so with the
    /// same checks and errors): `Normal { std: 0.0, .. }` becomes a constant, as
    /// [`Distribution::normal`] makes it.
    ///
    /// ```
    /// use glorot::{Distribution, DistributionKind, Error};
    /// let k = DistributionKind::Normal { mean: 0.0, std: f64::NAN };
    /// assert_eq!(Distribution::from_kind(k), Err(Error::InvalidStd));
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub fn from_kind(kind: DistributionKind) -> Result<Self> {
        match kind {
            DistributionKind::Constant(v) => Self::constant(v),
            DistributionKind::Uniform { low, high } => Self::uniform(low, high),
            DistributionKind::Normal { mean, std } => Self::normal(mean, std),
            DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => Self::truncated_normal(mean, std, low, high),
        }
    }

    /// Every element equals `value`, which must be finite ([`Error::NonFiniteValue`]).
    pub fn constant(value: f64) -> Result<Self> {
        if !value.is_finite() {
            return Err(Error::NonFiniteValue);
        }
        Ok(Distribution(DistributionKind::Constant(value)))
    }

    /// All zeros.
    pub const fn zeros() -> Self {
        Distribution(DistributionKind::Constant(0.0))
    }

    /// All ones.
    pub const fn ones() -> Self {
        Distribution(DistributionKind::Constant(1.0))
    }

    /// Uniform on `[low, high)`. Both ends must be finite, `low < high`, and `high - low` finite.
    pub fn uniform(low: f64, high: f64) -> Result<Self> {
        if !(low.is_finite() && high.is_finite() && low < high && (high - low).is_finite()) {
            return Err(Error::InvalidBounds);
        }
        Ok(Distribution(DistributionKind::Uniform { low, high }))
    }

    /// Uniform on `[-bound, bound)`; `bound` must be finite and positive.
    pub fn symmetric_uniform(bound: f64) -> Result<Self> {
        Self::uniform(-bound, bound)
    }

    /// Normal(mean, std²). `mean` must be finite ([`Error::NonFiniteValue`]), `std` finite and
    /// non-negative ([`Error::InvalidStd`]); `std = 0` gives `Constant(mean)`.
    ///
    /// ```
    /// use glorot::{fill, Distribution, Key};
    /// let mut w = vec![0f32; 10_000];
    /// fill(&mut w, &Distribution::normal(0.0, 0.02)?, &Key::new(1).tensor("w"))?;
    /// let mean = w.iter().sum::<f32>() / 1e4;
    /// assert!(mean.abs() < 0.001 && w.iter().all(|x| x.is_finite()));
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub fn normal(mean: f64, std: f64) -> Result<Self> {
        normal::check_mean_std(mean, std)?;
        if std == 0.0 {
            return Ok(Distribution(DistributionKind::Constant(mean)));
        }
        Ok(Distribution(DistributionKind::Normal { mean, std }))
    }

    /// Normal(mean, std²) truncated to the open interval `(low, high)` (absolute bounds, as in
    /// PyTorch's `trunc_normal_(mean, std, a, b)`). Errors: non-finite `mean`
    /// ([`Error::NonFiniteValue`]), bad `std` ([`Error::InvalidStd`]), non-finite bounds or
    /// `low >= high` ([`Error::InvalidBounds`]). `std = 0` gives `Constant(mean)` when `mean`
    /// lies strictly inside, [`Error::InvalidBounds`] otherwise.
    ///
    /// ```
    /// use glorot::{bf16, fill, Distribution, Key};
    /// let d = Distribution::truncated_normal(-3.0, 1.0, -0.5, 0.5)?;
    /// let mut w = vec![bf16::ZERO; 10_000];
    /// fill(&mut w, &d, &Key::new(1).tensor("w"))?;
    /// assert!(w.iter().all(|x| x.to_f32() > -0.5 && x.to_f32() < 0.5));
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub fn truncated_normal(mean: f64, std: f64, low: f64, high: f64) -> Result<Self> {
        normal::check_mean_std(mean, std)?;
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(Error::InvalidBounds);
        }
        if std == 0.0 {
            return if low < mean && mean < high {
                Ok(Distribution(DistributionKind::Constant(mean)))
            } else {
                Err(Error::InvalidBounds)
            };
        }
        Ok(Distribution(DistributionKind::TruncatedNormal {
            mean,
            std,
            low,
            high,
        }))
    }

    /// Whether filling consumes random words (false for constants, which read no stream).
    pub fn is_random(&self) -> bool {
        !matches!(self.0, DistributionKind::Constant(_))
    }

    /// The exact mean of the (continuous) distribution, before rounding to the output type.
    pub fn mean(&self) -> f64 {
        match self.0 {
            DistributionKind::Constant(v) => v,
            DistributionKind::Uniform { low, high } => low + (high - low) / 2.0,
            DistributionKind::Normal { mean, .. } => mean,
            DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => {
                let t = truncated_moments(mean, std, low, high);
                mean + std * t.0
            }
        }
    }

    /// The exact standard deviation of the (continuous) distribution, before rounding to the
    /// output type: what a large fill's empirical std converges to.
    ///
    /// ```
    /// use glorot::{Distribution, Init, Fans};
    /// let d = Init::GlorotNormal.distribution(Fans::new(300, 100))?;
    /// // JAX's glorot_normal: truncated at ±2σ', σ' = √(1/200)/0.8796…, so that std = √(1/200).
    /// assert!((d.std() - (1.0f64 / 200.0).sqrt()).abs() < 1e-12);
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub fn std(&self) -> f64 {
        match self.0 {
            DistributionKind::Constant(_) => 0.0,
            DistributionKind::Uniform { low, high } => (high - low) / 12f64.sqrt(),
            DistributionKind::Normal { std, .. } => std,
            DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => std * truncated_moments(mean, std, low, high).1.sqrt(),
        }
    }
}

/// Mean and variance of the standard normal truncated to the standardised interval of
/// `(low, high)`: with `α, β` the standardised bounds, `Z = Φ(β) − Φ(α)`,
/// mean `(φ(α) − φ(β))/Z` and variance `1 + (αφ(α) − βφ(β))/Z − mean²`. `Z` is taken from the
/// tail the interval lies in, so far-from-mean intervals keep their precision.
fn truncated_moments(mean: f64, std: f64, low: f64, high: f64) -> (f64, f64) {
    let (a, b) = ((low - mean) / std, (high - mean) / std);
    let pdf = |x: f64| {
        if x.is_finite() {
            normal::exp(-0.5 * x * x) / (2.0 * core::f64::consts::PI).sqrt()
        } else {
            0.0
        }
    };
    let upper_tail = |x: f64| 0.5 * normal::erfc(x / core::f64::consts::SQRT_2);
    let z = if a > 0.0 {
        upper_tail(a) - upper_tail(b)
    } else if b < 0.0 {
        upper_tail(-b) - upper_tail(-a)
    } else {
        1.0 - upper_tail(b) - upper_tail(-a)
    };
    let (pa, pb) = (pdf(a), pdf(b));
    let m = (pa - pb) / z;
    let term = |x: f64, p: f64| if x.is_finite() { x * p } else { 0.0 };
    (m, 1.0 + (term(a, pa) - term(b, pb)) / z - m * m)
}

#[cfg(test)]
mod moment_tests {
    use super::*;

    /// Simpson's rule over the truncated density, as an independent reference.
    fn numeric(mean: f64, std: f64, low: f64, high: f64) -> (f64, f64) {
        let n = 200_000;
        let h = (high - low) / n as f64;
        let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for i in 0..=n {
            let x = low + i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let p = (-0.5 * ((x - mean) / std).powi(2)).exp() * w;
            z += p;
            m1 += p * x;
            m2 += p * x * x;
        }
        let mu = m1 / z;
        (mu, (m2 / z - mu * mu).sqrt())
    }

    #[test]
    fn truncated_standard_normal_at_two_sigma_has_the_jax_constant_as_std() {
        let d = Distribution::truncated_normal(0.0, 1.0, -2.0, 2.0).unwrap();
        assert!(
            (d.std() - 0.879_625_661_034_239_8).abs() < 1e-13,
            "{}",
            d.std()
        );
        assert_eq!(d.mean(), 0.0);
    }

    #[test]
    fn moments_match_numeric_integration() {
        for (mean, std, low, high) in [
            (-3.0, 1.0, -0.5, 0.5),
            (0.0, 0.01, -2.0, 2.0),
            (1.0, 2.0, 0.0, 10.0),
            (0.0, 1.0, 4.0, 6.0),
        ] {
            let d = Distribution::truncated_normal(mean, std, low, high).unwrap();
            let (m, s) = numeric(
                mean,
                std,
                low.max(mean - 12.0 * std),
                high.min(mean + 12.0 * std),
            );
            assert!(
                (d.mean() - m).abs() < 1e-7 * (1.0 + m.abs()),
                "mean {} vs {m}",
                d.mean()
            );
            assert!((d.std() / s - 1.0).abs() < 1e-6, "std {} vs {s}", d.std());
        }
        let u = Distribution::uniform(-1.0, 3.0).unwrap();
        assert_eq!((u.mean(), u.std()), (1.0, 4.0 / 12f64.sqrt()));
    }
}
