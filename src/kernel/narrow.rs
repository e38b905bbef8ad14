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

use crate::chacha::Imp;
use crate::dist::{NarrowMap, Plan};
use crate::element::Narrow;
use crate::simd::{Lanes, Scalar};
use crate::{Backend, TensorKey};

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

/// A sample map of the narrow family: 24-bit integers to `f32`, written once for every backend.
pub(crate) trait SampleNarrow {
    fn sample<V: Lanes>(&self, k: V::U) -> V;
}

/// Fills `out` with elements `offset..offset + out.len()` of the tensor.
pub(crate) fn fill<T: Narrow>(
    plan: &Plan,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<T>],
    backend: Backend,
) {
    fill_level(plan, key, offset, out, backend, crate::simd::kernel_level())
}

/// [`fill`] with `Backend::Simd`'s run-time kernels capped at `level` (2 AVX2, 3 AVX-512; see
/// `crate::simd::kernel_level`). Tests pin each x86_64 kernel through it.
pub(crate) fn fill_level<T: Narrow>(
    plan: &Plan,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<T>],
    backend: Backend,
    level: u8,
) {
    match *plan {
        Plan::ConstNarrow(v) => {
            let v = T::from_f32(v);
            for o in out {
                o.write(v);
            }
        }
        Plan::Narrow { map, lo, hi } => match map {
            NarrowMap::Uniform(m) => run(&m, lo, hi, key, offset, out, backend, level),
            NarrowMap::Normal(m) => run(&m, lo, hi, key, offset, out, backend, level),
            NarrowMap::TruncatedNormal(m) => run(&m, lo, hi, key, offset, out, backend, level),
        },
        Plan::ConstDouble(_) | Plan::Double { .. } => {
            unreachable!("f64 plans are built only for f64 outputs")
        }
    }
}

/// Picks the backend once per call. `Backend::Simd` on x86_64 takes the first run-time kernel
/// the CPU supports and `level` allows — AVX-512 (level ≥ 3), then AVX2 (level ≥ 2), each with
/// the whole loop (word unpacking included) compiled for it — and otherwise the portable `wide`
/// vectors; `Backend::Portable` is always `wide`, `Backend::Scalar` the one-lane reference.
#[allow(clippy::too_many_arguments)] // the kernel inputs, the backend and its level cap
#[inline(always)]
fn run<T: Narrow, S: SampleNarrow>(
    map: &S,
    lo: f32,
    hi: f32,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<T>],
    backend: Backend,
    level: u8,
) {
    let imp = super::chacha_imp(backend);
    match backend {
        Backend::Simd => {
            #[cfg(target_arch = "x86_64")]
            {
                if level >= 3
                    && crate::simd::avx512::narrow_run::<T, S>(map, lo, hi, key, offset, out, imp)
                {
                    return;
                }
                if level >= 2
                    && crate::simd::avx2::narrow_run::<T, S>(map, lo, hi, key, offset, out, imp)
                {
                    return;
                }
            }
            run_with::<T, S, wide::f32x8>(map, lo, hi, key, offset, out, imp)
        }
        Backend::Portable => run_with::<T, S, wide::f32x8>(map, lo, hi, key, offset, out, imp),
        Backend::Scalar => run_with::<T, S, Scalar>(map, lo, hi, key, offset, out, imp),
    }
}

/// Generates words batch by batch and maps them through full `V` vectors, finishing each
/// batch's last `< N` elements (or everything, on the scalar backend) with the one-lane path.
#[inline(always)]
pub(crate) fn run_with<T: Narrow, S: SampleNarrow, V: Lanes>(
    map: &S,
    lo: f32,
    hi: f32,
    key: &TensorKey,
    offset: u64,
    mut out: &mut [MaybeUninit<T>],
    imp: Imp,
) {
    let mut skip = (offset % GROUP_ELEMS as u64) as usize;
    let mut words = key.words_at_with(offset / GROUP_ELEMS as u64 * GROUP_WORDS as u64, imp);
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
        map_store::<T, S, V>(map, lo, hi, &kbuf[skip..skip + take], head);
        out = rest;
        skip = 0;
    }
}

/// Maps integers through full `V` vectors and the scalar path for the `< N` tail, finishing
/// (rounding, clamping, storing) every value.
#[inline(always)]
fn map_store<T: Narrow, S: SampleNarrow, V: Lanes>(
    map: &S,
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
            T::finish_unclamped(map.sample::<V>(V::load_u(kk)), oo);
        }
    } else {
        for (kk, oo) in (&mut kc).zip(&mut oc) {
            T::finish(map.sample::<V>(V::load_u(kk)), lo, hi, oo);
        }
    }
    for (kk, oo) in kc.remainder().iter().zip(oc.into_remainder()) {
        T::finish(map.sample::<Scalar>(*kk), lo, hi, core::slice::from_mut(oo));
    }
}
