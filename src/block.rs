//! Tensor-parallel blocks: any rectangle of a 2-D weight, filled with the values (and so the
//! fans) of the full tensor, without materialising the rest of it.
//!
//! Frameworks commonly either initialise the full weight on every rank and slice it, or
//! initialise each shard as if it were a whole tensor, which computes the fans from the shard
//! and so changes the standard deviation with the tensor-parallel degree. Here, rank `r` of `t`
//! gets exactly block `r` of the single-device initialization, bit for bit, at the cost of its
//! own block only.

use core::ops::Range;

use core::mem::MaybeUninit;

use crate::alloc::{as_uninit_mut, try_alloc_with, Pages};
use crate::dist::Plan;
use crate::fan::numel;
use crate::{fill_uninit, Distribution, Element, Error, Init, Layout, Level, Result, TensorKey};

/// How a 2-D weight is split across tensor-parallel ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// Rank `r` owns a block of whole rows (dimension 0).
    Rows,
    /// Rank `r` owns a block of whole columns (dimension 1).
    Cols,
}

/// The part of `0..len` that part `index` of `parts` owns, as `torch.tensor_split` /
/// `numpy.array_split` divide it: the first `len % parts` parts get one element more.
///
/// ```
/// use glorot::split_range;
/// assert_eq!(split_range(10, 3, 0)?, 0..4);
/// assert_eq!(split_range(10, 3, 1)?, 4..7);
/// assert_eq!(split_range(10, 3, 2)?, 7..10);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn split_range(len: usize, parts: usize, index: usize) -> Result<Range<usize>> {
    if parts == 0 || index >= parts {
        return Err(Error::OutOfRange);
    }
    let (q, r) = (len / parts, len % parts);
    let start = index * q + index.min(r);
    let size = q + usize::from(index < r);
    Ok(start..start + size)
}

/// The `(rows, cols)` block rank `rank` of `world` owns of a `[rows, cols]` weight.
pub fn shard_block(
    shape: [usize; 2],
    split: Split,
    rank: usize,
    world: usize,
) -> Result<(Range<usize>, Range<usize>)> {
    Ok(match split {
        Split::Rows => (split_range(shape[0], world, rank)?, 0..shape[1]),
        Split::Cols => (0..shape[0], split_range(shape[1], world, rank)?),
    })
}

/// Fills `out` (row-major, `rows.len() × cols.len()`) with the block `rows × cols` of the
/// `[shape[0], shape[1]]` tensor that [`crate::fill()`] would produce whole under `dist` and
/// `key`. Whole-width blocks are one offset fill; others are one offset fill per row.
///
/// ```
/// use glorot::{fill, fill_block, Distribution, Key};
/// let (dist, key) = (Distribution::uniform(-1.0, 1.0)?, Key::new(3).tensor("w"));
/// let mut full = vec![0f32; 6 * 10];
/// fill(&mut full, &dist, &key)?;
/// let mut block = vec![0f32; 2 * 3];
/// fill_block(&mut block, &dist, &key, [6, 10], 4..6, 7..10)?;
/// assert_eq!(block[..3], full[4 * 10 + 7..4 * 10 + 10]);
/// assert_eq!(block[3..], full[5 * 10 + 7..5 * 10 + 10]);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn fill_block<T: Element>(
    out: &mut [T],
    dist: &Distribution,
    key: &TensorKey,
    shape: [usize; 2],
    rows: Range<usize>,
    cols: Range<usize>,
) -> Result<()> {
    fill_block_uninit(as_uninit_mut(out), dist, key, shape, rows, cols)
}

fn check_block(shape: [usize; 2], rows: &Range<usize>, cols: &Range<usize>) -> Result<usize> {
    numel(&shape)?;
    if rows.start > rows.end || rows.end > shape[0] || cols.start > cols.end || cols.end > shape[1]
    {
        return Err(Error::OutOfRange);
    }
    Ok(rows.len() * cols.len())
}

/// [`fill_block`] into possibly-uninitialised memory; on `Ok` every element is initialised, on
/// `Err` nothing was written.
pub fn fill_block_uninit<T: Element>(
    out: &mut [MaybeUninit<T>],
    dist: &Distribution,
    key: &TensorKey,
    shape: [usize; 2],
    rows: Range<usize>,
    cols: Range<usize>,
) -> Result<()> {
    let n = check_block(shape, &rows, &cols)?;
    if out.len() != n {
        return Err(Error::LengthMismatch {
            expected: n,
            actual: out.len(),
        });
    }
    // Validate once, so no row can fail after others were written.
    Plan::new(dist, T::DTYPE)?;
    if n == 0 {
        return Ok(());
    }
    let stride = shape[1] as u64;
    let w = cols.len();
    if w == shape[1] {
        return fill_uninit(out, dist, key, rows.start as u64 * stride, Level::Avx512);
    }
    // Narrow blocks: one offset fill per row. Rows are independent (every element is a
    // function of its index), so large blocks fill their rows in parallel.
    use rayon::prelude::*;
    let first = rows.start as u64;
    let c0 = cols.start as u64;
    let row = |(i, r): (usize, &mut [MaybeUninit<T>])| {
        fill_uninit(
            r,
            dist,
            key,
            (first + i as u64) * stride + c0,
            Level::Avx512,
        )
    };
    if n >= 1 << 16 {
        out.par_chunks_mut(w).enumerate().try_for_each(row)
    } else {
        out.chunks_mut(w).enumerate().try_for_each(row)
    }
}

impl Init {
    /// Allocates and fills block `rows × cols` of a 2-D weight of `shape`, with the fans of
    /// the full `shape` (read by `layout`): bit-equal to that block of
    /// [`Init::alloc`]`(shape, …)`.
    ///
    /// ```
    /// use glorot::{shard_block, Init, Key, Layout, Split};
    /// let key = Key::new(0).tensor("mlp.c_fc.weight");
    /// let init = Init::xavier_uniform(1.0);
    /// let full: Vec<f32> = init.alloc(&[8, 6], Layout::Torch, &key)?;
    /// let (r, c) = shard_block([8, 6], Split::Cols, 1, 4)?; // columns 2..4 (6 = 2+2+1+1)
    /// let mine: Vec<f32> = init.alloc_block([8, 6], Layout::Torch, &key, r.clone(), c.clone())?;
    /// for (i, row) in r.enumerate() {
    ///     assert_eq!(mine[i * 2..i * 2 + 2], full[row * 6 + 2..row * 6 + 4]);
    /// }
    /// # Ok::<(), glorot::Error>(())
    /// ```
    pub fn alloc_block<T: Element>(
        &self,
        shape: [usize; 2],
        layout: Layout,
        key: &TensorKey,
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Result<Vec<T>> {
        let n = check_block(shape, &rows, &cols)?;
        if n == 0 {
            self.check_parameters()?;
            return Ok(Vec::new());
        }
        let dist = self.distribution_for_shape(&shape, layout)?;
        Plan::new(&dist, T::DTYPE)?;
        try_alloc_with(n, Pages::Plain, |out| {
            fill_block_uninit(out, &dist, key, shape, rows, cols)
        })
    }
}
