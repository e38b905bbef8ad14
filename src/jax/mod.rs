//! JAX's uniform initializers, bit for bit: `jax.random.uniform` and
//! `jax.nn.initializers.{glorot,he,lecun}_uniform`, `variance_scaling(…, "uniform")` and
//! `uniform(scale)`, in `f32`, `bf16`, `f16` and `f64`, computed in parallel and with SIMD, and
//! by slices so shards never materialise the whole tensor.
//!
//! ```
//! use glorot::jax::{self, JaxInit, JaxKey};
//!
//! // flax.linen.Dense(1000) on 784 inputs: kernel (784, 1000), `glorot_uniform`-style
//! // initializers receive the layer's key. Here: the key of `jax.random.key(0)`.
//! let key = JaxKey::from_seed(0);
//! let w: Vec<f32> = jax::alloc(&JaxInit::glorot_uniform(), &[784, 1000], key)?;
//! // == jax.nn.initializers.glorot_uniform()(jax.random.key(0), (784, 1000), jnp.float32)
//! assert_eq!(w.len(), 784_000);
//!
//! // Keys split or folded in JAX are reproduced too:
//! let [_, sub] = <[JaxKey; 2]>::try_from(key.split(2)).unwrap(); // jax.random.split(key)
//! let b: Vec<f32> = jax::alloc(&JaxInit::uniform_range(-0.5, 0.5), &[3, 5], sub.fold_in(7))?;
//! // == jax.random.uniform(jax.random.fold_in(sub, 7), (3, 5), jnp.float32, -0.5, 0.5)
//! assert!(b.iter().all(|&x| (-0.5..0.5).contains(&x)));
//! # Ok::<(), glorot::Error>(())
//! ```
//!
//! This mode is separate from the rest of the crate: it does not use glorot's ChaCha streams
//! or tensor names. Each tensor is a pure function of ([`JaxKey`], shape, dtype, initializer),
//! exactly as in JAX, so the same key and shape give the same tensor whatever it is called.
//!
//! # The convention, from JAX's source
//!
//! Followed: JAX ≥ 0.5 defaults, i.e. the `threefry2x32` PRNG (`jax_default_prng_impl`) with
//! `jax_threefry_partitionable = True`. Checked against jax 0.10.2 (`tests/jax.rs`). Sources:
//! `jax/_src/random/threefry2x32.py`, `jax/_src/random/prng.py`, `jax/_src/random/core.py`,
//! `jax/_src/nn/initializers.py`.
//!
//! - **Key.** Two `u32` words (`jax.random.key_data(key)`). `jax.random.key(seed)` and
//!   `PRNGKey(seed)` give `[seed >> 32, seed & 0xFFFFFFFF]` ([`JaxKey::from_seed`]).
//! - **Bits.** Element `i` (row-major flat index) hashes the counter `(i >> 32, i mod 2³²)`
//!   (`iota_2x32_shape`) with Threefry-2x32-20 into `(b₁, b₂)`
//!   (`_threefry_random_bits_partitionable`). 32-bit bits are `b₁ ^ b₂`; 64-bit bits are
//!   `b₁ << 32 | b₂`; 16- and 8-bit bits are the low 16 / 8 bits of `b₁ ^ b₂`.
//! - **Floats in [0, 1)** (`_uniform`): `bits >> (nbits − nmant) | bits_of(1.0)`, bitcast, − 1.
//!   `f32` uses 23 of its 32 bits, `f64` 52 of 64, `f16` 10 of 16. `bf16` has 7 < 8 mantissa
//!   bits, so JAX draws only **8** bits (the low byte of `b₁ ^ b₂`) and keeps 7 of them: a JAX
//!   `bf16` uniform takes one of 128 values.
//! - **Range** (`_uniform`): `max(minval, floats·(maxval − minval) + minval)`, with `minval`,
//!   `maxval` converted to the dtype first. The arithmetic is XLA:CPU's, measured against jax:
//!   in `f32`/`f64` the multiply-add is **one fused FMA** (XLA contracts it; a separate multiply
//!   and add differ in about half of the elements for general bounds); in `bf16`/`f16` every
//!   operation is done in `f32` and rounded back to the 16-bit type. For the initializers
//!   (`minval = −1`, `maxval = 1`) every step is exact, so neither detail can matter there.
//! - **Initializers** (`variance_scaling`, `distribution="uniform"`):
//!   `uniform(key, shape, dtype, −1, 1) * sqrt(3 * variance)` with
//!   `variance = jnp.array(scale / denominator, dtype)`: the quotient in Python `float` (`f64`),
//!   rounded to the dtype (for `bf16` through `f32`, as ml_dtypes does; `f16` directly, as NumPy
//!   does), then `3 * variance`, `sqrt` and the final product each in the dtype (16-bit ones via
//!   `f32` and rounded). Fans are `_compute_fans`' (in Python `float`): `receptive = numel /
//!   in_size / out_size / batch_size`, `fan_in = in_size · receptive`, `fan_out = out_size ·
//!   receptive`; `glorot_uniform` = (1, `fan_avg`), `he_uniform` = (2, `fan_in`),
//!   `lecun_uniform` = (1, `fan_in`). `uniform(scale)` is `uniform(key, shape, dtype) *
//!   jnp.array(scale, dtype)`.
//! - **Constants** (`constant(value)`, `zeros`, `ones`): `jnp.full(shape, value, dtype)`, the
//!   key unused; the Python float is converted as `jnp.array(value, dtype)` converts it (as
//!   `variance` above), not as a bound (below).
//! - **Split and fold-in** ([`JaxKey::split`], [`JaxKey::fold_in`]): `split(key, n)[i]` is the
//!   pair `threefry2x32(key, (i >> 32, i mod 2³²))` (`_threefry_split_foldlike`), `fold_in(key,
//!   d)` is `threefry2x32(key, (0, d))` (`_threefry_fold_in`).
//!
//! Bounds given as Python floats (`minval`, `maxval` of [`JaxInit::Uniform`]) reach the
//! computation as JAX's default 32-bit mode passes them: rounded to `f32` first, then to the
//! dtype. `f64` outputs exist only with `jax_enable_x64`, where they are used as `f64`.
//!
//! # What is not reproduced
//!
//! - The **normal family** (`glorot_normal`, `he_normal`, `lecun_normal`, `normal`,
//!   `truncated_normal`) is out of scope: JAX maps uniform floats through `lax.erf_inv`, whose
//!   result is XLA's own polynomial approximation, not a correctly rounded function, so matching
//!   it bit for bit would mean copying XLA's kernel (and its per-backend variants).
//! - The FMA rule above is XLA:CPU's on a CPU with FMA (every x86-64-v3 machine, every
//!   AArch64). JAX itself gives other `f32`/`f64` bits for general `minval`/`maxval` where XLA
//!   does not fuse; the initializers are unaffected (their steps are exact).
//! - `jax_threefry_partitionable = False` (the pre-0.5 default), other PRNG implementations
//!   (`rbg`, `unsafe_rbg`), complex dtypes, and keys of other shapes.
//! - Degenerate inputs JAX accepts but that yield NaN are errors here ([`Error`]); see each
//!   variant of [`JaxInit`].
//!
//! # Performance
//!
//! Threefry runs on 16 counters at once in plain `u32` arrays that the compiler vectorises (an
//! AVX2+FMA copy is chosen at run time on x86_64); the element range is split into 64 Ki-element
//! tasks at fixed positions of the index space by the crate's own chunk driver (the one every
//! glorot fill uses) and run on the current rayon pool.
//! `cargo run --release --example jax_speed` compares it with the crate's own `xavier_uniform`
//! and with jax.

mod threefry;
mod uniform;

use core::mem::MaybeUninit;

use crate::{bf16, f16, DType, Element, Error, FanMode, Level, Result};
use uniform::{fill_bf16, fill_f16, fill_f32, fill_f64, Consts};

/// A JAX PRNG key for the default `threefry2x32` implementation: its two 32-bit words, as
/// `jax.random.key_data(key)` returns them (`jax.random.wrap_key_data(words)` goes back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JaxKey([u32; 2]);

impl JaxKey {
    /// The key with these words (`jax.random.wrap_key_data(jnp.array(words, jnp.uint32))`).
    pub const fn from_words(words: [u32; 2]) -> Self {
        JaxKey(words)
    }

    /// The key's two words (`jax.random.key_data(key)`).
    pub const fn words(self) -> [u32; 2] {
        self.0
    }

    /// `jax.random.key(seed)` (and `jax.random.PRNGKey(seed)`): `[seed >> 32, seed as u32]`
    /// (`threefry_seed`).
    ///
    /// Equal to JAX for every seed in `0..2³²`. Larger and negative seeds depend on JAX's mode:
    /// with `jax_enable_x64` JAX uses all 64 bits of the seed, which is this function (pass a
    /// negative `seed` as `seed as u64`); in the default 32-bit mode JAX first truncates the seed
    /// to 32 bits, which is `from_seed(seed & 0xFFFF_FFFF)`.
    pub const fn from_seed(seed: u64) -> Self {
        JaxKey([(seed >> 32) as u32, seed as u32])
    }

    /// The `i`-th key of `jax.random.split(key, n)`, for any `n > i`: with partitionable
    /// Threefry the split keys do not depend on `n`. Multi-dimensional splits
    /// (`split(key, (a, b))`) are indexed row-major.
    pub fn split_nth(self, i: u64) -> JaxKey {
        JaxKey(threefry::block(self.0, [(i >> 32) as u32, i as u32]))
    }

    /// `jax.random.split(key, num)`.
    pub fn split(self, num: usize) -> Vec<JaxKey> {
        (0..num as u64).map(|i| self.split_nth(i)).collect()
    }

    /// `jax.random.fold_in(key, data)`.
    pub fn fold_in(self, data: u32) -> JaxKey {
        JaxKey(threefry::block(self.0, [0, data]))
    }
}

/// The axes `jax.nn.initializers.variance_scaling` reads fans from (`in_axis`, `out_axis`,
/// `batch_axis`; negative values count from the end, as in Python). Every other axis is part of
/// the receptive field. The default is JAX's: `in_axis=-2`, `out_axis=-1`, no batch axis, i.e.
/// the layout `(*kernel, in, out)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JaxAxes {
    /// The input-feature axis.
    pub in_axis: isize,
    /// The output-feature axis.
    pub out_axis: isize,
    /// An axis ignored by the fans (`batch_axis`), if any.
    pub batch_axis: Option<isize>,
}

impl Default for JaxAxes {
    fn default() -> Self {
        JaxAxes {
            in_axis: -2,
            out_axis: -1,
            batch_axis: None,
        }
    }
}

/// A JAX uniform initializer. Each variant says which JAX call it equals for a key `k`, a
/// shape `s` and a dtype `d`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JaxInit {
    /// `jax.random.uniform(k, s, d, minval, maxval)`. Both must be finite with
    /// `minval < maxval`, and stay finite in `d`; else [`Error::InvalidBounds`].
    Uniform {
        /// Inclusive lower bound.
        minval: f64,
        /// Exclusive upper bound (JAX's rounding may still reach it).
        maxval: f64,
    },
    /// `jax.nn.initializers.uniform(scale)(k, s, d)` = `jax.random.uniform(k, s, d) *
    /// jnp.array(scale, d)`. `scale` must be finite and positive ([`Error::InvalidScale`]).
    ScaledUniform {
        /// The upper bound of the range `[0, scale)`.
        scale: f64,
    },
    /// `jax.nn.initializers.variance_scaling(scale, mode, "uniform", in_axis, out_axis,
    /// batch_axis)(k, s, d)`. `scale` must be finite and positive and the bound finite in `d`
    /// ([`Error::InvalidScale`]); a zero fan is [`Error::ZeroFan`], an axis outside the shape
    /// [`Error::InvalidAxis`], a rank < 2 with the default `in_axis` [`Error::RankTooLow`]
    /// (JAX's `ValueError`).
    VarianceScaling {
        /// The variance's numerator.
        scale: f64,
        /// The fan the variance divides by.
        mode: FanMode,
        /// Where the fans are read from.
        axes: JaxAxes,
    },
    /// `jax.nn.initializers.constant(value)(k, s, d)` = `jnp.full(s, value, d)` (also
    /// `zeros` and `ones`): the key is not used. `value` is converted as `jnp.array(value, d)`
    /// converts a Python float (NumPy's rounding, once from `f64`; ml_dtypes' through `f32` for
    /// `bf16`), in either of JAX's modes, and must be finite ([`Error::NonFiniteValue`]) and stay
    /// finite in `d` ([`Error::Unrepresentable`]).
    Constant {
        /// The value of every element.
        value: f64,
    },
}

impl JaxInit {
    /// `jax.nn.initializers.glorot_uniform()` (`xavier_uniform`): scale 1, `fan_avg`.
    pub const fn glorot_uniform() -> Self {
        Self::variance_scaling(1.0, FanMode::FanAvg)
    }

    /// `jax.nn.initializers.he_uniform()` (`kaiming_uniform`): scale 2, `fan_in`.
    pub const fn he_uniform() -> Self {
        Self::variance_scaling(2.0, FanMode::FanIn)
    }

    /// `jax.nn.initializers.lecun_uniform()`: scale 1, `fan_in`.
    pub const fn lecun_uniform() -> Self {
        Self::variance_scaling(1.0, FanMode::FanIn)
    }

    /// `jax.nn.initializers.variance_scaling(scale, mode, "uniform")` with the default axes.
    pub const fn variance_scaling(scale: f64, mode: FanMode) -> Self {
        JaxInit::VarianceScaling {
            scale,
            mode,
            axes: JaxAxes {
                in_axis: -2,
                out_axis: -1,
                batch_axis: None,
            },
        }
    }

    /// `jax.nn.initializers.uniform(scale)`.
    pub const fn uniform(scale: f64) -> Self {
        JaxInit::ScaledUniform { scale }
    }

    /// `jax.random.uniform(…, minval, maxval)`.
    pub const fn uniform_range(minval: f64, maxval: f64) -> Self {
        JaxInit::Uniform { minval, maxval }
    }

    /// `jax.nn.initializers.constant(value)`.
    pub const fn constant(value: f64) -> Self {
        JaxInit::Constant { value }
    }

    /// The value every element of a [`JaxInit::Constant`] gets in dtype `d`, validated.
    fn constant_value(value: f64, d: DType) -> Result<f64> {
        if !value.is_finite() {
            return Err(Error::NonFiniteValue);
        }
        // Measured against jax 0.10.2: `jnp.full` converts the Python float as NumPy does
        // (float16 rounded once from f64; bfloat16 through f32), not as a traced bound.
        let v = array(value, d);
        if !v.is_finite() {
            return Err(Error::Unrepresentable);
        }
        Ok(v)
    }

    /// The rounded constants for dtype `d`, validated.
    fn consts(&self, shape: &[usize], d: DType) -> Result<Consts> {
        match *self {
            JaxInit::Constant { value } => Ok(Consts {
                min: Self::constant_value(value, d)?,
                span: 0.0,
                mul: 1.0,
            }),
            JaxInit::Uniform { minval, maxval } => {
                if !(minval.is_finite() && maxval.is_finite() && minval < maxval) {
                    return Err(Error::InvalidBounds);
                }
                let (min, max) = (arg(minval, d), arg(maxval, d));
                let span = op(max, min, d, |a, b| a - b, |a, b| a - b);
                if !(min.is_finite() && max.is_finite() && span.is_finite()) {
                    return Err(Error::InvalidBounds);
                }
                Ok(Consts {
                    min,
                    span,
                    mul: 1.0,
                })
            }
            JaxInit::ScaledUniform { scale } => {
                if !(scale.is_finite() && scale > 0.0) {
                    return Err(Error::InvalidScale);
                }
                let mul = array(scale, d);
                if !mul.is_finite() {
                    return Err(Error::InvalidScale);
                }
                Ok(Consts {
                    min: 0.0,
                    span: 1.0,
                    mul,
                })
            }
            JaxInit::VarianceScaling { scale, mode, axes } => {
                if !(scale.is_finite() && scale > 0.0) {
                    return Err(Error::InvalidScale);
                }
                let (fan_in, fan_out) = compute_fans(shape, axes)?;
                let denominator = match mode {
                    FanMode::FanIn => fan_in,
                    FanMode::FanOut => fan_out,
                    FanMode::FanAvg => (fan_in + fan_out) / 2.0,
                    FanMode::FanGeoAvg => (fan_in * fan_out).sqrt(),
                };
                if denominator == 0.0 {
                    return Err(Error::ZeroFan);
                }
                let variance = array(scale / denominator, d);
                let three = op(3.0, variance, d, |a, b| a * b, |a, b| a * b);
                let mul = op(three, 0.0, d, |a, _| a.sqrt(), |a, _| a.sqrt());
                if !mul.is_finite() {
                    return Err(Error::InvalidScale);
                }
                Ok(Consts {
                    min: -1.0,
                    span: 2.0,
                    mul,
                })
            }
        }
    }
}

/// `_compute_fans`, in Python `float` arithmetic.
fn compute_fans(shape: &[usize], axes: JaxAxes) -> Result<(f64, f64)> {
    let rank = shape.len();
    if axes.in_axis == -2 && rank <= 1 {
        return Err(Error::RankTooLow { rank, min: 2 });
    }
    let dim = |axis: isize| -> Result<f64> {
        let r = rank as isize;
        if axis >= r || axis < -r {
            return Err(Error::InvalidAxis);
        }
        Ok(shape[if axis < 0 { r + axis } else { axis } as usize] as f64)
    };
    let in_size = dim(axes.in_axis)?;
    let out_size = dim(axes.out_axis)?;
    let batch_size = match axes.batch_axis {
        Some(a) => dim(a)?,
        None => 1.0,
    };
    if in_size == 0.0 || out_size == 0.0 || batch_size == 0.0 {
        // Python's ZeroDivisionError.
        return Err(Error::ZeroFan);
    }
    let numel = crate::fan::numel(shape)? as f64;
    let receptive = numel / in_size / out_size / batch_size;
    Ok((in_size * receptive, out_size * receptive))
}

/// `jnp.array(x, d)` of a Python float: NumPy's conversion (ml_dtypes' for bfloat16, which
/// goes through `f32`).
fn array(x: f64, d: DType) -> f64 {
    match d {
        DType::F32 => f64::from(x as f32),
        DType::F64 => x,
        DType::BF16 => bf16::from_f32(x as f32).to_f64(),
        DType::F16 => f16_from_f64(x).to_f64(),
    }
}

/// NumPy's `float64 → float16` cast: one correct rounding (nearest, ties to even) straight
/// from `f64`. (`half::f16::from_f64` is not that: it can round twice.)
fn f16_from_f64(x: f64) -> f16 {
    if x.is_nan() {
        return f16::NAN;
    }
    let sign: u16 = if x.is_sign_negative() { 0x8000 } else { 0 };
    let a = x.abs();
    // 65520 = 65504 + half an ulp; the tie goes to the even neighbour, which is +∞.
    let mag: u16 = if a >= 65520.0 {
        0x7C00
    } else if a < 2f64.powi(-14) {
        // Subnormal (or zero): a multiple of 2⁻²⁴; scaling by 2²⁴ is exact. 1024 is the
        // smallest normal's encoding, so a carry needs no special case.
        (a * 2f64.powi(24)).round_ties_even() as u16
    } else {
        let e = ((a.to_bits() >> 52) & 0x7FF) as i32 - 1023; // −14 ..= 15
        let m = (a * 2f64.powi(10 - e)).round_ties_even() as u16; // 1024 ..= 2048, exact scaling
        (((e + 15) as u16) << 10) + (m - 1024) // m = 2048 carries into the exponent
    };
    f16::from_bits(sign | mag)
}

/// A Python float passed to a jitted function in JAX's default 32-bit mode (a weak `f32`),
/// then `convert_element_type` to `d`. For `f64` (x64 mode) it stays `f64`.
fn arg(x: f64, d: DType) -> f64 {
    match d {
        DType::F32 => f64::from(x as f32),
        DType::F64 => x,
        DType::BF16 => bf16::from_f32(x as f32).to_f64(),
        DType::F16 => f16::from_f32(x as f32).to_f64(),
    }
}

/// A binary operation in dtype `d` on values of `d`: native in `f32`/`f64`, in `f32` and
/// rounded back for the 16-bit types (XLA:CPU's way).
fn op(a: f64, b: f64, d: DType, f32op: fn(f32, f32) -> f32, f64op: fn(f64, f64) -> f64) -> f64 {
    match d {
        DType::F64 => f64op(a, b),
        DType::F32 => f64::from(f32op(a as f32, b as f32)),
        DType::BF16 => bf16::from_f32(f32op(a as f32, b as f32)).to_f64(),
        DType::F16 => f16::from_f32(f32op(a as f32, b as f32)).to_f64(),
    }
}

/// The four element types JAX mode fills: `f32`, `f64`, [`bf16`](struct@crate::bf16), [`f16`](struct@crate::f16). Sealed (by
/// [`Element`]).
pub trait JaxFloat: Element {
    #[doc(hidden)]
    fn jax_fill(
        c: &JaxInit,
        shape: &[usize],
        key: JaxKey,
        offset: u64,
        out: &mut [MaybeUninit<Self>],
        level: Level,
    ) -> Result<()>;
}

/// Checks the range and the constants, then runs the dtype's kernel.
macro_rules! jax_float {
    ($t:ty, $fill:ident, $from:expr) => {
        impl JaxFloat for $t {
            fn jax_fill(
                init: &JaxInit,
                shape: &[usize],
                key: JaxKey,
                offset: u64,
                out: &mut [MaybeUninit<Self>],
                level: Level,
            ) -> Result<()> {
                let numel = crate::fan::numel(shape)? as u64;
                match offset.checked_add(out.len() as u64) {
                    Some(end) if end <= numel => {}
                    _ => return Err(Error::OutOfRange),
                }
                let consts = init.consts(shape, <$t as Element>::DTYPE)?;
                if out.is_empty() {
                    return Ok(());
                }
                if let JaxInit::Constant { .. } = init {
                    // `consts.min` is a value of the dtype, so the conversion is exact.
                    let from: fn(f64) -> $t = $from;
                    let v = from(consts.min);
                    crate::parallel::for_each_chunk(out, offset, |_, piece| {
                        for slot in piece {
                            slot.write(v);
                        }
                    });
                } else {
                    $fill(&consts, key.0, offset, out, level);
                }
                Ok(())
            }
        }
    };
}
jax_float!(f32, fill_f32, |v| v as f32);
jax_float!(f64, fill_f64, |v| v);
jax_float!(bf16, fill_bf16, bf16::from_f64);
jax_float!(f16, fill_f16, f16::from_f64);

/// Fills a whole tensor of shape `shape` (row-major, JAX layout) with `init(key, shape, T)`.
/// `out.len()` must be the shape's element count ([`Error::LengthMismatch`]).
pub fn fill<T: JaxFloat>(
    out: &mut [T],
    init: &JaxInit,
    shape: &[usize],
    key: JaxKey,
) -> Result<()> {
    let expected = crate::fan::numel(shape)?;
    if out.len() != expected {
        return Err(Error::LengthMismatch {
            expected,
            actual: out.len(),
        });
    }
    fill_at(out, init, shape, key, 0)
}

/// Fills `out` with elements `offset..offset + out.len()` of the flattened tensor: exactly that
/// slice of [`fill`]'s result, so shards are computed without the rest. A range outside the
/// tensor is [`Error::OutOfRange`].
///
/// ```
/// use glorot::jax::{self, JaxInit, JaxKey};
/// let (init, shape, key) = (JaxInit::he_uniform(), [3, 3, 64, 128], JaxKey::from_seed(5));
/// let whole: Vec<f32> = jax::alloc(&init, &shape, key)?;
/// let mut shard = vec![0f32; 1000];
/// jax::fill_at(&mut shard, &init, &shape, key, 40_000)?;
/// assert_eq!(&whole[40_000..41_000], &shard[..]);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn fill_at<T: JaxFloat>(
    out: &mut [T],
    init: &JaxInit,
    shape: &[usize],
    key: JaxKey,
    offset: u64,
) -> Result<()> {
    fill_at_with(out, init, shape, key, offset, Level::Avx512)
}

/// [`fill_at`] at a chosen [`Level`] (lowered to what the CPU has): all give the same bits.
/// `Scalar` hashes one counter at a time; `Portable` 32 at a time with the build's instruction
/// set; `Avx2` and `Avx512` (the default) take an AVX2+FMA copy of the same code, chosen at run
/// time.
pub fn fill_at_with<T: JaxFloat>(
    out: &mut [T],
    init: &JaxInit,
    shape: &[usize],
    key: JaxKey,
    offset: u64,
    level: Level,
) -> Result<()> {
    // SAFETY: `MaybeUninit<T>` has `T`'s layout, and the kernels only ever write initialised
    // values of `T`, so `out` stays initialised whatever happens.
    let out = unsafe { &mut *(out as *mut [T] as *mut [MaybeUninit<T>]) };
    T::jax_fill(init, shape, key, offset, out, level)
}

/// Allocates and fills a whole tensor, `init(key, shape, T)`, without zeroing it first.
/// An impossible size is [`Error::AllocationFailed`].
pub fn alloc<T: JaxFloat>(init: &JaxInit, shape: &[usize], key: JaxKey) -> Result<Vec<T>> {
    let n = crate::fan::numel(shape)?;
    // Validate before allocating.
    T::jax_fill(init, shape, key, 0, &mut [], Level::Avx512)?;
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::AllocationFailed)?;
    T::jax_fill(
        init,
        shape,
        key,
        0,
        &mut v.spare_capacity_mut()[..n],
        Level::Avx512,
    )?;
    // SAFETY: the fill above succeeded, so it wrote all `n` elements of the spare capacity.
    unsafe { v.set_len(n) };
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_words() {
        assert_eq!(JaxKey::from_seed(42).words(), [0, 42]);
        assert_eq!(JaxKey::from_seed((7 << 32) | 9).words(), [7, 9]);
        assert_eq!(
            JaxKey::from_seed(-1i64 as u64).words(),
            [u32::MAX, u32::MAX]
        );
    }

    #[test]
    fn split_nth_is_split() {
        let k = JaxKey::from_seed(3);
        let s = k.split(5);
        for (i, sk) in s.iter().enumerate() {
            assert_eq!(*sk, k.split_nth(i as u64));
        }
        // fold_in(k, d) hashes the counter (0, d), as split's d-th key does.
        assert_eq!(k.fold_in(4), s[4]);
    }

    #[test]
    fn array_rounding_follows_numpy() {
        // bfloat16 through f32 (double rounding): 1 + 2⁻⁸ + 2⁻³⁰ → f32 1 + 2⁻⁸ (a tie) → 1.
        assert_eq!(
            array(1.0 + 2f64.powi(-8) + 2f64.powi(-30), DType::BF16),
            1.0
        );
        // float16 directly: 1 + 2⁻¹¹ + 2⁻³⁰ is above the tie → 1 + 2⁻¹⁰.
        assert_eq!(
            array(1.0 + 2f64.powi(-11) + 2f64.powi(-30), DType::F16),
            1.0 + 2f64.powi(-10)
        );
        // A Python float argument goes through f32 first, for f16 too.
        assert_eq!(arg(1.0 + 2f64.powi(-11) + 2f64.powi(-30), DType::F16), 1.0);
    }

    #[test]
    fn f16_from_f64_rounds_once() {
        // Where no double rounding can happen (values of f32), it equals half's conversion.
        let mut s = 0x9E37_79B9u32;
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let x = f32::from_bits(s);
            if x.is_finite() {
                let want = f16::from_f32(x);
                assert_eq!(
                    f16_from_f64(f64::from(x)).to_bits(),
                    want.to_bits(),
                    "{x:e}"
                );
            }
        }
        // Ties to even, subnormals, overflow.
        assert_eq!(f16_from_f64(2f64.powi(-25)).to_bits(), 0);
        assert_eq!(f16_from_f64(3.0 * 2f64.powi(-25)).to_bits(), 2);
        assert_eq!(f16_from_f64(65519.99).to_bits(), 0x7BFF);
        assert_eq!(f16_from_f64(65520.0).to_bits(), 0x7C00);
        assert_eq!(f16_from_f64(-2047.0 * 2f64.powi(-25)).to_bits(), 0x8400);
    }

    #[test]
    fn fans_follow_compute_fans() {
        let d = JaxAxes::default();
        assert_eq!(compute_fans(&[3, 3, 16, 32], d), Ok((144.0, 288.0)));
        assert_eq!(
            compute_fans(&[5], d),
            Err(Error::RankTooLow { rank: 1, min: 2 })
        );
        assert_eq!(
            compute_fans(&[4, 5], JaxAxes { in_axis: 2, ..d }),
            Err(Error::InvalidAxis)
        );
        assert_eq!(compute_fans(&[0, 5], d), Err(Error::ZeroFan));
        let b = JaxAxes {
            in_axis: 1,
            out_axis: 2,
            batch_axis: Some(0),
        };
        assert_eq!(compute_fans(&[8, 4, 6], b), Ok((4.0, 6.0)));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let k = JaxKey::from_seed(0);
        let mut out = vec![0f32; 6];
        for (init, e) in [
            (JaxInit::uniform_range(1.0, 1.0), Error::InvalidBounds),
            (JaxInit::uniform_range(f64::NAN, 1.0), Error::InvalidBounds),
            (JaxInit::uniform(-1.0), Error::InvalidScale),
            (
                JaxInit::variance_scaling(0.0, FanMode::FanIn),
                Error::InvalidScale,
            ),
        ] {
            assert_eq!(fill(&mut out, &init, &[2, 3], k), Err(e));
        }
        let mut h = vec![f16::ZERO; 6];
        assert_eq!(
            fill(&mut h, &JaxInit::uniform_range(-1e6, 1.0), &[2, 3], k),
            Err(Error::InvalidBounds)
        );
        assert_eq!(
            fill(&mut out, &JaxInit::glorot_uniform(), &[7], k),
            Err(Error::LengthMismatch {
                expected: 7,
                actual: 6
            })
        );
        assert_eq!(
            fill_at(&mut out, &JaxInit::glorot_uniform(), &[2, 3], k, 1),
            Err(Error::OutOfRange)
        );
    }
}
