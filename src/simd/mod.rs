//! The SIMD seam: two small traits, [`Lanes`] (`f32`) and [`Lanes64`] (`f64`), and their backends.
//!
//! - [`Scalar`] — one lane, plain `f32`/`u32` arithmetic. Always built; it is the reference the
//!   tests compare against.
//! - `wide::f32x8` — eight lanes. Its width and instruction set are fixed when the crate is
//!   compiled (SSE2 halves in a default x86_64 build, AVX2 with `-C target-cpu=x86-64-v3`).
//!   Used by [`Backend::Portable`](crate::Backend::Portable), and by `Backend::Simd` on CPUs
//!   without AVX2 and on other architectures.
//! - `avx512` (x86_64) — `core::arch` AVX-512 lanes (`F32x16`, `F64x8`), entered through
//!   `#[target_feature]` functions after run-time detection (AVX-512F/DQ, AVX2, F16C), so even
//!   a default build runs 512-bit kernels. `Backend::Simd` tries it first. The narrow kernel runs
//!   four interleaved vectors (64 lanes). All its `unsafe` lives in that one file.
//! - `avx2` (x86_64) — `core::arch` AVX2 lanes, entered the same way. `Backend::Simd` uses it
//!   when the CPU has AVX2 but not AVX-512. All its `unsafe` lives in that one file.
//!
//! Which run-time kernel `Backend::Simd` may pick can be capped process-wide
//! ([`set_kernel_level`], reached through `glorot::internals::set_kernel_level`) for benches;
//! tests pin each level through `kernel::{narrow, double}::fill_level`. The bits never depend on
//! the choice.
//!
//! Every distribution writes its sample map once, generically over `Lanes`, so the SIMD path and
//! the scalar path execute the same IEEE-754 operations in the same order — no FMA, no
//! approximate reciprocals — and agree bit for bit by construction. Only operations whose result
//! is exactly specified by IEEE-754 (`+ − × ÷ sqrt`, comparisons, selects, integer ops) are in the
//! trait; anything transcendental is built from them.

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;
pub(crate) mod math;
mod scalar;
mod wide8;
pub(crate) mod x2;

pub(crate) use scalar::{Scalar, Scalar64};

use core::mem::MaybeUninit;
use core::ops::{Add, Div, Mul, Sub};
use core::sync::atomic::{AtomicU8, Ordering};

/// Highest run-time x86_64 kernel level `Backend::Simd` may pick: 2 = AVX2, 3 (or more) =
/// AVX-512. Below 2, `Backend::Simd` takes the portable `wide` path. Process-wide; only for the
/// crate's tests, benches and examples (`internals::set_kernel_level`). The bits never depend
/// on it.
static KERNEL_LEVEL: AtomicU8 = AtomicU8::new(u8::MAX);

/// The current cap (see [`KERNEL_LEVEL`]).
#[inline]
pub(crate) fn kernel_level() -> u8 {
    KERNEL_LEVEL.load(Ordering::Relaxed)
}

/// Sets the cap (see [`KERNEL_LEVEL`]).
pub(crate) fn set_kernel_level(level: u8) {
    KERNEL_LEVEL.store(level, Ordering::Relaxed);
}

/// A vector of `f32` lanes with a matching vector of `u32` lanes.
pub(crate) trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// The unsigned integer vector with the same lane count.
    type U: Copy;
    /// Lane count.
    const N: usize;

    fn splat(x: f32) -> Self;
    /// Loads `N` words from the start of `src` (which has at least `N`).
    fn load_u(src: &[u32]) -> Self::U;
    /// Converts integers below 2^24 to `f32`; exact for that range.
    fn from_u24(k: Self::U) -> Self;
    /// Writes the `N` lanes to the start of `dst` (which has at least `N`).
    fn store(self, dst: &mut [MaybeUninit<f32>]);
    /// `if self < bound { bound } else { self }`, lane-wise; defined by compare-and-select so
    /// both backends agree on signed zeros.
    fn max_with(self, bound: Self) -> Self;
    /// `if self > bound { bound } else { self }`, lane-wise.
    fn min_with(self, bound: Self) -> Self;
    /// IEEE-754 square root (correctly rounded).
    fn sqrt(self) -> Self;
    /// `if a < b { t } else { f }`, lane-wise.
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Whether `a < b` in every lane. Used only to skip computing a branch no lane selects,
    /// which never changes a result.
    fn all_lt(a: Self, b: Self) -> bool;
    /// The lanes' bit patterns.
    fn to_bits(self) -> Self::U;
    /// Lanes from bit patterns.
    fn from_bits(u: Self::U) -> Self;
    /// Logical right shift of every integer lane by `S` (`0 < S < 32`).
    fn shr<const S: i32>(u: Self::U) -> Self::U;
    /// Bitwise AND of every integer lane with `m`.
    fn and(u: Self::U, m: u32) -> Self::U;
    /// Wrapping addition of `m` to every integer lane.
    fn add_u(u: Self::U, m: u32) -> Self::U;
    /// Left shift of every integer lane by `S` (`0 < S < 32`).
    fn shl<const S: i32>(u: Self::U) -> Self::U;
    /// Lane-wise wrapping addition of two integer vectors.
    fn add_uu(a: Self::U, b: Self::U) -> Self::U;
    /// Each lane rounded to IEEE binary16 (nearest-even, exactly `half::f16::from_f32`), as
    /// the 16-bit pattern in the low half of the integer lane.
    fn to_f16_bits(self) -> Self::U;
    /// Exact widening of binary16 patterns (low 16 bits of each lane) to `f32`.
    fn from_f16_bits(u: Self::U) -> Self;
    /// Writes the low 16 bits of each integer lane (all lanes below 2¹⁶) to `dst[..N]`.
    fn to_u16s(u: Self::U, dst: &mut [u16]);
}

/// A vector of `f64` lanes with a matching vector of `u64` lanes (the f64 kernels).
pub(crate) trait Lanes64:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    type U: Copy;
    const N: usize;

    fn splat(x: f64) -> Self;
    /// Loads `N` 64-bit values, each made of two consecutive stream words, low word first
    /// (`src` has at least `2N` words).
    fn load_u(src: &[u32]) -> Self::U;
    /// `(w >> 11) as f64`: the top 53 bits as an exact float in `[0, 2^53)`.
    fn top53(w: Self::U) -> Self;
    fn store(self, dst: &mut [MaybeUninit<f64>]);
    fn max_with(self, bound: Self) -> Self;
    fn min_with(self, bound: Self) -> Self;
    /// IEEE-754 square root (correctly rounded).
    fn sqrt(self) -> Self;
    /// `if a < b { t } else { f }`, lane-wise.
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Whether `a < b` in every lane.
    fn all_lt(a: Self, b: Self) -> bool;
    fn to_bits(self) -> Self::U;
    fn from_bits(u: Self::U) -> Self;
    /// Logical right shift of every integer lane by `S` (`0 < S < 64`).
    fn shr<const S: i32>(u: Self::U) -> Self::U;
    fn and(u: Self::U, m: u64) -> Self::U;
    fn or(u: Self::U, m: u64) -> Self::U;
}
