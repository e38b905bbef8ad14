//! Gains: the factor that compensates for how a nonlinearity shrinks or grows variance
//! (PyTorch's `torch.nn.init.calculate_gain`, same values to the last bit).

use crate::{Error, Result};

/// A nonlinearity, as named by PyTorch's `calculate_gain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nonlinearity {
    /// Identity. Gain 1.
    Linear,
    /// Gain 1.
    Conv1d,
    /// Gain 1.
    Conv2d,
    /// Gain 1.
    Conv3d,
    /// Gain 1.
    ConvTranspose1d,
    /// Gain 1.
    ConvTranspose2d,
    /// Gain 1.
    ConvTranspose3d,
    /// Gain 1.
    Sigmoid,
    /// Gain 5/3.
    Tanh,
    /// Gain √2 (He et al. 2015).
    Relu,
    /// Gain √(2 / (1 + slope²)); the slope is the `param` of [`calculate_gain`], default 0.01.
    LeakyRelu,
    /// Gain 3/4 (the value PyTorch uses for self-normalising networks).
    Selu,
}

impl Nonlinearity {
    /// Parses PyTorch's names: `linear`, `conv1d`, …, `conv_transpose3d`, `sigmoid`, `tanh`,
    /// `relu`, `leaky_relu`, `selu`.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "linear" => Nonlinearity::Linear,
            "conv1d" => Nonlinearity::Conv1d,
            "conv2d" => Nonlinearity::Conv2d,
            "conv3d" => Nonlinearity::Conv3d,
            "conv_transpose1d" => Nonlinearity::ConvTranspose1d,
            "conv_transpose2d" => Nonlinearity::ConvTranspose2d,
            "conv_transpose3d" => Nonlinearity::ConvTranspose3d,
            "sigmoid" => Nonlinearity::Sigmoid,
            "tanh" => Nonlinearity::Tanh,
            "relu" => Nonlinearity::Relu,
            "leaky_relu" => Nonlinearity::LeakyRelu,
            "selu" => Nonlinearity::Selu,
            _ => return Err(Error::UnknownName),
        })
    }

    /// The PyTorch name.
    pub const fn name(self) -> &'static str {
        match self {
            Nonlinearity::Linear => "linear",
            Nonlinearity::Conv1d => "conv1d",
            Nonlinearity::Conv2d => "conv2d",
            Nonlinearity::Conv3d => "conv3d",
            Nonlinearity::ConvTranspose1d => "conv_transpose1d",
            Nonlinearity::ConvTranspose2d => "conv_transpose2d",
            Nonlinearity::ConvTranspose3d => "conv_transpose3d",
            Nonlinearity::Sigmoid => "sigmoid",
            Nonlinearity::Tanh => "tanh",
            Nonlinearity::Relu => "relu",
            Nonlinearity::LeakyRelu => "leaky_relu",
            Nonlinearity::Selu => "selu",
        }
    }
}

/// The recommended gain for `nonlinearity`; `param` is leaky ReLU's negative slope
/// (default 0.01, ignored by the others), exactly as in PyTorch.
///
/// ```
/// use glorot::{calculate_gain, Nonlinearity};
/// assert_eq!(calculate_gain(Nonlinearity::Tanh, None)?, 5.0 / 3.0);
/// assert_eq!(calculate_gain(Nonlinearity::Relu, None)?, 2f64.sqrt());
/// assert_eq!(calculate_gain(Nonlinearity::LeakyRelu, None)?, 1.4141428569978354);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn calculate_gain(nonlinearity: Nonlinearity, param: Option<f64>) -> Result<f64> {
    use Nonlinearity::*;
    Ok(match nonlinearity {
        Linear | Conv1d | Conv2d | Conv3d | ConvTranspose1d | ConvTranspose2d | ConvTranspose3d
        | Sigmoid => 1.0,
        Tanh => 5.0 / 3.0,
        Relu => 2.0f64.sqrt(),
        LeakyRelu => {
            let slope = param.unwrap_or(0.01);
            // A slope whose square overflows (|a| > 1.3e154) would give a gain of exactly 0
            // and an all-zero tensor; PyTorch's `a ** 2` raises OverflowError there.
            if !(slope * slope).is_finite() {
                return Err(Error::InvalidSlope);
            }
            (2.0 / (1.0 + slope * slope)).sqrt()
        }
        Selu => 3.0 / 4.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytorch_values() {
        for n in [
            "linear",
            "conv1d",
            "conv2d",
            "conv3d",
            "conv_transpose1d",
            "conv_transpose2d",
            "conv_transpose3d",
            "sigmoid",
        ] {
            let nl = Nonlinearity::parse(n).unwrap();
            assert_eq!(nl.name(), n);
            assert_eq!(calculate_gain(nl, None), Ok(1.0));
        }
        assert_eq!(
            calculate_gain(Nonlinearity::Tanh, None),
            Ok(1.6666666666666667)
        );
        assert_eq!(
            calculate_gain(Nonlinearity::Relu, None),
            Ok(std::f64::consts::SQRT_2)
        );
        assert_eq!(calculate_gain(Nonlinearity::Selu, None), Ok(0.75));
        assert_eq!(
            calculate_gain(Nonlinearity::LeakyRelu, None),
            Ok(1.4141428569978354)
        );
        assert_eq!(
            calculate_gain(Nonlinearity::LeakyRelu, Some(10.0)),
            Ok(0.14071950894605836)
        );
        assert_eq!(
            calculate_gain(Nonlinearity::LeakyRelu, Some(0.0)),
            Ok(2f64.sqrt())
        );
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(Nonlinearity::parse("gelu"), Err(Error::UnknownName));
        assert_eq!(
            calculate_gain(Nonlinearity::LeakyRelu, Some(f64::NAN)),
            Err(Error::InvalidSlope)
        );
    }
}
