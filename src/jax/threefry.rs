//! Threefry-2x32 with 20 rounds, exactly as JAX computes it (`jax/_src/random/threefry2x32.py`,
//! `_threefry2x32_lowering`): the Random123 block function of Salmon et al. (2011) with JAX's
//! key schedule `ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA]`, rotations `[13, 15, 26, 6]` /
//! `[17, 29, 16, 24]`, and an injection after every four rounds that adds `ks[(i+1) % 3]`,
//! `ks[(i+2) % 3] + i + 1`.
//!
//! Two forms share one round function: [`block`] (one counter pair, the reference) and
//! [`block_lanes`] (`LANES` independent counter pairs in plain `u32` arrays, written so that
//! the compiler turns every step into one vector instruction). Both are integer-only, so the
//! instruction set cannot change a bit.

/// Counter pairs per batch: two AVX2 registers per word, enough independent work to hide the
/// latency of the add → rotate → xor chain.
pub(crate) const LANES: usize = 32;

const PARITY: u32 = 0x1BD1_1BDA;
const ROT: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];

#[inline(always)]
fn schedule(key: [u32; 2]) -> [u32; 3] {
    [key[0], key[1], key[0] ^ key[1] ^ PARITY]
}

/// One Threefry-2x32 block: `threefry2x32_p(k0, k1, x0, x1)`.
#[inline]
pub(crate) fn block(key: [u32; 2], x: [u32; 2]) -> [u32; 2] {
    let ks = schedule(key);
    let (mut x0, mut x1) = (x[0].wrapping_add(ks[0]), x[1].wrapping_add(ks[1]));
    for i in 0..5 {
        for &r in &ROT[i % 2] {
            x0 = x0.wrapping_add(x1);
            x1 = x1.rotate_left(r) ^ x0;
        }
        x0 = x0.wrapping_add(ks[(i + 1) % 3]);
        x1 = x1.wrapping_add(ks[(i + 2) % 3]).wrapping_add(i as u32 + 1);
    }
    [x0, x1]
}

/// [`block`] on `LANES` counter pairs at once, in place: `x0[j], x1[j]` become the two output
/// words of counter `(x0[j], x1[j])`.
#[inline(always)]
pub(crate) fn block_lanes(key: [u32; 2], x0: &mut [u32; LANES], x1: &mut [u32; LANES]) {
    let ks = schedule(key);
    for j in 0..LANES {
        x0[j] = x0[j].wrapping_add(ks[0]);
        x1[j] = x1[j].wrapping_add(ks[1]);
    }
    // Unrolled by hand (a `for i in 0..5` would do too, but the rotations must be constants for
    // the compiler to emit immediate shifts).
    macro_rules! four {
        ($r:expr) => {
            for &r in &$r {
                for j in 0..LANES {
                    x0[j] = x0[j].wrapping_add(x1[j]);
                    x1[j] = x1[j].rotate_left(r) ^ x0[j];
                }
            }
        };
    }
    macro_rules! inject {
        ($i:expr) => {
            let (a, b) = (ks[($i + 1) % 3], ks[($i + 2) % 3].wrapping_add($i + 1));
            for j in 0..LANES {
                x0[j] = x0[j].wrapping_add(a);
                x1[j] = x1[j].wrapping_add(b);
            }
        };
    }
    four!(ROT[0]);
    inject!(0);
    four!(ROT[1]);
    inject!(1);
    four!(ROT[0]);
    inject!(2);
    four!(ROT[1]);
    inject!(3);
    four!(ROT[0]);
    inject!(4);
}

/// Fills `x0`, `x1` with the counters of flat indices `first..first + LANES`: JAX's
/// `iota_2x32_shape` splits each 64-bit row-major index into `(hi, lo)` words.
#[inline(always)]
pub(crate) fn counters(first: u64, x0: &mut [u32; LANES], x1: &mut [u32; LANES]) {
    // 32-bit lanes with a carry, rather than 64-bit adds and shuffles: the low word wraps at
    // most once in a batch, and then the high word of the lanes after it is one more.
    let (hi, lo) = ((first >> 32) as u32, first as u32);
    for j in 0..LANES {
        let l = lo.wrapping_add(j as u32);
        x1[j] = l;
        x0[j] = hi.wrapping_add(u32::from(l < lo));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Random123 known-answer vectors for Threefry-2x32-20 (`kat_vectors` in the Random123
    /// distribution; the same three are in JAX's `tests/random_test.py::testThreefry2x32`).
    #[test]
    fn known_answers() {
        assert_eq!(block([0, 0], [0, 0]), [0x6b20_0159, 0x99ba_4efe]);
        assert_eq!(
            block([u32::MAX, u32::MAX], [u32::MAX, u32::MAX]),
            [0x1cb9_96fc, 0xbb00_2be7]
        );
        assert_eq!(
            block([0x1319_8a2e, 0x0370_7344], [0x243f_6a88, 0x85a3_08d3]),
            [0xc492_3a9c, 0x483d_f7a0]
        );
    }

    #[test]
    fn lanes_equal_blocks() {
        let key = [0xdead_beef, 0x0123_4567];
        for first in [0u64, 17, (1 << 32) - 5, u64::MAX - 3] {
            let (mut x0, mut x1) = ([0; LANES], [0; LANES]);
            counters(first, &mut x0, &mut x1);
            block_lanes(key, &mut x0, &mut x1);
            for j in 0..LANES {
                let i = first.wrapping_add(j as u64);
                assert_eq!([x0[j], x1[j]], block(key, [(i >> 32) as u32, i as u32]));
            }
        }
    }
}
