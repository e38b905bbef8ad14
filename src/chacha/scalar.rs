//! The portable ChaCha reference: one block at a time, plain `u32` arithmetic.

use super::{Core, BLOCK_WORDS};

/// Writes blocks `counter, counter + 1, …` to `out` (length a multiple of 16).
pub(super) fn blocks(core: &Core, counter: u64, out: &mut [u32]) {
    for (i, words) in out.chunks_exact_mut(BLOCK_WORDS).enumerate() {
        let b: &mut [u32; BLOCK_WORDS] = words.try_into().expect("16 words");
        block(core, counter.wrapping_add(i as u64), b);
    }
}

/// One block.
pub(super) fn block(core: &Core, counter: u64, out: &mut [u32; BLOCK_WORDS]) {
    let input = core.state(counter);
    let mut x = input;
    for _ in 0..core.double_rounds() {
        double_round!(quarter, &mut x);
    }
    for ((o, a), b) in out.iter_mut().zip(x).zip(input) {
        *o = a.wrapping_add(b);
    }
}

#[inline(always)]
fn quarter(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}
