//! The crate's word generator, through its hidden bench hook, against rand_chacha (the
//! documented reference): same key, stream and word position give the same words, for every
//! round count, with the fastest implementation this CPU has and with each slower one (scalar, SSE2, AVX2).

use glorot::internals::{fill_words, fill_words_at};
use glorot::{Key, Level, Rounds};
use proptest::prelude::*;
use rand_chacha::{ChaCha12Rng, ChaCha20Rng, ChaCha8Rng};
use rand_core::{Rng, SeedableRng};

fn reference(key: &glorot::TensorKey, pos: u64, len: usize) -> Vec<u32> {
    let mut out = vec![0u32; len];
    macro_rules! go {
        ($t:ty) => {{
            let mut rng = <$t>::from_seed(key.chacha_seed());
            rng.set_stream(key.stream());
            rng.set_word_pos(u128::from(pos));
            for w in out.iter_mut() {
                *w = rng.next_u32();
            }
        }};
    }
    match key.rounds() {
        Rounds::ChaCha8 => go!(ChaCha8Rng),
        Rounds::ChaCha12 => go!(ChaCha12Rng),
        Rounds::ChaCha20 => go!(ChaCha20Rng),
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn words_equal_rand_chacha(
        seed in any::<u64>(),
        id in any::<u64>(),
        pos in prop_oneof![0u64..10_000, any::<u64>()],
        len in 0usize..2_000,
        rounds in prop_oneof![Just(Rounds::ChaCha8), Just(Rounds::ChaCha12), Just(Rounds::ChaCha20)],
    ) {
        let key = Key::with_rounds(seed, rounds).tensor_id(id);
        let want = reference(&key, pos, len);
        let mut got = vec![0u32; len];
        fill_words(&key, pos, &mut got);
        prop_assert_eq!(&got, &want);
        for level in [Level::Scalar, Level::Portable, Level::Avx2, Level::Avx512] {
            let mut got = vec![0u32; len];
            fill_words_at(&key, pos, &mut got, level);
            prop_assert_eq!(&got, &want, "level {:?}", level);
        }
    }
}
