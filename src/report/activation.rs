//! The activations the report can push through, with derivatives and saturation rules. The
//! type is [`crate::model::Activation`] (what a `network!` layer's `act = …` records); this
//! file adds what running it takes.

use super::ReportError;
pub use crate::model::Activation;
use crate::{FanMode, Init, Nonlinearity};

/// SELU's λ and α (PyTorch's `nn.SELU`, Klambauer et al. 2017).
const SELU_SCALE: f32 = 1.050_701;
const SELU_ALPHA: f32 = 1.673_263_2;

impl Activation {
    /// Parses `tanh`, `softsign`, `sigmoid`, `relu`, `leaky_relu` (slope 0.01, PyTorch's
    /// default), `leaky_relu:SLOPE`, `gelu`, `linear` (or `identity`), `selu`.
    pub fn parse(s: &str) -> Result<Activation, ReportError> {
        Ok(match s {
            "tanh" => Activation::Tanh,
            "softsign" => Activation::Softsign,
            "sigmoid" => Activation::Sigmoid,
            "relu" => Activation::Relu,
            "leaky_relu" => Activation::LeakyRelu(0.01),
            "gelu" => Activation::Gelu,
            "linear" | "identity" => Activation::Linear,
            "selu" => Activation::Selu,
            _ => {
                if let Some(slope) = s.strip_prefix("leaky_relu:") {
                    let a: f64 = slope.parse().map_err(|_| {
                        ReportError::Invalid(format!("bad leaky_relu slope `{slope}`"))
                    })?;
                    let act = Activation::LeakyRelu(a);
                    act.check()?;
                    return Ok(act);
                }
                return Err(ReportError::Invalid(format!(
                    "unknown activation `{s}` (tanh, softsign, sigmoid, relu, leaky_relu, \
                     leaky_relu:SLOPE, gelu, linear, selu)"
                )));
            }
        })
    }

    /// Rejects a non-finite or negative leaky-ReLU slope.
    pub fn check(&self) -> Result<(), ReportError> {
        match *self {
            Activation::LeakyRelu(a) if !(a.is_finite() && a >= 0.0) => Err(ReportError::Invalid(
                format!("leaky_relu slope must be finite and ≥ 0, got {a}"),
            )),
            _ => Ok(()),
        }
    }

    /// PyTorch's `calculate_gain` for this activation; `None` for softsign and GELU, which it
    /// does not know.
    pub fn torch_gain(&self) -> Option<f64> {
        match *self {
            Activation::Tanh => Some(5.0 / 3.0),
            Activation::Sigmoid | Activation::Linear => Some(1.0),
            Activation::Selu => Some(0.75),
            Activation::Relu => Some(2f64.sqrt()),
            Activation::LeakyRelu(a) => Some((2.0 / (1.0 + a * a)).sqrt()),
            Activation::Softsign | Activation::Gelu => None,
        }
    }

    /// ReLU, leaky ReLU and GELU: the layers He et al.'s init is for.
    pub fn is_rectifier(&self) -> bool {
        matches!(
            self,
            Activation::Relu | Activation::LeakyRelu(_) | Activation::Gelu
        )
    }

    /// He et al.'s init for a layer followed by this activation: `kaiming_normal_(a, fan_in)`
    /// with `nonlinearity = relu / leaky_relu`; GELU takes ReLU's gain √2 (PyTorch has no GELU
    /// gain; GELU is ReLU for large |s|); other activations take gain 1 (`linear`).
    pub fn he_init(&self) -> Init {
        let (a, nonlinearity) = match *self {
            Activation::Relu | Activation::Gelu => (0.0, Nonlinearity::Relu),
            Activation::LeakyRelu(a) => (a, Nonlinearity::LeakyRelu),
            _ => (0.0, Nonlinearity::Linear),
        };
        Init::KaimingNormal {
            a,
            mode: FanMode::FanIn,
            nonlinearity,
        }
    }

    /// `f(s)`.
    #[inline]
    pub fn apply(&self, s: f32) -> f32 {
        match *self {
            Activation::Tanh => s.tanh(),
            Activation::Softsign => s / (1.0 + s.abs()),
            Activation::Sigmoid => 1.0 / (1.0 + (-s).exp()),
            Activation::Relu => s.max(0.0),
            Activation::LeakyRelu(a) => {
                if s >= 0.0 {
                    s
                } else {
                    a as f32 * s
                }
            }
            Activation::Gelu => s * phi_cdf(s),
            Activation::Linear => s,
            Activation::Selu => {
                if s > 0.0 {
                    SELU_SCALE * s
                } else {
                    SELU_SCALE * SELU_ALPHA * s.exp_m1()
                }
            }
        }
    }

    /// `f′(s)`, given `s` and `z = f(s)` (the subgradient 1 at 0 for the rectifiers, as
    /// PyTorch's autograd uses 0 for ReLU at 0: the set has measure zero for random inputs).
    #[inline]
    pub fn derivative(&self, s: f32, z: f32) -> f32 {
        match *self {
            Activation::Tanh => 1.0 - z * z,
            Activation::Softsign => {
                let d = 1.0 + s.abs();
                1.0 / (d * d)
            }
            Activation::Sigmoid => z * (1.0 - z),
            Activation::Relu => {
                if s > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu(a) => {
                if s > 0.0 {
                    1.0
                } else {
                    a as f32
                }
            }
            Activation::Gelu => {
                phi_cdf(s)
                    + s * (-0.5 * s * s).exp() * std::f32::consts::FRAC_2_SQRT_PI * 0.5
                        / std::f32::consts::SQRT_2
            }
            Activation::Linear => 1.0,
            Activation::Selu => {
                if s > 0.0 {
                    SELU_SCALE
                } else {
                    SELU_SCALE * SELU_ALPHA * s.exp()
                }
            }
        }
    }

    /// Whether `z = f(s)` counts as saturated: `|z| > 0.9` for tanh and softsign (Glorot &
    /// Bengio's criterion for tanh), `z < 0.1` or `z > 0.9` for sigmoid, `s ≤ 0` (zero or
    /// `slope` gradient) for ReLU and leaky ReLU. `None`: GELU, SELU and linear have no
    /// saturated region in that sense.
    pub fn saturation(&self) -> Option<fn(f32, f32) -> bool> {
        match self {
            Activation::Tanh | Activation::Softsign => Some(|_, z| z.abs() > 0.9),
            Activation::Sigmoid => Some(|_, z| !(0.1..=0.9).contains(&z)),
            Activation::Relu | Activation::LeakyRelu(_) => Some(|s, _| s <= 0.0),
            Activation::Gelu | Activation::Linear | Activation::Selu => None,
        }
    }

    /// The range of `f`, when bounded (histograms use it).
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            Activation::Tanh | Activation::Softsign => Some((-1.0, 1.0)),
            Activation::Sigmoid => Some((0.0, 1.0)),
            _ => None,
        }
    }
}

/// Φ(s), the standard normal CDF, from erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7,
/// below f32's resolution of Φ near 1).
fn phi_cdf(s: f32) -> f32 {
    let x = (s as f64) / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * x.abs());
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let erf = 1.0 - poly * (-x * x).exp();
    let erf = if x < 0.0 { -erf } else { erf };
    (0.5 * (1.0 + erf)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        let acts = [
            Activation::Tanh,
            Activation::Softsign,
            Activation::Sigmoid,
            Activation::Relu,
            Activation::LeakyRelu(0.2),
            Activation::Gelu,
            Activation::Linear,
            Activation::Selu,
        ];
        for act in acts {
            for &s in &[-2.5f32, -0.7, 0.3, 1.9] {
                let h = 1e-3f32;
                let fd = (act.apply(s + h) - act.apply(s - h)) / (2.0 * h);
                let d = act.derivative(s, act.apply(s));
                assert!((fd - d).abs() < 2e-3, "{act:?} at {s}: {fd} vs {d}");
            }
        }
    }

    #[test]
    fn gelu_values() {
        // PyTorch: torch.nn.functional.gelu(torch.tensor([1.0, -1.0]))
        assert!((Activation::Gelu.apply(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((Activation::Gelu.apply(-1.0) + 0.158_655_3).abs() < 1e-6);
    }

    #[test]
    fn parse_names() {
        assert_eq!(Activation::parse("softsign").unwrap(), Activation::Softsign);
        assert_eq!(
            Activation::parse("leaky_relu:0.2").unwrap(),
            Activation::LeakyRelu(0.2)
        );
        assert!(Activation::parse("leaky_relu:-1").is_err());
        assert!(Activation::parse("swish").is_err());
        for a in [
            "tanh",
            "softsign",
            "sigmoid",
            "relu",
            "leaky_relu",
            "gelu",
            "linear",
            "selu",
        ] {
            assert_eq!(Activation::parse(a).unwrap().name(), a);
        }
    }

    #[test]
    fn selu_values() {
        // PyTorch: torch.nn.functional.selu(torch.tensor([1.0, -1.0]))
        assert!((Activation::Selu.apply(1.0) - 1.050_701).abs() < 1e-6);
        assert!((Activation::Selu.apply(-1.0) + 1.111_330_6).abs() < 1e-6);
    }
}
