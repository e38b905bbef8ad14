//! `jax.random.uniform`'s bit-to-float map per dtype, the batched kernels, run in parallel
//! by the crate's chunk driver.
//!
//! Every value is `map(threefry2x32(key, (i >> 32, i as u32)))` for its row-major flat index
//! `i`; the map is written once per dtype ([`Map::one`]) and the batched kernel only changes how
//! many counters go through Threefry at once, so the scalar reference and the vector paths run
//! the same operations on the same integers.

use core::mem::MaybeUninit;

use super::threefry::{block, block_lanes, counters, LANES};
use crate::{bf16, f16, Level};

/// The constants of one tensor, already rounded to the output dtype as JAX rounds them (see
/// [`super::JaxInit`]); stored as `f64`, which holds every value of the four dtypes exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Consts {
    /// `minval` in the dtype.
    pub min: f64,
    /// `maxval − minval`, computed and rounded in the dtype.
    pub span: f64,
    /// The factor the initializer multiplies by afterwards (`√(3·variance)` or `scale`), in the
    /// dtype; `1.0` when there is none (multiplying by one is exact, so that is the same).
    pub mul: f64,
}

/// One dtype's map from the two Threefry output words to a value.
pub(crate) trait Map: Sync {
    type Out: Copy + Send;
    fn one(&self, x0: u32, x1: u32) -> Self::Out;
}

/// Rounds a finite `f32` to the nearest bfloat16 (ties to even), returned as the exact `f32`
/// of that bfloat16. Integer-only so it vectorises; equal to `half::bf16::from_f32` on finite
/// inputs (tested), overflowing to ±∞ the same way.
#[inline(always)]
fn round_bf16(x: f32) -> f32 {
    let b = x.to_bits();
    let r = b.wrapping_add(0x7FFF + ((b >> 16) & 1));
    f32::from_bits(r & 0xFFFF_0000)
}

/// Rounds a finite `f32` to the nearest binary16 (ties to even), as the exact `f32`.
#[inline(always)]
fn round_f16(x: f32) -> f32 {
    f16::from_f32(x).to_f32()
}

/// `lax.max(minval, v)`; `v` is never NaN here.
#[inline(always)]
fn at_least(v: f32, min: f32) -> f32 {
    if v < min {
        min
    } else {
        v
    }
}

/// `f32`. `FUSED = false` only when the product `floats · span` is exact (a power-of-two span),
/// where the fused and the separate multiply-add round identically: the initializers' span is
/// 2, so they need no FMA instruction (a library call where the CPU or build has none).
pub(crate) struct MapF32<const FUSED: bool> {
    min: f32,
    span: f32,
    mul: f32,
}

impl<const FUSED: bool> Map for MapF32<FUSED> {
    type Out = f32;
    #[inline(always)]
    fn one(&self, x0: u32, x1: u32) -> f32 {
        // `_uniform`: bits >> (32 − 23) | bits_of(1.0), bitcast, − 1.
        let u = f32::from_bits(((x0 ^ x1) >> 9) | 0x3F80_0000) - 1.0;
        // XLA:CPU contracts `floats * (maxval - minval) + minval` into one FMA (measured against
        // jax: a separate multiply and add differ in half the elements for general bounds).
        let v = if FUSED {
            u.mul_add(self.span, self.min)
        } else {
            u * self.span + self.min
        };
        at_least(v, self.min) * self.mul
    }
}

/// `f64`, as [`MapF32`].
pub(crate) struct MapF64<const FUSED: bool> {
    min: f64,
    span: f64,
    mul: f64,
}

impl<const FUSED: bool> Map for MapF64<FUSED> {
    type Out = f64;
    #[inline(always)]
    fn one(&self, x0: u32, x1: u32) -> f64 {
        // 64-bit random bits are `bits1 << 32 | bits2` (`_threefry_random_bits_partitionable`).
        let bits = (u64::from(x0) << 32) | u64::from(x1);
        let u = f64::from_bits((bits >> 12) | 0x3FF0_0000_0000_0000) - 1.0;
        let v = if FUSED {
            u.mul_add(self.span, self.min)
        } else {
            u * self.span + self.min
        };
        let v = if v < self.min { self.min } else { v };
        v * self.mul
    }
}

/// bfloat16 and binary16 arithmetic as XLA:CPU does it: every operation in `f32`, its result
/// rounded back to the 16-bit type (measured against jax: rounding only once at the end
/// differs in a third of the elements for general bounds).
pub(crate) struct MapBf16 {
    min: f32,
    span: f32,
    mul: f32,
}

impl Map for MapBf16 {
    type Out = bf16;
    #[inline(always)]
    fn one(&self, x0: u32, x1: u32) -> bf16 {
        // bfloat16 has 7 mantissa bits < 8, so `_uniform` asks for 8 random bits: the low byte
        // of `bits1 ^ bits2` (a `convert_element_type` to uint8), widened to 16 bits, >> 1.
        let h = ((((x0 ^ x1) & 0xFF) >> 1) | 0x3F80) << 16;
        let u = f32::from_bits(h) - 1.0; // exact
        let v = round_bf16(u * self.span);
        let v = at_least(round_bf16(v + self.min), self.min);
        let v = round_bf16(v * self.mul);
        bf16::from_bits((v.to_bits() >> 16) as u16)
    }
}

pub(crate) struct MapF16 {
    min: f32,
    span: f32,
    mul: f32,
}

impl Map for MapF16 {
    type Out = f16;
    #[inline(always)]
    fn one(&self, x0: u32, x1: u32) -> f16 {
        // 16 random bits: the low half of `bits1 ^ bits2`, >> (16 − 10).
        let h = ((((x0 ^ x1) & 0xFFFF) >> 6) | 0x3C00) as u16;
        let u = f16::from_bits(h).to_f32() - 1.0; // exact
        let v = round_f16(u * self.span);
        let v = at_least(round_f16(v + self.min), self.min);
        f16::from_f32(v * self.mul)
    }
}

/// Whether `floats · span` is exact for every `floats` in [0, 1) with at most 52 fraction bits:
/// true for a power of two far from under- and overflow.
fn exact_product(span: f64) -> bool {
    span.is_finite()
        && span > 2f64.powi(-60)
        && span < 2f64.powi(60)
        && span.to_bits() & ((1 << 52) - 1) == 0
}

/// Fills `f32` elements (see [`fill`]).
pub(crate) fn fill_f32(
    c: &Consts,
    key: [u32; 2],
    offset: u64,
    out: &mut [MaybeUninit<f32>],
    level: Level,
) {
    let (min, span, mul) = (c.min as f32, c.span as f32, c.mul as f32);
    if exact_product(c.span) {
        fill(&MapF32::<false> { min, span, mul }, key, offset, out, level)
    } else {
        fill(&MapF32::<true> { min, span, mul }, key, offset, out, level)
    }
}

/// Fills `f64` elements (see [`fill`]).
pub(crate) fn fill_f64(
    c: &Consts,
    key: [u32; 2],
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    level: Level,
) {
    let (min, span, mul) = (c.min, c.span, c.mul);
    if exact_product(c.span) {
        fill(&MapF64::<false> { min, span, mul }, key, offset, out, level)
    } else {
        fill(&MapF64::<true> { min, span, mul }, key, offset, out, level)
    }
}

/// Fills `bf16` elements (see [`fill`]).
pub(crate) fn fill_bf16(
    c: &Consts,
    key: [u32; 2],
    offset: u64,
    out: &mut [MaybeUninit<bf16>],
    level: Level,
) {
    fill(&MapBf16::new(c), key, offset, out, level)
}

/// Fills `f16` elements (see [`fill`]).
pub(crate) fn fill_f16(
    c: &Consts,
    key: [u32; 2],
    offset: u64,
    out: &mut [MaybeUninit<f16>],
    level: Level,
) {
    fill(&MapF16::new(c), key, offset, out, level)
}

impl MapBf16 {
    pub(crate) fn new(c: &Consts) -> Self {
        MapBf16 {
            min: c.min as f32,
            span: c.span as f32,
            mul: c.mul as f32,
        }
    }
}
impl MapF16 {
    pub(crate) fn new(c: &Consts) -> Self {
        MapF16 {
            min: c.min as f32,
            span: c.span as f32,
            mul: c.mul as f32,
        }
    }
}

/// The reference: one Threefry block per element.
fn run_scalar<M: Map>(m: &M, key: [u32; 2], first: u64, out: &mut [MaybeUninit<M::Out>]) {
    for (j, slot) in out.iter_mut().enumerate() {
        let i = first + j as u64;
        let [y0, y1] = block(key, [(i >> 32) as u32, i as u32]);
        slot.write(m.one(y0, y1));
    }
}

/// `LANES` counters per Threefry call; `#[inline(always)]` so each `#[target_feature]` entry
/// point below gets its own copy compiled for its instruction set.
#[inline(always)]
fn run_lanes<M: Map>(m: &M, key: [u32; 2], first: u64, out: &mut [MaybeUninit<M::Out>]) {
    let (mut x0, mut x1) = ([0u32; LANES], [0u32; LANES]);
    let mut i = first;
    let mut pieces = out.chunks_exact_mut(LANES);
    for piece in &mut pieces {
        counters(i, &mut x0, &mut x1);
        block_lanes(key, &mut x0, &mut x1);
        for j in 0..LANES {
            piece[j].write(m.one(x0[j], x1[j]));
        }
        i += LANES as u64;
    }
    let tail = pieces.into_remainder();
    if !tail.is_empty() {
        counters(i, &mut x0, &mut x1);
        block_lanes(key, &mut x0, &mut x1);
        for (j, slot) in tail.iter_mut().enumerate() {
            slot.write(m.one(x0[j], x1[j]));
        }
    }
}

fn run_portable<M: Map>(m: &M, key: [u32; 2], first: u64, out: &mut [MaybeUninit<M::Out>]) {
    run_lanes(m, key, first, out)
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2<M: Map>(m: &M, key: [u32; 2], first: u64, out: &mut [MaybeUninit<M::Out>]) {
    run_lanes(m, key, first, out)
}

#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

/// One chunk at the chosen level, lowered to what the CPU has and the process-wide cap allows
/// ([`Level::available`]). Both x86 levels take the AVX2+FMA copy (Threefry needs no wider
/// vectors to be correct, and this machine class has no AVX-512 to tune for).
fn run<M: Map>(m: &M, key: [u32; 2], first: u64, out: &mut [MaybeUninit<M::Out>], level: Level) {
    match level.min(Level::available()) {
        Level::Scalar => run_scalar(m, key, first, out),
        Level::Portable => run_portable(m, key, first, out),
        Level::Avx2 | Level::Avx512 => {
            #[cfg(target_arch = "x86_64")]
            if has_avx2_fma() {
                // SAFETY: `has_avx2_fma` just confirmed both features at run time.
                unsafe { run_avx2(m, key, first, out) };
                return;
            }
            run_portable(m, key, first, out)
        }
    }
}

/// Fills `out` = elements `offset..offset + out.len()` in parallel on the current rayon pool,
/// through the crate's chunk driver ([`crate::parallel::for_each_chunk`]): every element is a
/// pure function of its index, so the split cannot change a bit.
fn fill<M: Map>(m: &M, key: [u32; 2], offset: u64, out: &mut [MaybeUninit<M::Out>], level: Level) {
    crate::parallel::for_each_chunk(out, offset, |first, piece| run(m, key, first, piece, level));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfused_equals_fused_for_power_of_two_spans() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        for (min, span) in [
            (-1.0, 2.0),
            (0.3, 0.5),
            (-123.456, 1024.0),
            (1e-3, 2f64.powi(-20)),
        ] {
            assert!(exact_product(span));
            let c = Consts {
                min,
                span,
                mul: 0.7,
            };
            let (min32, span32) = (min as f32, span as f32);
            let a = MapF32::<true> {
                min: min32,
                span: span32,
                mul: 0.7,
            };
            let b = MapF32::<false> {
                min: min32,
                span: span32,
                mul: 0.7,
            };
            let (a64, b64) = (
                MapF64::<true> {
                    min: c.min,
                    span: c.span,
                    mul: c.mul,
                },
                MapF64::<false> {
                    min: c.min,
                    span: c.span,
                    mul: c.mul,
                },
            );
            for _ in 0..100_000 {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let (x0, x1) = ((s >> 32) as u32, s as u32);
                assert_eq!(a.one(x0, x1).to_bits(), b.one(x0, x1).to_bits());
                assert_eq!(a64.one(x0, x1).to_bits(), b64.one(x0, x1).to_bits());
            }
        }
        assert!(!exact_product(3.0) && !exact_product(0.0) && !exact_product(f64::INFINITY));
    }

    #[test]
    fn bf16_rounding_equals_half() {
        // Every bfloat16 boundary region: all high halves, with low halves at and around the tie.
        for hi in 0..=0xFFFFu32 {
            for lo in [0u32, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x1234] {
                let x = f32::from_bits((hi << 16) | lo);
                if !x.is_finite() {
                    continue;
                }
                let want = bf16::from_f32(x);
                let got = round_bf16(x);
                assert_eq!(got.to_bits() >> 16, u32::from(want.to_bits()), "{x:e}");
                assert_eq!(got.to_bits() & 0xFFFF, 0);
            }
        }
    }
}
