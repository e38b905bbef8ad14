//! The narrow-family kernel: `f32`, `bf16` and `f16` from 24 random bits per element.
//!
//! # Word layout
//!
//! Elements come in *groups* of 64. Group `g` reads the 48 stream words `w[0..48]` starting at
//! word position `48·g` (three ChaCha blocks) and gives element `64·g + r` the 24-bit integer
//!
//! ```text
//! r in  0..48:  k = w[r] >> 8
//! r in 48..64:  j = r − 48;  k = (w[j] & 0xFF) | (w[16 + j] & 0xFF) << 8 | (w[32 + j] & 0xFF) << 16
//! ```
//!
//! i.e. the top 24 bits of each word feed one element each, and the leftover low bytes of words
//! `j`, `16 + j`, `32 + j` are packed into a 16th-of-a-block's worth of extra elements. Every
//! element costs exactly 3/4 of a word; element `i` needs only group `i / 64`, so any range can be
//! generated on its own. The layout is chosen for SIMD: each of the four 16-element quarters is
//! built from contiguous words with lane-wise shifts and masks.

use core::mem::MaybeUninit;

use super::Run;
use crate::element::Narrow;
use crate::sample::SampleNarrow;
use crate::simd::{Lanes, LanesF64, Scalar, WithLanes};

/// Elements per group.
pub(crate) const GROUP_ELEMS: usize = 64;
/// Stream words per group.
pub(crate) const GROUP_WORDS: usize = 48;
/// Groups generated per batch: 384 words (24 ChaCha blocks, three 8-block SIMD calls with no
/// waste) and 512 elements. Small batches interleave word generation with the stores of the
/// previous batch; with 32 groups the store bursts to uncached memory stalled (1 GiB fills
/// measured ≈ 15% slower per CPU-second).
const BATCH_GROUPS: usize = 8;

/// The 64 integers of one group from its 48 words.
#[inline(always)]
pub(crate) fn unpack_group(w: &[u32], k: &mut [u32]) {
    let (w, k) = (&w[..GROUP_WORDS], &mut k[..GROUP_ELEMS]);
    for j in 0..16 {
        let (a, b, c) = (w[j], w[16 + j], w[32 + j]);
        k[j] = a >> 8;
        k[16 + j] = b >> 8;
        k[32 + j] = c >> 8;
        k[48 + j] = (a & 0xFF) | ((b & 0xFF) << 8) | ((c & 0xFF) << 16);
    }
}

impl<T: Narrow, S: SampleNarrow> WithLanes for Run<'_, S, f32, T> {
    type Output = ();
    #[inline(always)]
    fn run<V: Lanes, W: LanesF64>(self) {
        run_with::<T, S, V>(self)
    }
}

/// Generates words batch by batch and maps them through full `V` vectors, finishing each
/// batch's last `< N` elements (or everything, on the scalar backend) with the one-lane path.
#[inline(always)]
fn run_with<T: Narrow, S: SampleNarrow, V: Lanes>(job: Run<'_, S, f32, T>) {
    let Run {
        random,
        key,
        offset,
        ready,
        mut out,
    } = job;
    let mut skip = (offset % GROUP_ELEMS as u64) as usize;
    let mut words = key.words_at_with(offset / GROUP_ELEMS as u64 * GROUP_WORDS as u64, ready);
    let mut wbuf = [0u32; GROUP_WORDS * BATCH_GROUPS];
    let mut kbuf = [0u32; GROUP_ELEMS * BATCH_GROUPS];
    while !out.is_empty() {
        let groups = (skip + out.len()).div_ceil(GROUP_ELEMS).min(BATCH_GROUPS);
        words.fill(&mut wbuf[..groups * GROUP_WORDS]);
        for g in 0..groups {
            unpack_group(&wbuf[g * GROUP_WORDS..], &mut kbuf[g * GROUP_ELEMS..]);
        }
        let take = (groups * GROUP_ELEMS - skip).min(out.len());
        let (head, rest) = core::mem::take(&mut out).split_at_mut(take);
        crate::simd::prefetch(&rest[..rest.len().min(GROUP_ELEMS * BATCH_GROUPS)]);
        map_store::<T, S, V>(
            &random.sampler,
            random.lo,
            random.hi,
            &kbuf[skip..skip + take],
            head,
        );
        out = rest;
        skip = 0;
    }
}

/// Maps integers through full `V` vectors and the scalar path for the `< N` tail, finishing
/// (rounding, clamping, storing) every value.
#[inline(always)]
fn map_store<T: Narrow, S: SampleNarrow, V: Lanes>(
    sampler: &S,
    lo: f32,
    hi: f32,
    k: &[u32],
    out: &mut [MaybeUninit<T>],
) {
    let mut kc = k.chunks_exact(V::N);
    let mut oc = out.chunks_exact_mut(V::N);
    // `[−∞, +∞]` marks a plan whose values cannot leave the output type's finite range: the
    // clamp would be a no-op, so skip it.
    if lo == f32::NEG_INFINITY && hi == f32::INFINITY {
        for (kk, oo) in (&mut kc).zip(&mut oc) {
            T::finish_unclamped(sampler.sample::<V>(V::load_u(kk)), oo);
        }
    } else {
        for (kk, oo) in (&mut kc).zip(&mut oc) {
            T::finish(sampler.sample::<V>(V::load_u(kk)), lo, hi, oo);
        }
    }
    for (kk, oo) in kc.remainder().iter().zip(oc.into_remainder()) {
        T::finish(
            sampler.sample::<Scalar>(*kk),
            lo,
            hi,
            core::slice::from_mut(oo),
        );
    }
}
