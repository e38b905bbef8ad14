//! The `f64` kernel: element `i` reads stream words `2i` (low half) and `2i + 1` (high half) as
//! one 64-bit integer `w` — the same pairing as rand_core's `next_u64`.

use core::mem::MaybeUninit;

use crate::chacha::Imp;
use crate::dist::{DoubleMap, Plan};
use crate::simd::{Lanes64, Scalar64};
use crate::{Backend, TensorKey};

/// Elements per batch: 2048 words (8 KiB) stay in L1.
const BATCH: usize = 1024;

/// A sample map for `f64`: a 64-bit word to a value, written once for every backend.
pub(crate) trait SampleDouble {
    fn sample<V: Lanes64>(&self, w: V::U) -> V;
}

/// Fills `out` with elements `offset..offset + out.len()` of the tensor.
pub(crate) fn fill(
    plan: &Plan,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    backend: Backend,
) {
    fill_level(plan, key, offset, out, backend, crate::simd::kernel_level())
}

/// [`fill`] with `Backend::Simd`'s run-time kernels capped at `level` (see the narrow kernel).
pub(crate) fn fill_level(
    plan: &Plan,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    backend: Backend,
    level: u8,
) {
    match *plan {
        Plan::ConstDouble(v) => {
            for o in out {
                o.write(v);
            }
        }
        Plan::Double { map, lo, hi } => match map {
            DoubleMap::Uniform(m) => run(&m, lo, hi, key, offset, out, backend, level),
            DoubleMap::Normal(m) => run(&m, lo, hi, key, offset, out, backend, level),
            DoubleMap::TruncatedNormal(m) => run(&m, lo, hi, key, offset, out, backend, level),
        },
        Plan::ConstNarrow(_) | Plan::Narrow { .. } => {
            unreachable!("narrow plans are built only for narrow outputs")
        }
    }
}

/// Picks the backend once per call: AVX-512, AVX2, `wide` or scalar (see the narrow kernel).
#[allow(clippy::too_many_arguments)] // the kernel inputs, the backend and its level cap
#[inline(always)]
fn run<S: SampleDouble>(
    map: &S,
    lo: f64,
    hi: f64,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    backend: Backend,
    level: u8,
) {
    let imp = super::chacha_imp(backend);
    match backend {
        Backend::Simd => {
            #[cfg(target_arch = "x86_64")]
            {
                if level >= 3
                    && crate::simd::avx512::double_run::<S>(map, lo, hi, key, offset, out, imp)
                {
                    return;
                }
                if level >= 2
                    && crate::simd::avx2::double_run::<S>(map, lo, hi, key, offset, out, imp)
                {
                    return;
                }
            }
            run_with::<S, wide::f64x4>(map, lo, hi, key, offset, out, imp)
        }
        Backend::Portable => run_with::<S, wide::f64x4>(map, lo, hi, key, offset, out, imp),
        Backend::Scalar => run_with::<S, Scalar64>(map, lo, hi, key, offset, out, imp),
    }
}

/// Generates words batch by batch and maps them through `V` vectors.
#[inline(always)]
pub(crate) fn run_with<S: SampleDouble, V: Lanes64>(
    map: &S,
    lo: f64,
    hi: f64,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    imp: Imp,
) {
    let mut words = key.words_at_with(offset * 2, imp);
    let mut wbuf = [0u32; 2 * BATCH];
    for chunk in out.chunks_mut(BATCH) {
        let w = &mut wbuf[..2 * chunk.len()];
        words.fill(w);
        map_store::<S, V>(map, lo, hi, w, chunk);
    }
}

/// Maps 64-bit words through full `V` vectors and the scalar path for the tail.
#[inline(always)]
fn map_store<S: SampleDouble, V: Lanes64>(
    map: &S,
    lo: f64,
    hi: f64,
    words: &[u32],
    out: &mut [MaybeUninit<f64>],
) {
    let (lo_v, hi_v) = (V::splat(lo), V::splat(hi));
    let mut wc = words.chunks_exact(2 * V::N);
    let mut oc = out.chunks_exact_mut(V::N);
    for (ww, oo) in (&mut wc).zip(&mut oc) {
        let x = map.sample::<V>(V::load_u(ww));
        x.max_with(lo_v).min_with(hi_v).store(oo);
    }
    for (ww, oo) in wc.remainder().chunks_exact(2).zip(oc.into_remainder()) {
        let x = map.sample::<Scalar64>(Scalar64::load_u(ww));
        x.max_with(Scalar64(lo))
            .min_with(Scalar64(hi))
            .store(core::slice::from_mut(oo));
    }
}
