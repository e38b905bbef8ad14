//! Runtime-dispatched AVX-512 backend (x86_64 only): `Lanes` over `__m512`/`__m512i` and
//! `LanesF64` over `__m512d`/`__m512i`, entered like the AVX2 backend through a
//! `#[target_feature]` function after run-time detection, so a default (SSE2-baseline) build
//! runs 512-bit kernels on CPUs with AVX-512F/DQ.
//!
//! This file holds all the `unsafe` of this backend. Kernels reach it only through
//! [`run`] (stamped by `x86_entry!`), which takes an [`Avx512`] proof token and calls the
//! kernel's generic body with [`F32x16`] / [`F64x8`] (four interleaved each) inside a
//! `#[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]` function.
//!
//! Only IEEE-754-exact instructions are used (`vaddps`, `vsubps`, `vmulps`, `vdivps`,
//! `vsqrtps` and their `pd` forms, compares into mask registers, masked blends, integer
//! shifts/ands/ors/adds, `vgatherdps` table loads, exact int→float conversions — of values below 2²⁴ for `f32`, below
//! 2⁵³ for `f64` — and the AVX-512F `f32 → f16` conversion with an explicit
//! round-to-nearest-even immediate). No FMA, no approximate reciprocals (`vrcp14`/`vrsqrt14`):
//! the results are bit-identical to the scalar reference backend.
//!
//! Soundness: as for the AVX2 backend — the types are private to this module and reach
//! generic code only as the lane types of [`run`], inside the `#[target_feature]` entry point.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;

use super::x2::{X2d, X2};
use super::{Lanes, LanesF64};
use crate::level::Avx512;

/// Sixteen `f32` lanes in one ZMM register.
#[derive(Clone, Copy)]
struct F32x16(__m512);

/// Sixteen `u32` lanes.
#[derive(Clone, Copy)]
struct U32x16(__m512i);

/// Eight `f64` lanes.
#[derive(Clone, Copy)]
struct F64x8(__m512d);

/// Eight `u64` lanes.
#[derive(Clone, Copy)]
struct U64x8(__m512i);

x86_binops!(F32x16: _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps);
x86_binops!(F64x8: _mm512_add_pd, _mm512_sub_pd, _mm512_mul_pd, _mm512_div_pd);

impl Lanes for F32x16 {
    type U = U32x16;
    const N: usize = 16;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        // SAFETY: AVX-512F is available (module docs); no memory access.
        F32x16(unsafe { _mm512_set1_ps(x) })
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> U32x16 {
        let src = &src[..16];
        // SAFETY: `src` has 16 initialised u32s (bounds-checked above) = 64 readable bytes;
        // `loadu` has no alignment requirement; AVX-512F is available (module docs).
        U32x16(unsafe { _mm512_loadu_epi32(src.as_ptr().cast::<i32>()) })
    }
    #[inline(always)]
    fn from_u24(k: U32x16) -> Self {
        // SAFETY: AVX-512F is available; no memory access. k < 2^24, so the signed
        // conversion is exact (rounding mode irrelevant) and equals `k as f32`.
        F32x16(unsafe { _mm512_cvtepi32_ps(k.0) })
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f32>]) {
        let dst = &mut dst[..16];
        // SAFETY: `dst` has 16 writable f32 slots (bounds-checked above); `storeu` has no
        // alignment requirement; writing initialises the MaybeUninit slots.
        unsafe { _mm512_storeu_ps(dst.as_mut_ptr().cast::<f32>(), self.0) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        // SAFETY: AVX-512F is available; no memory access. vsqrtps (default rounding, i.e.
        // MXCSR nearest-even as everywhere else) is correctly rounded.
        F32x16(unsafe { _mm512_sqrt_ps(self.0) })
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        // SAFETY: AVX-512F is available; no memory access. LT_OQ is false for NaN, like `<`;
        // the blend takes its second operand where the mask bit is set.
        F32x16(unsafe {
            _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(a.0, b.0), f.0, t.0)
        })
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        // SAFETY: AVX-512F is available; no memory access.
        unsafe { _mm512_cmp_ps_mask::<_CMP_LT_OQ>(a.0, b.0) == 0xFFFF }
    }
    #[inline(always)]
    fn lookup4(table: &[[f32; 4]], i: U32x16) -> [Self; 4] {
        assert!(!table.is_empty() && table.len() <= 1 << 28);
        let base = table.as_ptr().cast::<f32>();
        // SAFETY: AVX-512F is available (module docs). As in the AVX2 backend: each lane's
        // element offset `4·(i & (len − 1)) + j` is below `4·len`, inside `table`, and
        // `base.add(j)` (`j < 4`) stays inside the same allocation.
        unsafe {
            let off = _mm512_slli_epi32::<2>(_mm512_and_si512(
                i.0,
                _mm512_set1_epi32((table.len() - 1) as i32),
            ));
            [
                F32x16(_mm512_i32gather_ps::<4>(off, base.cast())),
                F32x16(_mm512_i32gather_ps::<4>(off, base.add(1).cast())),
                F32x16(_mm512_i32gather_ps::<4>(off, base.add(2).cast())),
                F32x16(_mm512_i32gather_ps::<4>(off, base.add(3).cast())),
            ]
        }
    }
    #[inline(always)]
    fn to_bits(self) -> U32x16 {
        // SAFETY: AVX-512F is available; a bit cast.
        U32x16(unsafe { _mm512_castps_si512(self.0) })
    }
    #[inline(always)]
    fn from_bits(u: U32x16) -> Self {
        // SAFETY: AVX-512F is available; a bit cast.
        F32x16(unsafe { _mm512_castsi512_ps(u.0) })
    }
    #[inline(always)]
    fn shr<const S: i32>(u: U32x16) -> U32x16 {
        // SAFETY: AVX-512F is available; no memory access. 0 < S < 32 (trait contract); the
        // shift count is a constant, so this compiles to the immediate form.
        U32x16(unsafe { _mm512_srl_epi32(u.0, _mm_cvtsi32_si128(S)) })
    }
    #[inline(always)]
    fn and(u: U32x16, m: u32) -> U32x16 {
        // SAFETY: AVX-512F is available; no memory access.
        U32x16(unsafe { _mm512_and_si512(u.0, _mm512_set1_epi32(m as i32)) })
    }
    #[inline(always)]
    fn add_u(u: U32x16, m: u32) -> U32x16 {
        // SAFETY: AVX-512F is available; no memory access. vpaddd wraps.
        U32x16(unsafe { _mm512_add_epi32(u.0, _mm512_set1_epi32(m as i32)) })
    }
    #[inline(always)]
    fn shl<const S: i32>(u: U32x16) -> U32x16 {
        // SAFETY: AVX-512F is available; no memory access. 0 < S < 32 (trait contract).
        U32x16(unsafe { _mm512_sll_epi32(u.0, _mm_cvtsi32_si128(S)) })
    }
    #[inline(always)]
    fn add_uu(a: U32x16, b: U32x16) -> U32x16 {
        // SAFETY: AVX-512F is available; no memory access.
        U32x16(unsafe { _mm512_add_epi32(a.0, b.0) })
    }
    #[inline(always)]
    fn to_f16_bits(self) -> U32x16 {
        // SAFETY: AVX-512F is available (module docs); no memory access. The immediate
        // selects round to nearest even regardless of MXCSR (exceptions suppressed, which
        // changes no result); vcvtps2ph is an exact IEEE conversion — f16 subnormal results
        // and overflow to ±∞ included, FTZ does not apply to it — the same rounding as
        // `half::f16::from_f32` and as the F16C instruction of the AVX2 backend.
        U32x16(unsafe {
            _mm512_cvtepu16_epi32(_mm512_cvtps_ph::<
                { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
            >(self.0))
        })
    }
    #[inline(always)]
    fn from_f16_bits(u: U32x16) -> Self {
        // SAFETY: AVX-512F is available; no memory access. vpmovdw truncates each lane to its
        // low 16 bits (the f16 pattern); vcvtph2ps widens exactly.
        F32x16(unsafe { _mm512_cvtph_ps(_mm512_cvtepi32_epi16(u.0)) })
    }
    #[inline(always)]
    fn to_u16s(u: U32x16, dst: &mut [u16]) {
        let dst = &mut dst[..16];
        // SAFETY: AVX-512F is available. vpmovdw keeps the low 16 bits of each lane; `dst`
        // has 16 writable u16 slots = 32 bytes (bounds-checked above), stored unaligned.
        unsafe {
            _mm256_storeu_si256(
                dst.as_mut_ptr().cast::<__m256i>(),
                _mm512_cvtepi32_epi16(u.0),
            );
        }
    }
}

impl LanesF64 for F64x8 {
    type U = U64x8;
    const N: usize = 8;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        // SAFETY: AVX-512F is available; no memory access.
        F64x8(unsafe { _mm512_set1_pd(x) })
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> U64x8 {
        let src = &src[..16];
        // SAFETY: 16 initialised u32s = 64 readable bytes (bounds-checked above), unaligned
        // load. x86 is little-endian, so lane i is `src[2i] | src[2i+1] << 32`, as specified.
        U64x8(unsafe { _mm512_loadu_epi32(src.as_ptr().cast::<i32>()) })
    }
    #[inline(always)]
    fn top53(w: U64x8) -> Self {
        // SAFETY: AVX-512F/DQ are available; no memory access. `w >> 11 < 2^53`, so vcvtuqq2pd
        // is exact (rounding mode irrelevant) and equals `(w >> 11) as f64`.
        F64x8(unsafe { _mm512_cvtepu64_pd(Self::shr::<11>(w).0) })
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f64>]) {
        let dst = &mut dst[..8];
        // SAFETY: 8 writable f64 slots (bounds-checked above), unaligned store.
        unsafe { _mm512_storeu_pd(dst.as_mut_ptr().cast::<f64>(), self.0) }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        // SAFETY: AVX-512F is available; no memory access.
        F64x8(unsafe { _mm512_sqrt_pd(self.0) })
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        // SAFETY: AVX-512F is available; no memory access. LT_OQ is false for NaN, like `<`.
        F64x8(unsafe { _mm512_mask_blend_pd(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(a.0, b.0), f.0, t.0) })
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        // SAFETY: AVX-512F is available; no memory access.
        unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a.0, b.0) == 0xFF }
    }
    #[inline(always)]
    fn to_bits(self) -> U64x8 {
        // SAFETY: AVX-512F is available; a bit cast.
        U64x8(unsafe { _mm512_castpd_si512(self.0) })
    }
    #[inline(always)]
    fn from_bits(u: U64x8) -> Self {
        // SAFETY: AVX-512F is available; a bit cast.
        F64x8(unsafe { _mm512_castsi512_pd(u.0) })
    }
    #[inline(always)]
    fn shr<const S: i32>(u: U64x8) -> U64x8 {
        // SAFETY: AVX-512F is available; no memory access. 0 < S < 64 (trait contract).
        U64x8(unsafe { _mm512_srl_epi64(u.0, _mm_cvtsi32_si128(S)) })
    }
    #[inline(always)]
    fn and(u: U64x8, m: u64) -> U64x8 {
        // SAFETY: AVX-512F is available; no memory access.
        U64x8(unsafe { _mm512_and_si512(u.0, _mm512_set1_epi64(m as i64)) })
    }
    #[inline(always)]
    fn or(u: U64x8, m: u64) -> U64x8 {
        // SAFETY: AVX-512F is available; no memory access.
        U64x8(unsafe { _mm512_or_si512(u.0, _mm512_set1_epi64(m as i64)) })
    }
}

// Both kernels run four interleaved vectors ([`X2`] of [`X2`], [`X2d`] of [`X2d`]): their
// independent polynomial chains fill the pipelines (measured ~1.3× faster for the narrow
// normal kernels than one vector; the bits are the same).
x86_entry!(
    Avx512,
    "avx512f,avx512dq,avx2,f16c",
    X2<X2<F32x16>>,
    X2d<X2d<F64x8>>
);
