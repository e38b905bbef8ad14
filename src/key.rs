//! Keys and streams: how a `u64` seed and a tensor's name select a ChaCha stream.
//!
//! A [`Key`] holds the run's seed and the ChaCha variant. [`Key::tensor`] and [`Key::tensor_id`]
//! derive a [`TensorKey`]: the ChaCha key (32 bytes, from the seed alone) and the 64-bit ChaCha
//! stream id (from the name or id alone). Every tensor therefore has its own stream; adding,
//! removing or renaming one tensor never changes another one's values.
//!
//! The derivation is part of the value-stability contract and is fully specified in the crate
//! docs ("Seeding and reproducibility").

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::chacha::{Core, Words};
use crate::level::{Level, Ready};

/// Which ChaCha variant generates the words. ChaCha8 is the default: it is the fastest, and
/// statistically indistinguishable from the others for initialization purposes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rounds {
    /// ChaCha with 8 rounds ([`rand_chacha::ChaCha8Rng`]).
    #[default]
    ChaCha8,
    /// ChaCha with 12 rounds ([`rand_chacha::ChaCha12Rng`]).
    ChaCha12,
    /// ChaCha with 20 rounds ([`rand_chacha::ChaCha20Rng`]).
    ChaCha20,
}

/// The root of all randomness in a run: a `u64` seed plus the ChaCha variant.
///
/// ```
/// use glorot::Key;
/// let key = Key::new(42);
/// let a = key.tensor("blocks.3.attn.q_proj.weight");
/// let b = key.tensor("blocks.3.attn.k_proj.weight");
/// assert_ne!(a.stream(), b.stream());
/// assert_eq!(a.chacha_seed(), b.chacha_seed());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    seed: u64,
    rounds: Rounds,
    chacha_seed: [u8; 32],
}

impl Key {
    /// A key for `seed`, using ChaCha8.
    pub fn new(seed: u64) -> Self {
        Self::with_rounds(seed, Rounds::ChaCha8)
    }

    /// A key for `seed` with an explicit ChaCha variant.
    pub fn with_rounds(seed: u64, rounds: Rounds) -> Self {
        // `seed_from_u64` expands the seed with PCG32; rand_core documents it as value-stable.
        // The expansion is the same for every variant, so reading the seed back from ChaCha8 is
        // exactly what `ChaCha12Rng::seed_from_u64(seed)` would use too.
        let chacha_seed = ChaCha8Rng::seed_from_u64(seed).get_seed();
        Key {
            seed,
            rounds,
            chacha_seed,
        }
    }

    /// The seed this key was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The ChaCha variant.
    pub fn rounds(&self) -> Rounds {
        self.rounds
    }

    /// The stream of the tensor called `name` (e.g. `"blocks.3.attn.q_proj.weight"`).
    ///
    /// The stream id is the 64-bit FNV-1a hash of the name's UTF-8 bytes ([`name_stream`]).
    pub fn tensor(&self, name: &str) -> TensorKey {
        self.tensor_id(name_stream(name))
    }

    /// The stream with an explicit 64-bit id. [`Key::tensor`] is `tensor_id(name_stream(name))`,
    /// so mixing both styles in one model is only safe if the ids cannot equal a name's hash.
    pub fn tensor_id(&self, id: u64) -> TensorKey {
        TensorKey {
            chacha_seed: self.chacha_seed,
            stream: id,
            rounds: self.rounds,
        }
    }
}

/// The stream id of a tensor name: 64-bit FNV-1a over the name's UTF-8 bytes
/// (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`).
///
/// FNV-1a is tiny, needs no keys, and is identical on every platform. It is not a cryptographic
/// hash, but names are chosen by the model author, not an adversary; two distinct names in a
/// model of a million tensors collide with probability about 3·10⁻⁸.
pub const fn name_stream(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Everything that determines one tensor's random words: ChaCha key, stream id and variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TensorKey {
    chacha_seed: [u8; 32],
    stream: u64,
    rounds: Rounds,
}

impl TensorKey {
    /// The 32-byte ChaCha key (`ChaCha8Rng::seed_from_u64(seed).get_seed()`).
    pub fn chacha_seed(&self) -> [u8; 32] {
        self.chacha_seed
    }

    /// The ChaCha stream id (`set_stream` argument).
    pub fn stream(&self) -> u64 {
        self.stream
    }

    /// The ChaCha variant.
    pub fn rounds(&self) -> Rounds {
        self.rounds
    }

    /// A generator positioned at 32-bit word `word_pos` of this tensor's stream, using the
    /// fastest ChaCha backend the CPU supports (and the cap allows).
    pub(crate) fn words_at(&self, word_pos: u64) -> WordStream {
        WordStream::new(self, word_pos, Level::Avx512.ready())
    }

    /// [`TensorKey::words_at`] with the backend of `ready` ([`Ready::Scalar`] forces the
    /// portable reference).
    pub(crate) fn words_at_with(&self, word_pos: u64, ready: Ready) -> WordStream {
        WordStream::new(self, word_pos, ready)
    }
}

/// A positioned ChaCha generator of 32-bit words: the crate's own block function
/// ([`crate::chacha`]), bit-identical to `rand_chacha` with the same seed, stream and word
/// position (the documented reference, checked by the tests).
pub(crate) struct WordStream(Words);

impl WordStream {
    fn new(key: &TensorKey, word_pos: u64, ready: Ready) -> Self {
        let rounds = match key.rounds {
            Rounds::ChaCha8 => 8,
            Rounds::ChaCha12 => 12,
            Rounds::ChaCha20 => 20,
        };
        WordStream(Words::new(
            Core::new(&key.chacha_seed, key.stream, rounds),
            ready,
            word_pos,
        ))
    }

    /// Fills `out` with the next `out.len()` words of the stream.
    #[inline]
    pub(crate) fn fill(&mut self, out: &mut [u32]) {
        self.0.fill(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn fnv1a_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(name_stream(""), 0xcbf29ce484222325);
        assert_eq!(name_stream("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(name_stream("foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn word_stream_matches_next_u32() {
        let key = Key::new(7).tensor("w");
        let mut reference = ChaCha8Rng::from_seed(key.chacha_seed());
        reference.set_stream(key.stream());
        let expected: Vec<u32> = (0..200).map(|_| reference.next_u32()).collect();
        let mut got = vec![0u32; 137];
        key.words_at(63).fill(&mut got);
        assert_eq!(&got[..], &expected[63..200]);
    }
}
