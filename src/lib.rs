//! # glorot
//!
//! Neural-network weight initialization that is fast and bit-reproducible: the same seed gives
//! the same weights on any machine, any thread count, any SIMD path and any shard layout.
//!
//! (Full documentation sections follow below.)

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod alloc;
mod chacha;
pub mod dist;
mod element;
mod error;
pub mod fan;
mod fill;
mod gain;
mod init;
mod kernel;
mod key;
mod parallel;
mod simd;

pub use alloc::Pages;
pub use dist::Distribution;
pub use element::{DType, Element};
pub use error::{Error, Result};
pub use fan::{FanMode, Fans, Layout};
pub use fill::{fill, fill_at, fill_at_with, fill_uninit, try_alloc_filled, Backend, MAX_ELEMENTS};
pub use gain::{calculate_gain, Nonlinearity};
pub use init::{Init, VarianceDistribution};
pub use key::{name_stream, Key, Rounds, TensorKey};

/// Not part of the API: hooks for the crate's own benches and examples. May change or vanish
/// in any release.
#[doc(hidden)]
pub mod internals {
    /// Fills `out` with the words of `key`'s stream from word `pos`, with the crate's ChaCha
    /// (AVX2 when available). Equal to rand_chacha's `fill_bytes` output on little-endian.
    pub fn fill_words(key: &crate::TensorKey, pos: u64, out: &mut [u32]) {
        key.words_at(pos).fill(out);
    }

    /// [`fill_words`] with the best implementation at or below `level`: 0 the scalar
    /// reference, 1 SSE2 (x86_64 only, else scalar), 2 AVX2 without AVX-512 (if the CPU has
    /// AVX2), 3 the fastest available.
    pub fn fill_words_at_level(key: &crate::TensorKey, pos: u64, out: &mut [u32], level: u8) {
        key.words_at_with(pos, crate::chacha::Imp::at_most(level))
            .fill(out);
    }
}

/// Re-exported so callers can name the 16-bit element types without depending on `half`.
pub use half::{bf16, f16};
