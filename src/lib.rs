//! # glorot
//!
//! Neural-network weight initialization that is fast and bit-reproducible: the same seed gives
//! the same weights on any machine, any thread count, any SIMD path and any shard layout.
//!
//! (Full documentation sections follow below.)

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod alloc;
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
pub use init::{Init, VarianceDistribution, TRUNCATED_STD_CORRECTION};
pub use key::{name_stream, Key, Rounds, TensorKey};

/// Re-exported so callers can name the 16-bit element types without depending on `half`.
pub use half::{bf16, f16};
