//! The one error type every fallible operation in the crate returns.

use core::fmt;

/// Everything that can go wrong when describing or filling a tensor.
///
/// The enum is small and `Copy` so it can be returned from hot paths and `const` contexts
/// without allocation. Each variant names the rule that was broken; the [`Display`](fmt::Display)
/// text says what to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A fan (fan_in, fan_out, or the fan a mode selects) is zero, so a variance-scaled bound would
    /// divide by zero.
    ZeroFan,
    /// The product of a shape's dimensions (or a fan) does not fit in `usize`.
    ShapeOverflow,
    /// The shape has fewer dimensions than the fan rule needs (`min`, usually 2).
    RankTooLow {
        /// The rank of the shape that was given.
        rank: usize,
        /// The smallest rank the rule accepts.
        min: usize,
    },
    /// An explicit in/out axis is outside the shape, or the two axes coincide; or a structured
    /// initializer's `column_axis` is outside its shape.
    InvalidAxis,
    /// A gain is NaN, infinite or negative.
    InvalidGain,
    /// A variance-scaling `scale` is NaN, infinite, zero or negative.
    InvalidScale,
    /// A leaky-ReLU negative slope is NaN or infinite, or so large that its square overflows.
    InvalidSlope,
    /// A mean or constant value is NaN or infinite.
    NonFiniteValue,
    /// A standard deviation is NaN, infinite or negative, or too small to be represented.
    InvalidStd,
    /// Bounds are non-finite, `low >= high`, or no value of the output type lies inside them.
    InvalidBounds,
    /// The output buffer's length does not match the tensor's element count.
    LengthMismatch {
        /// Elements the tensor (or block) has.
        expected: usize,
        /// Elements the buffer has.
        actual: usize,
    },
    /// The requested element range or block lies (partly) outside the tensor.
    OutOfRange,
    /// The allocator refused the buffer (size overflow or not enough memory).
    AllocationFailed,
    /// A name (nonlinearity, mode, distribution, dtype) is not one the crate knows.
    UnknownName,
    /// A structured initializer (orthogonal, sparse, dirac, eye, identity, delta-orthogonal)
    /// does not support a tensor of this rank.
    UnsupportedRank {
        /// The rank of the shape that was given.
        rank: usize,
        /// The ranks the initializer accepts, in words (`"2"`, `"2 or more"`, `"3, 4 or 5"`).
        supported: &'static str,
    },
    /// Dirac: `groups` is zero or does not divide dimension 0.
    GroupsMismatch {
        /// Dimension 0 of the shape.
        dim0: usize,
        /// The requested number of groups.
        groups: usize,
    },
    /// Delta-orthogonal: `shape[-2]` (fan in) exceeds `shape[-1]` (fan out).
    FanInExceedsFanOut {
        /// `shape[-2]`.
        fan_in: usize,
        /// `shape[-1]`.
        fan_out: usize,
    },
    /// Sparse: the sparsity is not a number in `[0, 1]`.
    InvalidSparsity,
    /// The initializer is not an elementwise distribution (orthogonal, sparse, dirac, eye,
    /// identity, delta-orthogonal): it must fill the whole tensor at once.
    NotElementwise,
    /// The output type cannot hold the values the distribution produces: some would exceed its
    /// largest finite value (65504 for f16). Reported before anything is written by the fills,
    /// the allocations and the writer's checks alike ([`crate::dist`]), never clamped.
    Unrepresentable,
    /// Every sample of a random distribution would round to the same value of the output type:
    /// the std or the interval is too small for it at that magnitude (e.g. `std = 1e-9` at
    /// `mean = 1` in f32, or a bound of 1e-100 from a huge kaiming `a`). Reported by the
    /// fills, the allocations and the writer's checks alike ([`crate::dist`]).
    TooNarrow,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::ZeroFan => f.write_str("fan is zero: a tensor with a zero-sized dimension has no variance-scaled bound"),
            Error::ShapeOverflow => f.write_str("shape overflows: the product of its dimensions does not fit in usize"),
            Error::RankTooLow { rank, min } => write!(
                f,
                "fan in and fan out can not be computed for a tensor with {rank} dimension(s); at least {min} needed"
            ),
            Error::InvalidAxis => f.write_str("invalid axis: out of range for the shape (fan axes, or a column_axis), or in_axis == out_axis"),
            Error::InvalidGain => f.write_str("gain must be finite and non-negative"),
            Error::InvalidScale => f.write_str("scale must be finite and positive"),
            Error::InvalidSlope => {
                f.write_str("negative_slope must be finite, and its square too (|a| < 1.3e154)")
            }
            Error::NonFiniteValue => f.write_str("mean and constant values must be finite"),
            Error::InvalidStd => f.write_str("std must be finite and non-negative"),
            Error::InvalidBounds => f.write_str(
                "bounds must be finite with low < high, and the output type must have a value inside them",
            ),
            Error::LengthMismatch { expected, actual } => write!(
                f,
                "buffer has {actual} elements but the tensor has {expected}"
            ),
            Error::OutOfRange => f.write_str("element range or block lies outside the tensor"),
            Error::AllocationFailed => f.write_str("allocation failed: the buffer is too large for this machine"),
            Error::UnknownName => f.write_str("unknown name (nonlinearity, mode, distribution or dtype)"),
            Error::UnsupportedRank { rank, supported } => write!(
                f,
                "only tensors with {supported} dimensions are supported; this one has {rank}"
            ),
            Error::GroupsMismatch { dim0, groups } => write!(
                f,
                "dim 0 ({dim0}) must be divisible by groups ({groups}), and groups must be at least 1"
            ),
            Error::FanInExceedsFanOut { fan_in, fan_out } => write!(
                f,
                "`fan_in` ({fan_in}) must be less or equal than `fan_out` ({fan_out}): delta-orthogonal needs shape[-2] <= shape[-1]"
            ),
            Error::InvalidSparsity => f.write_str("sparsity must be a number in [0, 1]"),
            Error::NotElementwise => f.write_str(
                "this initializer (orthogonal, sparse, dirac, eye, identity, delta_orthogonal) is not an elementwise distribution: fill the whole tensor with Init::fill or Init::alloc",
            ),
            Error::TooNarrow => f.write_str(
                "every sample would round to the same value of the dtype: the std or interval is too small for it",
            ),
            Error::Unrepresentable => f.write_str(
                "the dtype cannot hold these values: some would exceed its largest finite value (65504 for f16, about 3.4e38 for bf16 and f32)",
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T> = core::result::Result<T, Error>;
