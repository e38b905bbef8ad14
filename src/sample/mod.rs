//! Samplers: each distribution family's sampling over lanes, written once for every backend.
//!
//! A sampler turns one element's random integer into its value, generically over
//! [`Lanes`] (the narrow family, from 24 bits) or [`LanesF64`] (`f64`, from a 64-bit word),
//! with parameters already rounded to the working type. Validation of user parameters and the
//! output bounds belong to the plan ([`crate::dist`]); the word layout, rounding and stores to
//! the kernel ([`crate::kernel`]).
//!
//! - [`uniform`] — `U[low, high)`.
//! - [`normal`] — normal and truncated normal by the exact inverse CDF (the complete
//!   specification).
//! - [`constant`] — no randomness: the value rounded to the output type.

pub(crate) mod constant;
pub mod normal;
pub(crate) mod uniform;

pub(crate) use normal::{NormalF64, NormalNarrow, TruncF64, TruncNarrow};
pub(crate) use uniform::{UniformF64, UniformNarrow};

use crate::simd::{Lanes, LanesF64};

/// A sampler of the narrow family: 24-bit integers to `f32` lanes.
pub(crate) trait SampleNarrow {
    fn sample<V: Lanes>(&self, k: V::U) -> V;
}

/// A sampler for `f64`: 64-bit words to `f64` lanes.
pub(crate) trait SampleF64 {
    fn sample<W: LanesF64>(&self, w: W::U) -> W;
}

/// The narrow family's random samplers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NarrowSampler {
    Uniform(UniformNarrow),
    Normal(NormalNarrow),
    TruncatedNormal(TruncNarrow),
}

/// The `f64` random samplers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum F64Sampler {
    Uniform(UniformF64),
    Normal(NormalF64),
    TruncatedNormal(TruncF64),
}
