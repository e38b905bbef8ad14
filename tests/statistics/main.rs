//! Statistical tests, every distribution family (kept apart from the fast unit tests, but run
//! in CI): Kolmogorov–Smirnov against the exact CDFs, moments, and the empirical std of every
//! variance-scaled initializer against its formula.
//!
//! - [`uniform`] — the uniform family;
//! - [`normal`] — normal and truncated normal.

#[path = "../common/mod.rs"]
mod common;

mod normal;
mod uniform;
