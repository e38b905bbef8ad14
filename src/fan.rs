//! Fans: how many inputs feed each output unit (fan_in) and how many outputs each input feeds
//! (fan_out), read from a weight's shape.
//!
//! The shape rules are `const fn`s: `network!` computes every tensor's fans at compile time with
//! [`Fans::torch`].

use crate::{Error, Result};

/// A weight's fan-in and fan-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fans {
    /// Inputs per output unit.
    pub fan_in: usize,
    /// Outputs per input unit.
    pub fan_out: usize,
}

/// How to read fans from a shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// PyTorch: `(out, in/groups, *kernel)`. fan_in = `shape[1]·∏shape[2..]`,
    /// fan_out = `shape[0]·∏shape[2..]`.
    #[default]
    Torch,
    /// JAX/Keras: `(*kernel, in, out)`. fan_in = `shape[-2]·∏shape[..-2]`,
    /// fan_out = `shape[-1]·∏shape[..-2]`.
    Jax,
    /// Explicit axes (negative counts from the end, as in JAX's `in_axis`/`out_axis`); every
    /// other axis is a receptive-field axis.
    Axes {
        /// The input-feature axis.
        in_axis: isize,
        /// The output-feature axis.
        out_axis: isize,
    },
}

/// The product of `dims`, or [`Error::ShapeOverflow`].
pub const fn numel(dims: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    let mut i = 0;
    while i < dims.len() {
        n = match n.checked_mul(dims[i]) {
            Some(v) => v,
            None => return Err(Error::ShapeOverflow),
        };
        i += 1;
    }
    Ok(n)
}

const fn resolve_axis(axis: isize, rank: usize) -> Result<usize> {
    let r = rank as isize;
    if axis >= r || axis < -r {
        return Err(Error::InvalidAxis);
    }
    Ok(if axis < 0 {
        (r + axis) as usize
    } else {
        axis as usize
    })
}

impl Fans {
    /// Fans given directly.
    pub const fn new(fan_in: usize, fan_out: usize) -> Self {
        Fans { fan_in, fan_out }
    }

    /// PyTorch's rule (`torch.nn.init._calculate_fan_in_and_fan_out`). Rank < 2 is an error.
    ///
    /// ```
    /// use glorot::Fans;
    /// // Conv2d(3 → 64, 7×7): weight (64, 3, 7, 7)
    /// assert_eq!(Fans::torch(&[64, 3, 7, 7])?, Fans::new(3 * 49, 64 * 49));
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub const fn torch(shape: &[usize]) -> Result<Fans> {
        if shape.len() < 2 {
            return Err(Error::RankTooLow {
                rank: shape.len(),
                min: 2,
            });
        }
        Self::from_axes(shape, 1, 0)
    }

    /// JAX's default rule (`in_axis=-2`, `out_axis=-1`). Rank < 2 is an error.
    ///
    /// ```
    /// use glorot::Fans;
    /// // flax Conv 3×3, 16 → 32: kernel (3, 3, 16, 32)
    /// assert_eq!(Fans::jax(&[3, 3, 16, 32])?, Fans::new(9 * 16, 9 * 32));
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub const fn jax(shape: &[usize]) -> Result<Fans> {
        if shape.len() < 2 {
            return Err(Error::RankTooLow {
                rank: shape.len(),
                min: 2,
            });
        }
        Self::from_axes(shape, -2, -1)
    }

    /// Explicit in/out axes; the receptive field is the product of all other axes.
    pub const fn from_axes(shape: &[usize], in_axis: isize, out_axis: isize) -> Result<Fans> {
        let rank = shape.len();
        let i = match resolve_axis(in_axis, rank) {
            Ok(v) => v,
            Err(e) => return Err(e),
        };
        let o = match resolve_axis(out_axis, rank) {
            Ok(v) => v,
            Err(e) => return Err(e),
        };
        if i == o {
            return Err(Error::InvalidAxis);
        }
        let mut receptive: usize = 1;
        let mut d = 0;
        while d < rank {
            if d != i && d != o {
                receptive = match receptive.checked_mul(shape[d]) {
                    Some(v) => v,
                    None => return Err(Error::ShapeOverflow),
                };
            }
            d += 1;
        }
        let fan_in = match shape[i].checked_mul(receptive) {
            Some(v) => v,
            None => return Err(Error::ShapeOverflow),
        };
        let fan_out = match shape[o].checked_mul(receptive) {
            Some(v) => v,
            None => return Err(Error::ShapeOverflow),
        };
        // The whole tensor must be addressable too.
        if let Err(e) = numel(shape) {
            return Err(e);
        }
        Ok(Fans { fan_in, fan_out })
    }

    /// Fans by `layout`.
    pub const fn from_shape(shape: &[usize], layout: Layout) -> Result<Fans> {
        match layout {
            Layout::Torch => Self::torch(shape),
            Layout::Jax => Self::jax(shape),
            Layout::Axes { in_axis, out_axis } => Self::from_axes(shape, in_axis, out_axis),
        }
    }

    /// The fan a mode selects, as `f64` (exact below 2^53).
    pub fn select(&self, mode: FanMode) -> Result<f64> {
        let (fi, fo) = (self.fan_in as f64, self.fan_out as f64);
        let fan = match mode {
            FanMode::FanIn => fi,
            FanMode::FanOut => fo,
            FanMode::FanAvg => (fi + fo) / 2.0,
            FanMode::FanGeoAvg => (fi * fo).sqrt(),
        };
        if fan > 0.0 {
            Ok(fan)
        } else {
            Err(Error::ZeroFan)
        }
    }
}

/// Which fan a variance-scaled initializer divides by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FanMode {
    /// fan_in: preserves the variance of activations in the forward pass (PyTorch's default).
    #[default]
    FanIn,
    /// fan_out: preserves the variance of gradients in the backward pass.
    FanOut,
    /// (fan_in + fan_out) / 2: Glorot & Bengio's compromise.
    FanAvg,
    /// √(fan_in · fan_out) (JAX's `fan_geo_avg`).
    FanGeoAvg,
}

impl FanMode {
    /// Parses `fan_in`, `fan_out`, `fan_avg`, `fan_geo_avg`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "fan_in" => Ok(FanMode::FanIn),
            "fan_out" => Ok(FanMode::FanOut),
            "fan_avg" => Ok(FanMode::FanAvg),
            "fan_geo_avg" => Ok(FanMode::FanGeoAvg),
            _ => Err(Error::UnknownName),
        }
    }

    /// The name [`FanMode::parse`] accepts.
    pub const fn name(self) -> &'static str {
        match self {
            FanMode::FanIn => "fan_in",
            FanMode::FanOut => "fan_out",
            FanMode::FanAvg => "fan_avg",
            FanMode::FanGeoAvg => "fan_geo_avg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_rule() {
        assert_eq!(Fans::torch(&[10, 20]), Ok(Fans::new(20, 10)));
        assert_eq!(Fans::torch(&[8, 4, 3, 3]), Ok(Fans::new(36, 72)));
        assert_eq!(
            Fans::torch(&[5]),
            Err(Error::RankTooLow { rank: 1, min: 2 })
        );
        assert_eq!(Fans::torch(&[]), Err(Error::RankTooLow { rank: 0, min: 2 }));
    }

    #[test]
    fn jax_rule_and_axes() {
        assert_eq!(Fans::jax(&[784, 1000]), Ok(Fans::new(784, 1000)));
        assert_eq!(Fans::jax(&[5, 5, 3, 8]), Ok(Fans::new(75, 200)));
        assert_eq!(Fans::from_axes(&[2, 3, 4], 0, -1), Ok(Fans::new(6, 12)));
        assert_eq!(Fans::from_axes(&[2, 3], 0, 0), Err(Error::InvalidAxis));
        assert_eq!(Fans::from_axes(&[2, 3], 2, 0), Err(Error::InvalidAxis));
        assert_eq!(Fans::from_axes(&[2, 3], 0, -3), Err(Error::InvalidAxis));
    }

    #[test]
    fn overflow_is_an_error() {
        let big = usize::MAX / 2;
        assert_eq!(Fans::torch(&[2, big, 3]), Err(Error::ShapeOverflow));
        assert_eq!(Fans::torch(&[big, 1, 1, 1, 3]), Err(Error::ShapeOverflow));
        assert_eq!(numel(&[big, 3]), Err(Error::ShapeOverflow));
        assert_eq!(numel(&[]), Ok(1));
    }

    #[test]
    fn zero_fan_is_an_error_only_when_selected() {
        let f = Fans::torch(&[0, 5]).unwrap();
        assert_eq!(f.select(FanMode::FanIn), Ok(5.0));
        assert_eq!(f.select(FanMode::FanOut), Err(Error::ZeroFan));
        assert_eq!(f.select(FanMode::FanGeoAvg), Err(Error::ZeroFan));
    }

    #[test]
    fn fans_are_const() {
        const F: Fans = match Fans::torch(&[3, 4, 5]) {
            Ok(f) => f,
            Err(_) => panic!(),
        };
        assert_eq!(F, Fans::new(20, 15));
    }
}
