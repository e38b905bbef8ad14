//! Structured initializers: orthogonal, sparse, dirac, eye, identity, delta-orthogonal.
//!
//! These are not elementwise distributions: an element of an orthogonal matrix depends on the
//! whole matrix, the zeros of a sparse column on the whole column. So they take a tensor's
//! shape and key and fill the whole `&mut [T]` at once (any [`Element`]: `f32`, `f64`, `bf16`,
//! `f16`), and return a `Result`. [`crate::Init`] dispatches to them from `Init::fill`,
//! `Init::alloc` and `Init::alloc_block`; `Init::distribution` reports
//! [`Error::NotElementwise`] for them. `network!` models (`init = orthogonal`, `recurrent_init
//! = orthogonal`, …; shape errors are compile errors), `glorot::model::init` and the
//! safetensors writer (which materializes such a tensor whole, one at a time:
//! [`crate::io::Source::Whole`]) all go through `Init::fill`/`Init::alloc`, so every path
//! gives the same bits.
//!
//! # Conventions
//!
//! | function | peer | matrix / pattern | ranks |
//! |---|---|---|---|
//! | [`orthogonal`] `(gain)` | PyTorch `orthogonal_(tensor, gain)` | `(shape[0], prod(shape[1:]))` | ≥ 2 |
//! | [`orthogonal_jax`] `(scale, column_axis)` | JAX `orthogonal(scale, column_axis=-1)`; Keras `Orthogonal(gain)` = `column_axis = -1` | `(prod(other dims), shape[column_axis])` | ≥ 2 |
//! | [`sparse`] `(sparsity, std)` | PyTorch `sparse_(tensor, sparsity, std=0.01)` | `ceil(sparsity·rows)` zeros per column, the rest `N(0, std²)` | 2 |
//! | [`dirac`] `(groups)` | PyTorch `dirac_(tensor, groups=1)` | `1` at `[g·(out/groups) + d, d, k₁//2, …]` | 3–5 |
//! | [`eye`] | PyTorch `eye_` | `1` on the main diagonal | 2 |
//! | [`identity`] `(gain)` | Keras `Identity(gain)` | `gain` on the main diagonal | 2 |
//! | [`delta_orthogonal`] `(scale, column_axis)` | JAX `delta_orthogonal(scale, column_axis=-1)` | orthogonal `shape[-2:]` at the centre `(k−1)//2`, zeros elsewhere | 3–5 |
//!
//! For a 2-D shape PyTorch's and JAX's orthogonal flatten identically; for higher ranks they
//! differ (PyTorch keeps dimension 0 as rows, JAX/Keras keep the last dimension as columns),
//! hence the two functions. The kernel centre differs between PyTorch's `dirac_` (`k//2`)
//! and JAX's `delta_orthogonal` (`(k−1)//2`) for even `k`; each follows its peer.
//!
//! **Errors** are the peers' error cases: rank (PyTorch's "Only tensors with 2 or more
//! dimensions are supported", "Only tensors with 2 dimensions…", "Only tensors with 3, 4, or 5
//! dimensions…", JAX's "requires at least a 2D shape" / "requires a 3D, 4D or 5D shape") as
//! [`Error::UnsupportedRank`]; dirac's "dim 0 must be divisible by groups" (and `groups = 0`)
//! as [`Error::GroupsMismatch`]; delta-orthogonal's "`fan_in` must be less or equal than
//! `fan_out`" as [`Error::FanInExceedsFanOut`]; a `column_axis` outside the shape as
//! [`Error::InvalidAxis`]. Beyond the peers (which silently produce NaN or nonsense): gains and
//! scales must be finite and non-negative ([`Error::InvalidGain`]; a negative gain would give
//! the same Haar law as its absolute value), sparsity must lie in `[0, 1]`
//! ([`Error::InvalidSparsity`]; PyTorch accepts anything), std as for
//! [`crate::Distribution::normal`], and `out.len()` must equal the shape's element count. A
//! gain or scale the output type rounds to ±∞ (70000 in f16) is [`Error::Unrepresentable`],
//! the elementwise fills' rule ([`crate::dist`]), never a tensor of infinities.
//!
//! **Zero-element tensors** write nothing after the parameter checks: PyTorch's
//! `orthogonal_` returns early ("no-op"), JAX returns `zeros(shape)` — of an empty shape, so
//! also nothing. (PyTorch's `dirac_` would raise an `IndexError` for a zero-sized kernel
//! dimension with nonzero channels; here that tensor is simply empty.)
//!
//! # Reproducibility
//!
//! Every output is a pure function of (seed, tensor name, shape, parameters), identical for any
//! thread count, SIMD level ([`crate::Level`], capped by `glorot::internals::cap_level`) and build (default or
//! `-C target-cpu=x86-64-v3`). Orthogonal matrices come from [`householder`]'s fixed-order
//! Stewart sampler (the full specification and the argument are there). Sparse values are
//! `fill` of `N(0, std²)` at their flat index; the zero rows of column `j` are the
//! `ceil(sparsity·rows)` rows `i` with the smallest `(u(i, j), i)`, where `u(i, j)` is the
//! 64-bit integer `word(p) | word(p + 1) << 32` of the tensor's stream at word
//! `p = 2⁶³ + 2·(j·rows + i)` — a range no fill ever reads (fills use words below 2⁶³) —
//! which makes every `ceil(sparsity·rows)`-subset equally likely (ties, probability ~rows²/2⁶⁵,
//! go to the lower row). PyTorch draws its zero positions from the global generator even when
//! a generator is passed; here they are keyed like everything else.
//!
//! # Tensor parallelism
//!
//! [`orthogonal_block`] (and `Init::alloc_block` for the orthogonal variants) returns a block
//! of the full matrix bit for bit, but computes the full matrix to do so: each rank pays the
//! whole `O(r·c·min(r, c))` factorization and `r·c` working values of memory. (A block of an
//! orthogonal matrix depends on all of its random numbers.) The other structured initializers
//! are cheap; their blocks are cut from the whole tensor the same way.
//!
//! # References
//!
//! - A. M. Saxe, J. L. McClelland, S. Ganguli, *Exact solutions to the nonlinear dynamics of
//!   learning in deep linear neural networks*, ICLR 2014 (orthogonal initialization).
//! - G. W. Stewart, *The efficient generation of random orthogonal matrices with an application
//!   to condition estimators*, SIAM J. Numer. Anal. 17(3), 1980.
//! - F. Mezzadri, *How to generate random matrices from the classical compact groups*, Notices
//!   of the AMS 54(5), 2007 (arXiv math-ph/0609050).
//! - R. Schreiber, C. Van Loan, *A storage-efficient WY representation for products of
//!   Householder transformations*, SIAM J. Sci. Stat. Comput. 10(1), 1989 (compact WY).
//! - J. Martens, *Deep learning via Hessian-free optimization*, ICML 2010 (sparse).
//! - L. Xiao, Y. Bahri, J. Sohl-Dickstein, S. Schoenholz, J. Pennington, *Dynamical Isometry and
//!   a Mean Field Theory of CNNs*, ICML 2018 (delta-orthogonal).

pub mod householder;
mod orthogonal;
mod pattern;

pub use orthogonal::{delta_orthogonal, orthogonal, orthogonal_block, orthogonal_jax};
pub use pattern::{dirac, eye, identity, sparse};

use core::any::TypeId;

use half::{bf16, f16};
use rayon::prelude::*;

use crate::{DType, Element, Error, Result};
use householder::Real;

/// Gains and scales: finite and non-negative.
pub(crate) fn check_gain(gain: f64) -> Result<()> {
    if gain.is_finite() && gain >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidGain)
    }
}

/// The dtype rule for the structured initializers, as the writer checks it before the first
/// byte: the orthogonal family's values lie in `[−gain, gain]` (every entry of an orthogonal
/// matrix is at most 1 in magnitude), so a gain that rounds to ±∞ is
/// [`Error::Unrepresentable`] and a positive gain that rounds to 0 collapses the matrix to
/// zeros ([`Error::TooNarrow`]); identity's gain must round to a finite value; sparse's
/// non-zero values follow the normal rule of [`crate::dist`].
pub(crate) fn check_dtype(dtype: crate::DType, init: &crate::Init) -> Result<()> {
    use crate::dist::round_to;
    use crate::Init;
    match *init {
        Init::Orthogonal { gain }
        | Init::OrthogonalJax { scale: gain, .. }
        | Init::DeltaOrthogonal { scale: gain, .. } => {
            // |Q_ij| <= 1 exactly, and at most a few ulps above after rounding in the working
            // precision: the margin keeps a gain at the dtype's edge from overflowing there.
            if !round_to(dtype, gain * (1.0 + 1.0 / 1048576.0)).is_finite() {
                return Err(Error::Unrepresentable);
            }
            if gain > 0.0 && round_to(dtype, gain) == 0.0 {
                return Err(Error::TooNarrow);
            }
        }
        Init::Identity { gain } if !round_to(dtype, gain).is_finite() => {
            return Err(Error::Unrepresentable);
        }
        Init::Sparse { std, .. } => {
            // Preparing the normal's plan applies the elementwise rule.
            crate::dist::Plan::new(&crate::Distribution::normal(0.0, std)?, dtype)?;
        }
        _ => {}
    }
    Ok(())
}

/// [`check_gain`] and [`check_dtype`]'s orthogonal rule for output type `T`: the in-memory
/// fills refuse exactly what the writer refuses.
pub(crate) fn check_orthogonal_gain_in<T: Element>(gain: f64) -> Result<()> {
    check_gain(gain)?;
    check_dtype(T::DTYPE, &crate::Init::Orthogonal { gain })
}

/// [`check_gain`] for output type `T`: every structured value is at most `gain` in magnitude
/// (orthogonal entries are at most 1), so a gain `T` rounds to ±∞ would write infinities —
/// [`Error::Unrepresentable`], the elementwise fills' rule ([`crate::dist`]).
pub(crate) fn check_gain_in<T: Element>(gain: f64) -> Result<()> {
    check_gain(gain)?;
    if !crate::dist::holds(T::DTYPE, gain) {
        return Err(Error::Unrepresentable);
    }
    Ok(())
}

pub(crate) enum Precision {
    F32,
    F64,
}

/// `f64` for `f64` outputs; `f32` for the narrow family (computed in `f32`, rounded once).
pub(crate) fn working_precision<T: Element>() -> Precision {
    match T::DTYPE {
        DType::F64 => Precision::F64,
        _ => Precision::F32,
    }
}

/// A typed view of an output slice.
enum View<'a> {
    F32(&'a mut [f32]),
    F64(&'a mut [f64]),
    Bf16(&'a mut [bf16]),
    F16(&'a mut [f16]),
}

/// The four element types are the only [`Element`]s (the trait is sealed); this recovers the
/// concrete slice type. Thin glue: a conversion method on `Element` would replace it.
fn view<T: Element>(out: &mut [T]) -> View<'_> {
    fn cast<T: 'static, U: 'static>(out: &mut [T]) -> &mut [U] {
        assert_eq!(TypeId::of::<T>(), TypeId::of::<U>());
        // SAFETY: `T` and `U` are the same type (checked above), so the pointer, length and
        // lifetime describe the same valid, exclusively borrowed slice.
        unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<U>(), out.len()) }
    }
    match T::DTYPE {
        DType::F32 => View::F32(cast(out)),
        DType::F64 => View::F64(cast(out)),
        DType::BF16 => View::Bf16(cast(out)),
        DType::F16 => View::F16(cast(out)),
    }
}

/// `out[i] = value(i)` converted to `T` (exact for `f32`/`f64`, one nearest-even rounding from
/// `f32` for `bf16`/`f16`), in parallel.
pub(crate) fn emit<T: Element, W: Real>(out: &mut [T], value: impl Fn(usize) -> W + Sync) {
    fn run<U: Send>(out: &mut [U], f: impl Fn(usize) -> U + Sync) {
        const CH: usize = 1 << 14;
        out.par_chunks_mut(CH).enumerate().for_each(|(c, chunk)| {
            for (k, v) in chunk.iter_mut().enumerate() {
                *v = f(c * CH + k);
            }
        });
    }
    match view(out) {
        View::F32(o) => run(o, |i| value(i).narrow()),
        View::F64(o) => run(o, |i| value(i).wide()),
        View::Bf16(o) => run(o, |i| bf16::from_f32(value(i).narrow())),
        View::F16(o) => run(o, |i| f16::from_f32(value(i).narrow())),
    }
}

/// Row-wise [`emit`]: `row(r, buf)` writes row `r` (`cols` values) of a row-major `out` into
/// `buf`, which is then converted to `T` the same way.
pub(crate) fn emit_rows<T: Element, W: Real>(
    out: &mut [T],
    cols: usize,
    row: impl Fn(usize, &mut [W]) + Sync,
) {
    fn run<U: Send, W: Real>(
        out: &mut [U],
        cols: usize,
        row: &(impl Fn(usize, &mut [W]) + Sync),
        conv: impl Fn(W) -> U + Sync,
    ) {
        out.par_chunks_mut(cols).enumerate().for_each_init(
            || vec![W::ZERO; cols],
            |buf, (r, dst)| {
                row(r, buf);
                for (d, &v) in dst.iter_mut().zip(buf.iter()) {
                    *d = conv(v);
                }
            },
        );
    }
    match view(out) {
        View::F32(o) => run(o, cols, &row, |v: W| v.narrow()),
        View::F64(o) => run(o, cols, &row, |v: W| v.wide()),
        View::Bf16(o) => run(o, cols, &row, |v: W| bf16::from_f32(v.narrow())),
        View::F16(o) => run(o, cols, &row, |v: W| f16::from_f32(v.narrow())),
    }
}

// ------------------------------------------------------------------------------------------
// `Init` glue: the structured variants' dispatch, kept here so `init.rs` only forwards.

use crate::{Init, TensorKey};

/// The parameter checks of a structured [`Init`] (whatever the shape).
pub(crate) fn check_init(init: &Init) -> Result<()> {
    match *init {
        Init::Orthogonal { gain } | Init::Identity { gain } => check_gain(gain),
        Init::OrthogonalJax { scale, .. } | Init::DeltaOrthogonal { scale, .. } => {
            check_gain(scale)
        }
        Init::Sparse { sparsity, std } => {
            if !(0.0..=1.0).contains(&sparsity) {
                return Err(Error::InvalidSparsity);
            }
            crate::Distribution::normal(0.0, std).map(|_| ())
        }
        Init::Dirac { groups } => {
            if groups == 0 {
                Err(Error::GroupsMismatch { dim0: 0, groups })
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// Every check [`fill_init`] makes before writing, without a buffer.
pub(crate) fn validate(init: &Init, shape: &[usize]) -> Result<()> {
    // An empty buffer for an empty shape passes the length check; for any other shape the
    // length mismatch is the only error left once the rank and parameter checks have passed.
    let n = crate::fan::numel(shape)?;
    let key = crate::Key::new(0).tensor_id(0);
    match fill_init::<f32>(init, &mut [], shape, &key) {
        Err(Error::LengthMismatch {
            expected,
            actual: 0,
        }) if expected == n => Ok(()),
        other => other,
    }
}

/// [`Init::fill`] for the structured variants.
pub(crate) fn fill_init<T: Element>(
    init: &Init,
    out: &mut [T],
    shape: &[usize],
    key: &TensorKey,
) -> Result<()> {
    match *init {
        Init::Orthogonal { gain } => orthogonal(out, shape, gain, key),
        Init::OrthogonalJax { scale, column_axis } => {
            orthogonal_jax(out, shape, scale, column_axis, key)
        }
        Init::Sparse { sparsity, std } => sparse(out, shape, sparsity, std, key),
        Init::Dirac { groups } => dirac(out, shape, groups),
        Init::Eye => eye(out, shape),
        Init::Identity { gain } => identity(out, shape, gain),
        Init::DeltaOrthogonal { scale, column_axis } => {
            delta_orthogonal(out, shape, scale, column_axis, key)
        }
        _ => Err(Error::NotElementwise),
    }
}

#[cfg(test)]
mod dtype_rule_tests {
    use super::check_dtype;
    use crate::{DType, Error, Init};

    #[test]
    fn the_structured_rule() {
        let o = |gain| Init::Orthogonal { gain };
        assert_eq!(check_dtype(DType::F16, &o(65504.0)), Ok(()));
        assert_eq!(
            check_dtype(DType::F16, &o(70000.0)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(check_dtype(DType::F32, &o(70000.0)), Ok(()));
        assert_eq!(check_dtype(DType::F16, &o(0.0)), Ok(()));
        assert_eq!(check_dtype(DType::F32, &o(1e-50)), Err(Error::TooNarrow));
        assert_eq!(check_dtype(DType::F64, &o(1e-50)), Ok(()));
        let j = Init::OrthogonalJax {
            scale: 1e6,
            column_axis: -1,
        };
        assert_eq!(check_dtype(DType::BF16, &j), Ok(()), "bf16 reaches 3.4e38");
        assert_eq!(check_dtype(DType::F16, &j), Err(Error::Unrepresentable));
        assert_eq!(
            check_dtype(DType::F16, &Init::Identity { gain: 1e5 }),
            Err(Error::Unrepresentable)
        );
        assert_eq!(
            check_dtype(DType::F16, &Init::Identity { gain: 1.0 }),
            Ok(())
        );
        let sp = |std| Init::Sparse { sparsity: 0.5, std };
        assert_eq!(check_dtype(DType::F32, &sp(0.01)), Ok(()));
        assert_eq!(
            check_dtype(DType::F16, &sp(3e4)),
            Err(Error::Unrepresentable)
        );
        assert_eq!(check_dtype(DType::F16, &Init::Eye), Ok(()));
        assert_eq!(check_dtype(DType::F16, &Init::Dirac { groups: 1 }), Ok(()));
    }
}
