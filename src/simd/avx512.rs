//! Runtime-dispatched AVX-512 backend (x86_64 only): `Lanes` over `__m512`/`__m512i` and
//! `Lanes64` over `__m512d`/`__m512i`, entered like the [`avx2`](super::avx2) backend through
//! `#[target_feature]` functions after run-time detection, so a default (SSE2-baseline) build
//! runs 512-bit kernels on CPUs with AVX-512F/DQ.
//!
//! This file holds **all** the `unsafe` of this backend. The kernels are the same generic
//! functions as for the other backends, instantiated with [`F32x16`]/[`F64x8`] inside the
//! `#[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]` entry points below, which are
//! only called after [`available`] (cached `is_x86_feature_detected!` checks) returned true.
//!
//! Only IEEE-754-exact instructions are used (`vaddps`, `vsubps`, `vmulps`, `vdivps`,
//! `vsqrtps` and their `pd` forms, compares into mask registers, masked blends, integer
//! shifts/ands/ors/adds, exact int→float conversions — of values below 2²⁴ for `f32`, below
//! 2⁵³ for `f64` — and the AVX-512F `f32 → f16` conversion with an explicit
//! round-to-nearest-even immediate). No FMA, no approximate reciprocals (`vrcp14`/`vrsqrt14`):
//! the results are bit-identical to the scalar reference backend.
//!
//! Soundness: the types' methods call AVX-512 intrinsics. Values of these types are created
//! only inside the `#[target_feature]` functions of this module (the types and their
//! constructors are private to it), and those functions are only reached through
//! [`narrow_run`] / [`double_run`] after [`available`] returned true.

use core::arch::x86_64::*;
use core::mem::MaybeUninit;
use core::ops::{Add, Div, Mul, Sub};

use super::x2::X2;
use super::{Lanes, Lanes64};
use crate::chacha::Imp;
use crate::element::Narrow;
use crate::kernel::double::SampleDouble;
use crate::kernel::narrow::SampleNarrow;
use crate::TensorKey;

/// Whether the running CPU has everything the entry points enable (std caches the CPUID
/// result, so this is a few loads and tests).
#[inline]
pub(crate) fn available() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("f16c")
}

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

macro_rules! binop {
    ($t:ident, $tr:ident, $f:ident, $intr:ident) => {
        impl $tr for $t {
            type Output = $t;
            #[inline(always)]
            fn $f(self, rhs: $t) -> $t {
                // SAFETY: values of this type exist only inside AVX-512-enabled functions
                // reached after runtime detection (module docs); no memory access.
                $t(unsafe { $intr(self.0, rhs.0) })
            }
        }
    };
}
binop!(F32x16, Add, add, _mm512_add_ps);
binop!(F32x16, Sub, sub, _mm512_sub_ps);
binop!(F32x16, Mul, mul, _mm512_mul_ps);
binop!(F32x16, Div, div, _mm512_div_ps);
binop!(F64x8, Add, add, _mm512_add_pd);
binop!(F64x8, Sub, sub, _mm512_sub_pd);
binop!(F64x8, Mul, mul, _mm512_mul_pd);
binop!(F64x8, Div, div, _mm512_div_pd);

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
    fn max_with(self, bound: Self) -> Self {
        Self::select_lt(self, bound, bound, self)
    }
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        Self::select_lt(bound, self, bound, self)
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

impl Lanes64 for F64x8 {
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
    fn max_with(self, bound: Self) -> Self {
        Self::select_lt(self, bound, bound, self)
    }
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        Self::select_lt(bound, self, bound, self)
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

/// The narrow lane type: two interleaved `F32x16` ([`X2`]), 32 lanes.
type NarrowLanes = X2<X2<F32x16>>;

/// The narrow kernel's whole loop (word generation, unpacking, sample map, rounding, stores)
/// compiled for AVX-512.
///
/// # Safety
/// The CPU must support AVX-512F, AVX-512DQ, AVX2 and F16C.
#[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]
unsafe fn narrow_avx512<T: Narrow, S: SampleNarrow>(
    map: &S,
    lo: f32,
    hi: f32,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<T>],
    imp: Imp,
) {
    crate::kernel::narrow::run_with::<T, S, NarrowLanes>(map, lo, hi, key, offset, out, imp)
}

/// The f64 kernel's whole loop compiled for AVX-512.
///
/// # Safety
/// The CPU must support AVX-512F, AVX-512DQ, AVX2 and F16C.
#[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]
unsafe fn double_avx512<S: SampleDouble>(
    map: &S,
    lo: f64,
    hi: f64,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    imp: Imp,
) {
    crate::kernel::double::run_with::<S, F64x8>(map, lo, hi, key, offset, out, imp)
}

/// Runs the narrow kernel with AVX-512 if the CPU has it; returns `false` (doing nothing)
/// otherwise.
#[inline(always)]
pub(crate) fn narrow_run<T: Narrow, S: SampleNarrow>(
    map: &S,
    lo: f32,
    hi: f32,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<T>],
    imp: Imp,
) -> bool {
    if !available() {
        return false;
    }
    // SAFETY: AVX-512F/DQ, AVX2 and F16C support was just detected.
    unsafe { narrow_avx512::<T, S>(map, lo, hi, key, offset, out, imp) };
    true
}

/// Runs the f64 kernel with AVX-512 if the CPU has it; returns `false` otherwise.
#[inline(always)]
pub(crate) fn double_run<S: SampleDouble>(
    map: &S,
    lo: f64,
    hi: f64,
    key: &TensorKey,
    offset: u64,
    out: &mut [MaybeUninit<f64>],
    imp: Imp,
) -> bool {
    if !available() {
        return false;
    }
    // SAFETY: AVX-512F/DQ, AVX2 and F16C support was just detected.
    unsafe { double_avx512::<S>(map, lo, hi, key, offset, out, imp) };
    true
}

#[cfg(test)]
mod tests {
    //! The element finishing (bf16/f16 rounding, clamps, 16-bit stores) in 512-bit registers
    //! against `half`, lane by lane; the kernels themselves are pinned against the scalar
    //! reference in `kernel::tests` (every dtype, distribution family and tail length).
    use super::*;
    use half::{bf16, f16};

    /// Finishes 16 values at once with `F32x16`, clamped to `[lo, hi]`.
    ///
    /// # Safety
    /// The CPU must support AVX-512F/DQ, AVX2 and F16C.
    #[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]
    unsafe fn finish16<T: Narrow>(xs: &[f32; 16], lo: f32, hi: f32) -> [T; 16] {
        let mut out = [MaybeUninit::<T>::uninit(); 16];
        // SAFETY: 64 readable bytes; the CPU has AVX-512F (caller contract).
        let v = F32x16(unsafe { _mm512_loadu_ps(xs.as_ptr()) });
        T::finish(v, lo, hi, &mut out);
        // SAFETY: `finish` wrote all 16 slots.
        out.map(|x| unsafe { x.assume_init() })
    }

    /// Bit patterns spread over every exponent, plus ties and their neighbours.
    fn inputs() -> Vec<f32> {
        let mut xs = Vec::new();
        let mut s = 0x9E37_79B9u32;
        for i in 0..64_000u32 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            xs.push(f32::from_bits(s));
            // magnitudes from below the f16 subnormals to beyond f16::MAX
            xs.push(f32::from_bits(
                (s & 0x81FF_FFFF) | ((0x60 + i % 0x30) << 23),
            ));
        }
        xs.retain(|x| !x.is_nan());
        xs.extend([
            1.0 + 2f32.powi(-8),
            1.0 + 3.0 * 2f32.powi(-8),
            1.0 + 2f32.powi(-11),
            1.0 + 3.0 * 2f32.powi(-11),
            65504.0,
            65520.0,
            -65520.0,
            2f32.powi(-25),
            2f32.powi(-24),
            3.0 * 2f32.powi(-26),
            f32::MAX,
            -f32::MAX,
            0.0,
            -0.0,
        ]);
        while xs.len() % 16 != 0 {
            xs.push(0.5);
        }
        xs
    }

    #[test]
    fn finish_equals_half() {
        if !available() {
            return;
        }
        let (blo, bhi) = (bf16::MIN.to_f32(), bf16::MAX.to_f32());
        let (hlo, hhi) = (f16::MIN.to_f32(), f16::MAX.to_f32());
        let xs = inputs();
        for c in xs.chunks_exact(16) {
            let c: &[f32; 16] = c.try_into().expect("16 values");
            // SAFETY: `available()` returned true.
            let (b, h, f) = unsafe {
                (
                    finish16::<bf16>(c, blo, bhi),
                    finish16::<f16>(c, hlo, hhi),
                    finish16::<f32>(c, -1.5, 2.0),
                )
            };
            for i in 0..16 {
                let x = c[i];
                let want_b = bf16::from_f32(bf16::from_f32(x).to_f32().clamp(blo, bhi));
                let want_h = f16::from_f32(f16::from_f32(x).to_f32().clamp(hlo, hhi));
                assert_eq!(b[i].to_bits(), want_b.to_bits(), "bf16 {x:e}");
                assert_eq!(h[i].to_bits(), want_h.to_bits(), "f16 {x:e}");
                assert_eq!(f[i].to_bits(), x.clamp(-1.5, 2.0).to_bits(), "f32 {x:e}");
            }
        }
    }

    #[test]
    fn unclamped_f16_keeps_overflow_and_subnormals() {
        if !available() {
            return;
        }
        let xs = inputs();
        for c in xs.chunks_exact(16) {
            let c: &[f32; 16] = c.try_into().expect("16 values");
            let mut out = [MaybeUninit::<f16>::uninit(); 16];
            // SAFETY: `available()` returned true; `finish_unclamped` writes all 16 slots.
            let h = unsafe {
                unclamped16(c, &mut out);
                out.map(|x| x.assume_init())
            };
            for i in 0..16 {
                assert_eq!(h[i].to_bits(), f16::from_f32(c[i]).to_bits(), "{:e}", c[i]);
            }
        }
    }

    /// # Safety
    /// The CPU must support AVX-512F/DQ, AVX2 and F16C.
    #[target_feature(enable = "avx512f,avx512dq,avx2,f16c")]
    unsafe fn unclamped16(xs: &[f32; 16], out: &mut [MaybeUninit<f16>; 16]) {
        // SAFETY: 64 readable bytes; the CPU has AVX-512F (caller contract).
        let v = F32x16(unsafe { _mm512_loadu_ps(xs.as_ptr()) });
        f16::finish_unclamped(v, out);
    }
}
