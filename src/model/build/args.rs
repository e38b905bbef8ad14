//! Keyword-argument holders for the initializers the DSL spells with `key = value` arguments.

use crate::{FanMode, Init, Nonlinearity, VarianceDistribution};

/// `kaiming_*(a = …, mode = …, nonlinearity = …)`.
pub struct KaimingArgs {
    pub a: Option<f64>,
    pub mode: FanMode,
    pub nonlinearity: Option<Nonlinearity>,
}

impl KaimingArgs {
    pub const fn new() -> Self {
        KaimingArgs {
            a: None,
            mode: FanMode::FanIn,
            nonlinearity: None,
        }
    }
    /// With neither `a` nor `nonlinearity` given, both come from the layer's activation (NaN
    /// placeholder); otherwise PyTorch's defaults fill the gaps (`a = 0`, `leaky_relu`).
    const fn parts(&self) -> (f64, Nonlinearity) {
        match (self.a, self.nonlinearity) {
            (None, None) => (f64::NAN, Nonlinearity::LeakyRelu),
            (Some(a), None) => (a, Nonlinearity::LeakyRelu),
            (None, Some(n)) => (0.0, n),
            (Some(a), Some(n)) => (a, n),
        }
    }
    pub const fn uniform(&self) -> Init {
        let (a, nonlinearity) = self.parts();
        Init::KaimingUniform {
            a,
            mode: self.mode,
            nonlinearity,
        }
    }
    pub const fn normal(&self) -> Init {
        let (a, nonlinearity) = self.parts();
        Init::KaimingNormal {
            a,
            mode: self.mode,
            nonlinearity,
        }
    }
}

impl Default for KaimingArgs {
    fn default() -> Self {
        Self::new()
    }
}

/// `uniform(a = LOW, b = HIGH)` (PyTorch's names; `low`/`high` also accepted).
pub struct UniformArgs {
    pub a: f64,
    pub b: f64,
    pub low: f64,
    pub high: f64,
}

impl UniformArgs {
    pub const fn new() -> Self {
        UniformArgs {
            a: 0.0,
            b: 1.0,
            low: f64::NAN,
            high: f64::NAN,
        }
    }
    pub const fn build(&self) -> Init {
        Init::Uniform {
            low: if self.low.is_nan() { self.a } else { self.low },
            high: if self.high.is_nan() {
                self.b
            } else {
                self.high
            },
        }
    }
}

impl Default for UniformArgs {
    fn default() -> Self {
        Self::new()
    }
}

/// `normal(mean, std)` / `trunc_normal(mean, std, a, b)` (PyTorch defaults 0, 1, −2, 2).
pub struct NormalArgs {
    pub mean: f64,
    pub std: f64,
    pub a: f64,
    pub b: f64,
}

impl NormalArgs {
    pub const fn new() -> Self {
        NormalArgs {
            mean: 0.0,
            std: 1.0,
            a: -2.0,
            b: 2.0,
        }
    }
    pub const fn normal(&self) -> Init {
        Init::Normal {
            mean: self.mean,
            std: self.std,
        }
    }
    pub const fn trunc(&self) -> Init {
        Init::TruncNormal {
            mean: self.mean,
            std: self.std,
            a: self.a,
            b: self.b,
        }
    }
}

impl Default for NormalArgs {
    fn default() -> Self {
        Self::new()
    }
}

/// `variance_scaling(scale, mode, distribution)` (JAX defaults 1, fan_in, truncated_normal).
pub struct VarianceArgs {
    pub scale: f64,
    pub mode: FanMode,
    pub distribution: VarianceDistribution,
}

impl VarianceArgs {
    pub const fn new() -> Self {
        VarianceArgs {
            scale: 1.0,
            mode: FanMode::FanIn,
            distribution: VarianceDistribution::TruncatedNormal,
        }
    }
    pub const fn build(&self) -> Init {
        Init::VarianceScaling {
            scale: self.scale,
            mode: self.mode,
            distribution: self.distribution,
        }
    }
}

impl Default for VarianceArgs {
    fn default() -> Self {
        Self::new()
    }
}

/// `orthogonal_jax(scale, column_axis)` / `delta_orthogonal(scale, column_axis)` (JAX
/// defaults 1, −1).
pub struct OrthogonalArgs {
    pub scale: f64,
    pub column_axis: isize,
}

impl OrthogonalArgs {
    pub const fn new() -> Self {
        OrthogonalArgs {
            scale: 1.0,
            column_axis: -1,
        }
    }
    pub const fn jax(&self) -> Init {
        Init::OrthogonalJax {
            scale: self.scale,
            column_axis: self.column_axis,
        }
    }
    pub const fn delta(&self) -> Init {
        Init::DeltaOrthogonal {
            scale: self.scale,
            column_axis: self.column_axis,
        }
    }
}

impl Default for OrthogonalArgs {
    fn default() -> Self {
        Self::new()
    }
}

/// `sparse(sparsity, std)` (PyTorch: `sparsity` required, `std = 0.01`).
pub struct SparseArgs {
    /// NaN until given: a missing sparsity is a compile error naming it.
    pub sparsity: f64,
    pub std: f64,
}

impl SparseArgs {
    pub const fn new() -> Self {
        SparseArgs {
            sparsity: f64::NAN,
            std: 0.01,
        }
    }
    pub const fn build(&self) -> Init {
        if self.sparsity.is_nan() {
            panic!("network!: sparse needs its sparsity: `sparse(sparsity = 0.1)` or `sparse(sparsity = 0.1, std = 0.01)`");
        }
        Init::Sparse {
            sparsity: self.sparsity,
            std: self.std,
        }
    }
}

impl Default for SparseArgs {
    fn default() -> Self {
        Self::new()
    }
}
