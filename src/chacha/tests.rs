//! The generator against rand_chacha (the reference), and the AVX2 path against the scalar one.

use super::*;
use proptest::prelude::*;
use rand_chacha::{ChaCha12Rng, ChaCha20Rng, ChaCha8Rng};
use rand_core::{Rng, SeedableRng};

/// `len` words of rand_chacha's stream from word `pos` (a 68-bit position, as rand_chacha has).
fn reference(rounds: u32, seed: [u8; 32], stream: u64, pos: u128, len: usize) -> Vec<u32> {
    let mut out = vec![0u32; len];
    macro_rules! go {
        ($t:ty) => {{
            let mut rng = <$t>::from_seed(seed);
            rng.set_stream(stream);
            rng.set_word_pos(pos);
            for w in out.iter_mut() {
                *w = rng.next_u32();
            }
        }};
    }
    match rounds {
        8 => go!(ChaCha8Rng),
        12 => go!(ChaCha12Rng),
        20 => go!(ChaCha20Rng),
        _ => unreachable!(),
    }
    out
}

fn ours(ready: Ready, rounds: u32, seed: [u8; 32], stream: u64, pos: u64, len: usize) -> Vec<u32> {
    let mut out = vec![0u32; len];
    Words::new(Core::new(&seed, stream, rounds), ready, pos).fill(&mut out);
    out
}

/// Every backend this CPU can run: scalar, SSE2 (x86_64 `Portable`), AVX2, AVX-512.
fn imps() -> Vec<Ready> {
    Ready::all()
}

#[test]
fn avx2_is_used_when_the_cpu_has_it() {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    assert_eq!(
        imps().len() > 2,
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("f16c")
    );
}

#[test]
fn rfc_7539_style_block_zero_key() {
    // ChaCha20 keystream for the all-zero key and nonce (RFC 7539 appendix A.1, test vector 1),
    // read as little-endian words.
    let expected_bytes: [u8; 16] = [
        0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd,
        0x28,
    ];
    for imp in imps() {
        let got = ours(imp, 20, [0; 32], 0, 0, 4);
        let want: Vec<u32> = expected_bytes
            .chunks(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(got, want, "{imp:?}");
    }
}

#[test]
fn every_length_and_start_phase_matches_rand_chacha() {
    let seed: [u8; 32] = core::array::from_fn(|i| (i * 37 + 11) as u8);
    for rounds in [8, 12, 20] {
        let want = reference(rounds, seed, 0x0123_4567_89ab_cdef, 0, 16 * 40);
        for imp in imps() {
            for start in 0..40 {
                for len in (0..300).step_by(7).chain([128, 256, 384]) {
                    let len = len.min(want.len() - start);
                    let got = ours(imp, rounds, seed, 0x0123_4567_89ab_cdef, start as u64, len);
                    assert_eq!(
                        got,
                        want[start..start + len],
                        "{imp:?} r{rounds} {start}+{len}"
                    );
                }
            }
        }
    }
}

#[test]
fn consecutive_fills_continue_the_stream() {
    let seed = [7u8; 32];
    let want = reference(8, seed, 5, 3, 5000);
    for imp in imps() {
        let mut words = Words::new(Core::new(&seed, 5, 8), imp, 3);
        let mut got = Vec::new();
        for len in [0, 1, 15, 16, 17, 130, 3, 1536, 2048, 5, 128] {
            let mut buf = vec![0u32; len];
            words.fill(&mut buf);
            got.extend(buf);
        }
        assert_eq!(got, want[..got.len()], "{imp:?}");
    }
}

#[test]
fn block_counter_wraps_like_rand_chacha() {
    // rand_chacha's counter is 64 bits and wraps to block 0 (positions are taken modulo 2^68).
    let seed = [3u8; 32];
    for rounds in [8, 12, 20] {
        let first = u64::MAX - 4;
        let want = reference(rounds, seed, 9, u128::from(first) * 16, 16 * 12);
        for imp in imps() {
            let mut got = vec![0u32; 16 * 12];
            Core::new(&seed, 9, rounds).blocks(imp, first, &mut got);
            assert_eq!(got, want, "{imp:?} r{rounds}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_rand_chacha(
        seed in any::<[u8; 32]>(),
        stream in any::<u64>(),
        pos in prop_oneof![0u64..4096, any::<u64>()],
        len in 0usize..1200,
        rounds in prop_oneof![Just(8u32), Just(12u32), Just(20u32)],
    ) {
        let want = reference(rounds, seed, stream, u128::from(pos), len);
        for imp in imps() {
            prop_assert_eq!(&ours(imp, rounds, seed, stream, pos, len), &want, "{:?}", imp);
        }
    }

    #[test]
    fn simd_builds_equal_scalar(
        seed in any::<[u8; 32]>(),
        stream in any::<u64>(),
        counter in any::<u64>(),
        blocks in 0usize..40,
        rounds in prop_oneof![Just(8u32), Just(12u32), Just(20u32)],
    ) {
        let core = Core::new(&seed, stream, rounds);
        let mut scalar = vec![0u32; 16 * blocks];
        core.blocks(Ready::Scalar, counter, &mut scalar);
        for imp in imps() {
            let mut fast = vec![1u32; 16 * blocks];
            core.blocks(imp, counter, &mut fast);
            prop_assert_eq!(&scalar, &fast, "{:?}", imp);
        }
    }
}
