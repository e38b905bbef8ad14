//! Runtime-dispatched AVX2 backend (x86_64 only): `Lanes` over `__m256`/`__m256i` and
//! `LanesF64` over `__m256d`/`__m256i`, so a default build (`cargo add glorot`, SSE2 baseline)
//! still runs 256-bit kernels on CPUs that have AVX2.
//!
//! This file holds all the `unsafe` of this backend. Kernels reach it only through
//! [`run`] (stamped by `x86_entry!`), which takes an [`Avx2`] proof token and calls the
//! kernel's generic body with [`F32x8`] / [`F64x4`] (four / eight interleaved) inside a
//! `#[target_feature(enable = "avx2,f16c")]` function.
//!
//! Only IEEE-754-exact instructions are used (`vaddps`, `vsubps`, `vmulps`, `vdivps`,
//! `vsqrtps`, compares, blends, integer shifts/ands/adds, exact int→float conversion of values
//! below 2²⁴, 16-byte table-entry loads and shuffles, and F16C's IEEE round-to-nearest-even `f32 → f16`
//! conversion). No FMA, no approximate
//! reciprocals: the results are bit-identical to the scalar reference backend.
//!
//! Soundness: the types' methods call AVX2 intrinsics. The types are private to this module
//! and reach generic code only as the lane types of [`run`], i.e. inside the
//! `#[target_feature]` entry point after detection; the crate's `WithLanes` operations never
//! let lane values escape `run`.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::x2::{X2d, X2};
use super::{Lanes, LanesF64};
use crate::level::Avx2;

/// Eight `f32` lanes in one AVX register.
#[derive(Clone, Copy)]
struct F32x8(__m256);

/// Eight `u32` lanes.
#[derive(Clone, Copy)]
struct U32x8(__m256i);

/// Four `f64` lanes.
#[derive(Clone, Copy)]
struct F64x4(__m256d);

/// Four `u64` lanes.
#[derive(Clone, Copy)]
struct U64x4(__m256i);

x86_binops!(F32x8: _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps);
x86_binops!(F64x4: _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd, _mm256_div_pd);

impl Lanes for F32x8 {
    type U = U32x8;
    const N: usize = 8;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        // SAFETY: AVX2 is available (module docs); no memory access.
        F32x8(unsafe { _mm256_set1_ps(x) })
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> U32x8 {
        let src = &src[..8];
        // SAFETY: `src` has 8 initialised u32s (bounds-checked above) = 32 readable bytes;
        // `loadu` has no alignment requirement; AVX2 is available (module docs).
        U32x8(unsafe { _mm256_loadu_si256(src.as_ptr().cast::<__m256i>()) })
    }
    #[inline(always)]
    fn from_u24(k: U32x8) -> Self {
        // SAFETY: AVX2 is available; no memory access. k < 2^24 < 2^31, so the signed
        // conversion is exact and equals `k as f32`.
        F32x8(unsafe { _mm256_cvtepi32_ps(k.0) })
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f32>]) {
        let dst = &mut dst[..8];
        // SAFETY: `dst` has 8 writable f32 slots (bounds-checked above); `storeu` has no
        // alignment requirement; writing initialises the MaybeUninit slots.
        unsafe { _mm256_storeu_ps(dst.as_mut_ptr().cast::<f32>(), self.0) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        // SAFETY: AVX2 (hence AVX) is available; no memory access. vsqrtps is correctly rounded.
        F32x8(unsafe { _mm256_sqrt_ps(self.0) })
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        // SAFETY: AVX is available; no memory access. LT_OQ is false for NaN, like `<`.
        F32x8(unsafe { _mm256_blendv_ps(f.0, t.0, _mm256_cmp_ps::<_CMP_LT_OQ>(a.0, b.0)) })
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        // SAFETY: AVX is available; no memory access.
        unsafe { _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(a.0, b.0)) == 0xFF }
    }
    #[inline(always)]
    fn lookup4(table: &[[f32; 4]], i: U32x8) -> [Self; 4] {
        // The byte offset of each lane's entry is computed in the vector (mask and shift: two
        // instructions for eight lanes, where scalar code needed two per lane) and leaves it
        // as four 64-bit halves (two offsets each) rather than eight `vpextrd`s, so each
        // entry costs one 16-byte load and a little scalar integer work.
        assert!(!table.is_empty() && table.len() <= 1 << 27);
        let mask = (table.len() - 1) as i32;
        // SAFETY: AVX2 is available (module docs); register operations only.
        let pairs: [u64; 4] = unsafe {
            let o = _mm256_slli_epi32::<4>(_mm256_and_si256(i.0, _mm256_set1_epi32(mask)));
            let (lo, hi) = (_mm256_castsi256_si128(o), _mm256_extracti128_si256::<1>(o));
            [
                _mm_cvtsi128_si64(lo) as u64,
                _mm_extract_epi64::<1>(lo) as u64,
                _mm_cvtsi128_si64(hi) as u64,
                _mm_extract_epi64::<1>(hi) as u64,
            ]
        };
        let base = table.as_ptr().cast::<u8>();
        // SAFETY: lane `l`'s offset `16·(i & (len − 1)) ≤ 16·(len − 1)` (no overflow: `len ≤
        // 2²⁷`) is the byte offset of a whole 16-byte `[f32; 4]` entry of `table`, so the
        // pointer stays inside the table.
        let e = |l: usize| unsafe {
            let off = (pairs[l / 2] >> (32 * (l % 2))) as u32 as usize;
            base.add(off).cast::<f32>()
        };
        // SAFETY: AVX is available; each `e(l)` points at a whole entry (16 readable bytes,
        // unaligned load); the rest is register shuffles. Entries of lanes `l` and `l + 4`
        // share a register, then a 4×4 transpose in each 128-bit half puts coefficient `j` of
        // lanes 0..8 into vector `j`, in lane order.
        unsafe {
            let r = |l: usize| _mm256_set_m128(_mm_loadu_ps(e(l + 4)), _mm_loadu_ps(e(l)));
            let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
            let t0 = _mm256_castps_pd(_mm256_unpacklo_ps(r0, r1));
            let t1 = _mm256_castps_pd(_mm256_unpackhi_ps(r0, r1));
            let t2 = _mm256_castps_pd(_mm256_unpacklo_ps(r2, r3));
            let t3 = _mm256_castps_pd(_mm256_unpackhi_ps(r2, r3));
            [
                F32x8(_mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2))),
                F32x8(_mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2))),
                F32x8(_mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3))),
                F32x8(_mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3))),
            ]
        }
    }
    #[inline(always)]
    fn to_bits(self) -> U32x8 {
        // SAFETY: AVX is available; a bit cast.
        U32x8(unsafe { _mm256_castps_si256(self.0) })
    }
    #[inline(always)]
    fn from_bits(u: U32x8) -> Self {
        // SAFETY: AVX is available; a bit cast.
        F32x8(unsafe { _mm256_castsi256_ps(u.0) })
    }
    #[inline(always)]
    fn shr<const S: i32>(u: U32x8) -> U32x8 {
        // SAFETY: AVX2 is available; no memory access.
        U32x8(unsafe { _mm256_srli_epi32::<S>(u.0) })
    }
    #[inline(always)]
    fn and(u: U32x8, m: u32) -> U32x8 {
        // SAFETY: AVX2 is available; no memory access.
        U32x8(unsafe { _mm256_and_si256(u.0, _mm256_set1_epi32(m as i32)) })
    }
    #[inline(always)]
    fn add_u(u: U32x8, m: u32) -> U32x8 {
        // SAFETY: AVX2 is available; no memory access. vpaddd wraps.
        U32x8(unsafe { _mm256_add_epi32(u.0, _mm256_set1_epi32(m as i32)) })
    }
    #[inline(always)]
    fn shl<const S: i32>(u: U32x8) -> U32x8 {
        // SAFETY: AVX2 is available; no memory access.
        U32x8(unsafe { _mm256_slli_epi32::<S>(u.0) })
    }
    #[inline(always)]
    fn add_uu(a: U32x8, b: U32x8) -> U32x8 {
        // SAFETY: AVX2 is available; no memory access.
        U32x8(unsafe { _mm256_add_epi32(a.0, b.0) })
    }
    #[inline(always)]
    fn to_f16_bits(self) -> U32x8 {
        // SAFETY: F16C and AVX2 are available (module docs); no memory access. Immediate 0 =
        // round to nearest even regardless of MXCSR; vcvtps2ph is an exact IEEE conversion
        // (subnormal results included), the same rounding as `half::f16::from_f32`.
        U32x8(unsafe {
            _mm256_cvtepu16_epi32(_mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(self.0))
        })
    }
    #[inline(always)]
    fn from_f16_bits(u: U32x8) -> Self {
        // SAFETY: F16C and AVX2 are available; no memory access. The lanes hold 16-bit
        // patterns, so `packus` keeps them; the permute gathers them into the low 128 bits.
        F32x8(unsafe {
            let packed = _mm256_packus_epi32(u.0, u.0);
            let ordered = _mm256_permute4x64_epi64::<0b1000>(packed);
            _mm256_cvtph_ps(_mm256_castsi256_si128(ordered))
        })
    }
    #[inline(always)]
    fn to_u16s(u: U32x8, dst: &mut [u16]) {
        let dst = &mut dst[..8];
        // SAFETY: AVX2 is available. `packus` saturates, so only the low 16 bits of lanes below
        // 2^16 survive unchanged — callers pass such lanes (16-bit patterns). The permute puts
        // the eight packed u16 in the low 128 bits; `dst` has 8 writable u16 slots = 16 bytes
        // (bounds-checked above), stored unaligned.
        unsafe {
            let packed = _mm256_packus_epi32(u.0, u.0);
            let ordered = _mm256_permute4x64_epi64::<0b1000>(packed);
            _mm_storeu_si128(
                dst.as_mut_ptr().cast::<__m128i>(),
                _mm256_castsi256_si128(ordered),
            );
        }
    }
}

/// 2^52 as f64.
const TWO52: f64 = 4_503_599_627_370_496.0;

impl LanesF64 for F64x4 {
    type U = U64x4;
    const N: usize = 4;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        // SAFETY: AVX is available; no memory access.
        F64x4(unsafe { _mm256_set1_pd(x) })
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> U64x4 {
        let src = &src[..8];
        // SAFETY: 8 initialised u32s = 32 readable bytes (bounds-checked above), unaligned load.
        // x86 is little-endian, so lane i is `src[2i] | src[2i+1] << 32`, as specified.
        U64x4(unsafe { _mm256_loadu_si256(src.as_ptr().cast::<__m256i>()) })
    }
    #[inline(always)]
    fn top53(w: U64x4) -> Self {
        // Same exact split as the `wide` backend: 21 high and 32 low bits, each converted with
        // the 2^52 exponent trick, recombined exactly.
        let k = Self::shr::<11>(w);
        let hi = Self::shr::<32>(k);
        let lo = Self::and(k, 0xFFFF_FFFF);
        let hi_f = Self::from_bits(Self::or(hi, TWO52.to_bits())) - Self::splat(TWO52);
        let lo_f = Self::from_bits(Self::or(lo, TWO52.to_bits())) - Self::splat(TWO52);
        hi_f * Self::splat(4_294_967_296.0) + lo_f
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f64>]) {
        let dst = &mut dst[..4];
        // SAFETY: 4 writable f64 slots (bounds-checked above), unaligned store.
        unsafe { _mm256_storeu_pd(dst.as_mut_ptr().cast::<f64>(), self.0) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        // SAFETY: AVX is available; no memory access.
        F64x4(unsafe { _mm256_sqrt_pd(self.0) })
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        // SAFETY: AVX is available; no memory access.
        F64x4(unsafe { _mm256_blendv_pd(f.0, t.0, _mm256_cmp_pd::<_CMP_LT_OQ>(a.0, b.0)) })
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        // SAFETY: AVX is available; no memory access.
        unsafe { _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(a.0, b.0)) == 0xF }
    }
    #[inline(always)]
    fn to_bits(self) -> U64x4 {
        // SAFETY: AVX is available; a bit cast.
        U64x4(unsafe { _mm256_castpd_si256(self.0) })
    }
    #[inline(always)]
    fn from_bits(u: U64x4) -> Self {
        // SAFETY: AVX is available; a bit cast.
        F64x4(unsafe { _mm256_castsi256_pd(u.0) })
    }
    #[inline(always)]
    fn shr<const S: i32>(u: U64x4) -> U64x4 {
        // SAFETY: AVX2 is available; no memory access.
        U64x4(unsafe { _mm256_srli_epi64::<S>(u.0) })
    }
    #[inline(always)]
    fn and(u: U64x4, m: u64) -> U64x4 {
        // SAFETY: AVX2 is available; no memory access.
        U64x4(unsafe { _mm256_and_si256(u.0, _mm256_set1_epi64x(m as i64)) })
    }
    #[inline(always)]
    fn or(u: U64x4, m: u64) -> U64x4 {
        // SAFETY: AVX2 is available; no memory access.
        U64x4(unsafe { _mm256_or_si256(u.0, _mm256_set1_epi64x(m as i64)) })
    }
}

// The narrow kernels run four interleaved vectors ([`X2`] of [`X2`]), the f64 kernels eight
// ([`X2d`]³): independent chains fill the pipelines, and the bits are the same (each lane
// does the same operations). Narrow: ~1.3× faster than one vector, eight vectors measured no
// faster (the table look-ups, not latency, bound them). f64: the normal's 23-term Horner
// chain (a dependent multiply and add per term) is latency-bound; eight vectors ran the f64
// normal 1.5–1.8× faster than four (one thread, Zen 3, in cache; 2026-12-01), sixteen no
// faster than eight (16 ymm registers).
x86_entry!(Avx2, "avx2,f16c", X2<X2<F32x8>>, X2d<X2d<X2d<F64x4>>>);
