//! Eight-way "vertical" AVX2 ChaCha: `x[i]` holds state word `i` of eight consecutive blocks,
//! one block per 32-bit lane. The rounds are the scalar rounds applied lane-wise; rotations by
//! 16 and 8 are byte shuffles, by 12 and 7 two shifts and an or. At the end an 8×8 transpose
//! per half-state turns the lanes back into stream order and the 128 words are stored straight
//! into the caller's buffer.
//!
//! The same source is compiled twice: for AVX2, and for AVX2 + AVX-512F/VL. The second build
//! still uses 256-bit vectors and the same instructions as written, but the compiler may use 32
//! vector registers (no spills of the 16-word state) and turns the shift-shift-or rotations into
//! single `vprold`s. On CPUs with AVX-512F/VL, `z512` runs sixteen blocks per call in 512-bit
//! registers (twice the independent work per instruction; on the AMD EPYC here ≈ 10% more
//! end-to-end f32 throughput per CPU-second than the 8-way AVX-512VL build, noisy) and uses the
//! 8-way AVX-512VL build for the last < 16 blocks. The build is chosen at run time from the CPU's
//! features.
//!
//! This is the only file of the crate's ChaCha with `unsafe`: calling the `#[target_feature]`
//! entry points (only with a [`Token`], which proves the CPU has the features) and the
//! unaligned stores into bounds-checked 8-word slices. Everything else is safe
//! `#[target_feature]` code (intrinsics without memory operands are safe inside it, Rust ≥ 1.87;
//! the AVX-512 intrinsics need Rust ≥ 1.89).

use core::sync::atomic::{AtomicU8, Ordering};

use super::Core;

/// Proof that the running CPU supports AVX2 (and whether it also has AVX-512F + AVX-512VL).
/// Only [`Token::get`] creates one, after `is_x86_feature_detected!` reported the features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    avx512: bool,
}

impl Token {
    /// `Some` if the CPU has AVX2. The detection runs once; later calls read a cached byte.
    #[inline]
    pub(crate) fn get() -> Option<Token> {
        // 0 = not yet detected, 1 = no AVX2, 2 = AVX2, 3 = AVX2 + AVX-512F/VL.
        static STATE: AtomicU8 = AtomicU8::new(0);
        let state = match STATE.load(Ordering::Relaxed) {
            0 => {
                let s = if !std::is_x86_feature_detected!("avx2") {
                    1
                } else if std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
                {
                    3
                } else {
                    2
                };
                STATE.store(s, Ordering::Relaxed);
                s
            }
            s => s,
        };
        (state >= 2).then_some(Token { avx512: state == 3 })
    }

    /// The same CPU proof, restricted to the plain AVX2 build (for tests and benches).
    pub(crate) fn avx2_only(self) -> Token {
        Token { avx512: false }
    }

    /// Whether the AVX-512VL build is used.
    #[cfg(test)]
    pub(crate) fn uses_avx512(self) -> bool {
        self.avx512
    }
}

/// Writes blocks `counter, counter + 1, …` to `out` (length a multiple of 16).
#[inline]
pub(super) fn blocks(token: Token, core: &Core, counter: u64, out: &mut [u32]) {
    if token.avx512 {
        // SAFETY: a token with `avx512 == true` exists only if `is_x86_feature_detected!`
        // reported AVX2, AVX-512F and AVX-512VL, the features `z512::blocks` is compiled for.
        unsafe { z512::blocks(core, counter, out) }
    } else {
        // SAFETY: every token exists only if `is_x86_feature_detected!("avx2")` returned true,
        // the one feature `v256::blocks` is compiled for.
        unsafe { v256::blocks(core, counter, out) }
    }
}

macro_rules! backend {
    ($name:ident, $feat:literal) => {
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

            #[target_feature(enable = $feat)]
            #[inline]
            fn rot16(x: __m256i) -> __m256i {
                _mm256_shuffle_epi8(
                    x,
                    _mm256_setr_epi8(
                        2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4,
                        5, 10, 11, 8, 9, 14, 15, 12, 13,
                    ),
                )
            }

            #[target_feature(enable = $feat)]
            #[inline]
            fn rot8(x: __m256i) -> __m256i {
                _mm256_shuffle_epi8(
                    x,
                    _mm256_setr_epi8(
                        3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5,
                        6, 11, 8, 9, 10, 15, 12, 13, 14,
                    ),
                )
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
            fn quarter(x: &mut [__m256i; 16], a: usize, b: usize, c: usize, d: usize) {
                x[a] = add(x[a], x[b]);
                x[d] = rot16(xor(x[d], x[a]));
                x[c] = add(x[c], x[d]);
                x[b] = rot12(xor(x[b], x[c]));
                x[a] = add(x[a], x[b]);
                x[d] = rot8(xor(x[d], x[a]));
                x[c] = add(x[c], x[d]);
                x[b] = rot7(xor(x[b], x[c]));
            }

            /// Two quarter rounds interleaved, so independent dependency chains overlap.
            #[target_feature(enable = $feat)]
            #[inline]
            fn quarter2(x: &mut [__m256i; 16], p: [usize; 4], q: [usize; 4]) {
                quarter(x, p[0], p[1], p[2], p[3]);
                quarter(x, q[0], q[1], q[2], q[3]);
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
                for _ in 0..core.double_rounds() {
                    quarter2(&mut x, [0, 4, 8, 12], [1, 5, 9, 13]);
                    quarter2(&mut x, [2, 6, 10, 14], [3, 7, 11, 15]);
                    quarter2(&mut x, [0, 5, 10, 15], [1, 6, 11, 12]);
                    quarter2(&mut x, [2, 7, 8, 13], [3, 4, 9, 14]);
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

backend!(v256, "avx2");
backend!(v512, "avx2,avx512f,avx512vl");

/// Sixteen blocks per call in 512-bit registers (AVX-512F): the same vertical layout with 16
/// lanes, rotations as single `vprold`s. The state is split into two 256-bit halves at the end
/// and each half goes through the 8-way transpose of `v512`.
mod z512 {
    #[cfg(target_arch = "x86")]
    use core::arch::x86::*;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::*;

    use super::super::{Core, BLOCK_WORDS};
    use super::v512;

    const LANES: usize = 16;
    const WIDE_WORDS: usize = LANES * BLOCK_WORDS;
    const HALF_WORDS: usize = WIDE_WORDS / 2;

    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    pub(super) fn blocks(core: &Core, counter: u64, out: &mut [u32]) {
        let mut chunks = out.chunks_exact_mut(WIDE_WORDS);
        let mut ctr = counter;
        for chunk in &mut chunks {
            let chunk: &mut [u32; WIDE_WORDS] = chunk.try_into().expect("256 words");
            sixteen(core, ctr, chunk);
            ctr = ctr.wrapping_add(LANES as u64);
        }
        // At most 15 blocks left: eight at a time, the last partial eight through a buffer.
        let mut rest = chunks.into_remainder();
        if rest.len() >= HALF_WORDS {
            let (eight, tail) = rest.split_at_mut(HALF_WORDS);
            v512::eight(core, ctr, eight.try_into().expect("128 words"));
            ctr = ctr.wrapping_add((LANES / 2) as u64);
            rest = tail;
        }
        if !rest.is_empty() {
            let mut tmp = [0u32; HALF_WORDS];
            v512::eight(core, ctr, &mut tmp);
            rest.copy_from_slice(&tmp[..rest.len()]);
        }
    }

    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    #[inline]
    fn quarter(x: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[b], x[c]));
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[b], x[c]));
    }

    /// Blocks `counter .. counter + 16` into `out`, in stream order.
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    #[inline]
    fn sixteen(core: &Core, counter: u64, out: &mut [u32; WIDE_WORDS]) {
        let s = core.state(0);
        let c: [u64; LANES] = core::array::from_fn(|j| counter.wrapping_add(j as u64));
        let lo: [i32; LANES] = core::array::from_fn(|j| c[j] as u32 as i32);
        let hi: [i32; LANES] = core::array::from_fn(|j| (c[j] >> 32) as u32 as i32);
        let mut input = [_mm512_setzero_si512(); 16];
        for (i, v) in input.iter_mut().enumerate() {
            *v = _mm512_set1_epi32(s[i] as i32);
        }
        input[12] = _mm512_setr_epi32(
            lo[0], lo[1], lo[2], lo[3], lo[4], lo[5], lo[6], lo[7], lo[8], lo[9], lo[10], lo[11],
            lo[12], lo[13], lo[14], lo[15],
        );
        input[13] = _mm512_setr_epi32(
            hi[0], hi[1], hi[2], hi[3], hi[4], hi[5], hi[6], hi[7], hi[8], hi[9], hi[10], hi[11],
            hi[12], hi[13], hi[14], hi[15],
        );
        let mut x = input;
        for _ in 0..core.double_rounds() {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        let mut lo_half = [[_mm256_setzero_si256(); 8]; 2];
        let mut hi_half = [[_mm256_setzero_si256(); 8]; 2];
        for i in 0..16 {
            let y = _mm512_add_epi32(x[i], input[i]);
            lo_half[i / 8][i % 8] = _mm512_castsi512_si256(y);
            hi_half[i / 8][i % 8] = _mm512_extracti64x4_epi64::<1>(y);
        }
        let (first, second) = out.split_at_mut(HALF_WORDS);
        let first: &mut [u32; HALF_WORDS] = first.try_into().expect("128 words");
        let second: &mut [u32; HALF_WORDS] = second.try_into().expect("128 words");
        v512::transpose_store(&lo_half[0], first, 0);
        v512::transpose_store(&lo_half[1], first, 8);
        v512::transpose_store(&hi_half[0], second, 0);
        v512::transpose_store(&hi_half[1], second, 8);
    }
}

/// Four blocks per call with SSE2, the x86_64 baseline: for x86_64 CPUs without AVX2, where the
/// scalar reference would be about 4× slower than rand_chacha's SIMD path. No runtime detection
/// is needed: every x86_64 CPU has SSE2, which is what makes entering the `#[target_feature]`
/// code sound. Same vertical layout as the AVX2 code, one 4×4 transpose per four state words.
#[cfg(target_arch = "x86_64")]
pub(super) mod sse2 {
    use core::arch::x86_64::*;

    use super::super::{Core, BLOCK_WORDS};

    const LANES: usize = 4;
    const WIDE_WORDS: usize = LANES * BLOCK_WORDS;

    /// Writes blocks `counter, counter + 1, …` to `out` (length a multiple of 16).
    pub(in super::super) fn blocks(core: &Core, counter: u64, out: &mut [u32]) {
        // SAFETY: SSE2 is part of the x86_64 baseline: every x86_64 CPU executes it.
        unsafe { blocks_sse2(core, counter, out) }
    }

    #[target_feature(enable = "sse2")]
    fn blocks_sse2(core: &Core, counter: u64, out: &mut [u32]) {
        let mut chunks = out.chunks_exact_mut(WIDE_WORDS);
        let mut ctr = counter;
        for chunk in &mut chunks {
            let chunk: &mut [u32; WIDE_WORDS] = chunk.try_into().expect("64 words");
            four(core, ctr, chunk);
            ctr = ctr.wrapping_add(LANES as u64);
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let mut tmp = [0u32; WIDE_WORDS];
            four(core, ctr, &mut tmp);
            rest.copy_from_slice(&tmp[..rest.len()]);
        }
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn quarter(x: &mut [__m128i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm_add_epi32(x[a], x[b]);
        let t = _mm_xor_si128(x[d], x[a]);
        x[d] = _mm_shufflehi_epi16::<0xB1>(_mm_shufflelo_epi16::<0xB1>(t));
        x[c] = _mm_add_epi32(x[c], x[d]);
        let t = _mm_xor_si128(x[b], x[c]);
        x[b] = _mm_or_si128(_mm_slli_epi32::<12>(t), _mm_srli_epi32::<20>(t));
        x[a] = _mm_add_epi32(x[a], x[b]);
        let t = _mm_xor_si128(x[d], x[a]);
        x[d] = _mm_or_si128(_mm_slli_epi32::<8>(t), _mm_srli_epi32::<24>(t));
        x[c] = _mm_add_epi32(x[c], x[d]);
        let t = _mm_xor_si128(x[b], x[c]);
        x[b] = _mm_or_si128(_mm_slli_epi32::<7>(t), _mm_srli_epi32::<25>(t));
    }

    /// Blocks `counter .. counter + 4` into `out`, in stream order.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn four(core: &Core, counter: u64, out: &mut [u32; WIDE_WORDS]) {
        let s = core.state(0);
        let c: [u64; LANES] = core::array::from_fn(|j| counter.wrapping_add(j as u64));
        let mut input = [_mm_setzero_si128(); 16];
        for (i, v) in input.iter_mut().enumerate() {
            *v = _mm_set1_epi32(s[i] as i32);
        }
        input[12] = _mm_setr_epi32(c[0] as i32, c[1] as i32, c[2] as i32, c[3] as i32);
        input[13] = _mm_setr_epi32(
            (c[0] >> 32) as i32,
            (c[1] >> 32) as i32,
            (c[2] >> 32) as i32,
            (c[3] >> 32) as i32,
        );
        let mut x = input;
        for _ in 0..core.double_rounds() {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for g in 0..4 {
            let a: [__m128i; 4] =
                core::array::from_fn(|i| _mm_add_epi32(x[4 * g + i], input[4 * g + i]));
            let t0 = _mm_unpacklo_epi32(a[0], a[1]);
            let t1 = _mm_unpackhi_epi32(a[0], a[1]);
            let t2 = _mm_unpacklo_epi32(a[2], a[3]);
            let t3 = _mm_unpackhi_epi32(a[2], a[3]);
            let rows = [
                _mm_unpacklo_epi64(t0, t2),
                _mm_unpackhi_epi64(t0, t2),
                _mm_unpacklo_epi64(t1, t3),
                _mm_unpackhi_epi64(t1, t3),
            ];
            for (j, row) in rows.into_iter().enumerate() {
                let at = BLOCK_WORDS * j + 4 * g;
                let dst: &mut [u32] = &mut out[at..at + 4];
                // SAFETY: `dst` is a bounds-checked slice of 4 `u32` = 16 bytes, exactly the
                // size of the unaligned store, which has no alignment requirement.
                unsafe { _mm_storeu_si128(dst.as_mut_ptr().cast::<__m128i>(), row) };
            }
        }
    }
}
