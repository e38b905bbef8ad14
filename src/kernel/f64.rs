//! The `f64` kernel: element `i` reads stream words `2i` (low half) and `2i + 1` (high half) as
//! one 64-bit integer `w` — the same pairing as rand_core's `next_u64`.

use core::mem::MaybeUninit;

use super::Run;
use crate::sample::SampleF64;
use crate::simd::{Lanes, LanesF64, ScalarF64, WithLanes};

/// Elements per batch: 2048 words (8 KiB) stay in L1.
const BATCH: usize = 1024;

impl<S: SampleF64> WithLanes for Run<'_, S, f64, f64> {
    type Output = ();
    #[inline(always)]
    fn run<V: Lanes, W: LanesF64>(self) {
        run_with::<S, W>(self)
    }
}

/// Generates words batch by batch and maps them through `V` vectors.
#[inline(always)]
fn run_with<S: SampleF64, V: LanesF64>(job: Run<'_, S, f64, f64>) {
    let Run {
        random,
        key,
        offset,
        ready,
        out,
    } = job;
    let mut words = key.words_at_with(offset * 2, ready);
    let mut wbuf = [0u32; 2 * BATCH];
    for chunk in out.chunks_mut(BATCH) {
        let w = &mut wbuf[..2 * chunk.len()];
        words.fill(w);
        map_store::<S, V>(&random.sampler, random.lo, random.hi, w, chunk);
    }
}

/// Maps 64-bit words through full `V` vectors and the scalar path for the tail.
#[inline(always)]
fn map_store<S: SampleF64, V: LanesF64>(
    sampler: &S,
    lo: f64,
    hi: f64,
    words: &[u32],
    out: &mut [MaybeUninit<f64>],
) {
    let (lo_v, hi_v) = (V::splat(lo), V::splat(hi));
    let mut wc = words.chunks_exact(2 * V::N);
    let mut oc = out.chunks_exact_mut(V::N);
    for (ww, oo) in (&mut wc).zip(&mut oc) {
        let x = sampler.sample::<V>(V::load_u(ww));
        x.max_with(lo_v).min_with(hi_v).store(oo);
    }
    for (ww, oo) in wc.remainder().chunks_exact(2).zip(oc.into_remainder()) {
        let x = sampler.sample::<ScalarF64>(ScalarF64::load_u(ww));
        x.max_with(ScalarF64(lo))
            .min_with(ScalarF64(hi))
            .store(core::slice::from_mut(oo));
    }
}
