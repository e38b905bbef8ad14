//! The public fill entry points: in place, at an offset (the basis of sharding), into
//! uninitialised memory, and allocate-and-fill.

use core::mem::MaybeUninit;

use crate::alloc::{as_uninit_mut, try_alloc_with, Pages};
use crate::{parallel, Distribution, Element, Error, Result, TensorKey};

/// Which arithmetic path the kernels take. Both give identical bits; [`Backend::Scalar`] exists
/// as the reference the SIMD path is tested against, and for debugging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Vectorised kernels (the default): AVX-512 or else AVX2, chosen at run time on x86_64
    /// CPUs that have them (even in a default, SSE2-baseline build), otherwise the portable
    /// path.
    #[default]
    Simd,
    /// The portable vector path (`wide`), whose instruction set is fixed at compile time
    /// (SSE2 in a default x86_64 build, AVX2 with `-C target-cpu=x86-64-v3`, NEON on aarch64).
    /// Mostly for tests and benchmarks: it gives the same bits as the other backends.
    Portable,
    /// One element at a time, the same operations in the same order.
    Scalar,
}

/// The largest element index a tensor may have plus one: 2⁶², so every word position
/// (at most two words per element) fits in a `u64`.
pub const MAX_ELEMENTS: u64 = 1 << 62;

/// Fills a whole tensor: `out[i]` = element `i` of `dist` under `key`.
///
/// Runs on the current rayon pool. A zero-length `out` is a no-op.
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
    fill_at_with(out, dist, key, offset, Backend::Simd)
}

/// [`fill_at`] with an explicit [`Backend`].
pub fn fill_at_with<T: Element>(
    out: &mut [T],
    dist: &Distribution,
    key: &TensorKey,
    offset: u64,
    backend: Backend,
) -> Result<()> {
    fill_uninit(as_uninit_mut(out), dist, key, offset, backend)
}

/// Fills possibly-uninitialised memory. On `Ok`, every element of `out` is initialised; on
/// `Err`, nothing was written.
pub fn fill_uninit<T: Element>(
    out: &mut [MaybeUninit<T>],
    dist: &Distribution,
    key: &TensorKey,
    offset: u64,
    backend: Backend,
) -> Result<()> {
    match offset.checked_add(out.len() as u64) {
        Some(end) if end <= MAX_ELEMENTS => {}
        _ => return Err(Error::OutOfRange),
    }
    let plan = T::check(dist)?;
    if out.is_empty() {
        return Ok(());
    }
    parallel::for_each_chunk(out, offset, |first, piece| {
        T::fill_uninit(&plan, key, first, piece, backend)
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
    T::check(dist)?;
    try_alloc_with(len, pages, |out| {
        fill_uninit(out, dist, key, 0, Backend::Simd)
    })
}
