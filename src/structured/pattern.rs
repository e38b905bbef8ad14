//! PyTorch's `sparse_`, `dirac_`, `eye_` and Keras' `Identity`.

use rayon::prelude::*;

use super::householder::Real;
use super::{check_gain, check_gain_in, emit, working_precision, Precision};
use crate::fan::numel;
use crate::{fill, Distribution, Element, Error, Result, TensorKey};

fn rank2(shape: &[usize]) -> Result<(usize, usize)> {
    match *shape {
        [r, c] => Ok((r, c)),
        _ => Err(Error::UnsupportedRank {
            rank: shape.len(),
            supported: "2",
        }),
    }
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

/// First word of the region the sparse zero positions are drawn from: above every word a
/// fill can read (at most two words per element, fewer than 2⁶² elements).
const POSITION_WORDS: u64 = 1 << 63;

/// PyTorch `torch.nn.init.sparse_(tensor, sparsity, std)` (Martens 2010), 2-D `(rows, cols)`:
/// every element is `N(0, std²)` — bit-equal to [`fill`] with `Distribution::normal(0, std)` —
/// except `ceil(sparsity·rows)` zeros per column, at rows chosen uniformly without
/// replacement, independently per column (positions specified in [`super`]).
///
/// Errors: rank ≠ 2 (PyTorch: "Only tensors with 2 dimensions are supported"), `sparsity`
/// outside `[0, 1]` or NaN ([`Error::InvalidSparsity`]), a bad `std`, a length mismatch.
/// `std = 0` gives all zeros. PyTorch's default `std` is 0.01.
pub fn sparse<T: Element>(
    out: &mut [T],
    shape: &[usize],
    sparsity: f64,
    std: f64,
    key: &TensorKey,
) -> Result<()> {
    let (rows, cols) = rank2(shape)?;
    if !(0.0..=1.0).contains(&sparsity) {
        return Err(Error::InvalidSparsity);
    }
    let dist = Distribution::normal(0.0, std)?;
    let n = numel(shape)?;
    check_len(out.len(), n)?;
    if n == 0 {
        return Ok(());
    }
    // Python's math.ceil(sparsity * rows), in f64 as CPython computes it.
    let zeros = ((sparsity * rows as f64).ceil() as usize).min(rows);
    fill(out, &dist, key)?;
    if zeros == 0 {
        return Ok(());
    }
    let zero = {
        let mut z = [out[0]];
        fill(&mut z, &Distribution::zeros(), key)?;
        z[0]
    };
    // Columns in batches, so the position lists stay small whatever the tensor's size.
    const BATCH: usize = 256;
    let mut j0 = 0;
    while j0 < cols {
        let j1 = (j0 + BATCH).min(cols);
        let lists: Vec<Vec<usize>> = (j0..j1)
            .into_par_iter()
            .map(|j| zero_rows(key, rows, j, zeros))
            .collect();
        for (j, list) in (j0..j1).zip(lists) {
            for i in list {
                out[i * cols + j] = zero;
            }
        }
        j0 = j1;
    }
    Ok(())
}

/// The `zeros` rows of column `j` with the smallest `(u(i, j), i)`.
fn zero_rows(key: &TensorKey, rows: usize, j: usize, zeros: usize) -> Vec<usize> {
    let mut words = vec![0u32; 2 * rows];
    key.words_at(POSITION_WORDS + 2 * (j as u64) * rows as u64)
        .fill(&mut words);
    let mut keyed: Vec<(u64, usize)> = words
        .chunks_exact(2)
        .enumerate()
        .map(|(i, w)| (w[0] as u64 | (w[1] as u64) << 32, i))
        .collect();
    if zeros < rows {
        keyed.select_nth_unstable(zeros - 1);
    }
    keyed.truncate(zeros);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// PyTorch `torch.nn.init.dirac_(tensor, groups)`: a 3-, 4- or 5-D conv weight
/// `(out, in, *k)` that is zero except `1` at `[g·(out/groups) + d, d, k₁//2, k₂//2, …]` for
/// every group `g` and `d < min(out/groups, in)`, so the convolution passes as many input
/// channels through unchanged as it can.
///
/// Errors: rank not 3–5 (PyTorch: "Only tensors with 3, 4, or 5 dimensions are supported"),
/// `groups` zero or not dividing `shape[0]` ([`Error::GroupsMismatch`], PyTorch: "dim 0 must be
/// divisible by groups"), a length mismatch.
pub fn dirac<T: Element>(out: &mut [T], shape: &[usize], groups: usize) -> Result<()> {
    let rank = shape.len();
    if !(3..=5).contains(&rank) {
        return Err(Error::UnsupportedRank {
            rank,
            supported: "3, 4 or 5",
        });
    }
    if groups == 0 || !shape[0].is_multiple_of(groups) {
        return Err(Error::GroupsMismatch {
            dim0: shape[0],
            groups,
        });
    }
    let n = numel(shape)?;
    check_len(out.len(), n)?;
    if n == 0 {
        return Ok(());
    }
    let per_group = shape[0] / groups;
    let min_dim = per_group.min(shape[1]);
    let kernel: usize = shape[2..].iter().product();
    let centre = shape[2..].iter().fold(0usize, |acc, &k| acc * k + k / 2);
    let (inn, kk) = (shape[1], kernel);
    let one = |i: usize| {
        if i % kk != centre {
            return false;
        }
        let oc = i / kk; // o·in + d
        let (o, d) = (oc / inn, oc % inn);
        o % per_group == d && d < min_dim
    };
    write_pattern(out, one, 1.0)
}

/// PyTorch `torch.nn.init.eye_(tensor)`: the `(rows, cols)` identity — `1` at `[i, i]` for
/// `i < min(rows, cols)`, zeros elsewhere. Errors: rank ≠ 2 ("Only tensors with 2 dimensions
/// are supported"), a length mismatch.
pub fn eye<T: Element>(out: &mut [T], shape: &[usize]) -> Result<()> {
    identity(out, shape, 1.0)
}

/// Keras `keras.initializers.Identity(gain)`: `gain` on the main diagonal of a 2-D
/// `(rows, cols)` tensor, zeros elsewhere. Errors: rank ≠ 2 (Keras: "Identity matrix
/// initializer can only be used for 2D matrices"), a gain that is not finite and
/// non-negative, a length mismatch. The gain is rounded once to the output type.
pub fn identity<T: Element>(out: &mut [T], shape: &[usize], gain: f64) -> Result<()> {
    let (_, cols) = rank2(shape)?;
    check_gain(gain)?;
    let n = numel(shape)?;
    check_len(out.len(), n)?;
    if n == 0 {
        // Nothing is written, so the dtype rule is moot (as for an empty elementwise fill).
        return Ok(());
    }
    check_gain_in::<T>(gain)?;
    write_pattern(out, |i| i / cols == i % cols, gain)
}

/// `out[i] = value` where `hit(i)`, else `0`.
fn write_pattern<T: Element>(
    out: &mut [T],
    hit: impl Fn(usize) -> bool + Sync,
    value: f64,
) -> Result<()> {
    fn go<T: Element, W: Real>(out: &mut [T], hit: impl Fn(usize) -> bool + Sync, value: f64) {
        let v = W::of(value);
        emit::<T, W>(out, |i| if hit(i) { v } else { W::ZERO });
    }
    match working_precision::<T>() {
        Precision::F64 => go::<T, f64>(out, hit, value),
        Precision::F32 => go::<T, f32>(out, hit, value),
    }
    Ok(())
}
