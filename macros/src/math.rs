//! Const float helpers: a correctly rounded square root and PyTorch's `calculate_gain`.

use crate::spec::Act;

/// `f64::sqrt`, correctly rounded (so bit-equal to the runtime `sqrt`), usable in `const`
/// contexts (`normal(std = 0.02 / sqrt(24.0))`). Negative and NaN inputs give NaN, `+∞` gives
/// `+∞`.
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

/// PyTorch's `calculate_gain(nonlinearity, param)`, same expressions and so the same bits as
/// `glorot::calculate_gain`. `slope` is leaky ReLU's negative slope (PyTorch default 0.01).
pub const fn gain(act: Act, slope: f64) -> f64 {
    match act {
        Act::Linear
        | Act::Conv1d
        | Act::Conv2d
        | Act::Conv3d
        | Act::ConvTranspose1d
        | Act::ConvTranspose2d
        | Act::ConvTranspose3d
        | Act::Sigmoid => 1.0,
        Act::Tanh => 5.0 / 3.0,
        Act::Relu => sqrt(2.0),
        Act::LeakyRelu => sqrt(2.0 / (1.0 + slope * slope)),
        Act::Selu => 3.0 / 4.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn gains_match_pytorch() {
        assert_eq!(gain(Act::Tanh, 0.01), 1.6666666666666667);
        assert_eq!(gain(Act::Relu, 0.01), std::f64::consts::SQRT_2);
        assert_eq!(gain(Act::LeakyRelu, 0.01), 1.4141428569978354);
        assert_eq!(gain(Act::LeakyRelu, 10.0), 0.14071950894605836);
        assert_eq!(gain(Act::Selu, 0.01), 0.75);
    }
}
