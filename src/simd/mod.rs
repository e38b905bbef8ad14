//! The lanes layer: two small traits, [`Lanes`] (`f32`) and [`LanesF64`] (`f64`), their
//! backends (one file each), the math built on them (`math.rs`: `ln`, `erfinv`), and the
//! run-time entry points. It knows `core::arch` and [`Level`](crate::Level) only — never the
//! kernels, samplers or element types that run on it.
//!
//! - `scalar.rs` — one lane, plain `f32`/`f64` arithmetic ([`Level::Scalar`]): the reference
//!   the tests compare against.
//! - `wide.rs` — `wide::f32x8`/`f64x4` ([`Level::Portable`]); width and instruction set fixed
//!   when the crate is compiled (SSE2 halves in a default x86_64 build, AVX2 with
//!   `-C target-cpu=x86-64-v3`, NEON on aarch64).
//! - `avx2.rs` (x86_64, [`Level::Avx2`]) and `avx512.rs` (x86_64, [`Level::Avx512`]) —
//!   `core::arch` lanes, entered through `#[target_feature]` functions that take the level's
//!   proof token, so even a default build runs 256- and 512-bit kernels. What the two share
//!   (operator impls, the entry point) is stamped by the macros in `x86.rs`; each file holds
//!   only the intrinsics that differ, and all of its `unsafe`.
//! - `x2.rs` — two vectors as one, to interleave independent dependency chains.
//!
//! [`run`] is the only way into a backend: the caller hands over a [`WithLanes`] operation
//! (pulp's `WithSimd` pattern) and the backend calls `op.run::<V, W>()` from inside its
//! `#[target_feature]` function, so the caller's whole loop — inlined generics — is compiled
//! for the instruction set without the backend naming the caller.
//!
//! Every distribution writes its sampling once, generically over `Lanes`, so the SIMD path and
//! the scalar path execute the same IEEE-754 operations in the same order — no FMA, no
//! approximate reciprocals — and agree bit for bit by construction. Only operations whose result
//! is exactly specified by IEEE-754 (`+ − × ÷ sqrt`, comparisons, selects, integer ops) are in the
//! trait; anything transcendental is built from them.
//!
//! [`Level::Scalar`]: crate::Level::Scalar
//! [`Level::Portable`]: crate::Level::Portable
//! [`Level::Avx2`]: crate::Level::Avx2
//! [`Level::Avx512`]: crate::Level::Avx512

pub(crate) mod math;
mod scalar;
mod wide;
#[cfg(target_arch = "x86_64")]
#[macro_use]
mod x86;
#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
pub(crate) mod x2;

pub(crate) use scalar::{Scalar, ScalarF64};

use crate::level::Ready;

use core::mem::MaybeUninit;
use core::ops::{Add, Div, Mul, Sub};

/// Asks the cache to fetch every 64-byte line of `s`, without waiting: the kernels call it on
/// the next batch's output before computing the current one, so the stores of that batch find
/// their lines present instead of stalling on the read-for-ownership of each line from memory.
/// Values are unaffected (a prefetch is only a hint). Measured on the Zen 3 VM, 1 GiB of f32
/// into a touched buffer (`examples/throughput.rs`, 2026-12-01, binaries with and without it
/// run alternately): `xavier_uniform` 0.91–1.08 → 1.16–1.31 G elements/s on one thread,
/// 1.68–2.11 → 2.04–2.47 on two; the narrow normal kernels, bound by their arithmetic, within
/// noise. The f64 kernels do not call it: their normal is compute-bound too, and it measured
/// 5–7 % slower with it. A no-op off x86_64.
#[inline(always)]
pub(crate) fn prefetch<T>(s: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        let base = s.as_ptr().cast::<i8>();
        for offset in (0..core::mem::size_of_val(s)).step_by(64) {
            // SAFETY: `prefetcht0` (SSE, part of the x86_64 baseline) never faults and accesses
            // no memory architecturally; the address is inside `s` anyway.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    base.add(offset),
                )
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = s;
}

/// An operation generic over the lane types, run by [`run`] with a backend's types. `V` is the
/// `f32` lane type, `W` the `f64` one; an operation uses whichever it needs.
pub(crate) trait WithLanes {
    type Output;
    /// Mark implementations `#[inline(always)]`, so that they are compiled inside the
    /// backend's `#[target_feature]` entry point.
    fn run<V: Lanes, W: LanesF64>(self) -> Self::Output;
}

/// Runs `op` on the lanes of `ready`'s level: one lane, `wide`, or (x86_64) AVX2 / AVX-512.
/// Off x86_64 the AVX levels (x86 ChaCha only) run `wide`.
#[inline(always)]
pub(crate) fn run<Op: WithLanes>(ready: Ready, op: Op) -> Op::Output {
    match ready {
        Ready::Scalar => op.run::<Scalar, ScalarF64>(),
        #[cfg(target_arch = "x86_64")]
        Ready::Avx2(proof) => avx2::run(proof, op),
        #[cfg(target_arch = "x86_64")]
        Ready::Avx512(proof) => avx512::run(proof, op),
        #[allow(unreachable_patterns)] // the AVX levels off x86_64
        _ => op.run::<::wide::f32x8, ::wide::f64x4>(),
    }
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
    /// all backends agree on signed zeros.
    #[inline(always)]
    fn max_with(self, bound: Self) -> Self {
        Self::select_lt(self, bound, bound, self)
    }
    /// `if self > bound { bound } else { self }`, lane-wise.
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        Self::select_lt(bound, self, bound, self)
    }
    /// IEEE-754 square root (correctly rounded). Unused by the narrow samplers since 0.2.0
    /// (their inverse CDF needs none); part of the exact-operation set kept on every backend.
    #[allow(dead_code)]
    fn sqrt(self) -> Self;
    /// `if a < b { t } else { f }`, lane-wise.
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// Whether `a < b` in every lane. Used only to skip computing a branch no lane selects,
    /// which never changes a result (unused by the narrow samplers since 0.2.0: no branches).
    #[allow(dead_code)]
    fn all_lt(a: Self, b: Self) -> bool;
    /// Table look-up: for each lane's index `i`, the entry `table[i & (table.len() − 1)]`,
    /// returned as four vectors (vector `j` holds coefficient `j` of every lane). `table` must
    /// not be empty (checked); `i & (len − 1) ≤ len − 1`, so every load is in bounds whatever
    /// `i` is (a power-of-two `len` makes it `i mod len`). The loaded bits are the table's bits
    /// on every backend (AVX2: eight entry loads and a transpose, faster than `vgatherdps`
    /// on Zen 3; AVX-512: `vgatherdps`).
    fn lookup4(table: &[[f32; 4]], i: Self::U) -> [Self; 4];
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
pub(crate) trait LanesF64:
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
    /// As [`Lanes::max_with`].
    #[inline(always)]
    fn max_with(self, bound: Self) -> Self {
        Self::select_lt(self, bound, bound, self)
    }
    /// As [`Lanes::min_with`].
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        Self::select_lt(bound, self, bound, self)
    }
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
