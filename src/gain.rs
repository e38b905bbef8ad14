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
/// (default 0.01, ignored by the others), exactly as in PyTorch. A `const fn`, so `network!`
/// evaluates it at compile time.
///
/// ```
/// use glorot::{calculate_gain, Nonlinearity};
/// assert_eq!(calculate_gain(Nonlinearity::Tanh, None)?, 5.0 / 3.0);
/// assert_eq!(calculate_gain(Nonlinearity::Relu, None)?, 2f64.sqrt());
/// assert_eq!(calculate_gain(Nonlinearity::LeakyRelu, None)?, 1.4141428569978354);
/// const RELU: f64 = match calculate_gain(Nonlinearity::Relu, None) {
///     Ok(g) => g,
///     Err(_) => panic!(),
/// };
/// assert_eq!(RELU, std::f64::consts::SQRT_2);
/// # Ok::<(), glorot::Error>(())
/// ```
pub const fn calculate_gain(nonlinearity: Nonlinearity, param: Option<f64>) -> Result<f64> {
    let slope = match param {
        Some(s) => s,
        None => 0.01,
    };
    if matches!(nonlinearity, Nonlinearity::LeakyRelu) && !slope.is_finite() {
        return Err(Error::InvalidSlope);
    }
    Ok(gain_unchecked(nonlinearity, slope))
}

/// [`calculate_gain`] without the slope check: PyTorch's expressions, evaluated with the
/// correctly rounded [`sqrt`] (so bit-equal to the run-time `f64::sqrt` PyTorch's `math.sqrt`
/// matches). The `network!` builder records gains through it; a non-finite slope is then
/// reported when the tensor is filled, by [`calculate_gain`].
pub(crate) const fn gain_unchecked(nonlinearity: Nonlinearity, slope: f64) -> f64 {
    use Nonlinearity::*;
    match nonlinearity {
        Linear | Conv1d | Conv2d | Conv3d | ConvTranspose1d | ConvTranspose2d | ConvTranspose3d
        | Sigmoid => 1.0,
        Tanh => 5.0 / 3.0,
        Relu => sqrt(2.0),
        LeakyRelu => sqrt(2.0 / (1.0 + slope * slope)),
        Selu => 3.0 / 4.0,
    }
}

/// `f64::sqrt`, correctly rounded (so bit-equal to the run-time `sqrt`), usable in `const`
/// contexts: gains, PyTorch's default bounds and `network!` arguments such as
/// `normal(std = 0.02 / sqrt(24.0))` are computed at compile time with the bits PyTorch's
/// `math.sqrt` gives. Negative and NaN inputs give NaN, `+∞` gives `+∞`.
pub const fn sqrt(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 || x == f64::INFINITY {
        return x;
    }
    // Scale subnormals into the normal range; sqrt halves the exponent, so scale by 2^128.
    if x < f64::MIN_POSITIVE {
        return sqrt(x * pow2(128)) * pow2(-64);
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let mut m = ((bits & ((1u64 << 52) - 1)) | (1u64 << 52)) as u128; // 53-bit significand
    let mut e = biased - 1075; // x = m · 2^e
    if e & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    // sqrt(x) = sqrt(m · 2^58) · 2^((e - 58) / 2); m · 2^58 < 2^112, so its root has 55–56 bits.
    let big = m << 58;
    let r = isqrt(big);
    let exact = r * r == big;
    let bits_r = 128 - r.leading_zeros() as i64;
    let shift = bits_r - 53;
    let mut q = (r >> shift) as u64;
    let low = r & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if low > half || (low == half && (!exact || q & 1 == 1)) {
        q += 1;
    }
    (q as f64) * pow2((e - 58) / 2 + shift)
}

/// 2^k for k in the normal range.
const fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// ⌊√n⌋ by the bit-by-bit method.
const fn isqrt(n: u128) -> u128 {
    let mut rem = n;
    let mut root: u128 = 0;
    let mut bit: u128 = 1 << 126;
    while bit > n {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= root + bit {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    root
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
    fn sqrt_is_correctly_rounded() {
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let x = f64::from_bits(s >> 2); // positive, all exponents
            if x.is_finite() {
                assert_eq!(sqrt(x).to_bits(), x.sqrt().to_bits(), "{x:e}");
            }
        }
        for x in [
            1.0,
            2.0,
            3.0,
            4.0,
            24.0,
            96.0,
            0.5,
            1e-310,
            5e-324,
            f64::MAX,
        ] {
            assert_eq!(sqrt(x).to_bits(), x.sqrt().to_bits(), "{x:e}");
        }
        assert!(sqrt(-1.0).is_nan());
        assert_eq!(sqrt(0.0), 0.0);
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
