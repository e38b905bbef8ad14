//! Value stability, every distribution family: hard-coded bit patterns of fixed (seed, name,
//! initializer, dtype) tuples. Any change to keys, word layout, samplers or rounding breaks
//! these on purpose: a change to the output must be a conscious, documented decision (and a
//! major version). The same vectors must hold in a default build, an `x86-64-v3` build, on
//! aarch64 and at every `Level`.
//!
//! - [`uniform`] — uniform initializers and constants;
//! - [`normal`] — normal and truncated-normal initializers;
//! - [`orthogonal`] — orthogonal matrices and sparse patterns (the structured initializers).

#[path = "../common/mod.rs"]
mod common;

mod normal;
mod orthogonal;
mod uniform;
