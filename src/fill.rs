//! The public fill entry points: in place, at an offset (the basis of sharding), into
//! uninitialised memory, and allocate-and-fill.

use core::mem::MaybeUninit;

use crate::alloc::{as_uninit_mut, try_alloc_with, Pages};
use crate::dist::Plan;
use crate::kernel::Job;
use crate::{parallel, Distribution, Element, Error, Level, Result, TensorKey};

/// The largest element index a tensor may have plus one: 2⁶², so every word position
/// (at most two words per element) fits in a `u64`.
pub const MAX_ELEMENTS: u64 = 1 << 62;

/// Fills a whole tensor: `out[i]` = element `i` of `dist` under `key`.
///
/// Runs on the current rayon pool. A zero-length `out` is a no-op.
///
/// Values `T` cannot hold are an error, never saturated: [`Error::Unrepresentable`] when the
/// distribution reaches beyond `T`'s finite range (`normal(0, 1e5)` or a constant 70000 in
/// `f16`), [`Error::TooNarrow`] when every sample would round to one value of `T` — the rule
/// the file writer applies too ([`crate::dist`]). (Earlier versions clamped such values into
/// the finite range.) On `Err`, nothing was written.
///
/// ```
/// use glorot::{fill, Distribution, Key};
/// let mut w = vec![0f32; 1000];
/// fill(&mut w, &Distribution::uniform(-0.1, 0.1)?, &Key::new(1).tensor("w"))?;
/// assert!(w.iter().all(|&x| (-0.1..0.1).contains(&x)));
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn fill<T: Element>(out: &mut [T], dist: &Distribution, key: &TensorKey) -> Result<()> {
    fill_at(out, dist, key, 0)
}

/// Fills `out` with elements `offset..offset + out.len()` of the tensor: exactly the slice of
/// what [`fill`] would write into the whole tensor. This is how shards and tensor-parallel
/// blocks are made without materialising the rest.
///
/// ```
/// use glorot::{fill, fill_at, Distribution, Key};
/// let (dist, key) = (Distribution::uniform(0.0, 1.0)?, Key::new(9).tensor("t"));
/// let mut whole = vec![0f32; 1000];
/// fill(&mut whole, &dist, &key)?;
/// let mut part = vec![0f32; 77];
/// fill_at(&mut part, &dist, &key, 333)?;
/// assert_eq!(&whole[333..410], &part[..]);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn fill_at<T: Element>(
    out: &mut [T],
    dist: &Distribution,
    key: &TensorKey,
    offset: u64,
) -> Result<()> {
    fill_at_with(out, dist, key, offset, Level::Avx512)
}

/// [`fill_at`] at an explicit [`Level`] (lowered to what the CPU runs); every level gives the
/// same bits. [`Level::Scalar`] is the reference the SIMD levels are tested against.
pub fn fill_at_with<T: Element>(
    out: &mut [T],
    dist: &Distribution,
    key: &TensorKey,
    offset: u64,
    level: Level,
) -> Result<()> {
    fill_uninit(as_uninit_mut(out), dist, key, offset, level)
}

/// Fills possibly-uninitialised memory at `level` (see [`fill_at_with`]). On `Ok`, every element of `out` is initialised; on
/// `Err`, nothing was written.
pub fn fill_uninit<T: Element>(
    out: &mut [MaybeUninit<T>],
    dist: &Distribution,
    key: &TensorKey,
    offset: u64,
    level: Level,
) -> Result<()> {
    match offset.checked_add(out.len() as u64) {
        Some(end) if end <= MAX_ELEMENTS => {}
        _ => return Err(Error::OutOfRange),
    }
    let job = Job::new(Plan::new(dist, T::DTYPE)?, key, level);
    if out.is_empty() {
        return Ok(());
    }
    parallel::for_each_chunk(out, offset, |first, piece| {
        job.fill(first, T::as_out(piece))
    });
    Ok(())
}

/// Allocates a new `Vec` of `len` elements and fills it, without zeroing it first: the first
/// write to each page is the value itself, made by the parallel fill.
///
/// An impossible size is [`Error::AllocationFailed`], not an abort. (The operating system may
/// still kill the process later if it over-committed memory it cannot supply.)
pub fn try_alloc_filled<T: Element>(
    len: usize,
    dist: &Distribution,
    key: &TensorKey,
    pages: Pages,
) -> Result<Vec<T>> {
    // Validate before allocating, so a bad distribution never costs an allocation.
    Plan::new(dist, T::DTYPE)?;
    try_alloc_with(len, pages, |out| {
        fill_uninit(out, dist, key, 0, Level::Avx512)
    })
}
