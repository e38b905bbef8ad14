//! Our own ChaCha block function, bit-identical to `rand_chacha` (the documented reference).
//!
//! # State layout (as in rand_chacha 0.10, `guts.rs`)
//!
//! ```text
//! words  0..4   "expand 32-byte k"  = 0x61707865 0x3320646e 0x79622d32 0x6b206574
//! words  4..12  the 32-byte key, eight little-endian words
//! words 12..14  the 64-bit block counter, low word first (wraps modulo 2^64)
//! words 14..16  the 64-bit stream id, low word first
//! ```
//!
//! A block is the state after `rounds / 2` double rounds (column round, then diagonal round)
//! added word-wise to the input state; its 16 words are stream words `16·counter ..
//! 16·counter + 16`. `ChaCha8Rng::set_word_pos(p)` therefore selects block `p / 16`, word `p % 16`.
//!
//! # Backends (one file each, picked by [`Level`](crate::Level))
//!
//! - `scalar.rs` — the portable reference, one block at a time (`Level::Scalar`, and every
//!   level on targets without a faster backend).
//! - `sse2.rs` — four blocks at a time (x86_64 `Level::Portable`: SSE2 is the baseline).
//! - `avx2.rs` — eight blocks at a time with AVX2 (`Level::Avx2`).
//! - `avx512.rs` — sixteen blocks at a time in 512-bit registers, the last < 16 through an
//!   8-way AVX-512VL build of the AVX2 code (`Level::Avx512`).
//!
//! The SIMD backends are the only files of the crate's ChaCha with `unsafe`. All are pure
//! integer code, so they agree bit for bit; the tests check every backend the CPU can run
//! against the scalar one and against rand_chacha, for every round count.
//!
//! Measured on the 2-core AMD EPYC (AVX-512) dev VM, 64 KiB of ChaCha8 words on one thread
//! (`benches/words.rs`): ≈ 11 GB/s with AVX-512, ≈ 6.6–6.9 with AVX2 only, ≈ 3.6 SSE2,
//! ≈ 1.2 scalar; rand_chacha `fill_bytes` ≈ 5.1–5.6 GB/s in the same runs.

/// One double round — the column round, then the diagonal round — with the backend's
/// `quarter(state, a, b, c, d)`: the one place the ChaCha round order is written.
macro_rules! double_round {
    ($quarter:ident, $x:expr) => {{
        let x = $x;
        $quarter(&mut *x, 0, 4, 8, 12);
        $quarter(&mut *x, 1, 5, 9, 13);
        $quarter(&mut *x, 2, 6, 10, 14);
        $quarter(&mut *x, 3, 7, 11, 15);
        $quarter(&mut *x, 0, 5, 10, 15);
        $quarter(&mut *x, 1, 6, 11, 12);
        $quarter(&mut *x, 2, 7, 8, 13);
        $quarter(&mut *x, 3, 4, 9, 14);
    }};
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx2;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx512;
mod scalar;
#[cfg(target_arch = "x86_64")]
mod sse2;

use crate::level::Ready;

/// Words per ChaCha block.
pub(crate) const BLOCK_WORDS: usize = 16;

/// "expand 32-byte k" as four little-endian words.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// A ChaCha key, stream and round count: everything but the block counter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Core {
    key: [u32; 8],
    stream: u64,
    /// Double rounds: 4, 6 or 10.
    double_rounds: u32,
}

impl Core {
    /// `rounds` is 8, 12 or 20 (any even number works).
    pub(crate) fn new(seed: &[u8; 32], stream: u64, rounds: u32) -> Core {
        debug_assert!(rounds.is_multiple_of(2));
        let key = core::array::from_fn(|i| {
            u32::from_le_bytes(seed[4 * i..4 * i + 4].try_into().expect("4 bytes"))
        });
        Core {
            key,
            stream,
            double_rounds: rounds / 2,
        }
    }

    /// The input state of block `counter`.
    #[inline(always)]
    pub(crate) fn state(&self, counter: u64) -> [u32; 16] {
        let k = &self.key;
        [
            SIGMA[0],
            SIGMA[1],
            SIGMA[2],
            SIGMA[3],
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            k[5],
            k[6],
            k[7],
            counter as u32,
            (counter >> 32) as u32,
            self.stream as u32,
            (self.stream >> 32) as u32,
        ]
    }

    pub(crate) fn double_rounds(&self) -> u32 {
        self.double_rounds
    }

    /// Writes blocks `counter, counter + 1, …` (counter wrapping modulo 2^64) to `out`, whose
    /// length must be a multiple of [`BLOCK_WORDS`], with the backend of `ready`.
    #[inline]
    pub(crate) fn blocks(&self, ready: Ready, counter: u64, out: &mut [u32]) {
        debug_assert_eq!(out.len() % BLOCK_WORDS, 0);
        match ready {
            #[cfg(target_arch = "x86_64")]
            Ready::Portable => sse2::blocks(self, counter, out),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Ready::Avx2(proof) => avx2::blocks(proof, self, counter, out),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Ready::Avx512(proof) => avx512::blocks(proof, self, counter, out),
            #[allow(unreachable_patterns)] // Portable is scalar off x86_64
            Ready::Scalar | Ready::Portable => scalar::blocks(self, counter, out),
        }
    }
}

/// A positioned stream of 32-bit words: `fill` continues where the previous call stopped.
///
/// Whole blocks are generated straight into the caller's buffer; only a block that straddles
/// a call boundary (or the start position) goes through the 16-word `pending` buffer, and its
/// unused words are kept for the next call rather than regenerated.
#[derive(Clone, Debug)]
pub(crate) struct Words {
    core: Core,
    ready: Ready,
    /// Counter of the next block to generate.
    next_block: u64,
    /// A generated block whose words `pending_at..16` are still unread.
    pending: [u32; BLOCK_WORDS],
    pending_at: usize,
}

impl Words {
    /// Positioned at word `word_pos` (block `word_pos / 16`, word `word_pos % 16`).
    pub(crate) fn new(core: Core, ready: Ready, word_pos: u64) -> Words {
        let mut w = Words {
            core,
            ready,
            next_block: word_pos / BLOCK_WORDS as u64,
            pending: [0; BLOCK_WORDS],
            pending_at: BLOCK_WORDS,
        };
        let skip = (word_pos % BLOCK_WORDS as u64) as usize;
        if skip != 0 {
            w.refill_pending();
            w.pending_at = skip;
        }
        w
    }

    fn refill_pending(&mut self) {
        // Eight blocks to use one is a poor trade; the scalar block is exact too.
        self.core
            .blocks(Ready::Scalar, self.next_block, &mut self.pending);
        self.next_block = self.next_block.wrapping_add(1);
        self.pending_at = 0;
    }

    /// Fills `out` with the next `out.len()` words.
    #[inline]
    pub(crate) fn fill(&mut self, mut out: &mut [u32]) {
        if self.pending_at < BLOCK_WORDS {
            let n = (BLOCK_WORDS - self.pending_at).min(out.len());
            let (head, rest) = core::mem::take(&mut out).split_at_mut(n);
            head.copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
            self.pending_at += n;
            out = rest;
        }
        let whole = out.len() / BLOCK_WORDS * BLOCK_WORDS;
        if whole > 0 {
            let (body, rest) = core::mem::take(&mut out).split_at_mut(whole);
            self.core.blocks(self.ready, self.next_block, body);
            self.next_block = self.next_block.wrapping_add((whole / BLOCK_WORDS) as u64);
            out = rest;
        }
        if !out.is_empty() {
            self.refill_pending();
            out.copy_from_slice(&self.pending[..out.len()]);
            self.pending_at = out.len();
        }
    }
}

#[cfg(test)]
mod tests;
