//! The parallel driver: splits an element range into chunks and runs a kernel on each, on the
//! current rayon pool.
//!
//! Chunk boundaries sit at fixed multiples of [`CHUNK`] in the tensor's own index space, whatever
//! the thread count, the pool or the offset of the range — and since every element is a pure
//! function of (key, index), scheduling cannot change a single bit anyway. Each chunk is written
//! by exactly one task in one pass, so on a fresh buffer the first touch of every page happens
//! inside the parallel fill.
//!
//! To run on a pool of your own, call any fill inside [`rayon::ThreadPool::install`].

use core::mem::MaybeUninit;
use rayon::prelude::*;

/// Elements per task: 64 Ki (256 KiB of f32). Large enough to amortise scheduling and stream
/// setup, small enough to balance two cores over a few MiB. A multiple of the narrow kernel's
/// 512-element batch (384 words = 24 ChaCha blocks = three 8-block SIMD calls), so chunks start
/// on batch boundaries and never generate a block twice.
pub(crate) const CHUNK: usize = 1 << 16;

/// Runs `kernel(first_index, piece)` over `out` (elements `offset..offset + out.len()`) in
/// parallel, one call per chunk.
pub(crate) fn for_each_chunk<T: Send>(
    out: &mut [MaybeUninit<T>],
    offset: u64,
    kernel: impl Fn(u64, &mut [MaybeUninit<T>]) + Sync,
) {
    let to_boundary = (CHUNK - (offset % CHUNK as u64) as usize) % CHUNK;
    if out.len() <= CHUNK.max(to_boundary) {
        kernel(offset, out);
        return;
    }
    let (head, body) = out.split_at_mut(to_boundary);
    let body_offset = offset + to_boundary as u64;
    rayon::join(
        || {
            if !head.is_empty() {
                kernel(offset, head);
            }
        },
        || {
            body.par_chunks_mut(CHUNK)
                .enumerate()
                .for_each(|(i, piece)| kernel(body_offset + (i * CHUNK) as u64, piece));
        },
    );
}
