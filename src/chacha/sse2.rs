//! Four blocks per call with SSE2, the x86_64 baseline: for x86_64 CPUs without AVX2 (and
//! [`Level::Portable`](crate::Level::Portable)), where the scalar reference would be about 4×
//! slower than rand_chacha's SIMD path. No run-time detection is needed: every x86_64 CPU has
//! SSE2, which is what makes entering the `#[target_feature]` code sound. Same vertical layout
//! as the AVX2 code, one 4×4 transpose per four state words.

use core::arch::x86_64::*;

use super::{Core, BLOCK_WORDS};

const LANES: usize = 4;
const WIDE_WORDS: usize = LANES * BLOCK_WORDS;

/// Writes blocks `counter, counter + 1, …` to `out` (length a multiple of 16).
pub(super) fn blocks(core: &Core, counter: u64, out: &mut [u32]) {
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
        double_round!(quarter, &mut x);
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
