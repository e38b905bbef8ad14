//! The word layout of the crate-doc specification, re-implemented from rand_chacha alone, for
//! the contract tests. Nothing here calls the crate's own kernels or generator.
#![allow(dead_code)]

use glorot::{Rounds, TensorKey};
use rand_chacha::{ChaCha12Rng, ChaCha20Rng, ChaCha8Rng};
use rand_core::{Rng, SeedableRng};

/// Word `pos` of the tensor's stream, straight from rand_chacha.
pub fn word(key: &TensorKey, pos: u64) -> u32 {
    macro_rules! at {
        ($t:ty) => {{
            let mut r = <$t>::from_seed(key.chacha_seed());
            r.set_stream(key.stream());
            r.set_word_pos(u128::from(pos));
            r.next_u32()
        }};
    }
    match key.rounds() {
        Rounds::ChaCha8 => at!(ChaCha8Rng),
        Rounds::ChaCha12 => at!(ChaCha12Rng),
        Rounds::ChaCha20 => at!(ChaCha20Rng),
    }
}

/// The 24-bit integer of narrow-family element `i`.
pub fn k24(key: &TensorKey, i: u64) -> u32 {
    let (g, r) = (i / 64, i % 64);
    let base = 48 * g;
    if r < 48 {
        word(key, base + r) >> 8
    } else {
        let j = r - 48;
        (word(key, base + j) & 0xFF)
            | ((word(key, base + 16 + j) & 0xFF) << 8)
            | ((word(key, base + 32 + j) & 0xFF) << 16)
    }
}

/// The 64-bit word of `f64` element `i`: stream words `2i` (low) and `2i + 1` (high).
pub fn w64(key: &TensorKey, i: u64) -> u64 {
    u64::from(word(key, 2 * i)) | (u64::from(word(key, 2 * i + 1)) << 32)
}
