//! Orthogonal (PyTorch and JAX/Keras flattening) and JAX's delta-orthogonal.

use core::ops::Range;

use super::householder::{sample, Level, Panels, Real, NB};
use super::{check_gain, check_orthogonal_gain_in, emit, emit_rows, working_precision, Precision};
use crate::fan::numel;
use crate::{Element, Error, Result, TensorKey};

/// A sampled `rows × cols` (semi-)orthogonal matrix before the gain: `Q·D` for tall shapes,
/// its transpose for wide ones.
pub(crate) struct Ortho<W> {
    q: Panels<W>,
    d: Vec<W>,
    wide: bool,
}

impl<W: Real> Ortho<W> {
    pub(crate) fn sample(rows: usize, cols: usize, key: &TensorKey, level: Level) -> Result<Self> {
        let wide = rows < cols;
        let (m, n) = if wide { (cols, rows) } else { (rows, cols) };
        let (q, d) = sample::<W>(m, n, key, level)?;
        Ok(Ortho { q, d, wide })
    }

    /// Row `r` of the `rows × cols` matrix times `g`, into `buf` (the same values as [`Ortho::at`]).
    pub(crate) fn row(&self, r: usize, g: W, buf: &mut [W]) {
        let (m, n) = (self.q.m, self.q.n);
        if self.wide {
            // Column r of Q (m = cols): stride w inside panel r / NB.
            let (p, s) = (r / NB, self.d[r] * g);
            let w = NB.min(n - p * NB);
            let panel = &self.q.data[p * NB * m..p * NB * m + m * w];
            for (b, qrow) in buf.iter_mut().zip(panel.chunks_exact(w)) {
                *b = qrow[r - p * NB] * s;
            }
        } else {
            for (p, chunk) in buf.chunks_mut(NB).enumerate() {
                let w = chunk.len();
                let src = &self.q.data[p * NB * m + r * w..p * NB * m + r * w + w];
                let d = &self.d[p * NB..p * NB + w];
                for ((b, &q), &dc) in chunk.iter_mut().zip(src).zip(d) {
                    *b = q * (dc * g);
                }
            }
        }
    }

    /// Element `(r, c)` of the `rows × cols` matrix, times `g` (`(q · d) · g`, one rounding).
    #[inline]
    pub(crate) fn at(&self, r: usize, c: usize, g: W) -> W {
        if self.wide {
            self.q.get(c, r) * (self.d[r] * g)
        } else {
            self.q.get(r, c) * (self.d[c] * g)
        }
    }
}

/// PyTorch's `(shape[0], numel / shape[0])`, after the rank check.
fn torch_matrix(shape: &[usize]) -> Result<(usize, usize, usize)> {
    if shape.len() < 2 {
        return Err(Error::UnsupportedRank {
            rank: shape.len(),
            supported: "2 or more",
        });
    }
    let n = numel(shape)?;
    let rows = shape[0];
    Ok((n, rows, n.checked_div(rows).unwrap_or(0)))
}

fn check_len(len: usize, n: usize) -> Result<()> {
    if len != n {
        return Err(Error::LengthMismatch {
            expected: n,
            actual: len,
        });
    }
    Ok(())
}

/// PyTorch `torch.nn.init.orthogonal_(tensor, gain)`: the tensor is viewed as
/// `(shape[0], prod(shape[1:]))` (row-major, so conv weights `(out, in, *k)` get orthonormal
/// rows or columns over `in·k…`), filled with a Haar-distributed (semi-)orthogonal matrix —
/// orthonormal columns when `rows ≥ cols`, orthonormal rows otherwise — times `gain`.
///
/// Errors: rank < 2 ([`Error::UnsupportedRank`], PyTorch's "Only tensors with 2 or more
/// dimensions are supported"), a gain that is not finite and non-negative
/// ([`Error::InvalidGain`]; `−Q` has the same law as `Q`), `out.len() != prod(shape)`.
/// A zero-element tensor is a no-op, as in PyTorch (after those checks). The values are a
/// pure function of (seed, name, shape): see [`super`] for the algorithm and its guarantees.
///
/// ```
/// use glorot::{structured, Key};
/// let mut w = vec![0f32; 8 * 5];
/// structured::orthogonal(&mut w, &[8, 5], 1.0, &Key::new(0).tensor("w"))?;
/// for a in 0..5 {
///     for b in 0..5 {
///         let dot: f32 = (0..8).map(|i| w[i * 5 + a] * w[i * 5 + b]).sum();
///         assert!((dot - if a == b { 1.0 } else { 0.0 }).abs() < 1e-5);
///     }
/// }
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn orthogonal<T: Element>(
    out: &mut [T],
    shape: &[usize],
    gain: f64,
    key: &TensorKey,
) -> Result<()> {
    let (n, rows, cols) = torch_matrix(shape)?;
    check_gain(gain)?;
    check_len(out.len(), n)?;
    if n == 0 {
        // Nothing is written, so the dtype rule is moot (as for an empty elementwise fill).
        return Ok(());
    }
    check_orthogonal_gain_in::<T>(gain)?;
    fill_matrix(out, rows, cols, 1, gain, key)
}

/// The one sampling path of [`orthogonal`] and [`orthogonal_jax`]: a `rows × cols` matrix times
/// `gain`, stored so that element `(outer·inner + r, j)` sits at flat index
/// `(outer·cols + j)·inner + r`. With `inner = 1` that is the row-major matrix itself
/// (PyTorch's view, and JAX's when the columns are the last axis), written row by row;
/// otherwise the column axis has `inner` elements after it (JAX's `column_axis` moved back).
fn fill_matrix<T: Element>(
    out: &mut [T],
    rows: usize,
    cols: usize,
    inner: usize,
    gain: f64,
    key: &TensorKey,
) -> Result<()> {
    fn go<T: Element, W: Real>(
        out: &mut [T],
        rows: usize,
        cols: usize,
        inner: usize,
        gain: f64,
        key: &TensorKey,
    ) -> Result<()> {
        let o = Ortho::<W>::sample(rows, cols, key, Level::detect())?;
        let g = W::of(gain);
        if inner == 1 {
            emit_rows::<T, W>(out, cols, |r, buf| o.row(r, g, buf));
            return Ok(());
        }
        emit::<T, W>(out, |i| {
            let (oj, r) = (i / inner, i % inner);
            let (outer, j) = (oj / cols, oj % cols);
            o.at(outer * inner + r, j, g)
        });
        Ok(())
    }
    match working_precision::<T>() {
        Precision::F64 => go::<T, f64>(out, rows, cols, inner, gain, key),
        Precision::F32 => go::<T, f32>(out, rows, cols, inner, gain, key),
    }
}

/// The block `rows × cols` of [`orthogonal`]`(shape = [r, c], gain)`, bit for bit.
///
/// Cost: the whole matrix is sampled (`O(r·c·min(r, c))` flops and `r·c` working values of
/// memory) and only the block is kept, so every tensor-parallel rank pays for the full
/// factorization. The QR of a Gaussian couples all entries, so a block cannot be produced from
/// its own random numbers alone.
pub fn orthogonal_block<T: Element>(
    out: &mut [T],
    shape: [usize; 2],
    rows: Range<usize>,
    cols: Range<usize>,
    gain: f64,
    key: &TensorKey,
) -> Result<()> {
    if numel(&shape)? == 0 {
        check_gain(gain)?;
    } else {
        check_orthogonal_gain_in::<T>(gain)?;
    }
    if rows.start > rows.end || rows.end > shape[0] || cols.start > cols.end || cols.end > shape[1]
    {
        return Err(Error::OutOfRange);
    }
    let n = rows.len() * cols.len();
    check_len(out.len(), n)?;
    if n == 0 {
        return Ok(());
    }
    fn go<T: Element, W: Real>(
        out: &mut [T],
        shape: [usize; 2],
        rows: Range<usize>,
        cols: Range<usize>,
        gain: f64,
        key: &TensorKey,
    ) -> Result<()> {
        let o = Ortho::<W>::sample(shape[0], shape[1], key, Level::detect())?;
        let g = W::of(gain);
        let w = cols.len();
        emit::<T, W>(out, |i| o.at(rows.start + i / w, cols.start + i % w, g));
        Ok(())
    }
    match working_precision::<T>() {
        Precision::F64 => go::<T, f64>(out, shape, rows, cols, gain, key),
        Precision::F32 => go::<T, f32>(out, shape, rows, cols, gain, key),
    }
}

/// Normalises a Python-style axis (`-1` = last).
fn axis(column_axis: isize, rank: usize) -> Result<usize> {
    let a = if column_axis < 0 {
        rank as isize + column_axis
    } else {
        column_axis
    };
    if a < 0 || a as usize >= rank {
        return Err(Error::InvalidAxis);
    }
    Ok(a as usize)
}

/// JAX `jax.nn.initializers.orthogonal(scale, column_axis)` (and Keras `Orthogonal(gain)`,
/// which is `column_axis = -1`): the matrix has `n_cols = shape[column_axis]` columns and
/// `n_rows = prod(other dims)` rows (the other axes in order, row-major), is Haar
/// (semi-)orthogonal — orthonormal columns when `n_rows ≥ n_cols` — and is moved back so
/// that `column_axis` indexes its columns; times `scale`.
///
/// With the default `column_axis = -1` this is the row-major `(prod(shape[:-1]), shape[-1])`
/// view, e.g. a flax/Keras `Dense` kernel `(in, out)` or a conv kernel `(*k, in, out)`.
/// For rank 2, `orthogonal_jax(shape, s, -1)` and [`orthogonal`]`(shape, s)` give the same
/// values. Errors: rank < 2 (JAX: "orthogonal initializer requires at least a 2D shape"),
/// `column_axis` outside the shape ([`Error::InvalidAxis`]; JAX raises an `IndexError`),
/// a scale that is not finite and non-negative ([`Error::InvalidGain`]), a length mismatch.
/// A shape with a zero dimension has no elements: nothing is written (JAX returns zeros of
/// that empty shape).
pub fn orthogonal_jax<T: Element>(
    out: &mut [T],
    shape: &[usize],
    scale: f64,
    column_axis: isize,
    key: &TensorKey,
) -> Result<()> {
    if shape.len() < 2 {
        return Err(Error::UnsupportedRank {
            rank: shape.len(),
            supported: "2 or more",
        });
    }
    let ax = axis(column_axis, shape.len())?;
    check_gain(scale)?;
    let n = numel(shape)?;
    check_len(out.len(), n)?;
    if n == 0 {
        return Ok(());
    }
    check_orthogonal_gain_in::<T>(scale)?;
    // Flat index = (outer·cols + j)·inner + r  ↔  matrix (outer·inner + r, j).
    let cols = shape[ax];
    let inner: usize = shape[ax + 1..].iter().product();
    fill_matrix(out, n / cols, cols, inner, scale, key)
}

/// JAX `jax.nn.initializers.delta_orthogonal(scale, column_axis)` (Xiao et al. 2018): a 3-, 4-
/// or 5-D kernel in JAX layout `(*k, in, out)` that is zero except at the spatial centre
/// `((k₁−1)//2, …)`, where it holds [`orthogonal_jax`]`(shape[-2:], scale, column_axis)`.
/// (JAX's centre is `(k−1)//2`; PyTorch's [`dirac`](super::dirac) uses `k//2`: they differ for
/// even kernel sizes.)
///
/// Errors: rank not 3–5 ("Delta orthogonal initializer requires a 3D, 4D or 5D shape."),
/// `shape[-2] > shape[-1]` ([`Error::FanInExceedsFanOut`], JAX's "`fan_in` must be less or
/// equal than `fan_out`."), a bad `column_axis` for the 2-D matrix or scale, a length mismatch.
/// The matrix is drawn from `key` as for a `shape[-2:]` tensor, so it equals
/// `orthogonal_jax` of that 2-D shape under the same key, as in JAX.
pub fn delta_orthogonal<T: Element>(
    out: &mut [T],
    shape: &[usize],
    scale: f64,
    column_axis: isize,
    key: &TensorKey,
) -> Result<()> {
    let rank = shape.len();
    if !(3..=5).contains(&rank) {
        return Err(Error::UnsupportedRank {
            rank,
            supported: "3, 4 or 5",
        });
    }
    let (fan_in, fan_out) = (shape[rank - 2], shape[rank - 1]);
    if fan_out < fan_in {
        return Err(Error::FanInExceedsFanOut { fan_in, fan_out });
    }
    let ax = axis(column_axis, 2)?;
    check_gain(scale)?;
    let n = numel(shape)?;
    check_len(out.len(), n)?;
    if n == 0 {
        return Ok(());
    }
    check_orthogonal_gain_in::<T>(scale)?;
    // The centre's flat offset: (c₁·k₂ + c₂)·… in units of the matrix size.
    let centre = shape[..rank - 2]
        .iter()
        .fold(0usize, |acc, &k| acc * k + (k - 1) / 2);
    fn go<T: Element, W: Real>(
        out: &mut [T],
        centre: usize,
        fan_in: usize,
        fan_out: usize,
        ax: usize,
        scale: f64,
        key: &TensorKey,
    ) -> Result<()> {
        let mat = fan_in * fan_out;
        let o = Ortho::<W>::sample(
            if ax == 1 { fan_in } else { fan_out },
            if ax == 1 { fan_out } else { fan_in },
            key,
            Level::detect(),
        )?;
        let g = W::of(scale);
        emit::<T, W>(out, |i| {
            if i / mat != centre {
                return W::ZERO;
            }
            let (r, c) = ((i % mat) / fan_out, i % fan_out);
            if ax == 1 {
                o.at(r, c, g)
            } else {
                // column_axis 0 of the 2-D matrix: JAX's matrix is (fan_out, fan_in), moved
                // back so that axis 0 holds its columns.
                o.at(c, r, g)
            }
        });
        Ok(())
    }
    match working_precision::<T>() {
        Precision::F64 => go::<T, f64>(out, centre, fan_in, fan_out, ax, scale, key),
        Precision::F32 => go::<T, f32>(out, centre, fan_in, fan_out, ax, scale, key),
    }
}
