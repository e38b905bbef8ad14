//! Allocation without zeroing, with an optional transparent-huge-page hint.

use core::mem::MaybeUninit;

use crate::{Error, Result};

/// How the pages of a new buffer are backed.
///
/// The default is [`Pages::Plain`]: on the VM this crate is developed on, huge-page first touch
/// was 3–4× faster than plain pages for memory freed moments before, but 2–3× *slower* for
/// memory the hypervisor had reclaimed (it returns memory idle for more than ~2 s to the host).
/// Plain pages are never much worse; try [`Pages::Huge`] on bare metal. See the README's
/// Performance section for the measured table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Pages {
    /// Whatever the allocator and kernel give by default (4 KiB pages unless THP is `always`).
    #[default]
    Plain,
    /// Ask Linux for transparent huge pages (`madvise(MADV_HUGEPAGE)`) over the buffer before
    /// the first write. A hint only; ignored on other systems.
    Huge,
}

const HUGE_PAGE: usize = 2 << 20;

/// Allocates `len` elements without zeroing them and lets `init` write every one of them.
/// The `Vec` is returned only if `init` succeeded; `init` must then have initialised all `len`
/// slots (every fill in this crate does, and writes nothing on error).
pub(crate) fn try_alloc_with<T>(
    len: usize,
    pages: Pages,
    init: impl FnOnce(&mut [MaybeUninit<T>]) -> Result<()>,
) -> Result<Vec<T>> {
    let mut v = try_alloc_uninit::<T>(len, pages)?;
    init(&mut v.spare_capacity_mut()[..len])?;
    // SAFETY: the capacity is at least `len` (reserved above) and `init` returned Ok, which
    // for the crate's fills means all `len` slots were written with valid values.
    unsafe { v.set_len(len) };
    Ok(v)
}

/// Views an initialised slice as possibly-uninitialised, so the kernels (which write through
/// `MaybeUninit`) can fill it in place.
pub(crate) fn as_uninit_mut<T>(out: &mut [T]) -> &mut [MaybeUninit<T>] {
    // SAFETY: `MaybeUninit<T>` has the same layout as `T`, and viewing initialised memory as
    // possibly-uninitialised is always sound; the crate's kernels only ever write fully
    // initialised values through this view, so `out` is initialised again when the borrow ends.
    unsafe { &mut *(out as *mut [T] as *mut [MaybeUninit<T>]) }
}

/// A `Vec` with capacity for exactly `len` elements and length 0.
fn try_alloc_uninit<T>(len: usize, pages: Pages) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| Error::AllocationFailed)?;
    if pages == Pages::Huge {
        advise_huge(v.as_mut_ptr().cast::<u8>(), len * core::mem::size_of::<T>());
    }
    Ok(v)
}

#[cfg(target_os = "linux")]
fn advise_huge(start: *mut u8, bytes: usize) {
    // Only whole 2 MiB-aligned huge pages inside the allocation can be backed by huge pages.
    let begin = (start as usize).next_multiple_of(HUGE_PAGE);
    let end = (start as usize + bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > begin {
        // SAFETY: [begin, end) lies inside the allocation we own and have not touched;
        // MADV_HUGEPAGE only changes how future faults are served, never contents or validity.
        // A failure (e.g. THP disabled) is harmless and deliberately ignored.
        unsafe {
            libc::madvise(begin as *mut libc::c_void, end - begin, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_start: *mut u8, _bytes: usize) {}
