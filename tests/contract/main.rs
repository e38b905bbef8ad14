//! The reproducibility contract, for every distribution family: every element is a pure
//! function of (key, index), whatever the thread count, offset, level or build, and the
//! crate-doc specification re-implemented from rand_chacha alone reproduces it bit for bit.
//!
//! - [`uniform`] — the uniform family and the word layouts (24-bit narrow, 64-bit `f64`);
//! - [`normal`] — normal and truncated normal (the `glorot::dist::normal` specification).
//!   Constants are covered by both.

#[path = "../spec/mod.rs"]
mod spec;

mod normal;
mod uniform;
