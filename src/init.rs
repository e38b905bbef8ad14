//! Initializers: the PyTorch (`torch.nn.init`) and JAX (`jax.nn.initializers`) rules that turn
//! a weight's fans into a [`Distribution`].
//!
//! Names say whose convention they follow: `Xavier*`/`Kaiming*`/`TruncNormal`/`Normal` are
//! PyTorch's (gain and nonlinearity arguments, absolute truncation bounds), `Glorot*`/`He*`/
//! `Lecun*`/`VarianceScaling` are JAX's (scale and mode arguments). For the uniform family both
//! conventions give the same bound; they part ways for the normal family (PyTorch: plain
//! normal; JAX: truncated normal rescaled to the target variance), which is why both spellings
//! exist.
//!
//! See [`Init`] for the table of PyTorch vs JAX conventions.

use crate::fan::{numel, FanMode, Fans, Layout};
use crate::gain::{calculate_gain, sqrt, Nonlinearity};
use crate::{fill, Distribution, Element, Error, Result, TensorKey};

/// The distribution family of JAX's `variance_scaling`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VarianceDistribution {
    /// Uniform on `[-limit, limit)`, `limit = √(3·scale/fan)`.
    #[default]
    Uniform,
    /// Plain normal `N(0, scale/fan)` (JAX `"normal"`, Keras `"untruncated_normal"`).
    Normal,
    /// Normal truncated at ±2 standard deviations, its std divided by
    /// [`TRUNCATED_STD_CORRECTION`] so that the result has variance exactly `scale/fan`
    /// (JAX `"truncated_normal"`).
    TruncatedNormal,
}

/// The standard deviation of N(0, 1) truncated to (−2, 2): 0.87962566103423978. JAX's
/// `variance_scaling` divides the std by it so that a ±2σ-truncated normal has the target
/// variance.
#[allow(clippy::excessive_precision)] // JAX's literal, verbatim
pub const TRUNCATED_STD_CORRECTION: f64 = 0.87962566103423978;

impl VarianceDistribution {
    /// Parses JAX's names: `"uniform"`, `"normal"`, `"truncated_normal"`; also Keras's
    /// `"untruncated_normal"` (= `Normal`).
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "uniform" => Ok(VarianceDistribution::Uniform),
            "normal" | "untruncated_normal" => Ok(VarianceDistribution::Normal),
            "truncated_normal" => Ok(VarianceDistribution::TruncatedNormal),
            _ => Err(Error::UnknownName),
        }
    }

    /// JAX's name (`parse(d.name()) == Ok(d)`).
    pub const fn name(self) -> &'static str {
        match self {
            VarianceDistribution::Uniform => "uniform",
            VarianceDistribution::Normal => "normal",
            VarianceDistribution::TruncatedNormal => "truncated_normal",
        }
    }
}

/// An initializer: a rule from fans (where it needs them) to a distribution.
///
/// # PyTorch vs JAX conventions
///
/// `fan_avg = (fan_in + fan_out)/2`; `c = 0.87962566103423978` is the standard deviation of
/// N(0, 1) truncated to (−2, 2), so `TN(0, s/c, ±2·s/c)` has standard deviation exactly `s`.
///
/// | rule | PyTorch name → distribution | JAX name → distribution |
/// |---|---|---|
/// | Glorot / Xavier uniform | [`Init::XavierUniform`] `{gain}`: `U[−b, b)`, `b = gain·√(6/(fi+fo))` | [`Init::GlorotUniform`]: same bound (gain 1) |
/// | Glorot / Xavier normal | [`Init::XavierNormal`] `{gain}`: **plain** `N(0, s²)`, `s = gain·√(2/(fi+fo))` | [`Init::GlorotNormal`]: **truncated** `TN(0, s/c)` on `(−2s/c, 2s/c)`, `s = √(1/fan_avg)` |
/// | He / Kaiming uniform | [`Init::KaimingUniform`] `{a, mode, nonlinearity}`: `b = √3·gain/√fan` | [`Init::HeUniform`]: `variance_scaling(2, fan_in, uniform)` |
/// | He / Kaiming normal | [`Init::KaimingNormal`] `{a, mode, nonlinearity}`: plain `N(0, (gain/√fan)²)` | [`Init::HeNormal`]: truncated, `s = √(2/fan_in)`, ÷c |
/// | LeCun | — | [`Init::LecunUniform`]; [`Init::LecunNormal`]: truncated, `s = √(1/fan_in)`, ÷c |
/// | variance scaling | — | [`Init::VarianceScaling`] `{scale, mode, distribution}`: `uniform` → `U[±√(3v)]`; `normal` → plain `N(0, v)`; `truncated_normal` → `TN(0, √v/c)` on `±2√v/c`; `v = scale/fan` |
/// | truncated normal | [`Init::TruncNormal`] `{mean, std, a, b}`: `a`, `b` **absolute** values (defaults −2, 2) | (JAX's `truncated_normal(stddev, lower, upper)` takes bounds in std units; express it as `TruncNormal {mean: 0, std, a: lower·std, b: upper·std}`) |
/// | normal | [`Init::Normal`] `{mean, std}` (`normal_(mean=0, std=1)`) | `normal(stddev)` = `Normal {mean: 0, std}` |
///
/// Keras spells JAX's plain normal `"untruncated_normal"` and maps `"normal"` to the truncated
/// one; [`VarianceDistribution::parse`] follows JAX (`"normal"` is plain) and accepts the Keras
/// spelling `"untruncated_normal"` as a synonym of plain normal.
///
/// ```
/// use glorot::{Init, Key, Layout};
/// let key = Key::new(0).tensor("fc1.weight");
/// let w: Vec<f32> = Init::xavier_uniform(1.0).alloc(&[1000, 784], Layout::Torch, &key)?;
/// let bound = (6.0f32 / 1784.0).sqrt();
/// assert!(w.iter().all(|x| x.abs() <= bound));
/// # Ok::<(), glorot::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Init {
    /// PyTorch `xavier_uniform_(gain)` (Glorot & Bengio 2010): `U[-b, b)`,
    /// `b = gain·√(6/(fan_in + fan_out))`.
    XavierUniform {
        /// Multiplier, usually [`calculate_gain`] of the layer's activation.
        gain: f64,
    },
    /// PyTorch `kaiming_uniform_(a, mode, nonlinearity)` (He et al. 2015): `U[-b, b)`,
    /// `b = √3·gain/√fan`, `gain = calculate_gain(nonlinearity, a)`.
    KaimingUniform {
        /// Negative slope of the rectifier (used only with `LeakyRelu`). PyTorch default 0.
        a: f64,
        /// Which fan. PyTorch default `FanIn`.
        mode: FanMode,
        /// The activation after this layer. PyTorch default `LeakyRelu`.
        nonlinearity: Nonlinearity,
    },
    /// PyTorch `xavier_normal_(gain)`: plain normal `N(0, std²)`,
    /// `std = gain·√(2/(fan_in + fan_out))` (not truncated; compare [`Init::GlorotNormal`]).
    XavierNormal {
        /// Multiplier, usually [`calculate_gain`] of the layer's activation.
        gain: f64,
    },
    /// PyTorch `kaiming_normal_(a, mode, nonlinearity)`: plain normal `N(0, std²)`,
    /// `std = gain/√fan`, `gain = calculate_gain(nonlinearity, a)` (compare [`Init::HeNormal`]).
    KaimingNormal {
        /// Negative slope of the rectifier (used only with `LeakyRelu`). PyTorch default 0.
        a: f64,
        /// Which fan. PyTorch default `FanIn`.
        mode: FanMode,
        /// The activation after this layer. PyTorch default `LeakyRelu`.
        nonlinearity: Nonlinearity,
    },
    /// PyTorch `normal_(mean, std)`. Needs no fans.
    Normal {
        /// Mean (PyTorch default 0).
        mean: f64,
        /// Standard deviation (PyTorch default 1).
        std: f64,
    },
    /// PyTorch `trunc_normal_(mean, std, a, b)`: `N(mean, std²)` conditioned on the open
    /// interval `(a, b)`, where `a` and `b` are **absolute** values (PyTorch defaults: mean 0,
    /// std 1, a −2, b 2). Values lie strictly inside `(a, b)` in every dtype. Needs no fans.
    TruncNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        std: f64,
        /// Lower bound (absolute).
        a: f64,
        /// Upper bound (absolute).
        b: f64,
    },
    /// PyTorch `uniform_(a, b)`: `U[low, high)`. Needs no fans.
    Uniform {
        /// Inclusive lower end (PyTorch's `a`).
        low: f64,
        /// Exclusive upper end (PyTorch's `b`).
        high: f64,
    },
    /// PyTorch `constant_(val)`. Needs no fans.
    Constant {
        /// The value.
        val: f64,
    },
    /// PyTorch `zeros_`.
    Zeros,
    /// PyTorch `ones_`.
    Ones,
    /// JAX `glorot_uniform()`: `variance_scaling(1, fan_avg, uniform)`. Same bound as
    /// `XavierUniform { gain: 1 }`.
    GlorotUniform,
    /// JAX `he_uniform()`: `variance_scaling(2, fan_in, uniform)`. Same bound as PyTorch's
    /// `kaiming_uniform_(nonlinearity='relu')`.
    HeUniform,
    /// JAX `lecun_uniform()`: `variance_scaling(1, fan_in, uniform)` (LeCun et al. 1998).
    LecunUniform,
    /// JAX `glorot_normal()`: `variance_scaling(1, fan_avg, truncated_normal)` — truncated at
    /// ±2 std and rescaled so the std is exactly `√(2/(fan_in + fan_out))` (PyTorch's
    /// [`Init::XavierNormal`] is an untruncated normal with that std).
    GlorotNormal,
    /// JAX `he_normal()`: `variance_scaling(2, fan_in, truncated_normal)`.
    HeNormal,
    /// JAX `lecun_normal()`: `variance_scaling(1, fan_in, truncated_normal)` (flax's `Dense`
    /// default).
    LecunNormal,
    /// JAX `variance_scaling(scale, mode, distribution)`: variance `scale/fan`.
    VarianceScaling {
        /// Variance multiplier; finite and positive.
        scale: f64,
        /// Which fan divides `scale`.
        mode: FanMode,
        /// The distribution family.
        distribution: VarianceDistribution,
    },
    /// PyTorch `orthogonal_(gain)`: Haar (semi-)orthogonal `(shape[0], prod(shape[1:]))`
    /// matrix times `gain` ([`crate::structured::orthogonal`]). Not elementwise.
    Orthogonal {
        /// Multiplier (finite, non-negative).
        gain: f64,
    },
    /// JAX `orthogonal(scale, column_axis)` / Keras `Orthogonal(gain)` (`column_axis = -1`):
    /// the column axis indexes the columns ([`crate::structured::orthogonal_jax`]).
    OrthogonalJax {
        /// Multiplier (finite, non-negative).
        scale: f64,
        /// The axis holding the columns; negative counts from the end (JAX default −1).
        column_axis: isize,
    },
    /// PyTorch `sparse_(sparsity, std)`: `ceil(sparsity·rows)` zeros per column, the rest
    /// `N(0, std²)` ([`crate::structured::sparse`]). 2-D only.
    Sparse {
        /// Fraction of each column set to zero, in `[0, 1]`.
        sparsity: f64,
        /// Standard deviation of the non-zero values (PyTorch default 0.01).
        std: f64,
    },
    /// PyTorch `dirac_(groups)` for 3–5-D conv weights ([`crate::structured::dirac`]).
    Dirac {
        /// Conv groups; must divide `shape[0]` (PyTorch default 1).
        groups: usize,
    },
    /// PyTorch `eye_`: the 2-D identity ([`crate::structured::eye`]).
    Eye,
    /// Keras `Identity(gain)`: `gain` on the diagonal of a 2-D tensor
    /// ([`crate::structured::identity`]).
    Identity {
        /// Multiplier (finite, non-negative; Keras default 1).
        gain: f64,
    },
    /// JAX `delta_orthogonal(scale, column_axis)`: 3–5-D kernel `(*k, in, out)`, orthogonal at
    /// the centre `(k−1)//2`, zero elsewhere ([`crate::structured::delta_orthogonal`]).
    DeltaOrthogonal {
        /// Multiplier (finite, non-negative).
        scale: f64,
        /// Column axis of the `(in, out)` matrix (JAX default −1).
        column_axis: isize,
    },
}

/// √3 computed as PyTorch does (`math.sqrt(3.0)`).
fn sqrt3() -> f64 {
    3.0f64.sqrt()
}

fn check_gain(gain: f64) -> Result<f64> {
    if gain.is_finite() && gain >= 0.0 {
        Ok(gain)
    } else {
        Err(Error::InvalidGain)
    }
}

/// `U[-bound, bound)`, or all zeros when the bound is 0 (a gain of 0), as PyTorch gives.
fn symmetric(bound: f64) -> Result<Distribution> {
    if bound == 0.0 {
        Ok(Distribution::zeros())
    } else {
        Distribution::symmetric_uniform(bound)
    }
}

impl Init {
    /// PyTorch `xavier_uniform_` with `gain`.
    pub const fn xavier_uniform(gain: f64) -> Self {
        Init::XavierUniform { gain }
    }

    /// PyTorch `kaiming_uniform_` with its defaults (`a = 0`, `fan_in`, `leaky_relu`).
    pub const fn kaiming_uniform() -> Self {
        Init::KaimingUniform {
            a: 0.0,
            mode: FanMode::FanIn,
            nonlinearity: Nonlinearity::LeakyRelu,
        }
    }

    /// PyTorch `kaiming_uniform_(a, mode, nonlinearity)`.
    pub const fn kaiming_uniform_with(a: f64, mode: FanMode, nonlinearity: Nonlinearity) -> Self {
        Init::KaimingUniform {
            a,
            mode,
            nonlinearity,
        }
    }

    /// PyTorch `xavier_normal_` with `gain`.
    pub const fn xavier_normal(gain: f64) -> Self {
        Init::XavierNormal { gain }
    }

    /// PyTorch `kaiming_normal_` with its defaults (`a = 0`, `fan_in`, `leaky_relu`).
    pub const fn kaiming_normal() -> Self {
        Init::KaimingNormal {
            a: 0.0,
            mode: FanMode::FanIn,
            nonlinearity: Nonlinearity::LeakyRelu,
        }
    }

    /// PyTorch `kaiming_normal_(a, mode, nonlinearity)`.
    pub const fn kaiming_normal_with(a: f64, mode: FanMode, nonlinearity: Nonlinearity) -> Self {
        Init::KaimingNormal {
            a,
            mode,
            nonlinearity,
        }
    }

    /// PyTorch `trunc_normal_(mean, std, a, b)` (absolute bounds).
    pub const fn trunc_normal(mean: f64, std: f64, a: f64, b: f64) -> Self {
        Init::TruncNormal { mean, std, a, b }
    }

    /// The default of PyTorch's `nn.Linear` / `nn.ConvNd` weights:
    /// `kaiming_uniform_(a=√5)`, i.e. `U[-1/√fan_in, 1/√fan_in)`.
    pub const fn torch_default_weight() -> Self {
        Init::kaiming_uniform_with(sqrt(5.0), FanMode::FanIn, Nonlinearity::LeakyRelu)
    }

    /// The default bias of PyTorch's `nn.Linear` / `nn.ConvNd` (and every parameter of
    /// `nn.RNN`/`LSTM`/`GRU`, with `fan_in` = the hidden size): `U[-1/√fan_in, 1/√fan_in)`
    /// with the weight's `fan_in`; zeros when that fan_in is 0, as PyTorch gives.
    pub const fn torch_default_bias(weight_fan_in: usize) -> Self {
        if weight_fan_in == 0 {
            return Init::Zeros;
        }
        let bound = 1.0 / sqrt(weight_fan_in as f64);
        Init::Uniform {
            low: -bound,
            high: bound,
        }
    }

    /// Whether the rule is one of the structured initializers (orthogonal, sparse, dirac, eye,
    /// identity, delta-orthogonal), which fill a whole tensor at once and have no
    /// [`Distribution`].
    pub const fn is_structured(&self) -> bool {
        matches!(
            self,
            Init::Orthogonal { .. }
                | Init::OrthogonalJax { .. }
                | Init::Sparse { .. }
                | Init::Dirac { .. }
                | Init::Eye
                | Init::Identity { .. }
                | Init::DeltaOrthogonal { .. }
        )
    }

    /// Whether the rule reads fans (and so needs a shape of rank ≥ 2). Structured rules read
    /// none (they check their own ranks).
    pub const fn needs_fans(&self) -> bool {
        !self.is_structured()
            && !matches!(
                self,
                Init::Uniform { .. }
                    | Init::Constant { .. }
                    | Init::Zeros
                    | Init::Ones
                    | Init::Normal { .. }
                    | Init::TruncNormal { .. }
            )
    }

    /// The name PyTorch or JAX uses for this initializer.
    pub const fn name(&self) -> &'static str {
        match self {
            Init::XavierUniform { .. } => "xavier_uniform",
            Init::KaimingUniform { .. } => "kaiming_uniform",
            Init::Uniform { .. } => "uniform",
            Init::Constant { .. } => "constant",
            Init::Zeros => "zeros",
            Init::Ones => "ones",
            Init::GlorotUniform => "glorot_uniform",
            Init::HeUniform => "he_uniform",
            Init::LecunUniform => "lecun_uniform",
            Init::XavierNormal { .. } => "xavier_normal",
            Init::KaimingNormal { .. } => "kaiming_normal",
            Init::Normal { .. } => "normal",
            Init::TruncNormal { .. } => "trunc_normal",
            Init::GlorotNormal => "glorot_normal",
            Init::HeNormal => "he_normal",
            Init::LecunNormal => "lecun_normal",
            Init::VarianceScaling { .. } => "variance_scaling",
            Init::Orthogonal { .. } => "orthogonal",
            Init::OrthogonalJax { .. } => "orthogonal_jax",
            Init::Sparse { .. } => "sparse",
            Init::Dirac { .. } => "dirac",
            Init::Eye => "eye",
            Init::Identity { .. } => "identity",
            Init::DeltaOrthogonal { .. } => "delta_orthogonal",
        }
    }

    /// The distribution for a weight with `fans` (ignored by rules that need none).
    ///
    /// Bounds are computed with the same floating-point expressions as the reference library,
    /// so e.g. the xavier bound is bit-equal to PyTorch's `math.sqrt(3.0) * std`. The
    /// structured rules ([`Init::is_structured`]) have no elementwise distribution:
    /// [`Error::NotElementwise`].
    pub fn distribution(&self, fans: Fans) -> Result<Distribution> {
        match *self {
            Init::Orthogonal { .. }
            | Init::OrthogonalJax { .. }
            | Init::Sparse { .. }
            | Init::Dirac { .. }
            | Init::Eye
            | Init::Identity { .. }
            | Init::DeltaOrthogonal { .. } => Err(Error::NotElementwise),
            Init::XavierUniform { gain } => {
                let gain = check_gain(gain)?;
                let sum = fans.fan_in as f64 + fans.fan_out as f64;
                if sum == 0.0 {
                    return Err(Error::ZeroFan);
                }
                let std = gain * (2.0 / sum).sqrt();
                symmetric(sqrt3() * std)
            }
            Init::KaimingUniform {
                a,
                mode,
                nonlinearity,
            } => {
                let fan = fans.select(mode)?;
                let gain = calculate_gain(nonlinearity, Some(a))?;
                let std = gain / fan.sqrt();
                symmetric(sqrt3() * std)
            }
            Init::Uniform { low, high } => Distribution::uniform(low, high),
            Init::Constant { val } => Distribution::constant(val),
            Init::Zeros => Ok(Distribution::zeros()),
            Init::Ones => Ok(Distribution::ones()),
            Init::GlorotUniform => {
                variance_scaling(1.0, FanMode::FanAvg, VarianceDistribution::Uniform, fans)
            }
            Init::HeUniform => {
                variance_scaling(2.0, FanMode::FanIn, VarianceDistribution::Uniform, fans)
            }
            Init::LecunUniform => {
                variance_scaling(1.0, FanMode::FanIn, VarianceDistribution::Uniform, fans)
            }
            Init::XavierNormal { gain } => {
                let gain = check_gain(gain)?;
                let sum = fans.fan_in as f64 + fans.fan_out as f64;
                if sum == 0.0 {
                    return Err(Error::ZeroFan);
                }
                Distribution::normal(0.0, gain * (2.0 / sum).sqrt())
            }
            Init::KaimingNormal {
                a,
                mode,
                nonlinearity,
            } => {
                let fan = fans.select(mode)?;
                let gain = calculate_gain(nonlinearity, Some(a))?;
                Distribution::normal(0.0, gain / fan.sqrt())
            }
            Init::Normal { mean, std } => Distribution::normal(mean, std),
            Init::TruncNormal { mean, std, a, b } => {
                Distribution::truncated_normal(mean, std, a, b)
            }
            Init::GlorotNormal => variance_scaling(
                1.0,
                FanMode::FanAvg,
                VarianceDistribution::TruncatedNormal,
                fans,
            ),
            Init::HeNormal => variance_scaling(
                2.0,
                FanMode::FanIn,
                VarianceDistribution::TruncatedNormal,
                fans,
            ),
            Init::LecunNormal => variance_scaling(
                1.0,
                FanMode::FanIn,
                VarianceDistribution::TruncatedNormal,
                fans,
            ),
            Init::VarianceScaling {
                scale,
                mode,
                distribution,
            } => variance_scaling(scale, mode, distribution, fans),
        }
    }

    /// The distribution for a tensor of `shape`, reading fans by `layout` when the rule needs
    /// them.
    pub fn distribution_for_shape(&self, shape: &[usize], layout: Layout) -> Result<Distribution> {
        let fans = if self.needs_fans() {
            Fans::from_shape(shape, layout)?
        } else {
            numel(shape)?;
            Fans::new(0, 0)
        };
        self.distribution(fans)
    }

    /// Checks the rule's own parameters (gain, scale, slope, mean, std, bounds), whatever the
    /// fans. A zero-element tensor draws nothing, but bad parameters are still an error.
    pub fn check_parameters(&self) -> Result<()> {
        if self.is_structured() {
            return crate::structured::check_init(self);
        }
        // Fans of 1 never fail on their own, so any error is the parameters'.
        self.distribution(Fans::new(1, 1)).map(|_| ())
    }

    /// Fills `out`, a tensor of `shape`, in place. A zero-element tensor is a no-op (after its
    /// parameters are checked).
    pub fn fill<T: Element>(
        &self,
        out: &mut [T],
        shape: &[usize],
        layout: Layout,
        key: &TensorKey,
    ) -> Result<()> {
        let n = numel(shape)?;
        if out.len() != n {
            return Err(Error::LengthMismatch {
                expected: n,
                actual: out.len(),
            });
        }
        if self.is_structured() {
            // Each structured rule carries its own convention; `layout` is not read.
            return crate::structured::fill_init(self, out, shape, key);
        }
        if n == 0 {
            return self.check_parameters();
        }
        fill(out, &self.distribution_for_shape(shape, layout)?, key)
    }

    /// Allocates and fills a tensor of `shape` (plain pages; see [`crate::try_alloc_filled`] for
    /// the huge-page option).
    pub fn alloc<T: Element>(
        &self,
        shape: &[usize],
        layout: Layout,
        key: &TensorKey,
    ) -> Result<Vec<T>> {
        let n = numel(shape)?;
        if self.is_structured() {
            // Shape and parameters first, so a bad request never costs an allocation.
            crate::structured::validate(self, shape)?;
            let mut v =
                crate::try_alloc_filled(n, &Distribution::zeros(), key, crate::Pages::Plain)?;
            crate::structured::fill_init(self, &mut v, shape, key)?;
            return Ok(v);
        }
        if n == 0 {
            self.check_parameters()?;
            return Ok(Vec::new());
        }
        let dist = self.distribution_for_shape(shape, layout)?;
        crate::try_alloc_filled(n, &dist, key, crate::Pages::Plain)
    }
}

/// JAX `variance_scaling`: variance `scale / fan(mode)`.
fn variance_scaling(
    scale: f64,
    mode: FanMode,
    distribution: VarianceDistribution,
    fans: Fans,
) -> Result<Distribution> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::InvalidScale);
    }
    let variance = scale / fans.select(mode)?;
    match distribution {
        VarianceDistribution::Uniform => symmetric((3.0 * variance).sqrt()),
        VarianceDistribution::Normal => Distribution::normal(0.0, variance.sqrt()),
        VarianceDistribution::TruncatedNormal => {
            let std = variance.sqrt() / TRUNCATED_STD_CORRECTION;
            Distribution::truncated_normal(0.0, std, -2.0 * std, 2.0 * std)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(init: Init, fans: Fans) -> f64 {
        match init.distribution(fans).unwrap().kind() {
            crate::DistributionKind::Uniform { low, high } => {
                assert_eq!(low, -high);
                high
            }
            d => panic!("unexpected {d:?}"),
        }
    }

    #[test]
    fn bounds_match_formulas() {
        let f = Fans::new(784, 1000);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b;
        assert!(close(
            bound(Init::xavier_uniform(1.0), f),
            (6.0 / 1784.0f64).sqrt()
        ));
        assert!(close(
            bound(Init::xavier_uniform(5.0 / 3.0), f),
            5.0 / 3.0 * (6.0 / 1784.0f64).sqrt()
        ));
        assert!(close(
            bound(Init::GlorotUniform, f),
            (6.0 / 1784.0f64).sqrt()
        ));
        assert!(close(
            bound(Init::kaiming_uniform(), f),
            (6.0f64 / 784.0).sqrt()
        ));
        assert!(close(bound(Init::HeUniform, f), (6.0f64 / 784.0).sqrt()));
        assert!(close(bound(Init::LecunUniform, f), (3.0f64 / 784.0).sqrt()));
        assert!(close(
            bound(Init::torch_default_weight(), f),
            1.0 / 784f64.sqrt()
        ));
        let geo = Init::VarianceScaling {
            scale: 2.0,
            mode: FanMode::FanGeoAvg,
            distribution: VarianceDistribution::Uniform,
        };
        assert!(close(
            bound(geo, f),
            (6.0 / (784.0f64 * 1000.0).sqrt()).sqrt()
        ));
    }

    #[test]
    fn xavier_bound_is_bit_equal_to_pytorch_expression() {
        // math.sqrt(3.0) * (1.0 * math.sqrt(2.0 / float(784 + 1000))) in CPython
        assert_eq!(
            bound(Init::xavier_uniform(1.0), Fans::new(784, 1000)),
            0.05799335047702942
        );
    }

    #[test]
    fn invalid_parameters() {
        let f = Fans::new(3, 4);
        assert_eq!(
            Init::xavier_uniform(-1.0).distribution(f),
            Err(Error::InvalidGain)
        );
        assert_eq!(
            Init::xavier_uniform(f64::NAN).distribution(f),
            Err(Error::InvalidGain)
        );
        assert_eq!(
            Init::xavier_uniform(1.0).distribution(Fans::new(0, 0)),
            Err(Error::ZeroFan)
        );
        let vs = |scale| Init::VarianceScaling {
            scale,
            mode: FanMode::FanIn,
            distribution: VarianceDistribution::Uniform,
        };
        assert_eq!(vs(0.0).distribution(f), Err(Error::InvalidScale));
        assert_eq!(vs(f64::INFINITY).distribution(f), Err(Error::InvalidScale));
        assert_eq!(
            Init::Uniform {
                low: 1.0,
                high: 1.0
            }
            .distribution(f),
            Err(Error::InvalidBounds)
        );
        assert_eq!(
            Init::Constant { val: f64::NAN }.distribution(f),
            Err(Error::NonFiniteValue)
        );
        assert_eq!(
            Init::kaiming_uniform_with(f64::INFINITY, FanMode::FanIn, Nonlinearity::LeakyRelu)
                .distribution(f),
            Err(Error::InvalidSlope)
        );
    }

    #[test]
    fn normal_family_parameters() {
        let f = Fans::new(784, 1000);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs();
        let normal_std = |i: Init| match i.distribution(f).unwrap().kind() {
            crate::DistributionKind::Normal { mean, std } => {
                assert_eq!(mean, 0.0);
                std
            }
            d => panic!("unexpected {d:?}"),
        };
        let trunc_std = |i: Init| match i.distribution(f).unwrap().kind() {
            crate::DistributionKind::TruncatedNormal {
                mean,
                std,
                low,
                high,
            } => {
                assert_eq!((mean, low, high), (0.0, -2.0 * std, 2.0 * std));
                std
            }
            d => panic!("unexpected {d:?}"),
        };
        // PyTorch: math.sqrt(2.0 / float(784 + 1000)) bit for bit
        assert_eq!(
            normal_std(Init::xavier_normal(1.0)),
            (2.0 / 1784.0f64).sqrt()
        );
        assert!(close(
            normal_std(Init::kaiming_normal()),
            2f64.sqrt() / 784f64.sqrt()
        ));
        let c = TRUNCATED_STD_CORRECTION;
        assert!(close(
            trunc_std(Init::GlorotNormal),
            (1.0 / 892.0f64).sqrt() / c
        ));
        assert!(close(
            trunc_std(Init::HeNormal),
            (2.0 / 784.0f64).sqrt() / c
        ));
        assert!(close(
            trunc_std(Init::LecunNormal),
            (1.0 / 784.0f64).sqrt() / c
        ));
        let vs = |d| Init::VarianceScaling {
            scale: 2.0,
            mode: FanMode::FanOut,
            distribution: d,
        };
        assert!(close(
            normal_std(vs(VarianceDistribution::Normal)),
            (2.0 / 1000.0f64).sqrt()
        ));
        assert!(close(
            trunc_std(vs(VarianceDistribution::TruncatedNormal)),
            (2.0 / 1000.0f64).sqrt() / c
        ));
        assert_eq!(
            Init::trunc_normal(0.0, 1.0, -2.0, 2.0).distribution(f),
            Distribution::truncated_normal(0.0, 1.0, -2.0, 2.0)
        );
        assert_eq!(
            Init::xavier_normal(0.0).distribution(f),
            Ok(Distribution::zeros())
        );
    }

    #[test]
    fn names_and_parsing_are_consistent() {
        for d in [
            VarianceDistribution::Uniform,
            VarianceDistribution::Normal,
            VarianceDistribution::TruncatedNormal,
        ] {
            assert_eq!(VarianceDistribution::parse(d.name()), Ok(d));
        }
        assert_eq!(
            VarianceDistribution::parse("untruncated_normal"),
            Ok(VarianceDistribution::Normal)
        );
        assert_eq!(
            VarianceDistribution::parse("gaussian"),
            Err(Error::UnknownName)
        );
        assert_eq!(Init::xavier_normal(1.0).name(), "xavier_normal");
        assert_eq!(Init::kaiming_normal().name(), "kaiming_normal");
        assert_eq!(Init::GlorotNormal.name(), "glorot_normal");
        assert_eq!(Init::HeNormal.name(), "he_normal");
        assert_eq!(Init::LecunNormal.name(), "lecun_normal");
        assert_eq!(
            Init::trunc_normal(0.0, 1.0, -2.0, 2.0).name(),
            "trunc_normal"
        );
        assert!(!Init::trunc_normal(0.0, 1.0, -2.0, 2.0).needs_fans());
        assert!(!Init::Normal {
            mean: 0.0,
            std: 1.0
        }
        .needs_fans());
        assert!(Init::GlorotNormal.needs_fans() && Init::xavier_normal(1.0).needs_fans());
        // rank-1 shapes work for rules without fans
        let key = crate::Key::new(0).tensor("b");
        let v: Vec<f32> = Init::Normal {
            mean: 0.0,
            std: 1.0,
        }
        .alloc(&[10], crate::Layout::Torch, &key)
        .unwrap();
        assert_eq!(v.len(), 10);
    }

    #[test]
    fn zero_gain_gives_zeros() {
        assert_eq!(
            Init::xavier_uniform(0.0).distribution(Fans::new(3, 4)),
            Ok(Distribution::zeros())
        );
    }
}
