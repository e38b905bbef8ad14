//! Eight-way "vertical" AVX2 ChaCha: `x[i]` holds state word `i` of eight consecutive blocks,
//! one block per 32-bit lane. The rounds are the scalar rounds applied lane-wise; rotations by
//! 16 and 8 are byte shuffles, by 12 and 7 two shifts and an or. At the end an 8×8 transpose
//! per half-state turns the lanes back into stream order and the 128 words are stored straight
//! into the caller's buffer.
//!
//! The 8-way source is a macro ([`eight_way!`]) stamped here for AVX2 and in `avx512.rs` for
//! AVX2 + AVX-512F/VL, where the compiler may use 32 vector registers (no spills of the 16-word
//! state) and turns the shift-shift-or rotations into single `vprold`s.
//!
//! `unsafe` here: calling the `#[target_feature]` entry point (only with an [`Avx2`] token,
//! which proves the CPU has the features) and the unaligned stores into bounds-checked 8-word
//! slices. Everything else is safe `#[target_feature]` code (intrinsics without memory operands
//! are safe inside it, Rust ≥ 1.87).

use super::Core;
use crate::level::Avx2;

/// Writes blocks `counter, counter + 1, …` to `out` (length a multiple of 16).
#[inline]
pub(super) fn blocks(_proof: Avx2, core: &Core, counter: u64, out: &mut [u32]) {
    // SAFETY: an `Avx2` token exists only after run-time detection reported AVX2, the one
    // feature `v256::blocks` is compiled for.
    unsafe { v256::blocks(core, counter, out) }
}

/// Stamps the 8-way block function as module `$name`, compiled for the features `$feat`.
/// `$opaque`: hide the rot16 shuffle mask from LLVM (see `rot_masks`); the AVX-512VL build
/// leaves it visible, where LLVM may turn the shuffles into `vprold`.
macro_rules! eight_way {
    ($name:ident, $feat:literal, $opaque:literal) => {
        mod $name {
            #[cfg(target_arch = "x86")]
            use core::arch::x86::*;
            #[cfg(target_arch = "x86_64")]
            use core::arch::x86_64::*;

            use super::super::{Core, BLOCK_WORDS};

            /// Blocks per call.
            const LANES: usize = 8;
            /// Words per call.
            const WIDE_WORDS: usize = LANES * BLOCK_WORDS;

            // The AVX-512 build is entered through `z512::blocks`, which uses `eight` only.
            #[allow(dead_code)]
            #[target_feature(enable = $feat)]
            pub(super) fn blocks(core: &Core, counter: u64, out: &mut [u32]) {
                let mut chunks = out.chunks_exact_mut(WIDE_WORDS);
                let mut ctr = counter;
                for chunk in &mut chunks {
                    let chunk: &mut [u32; WIDE_WORDS] = chunk.try_into().expect("128 words");
                    eight(core, ctr, chunk);
                    ctr = ctr.wrapping_add(LANES as u64);
                }
                let rest = chunks.into_remainder();
                if !rest.is_empty() {
                    let mut tmp = [0u32; WIDE_WORDS];
                    eight(core, ctr, &mut tmp);
                    rest.copy_from_slice(&tmp[..rest.len()]);
                }
            }

            /// The byte shuffles that rotate every lane by 16 and by 8.
            #[target_feature(enable = $feat)]
            #[inline]
            fn rot_masks() -> (__m256i, __m256i) {
                let r16 = _mm256_setr_epi8(
                    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
                    10, 11, 8, 9, 14, 15, 12, 13,
                );
                let r8 = _mm256_setr_epi8(
                    3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6,
                    11, 8, 9, 10, 15, 12, 13, 14,
                );
                if $opaque {
                    // LLVM turns a `vpshufb` by the constant rot16 mask into `vpshuflw` +
                    // `vpshufhw`: two shuffle-port µops instead of one, 32 more per eight
                    // blocks on the ports the rotations by 12 and 7 (shifts) compete for.
                    // Hiding the constant keeps the single `vpshufb`.
                    (core::hint::black_box(r16), r8)
                } else {
                    (r16, r8)
                }
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn rot(x: __m256i, mask: __m256i) -> __m256i {
                _mm256_shuffle_epi8(x, mask)
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn rot12(x: __m256i) -> __m256i {
                _mm256_or_si256(_mm256_slli_epi32::<12>(x), _mm256_srli_epi32::<20>(x))
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn rot7(x: __m256i) -> __m256i {
                _mm256_or_si256(_mm256_slli_epi32::<7>(x), _mm256_srli_epi32::<25>(x))
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn add(a: __m256i, b: __m256i) -> __m256i {
                _mm256_add_epi32(a, b)
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn xor(a: __m256i, b: __m256i) -> __m256i {
                _mm256_xor_si256(a, b)
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn quarter(
                x: &mut [__m256i; 16],
                [a, b, c, d]: [usize; 4],
                (r16, r8): (__m256i, __m256i),
            ) {
                x[a] = add(x[a], x[b]);
                x[d] = rot(xor(x[d], x[a]), r16);
                x[c] = add(x[c], x[d]);
                x[b] = rot12(xor(x[b], x[c]));
                x[a] = add(x[a], x[b]);
                x[d] = rot(xor(x[d], x[a]), r8);
                x[c] = add(x[c], x[d]);
                x[b] = rot7(xor(x[b], x[c]));
            }

            /// Two quarter rounds interleaved, so independent dependency chains overlap.
            #[target_feature(enable = $feat)]
            #[inline]
            fn quarter2(
                x: &mut [__m256i; 16],
                p: [usize; 4],
                q: [usize; 4],
                m: (__m256i, __m256i),
            ) {
                quarter(x, p, m);
                quarter(x, q, m);
            }

            /// Transposes eight vectors of eight words (`v[i]` lane `j` = word `i` of block `j`) into
            /// eight rows (row `j` = words `0..8` of block `j`) and stores row `j` at `out[16·j + half..]`.
            #[target_feature(enable = $feat)]
            #[inline]
            pub(super) fn transpose_store(
                v: &[__m256i; 8],
                out: &mut [u32; WIDE_WORDS],
                half: usize,
            ) {
                debug_assert!(half == 0 || half == 8);
                let t0 = _mm256_unpacklo_epi32(v[0], v[1]);
                let t1 = _mm256_unpackhi_epi32(v[0], v[1]);
                let t2 = _mm256_unpacklo_epi32(v[2], v[3]);
                let t3 = _mm256_unpackhi_epi32(v[2], v[3]);
                let t4 = _mm256_unpacklo_epi32(v[4], v[5]);
                let t5 = _mm256_unpackhi_epi32(v[4], v[5]);
                let t6 = _mm256_unpacklo_epi32(v[6], v[7]);
                let t7 = _mm256_unpackhi_epi32(v[6], v[7]);
                // Words 0..4 (u) and 4..8 (w) of blocks 0|4, 1|5, 2|6, 3|7 (low|high 128-bit half).
                let u0 = _mm256_unpacklo_epi64(t0, t2);
                let u1 = _mm256_unpackhi_epi64(t0, t2);
                let u2 = _mm256_unpacklo_epi64(t1, t3);
                let u3 = _mm256_unpackhi_epi64(t1, t3);
                let w0 = _mm256_unpacklo_epi64(t4, t6);
                let w1 = _mm256_unpackhi_epi64(t4, t6);
                let w2 = _mm256_unpacklo_epi64(t5, t7);
                let w3 = _mm256_unpackhi_epi64(t5, t7);
                let rows = [
                    _mm256_permute2x128_si256::<0x20>(u0, w0),
                    _mm256_permute2x128_si256::<0x20>(u1, w1),
                    _mm256_permute2x128_si256::<0x20>(u2, w2),
                    _mm256_permute2x128_si256::<0x20>(u3, w3),
                    _mm256_permute2x128_si256::<0x31>(u0, w0),
                    _mm256_permute2x128_si256::<0x31>(u1, w1),
                    _mm256_permute2x128_si256::<0x31>(u2, w2),
                    _mm256_permute2x128_si256::<0x31>(u3, w3),
                ];
                for (j, row) in rows.into_iter().enumerate() {
                    let dst: &mut [u32] =
                        &mut out[BLOCK_WORDS * j + half..BLOCK_WORDS * j + half + 8];
                    // SAFETY: `dst` is a bounds-checked slice of 8 `u32` = 32 bytes, exactly the size of
                    // the unaligned store, which has no alignment requirement.
                    unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast::<__m256i>(), row) };
                }
            }

            /// Blocks `counter .. counter + 8` into `out`, in stream order.
            #[target_feature(enable = $feat)]
            #[inline]
            pub(super) fn eight(core: &Core, counter: u64, out: &mut [u32; WIDE_WORDS]) {
                let s = core.state(0);
                let c = |j: u64| counter.wrapping_add(j);
                let lo = |j: u64| c(j) as u32 as i32;
                let hi = |j: u64| (c(j) >> 32) as u32 as i32;
                let splat = |i: usize| _mm256_set1_epi32(s[i] as i32);
                let input: [__m256i; 16] = [
                    splat(0),
                    splat(1),
                    splat(2),
                    splat(3),
                    splat(4),
                    splat(5),
                    splat(6),
                    splat(7),
                    splat(8),
                    splat(9),
                    splat(10),
                    splat(11),
                    _mm256_setr_epi32(lo(0), lo(1), lo(2), lo(3), lo(4), lo(5), lo(6), lo(7)),
                    _mm256_setr_epi32(hi(0), hi(1), hi(2), hi(3), hi(4), hi(5), hi(6), hi(7)),
                    splat(14),
                    splat(15),
                ];
                let mut x = input;
                let m = rot_masks();
                for _ in 0..core.double_rounds() {
                    quarter2(&mut x, [0, 4, 8, 12], [1, 5, 9, 13], m);
                    quarter2(&mut x, [2, 6, 10, 14], [3, 7, 11, 15], m);
                    quarter2(&mut x, [0, 5, 10, 15], [1, 6, 11, 12], m);
                    quarter2(&mut x, [2, 7, 8, 13], [3, 4, 9, 14], m);
                }
                let mut y = [[x[0]; 8]; 2];
                for i in 0..16 {
                    y[i / 8][i % 8] = add(x[i], input[i]);
                }
                transpose_store(&y[0], out, 0);
                transpose_store(&y[1], out, 8);
            }
        }
    };
}
pub(super) use eight_way;

eight_way!(v256, "avx2", true);
