//! The one-lane reference backends.

use super::{Lanes, LanesF64};
use core::mem::MaybeUninit;
use core::ops::{Add, Div, Mul, Sub};

/// One `f32` lane. A newtype (not bare `f32`) so the trait cannot be satisfied by accident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scalar(pub f32);

/// One `f64` lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScalarF64(pub f64);

macro_rules! binops {
    ($t:ident) => {
        binops!($t, Add, add, +);
        binops!($t, Sub, sub, -);
        binops!($t, Mul, mul, *);
        binops!($t, Div, div, /);
    };
    ($t:ident, $tr:ident, $f:ident, $op:tt) => {
        impl $tr for $t {
            type Output = $t;
            #[inline(always)]
            fn $f(self, rhs: $t) -> $t {
                $t(self.0 $op rhs.0)
            }
        }
    };
}
binops!(Scalar);
binops!(ScalarF64);

macro_rules! clamps {
    () => {
        #[inline(always)]
        fn max_with(self, bound: Self) -> Self {
            if self.0 < bound.0 {
                bound
            } else {
                self
            }
        }
        #[inline(always)]
        fn min_with(self, bound: Self) -> Self {
            if self.0 > bound.0 {
                bound
            } else {
                self
            }
        }
    };
}

impl Lanes for Scalar {
    type U = u32;
    const N: usize = 1;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        Scalar(x)
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> u32 {
        src[0]
    }
    #[inline(always)]
    fn from_u24(k: u32) -> Self {
        // Equal to `k as f32` for k < 2^31; the signed form vectorises to one `cvtdq2ps` when
        // the compiler auto-vectorises a loop of scalar lanes.
        Scalar(k as i32 as f32)
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f32>]) {
        dst[0].write(self.0);
    }
    clamps!();
    #[inline(always)]
    fn sqrt(self) -> Self {
        Scalar(self.0.sqrt())
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        if a.0 < b.0 {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        a.0 < b.0
    }
    #[inline(always)]
    fn lookup4(table: &[[f32; 4]], i: u32) -> [Self; 4] {
        assert!(!table.is_empty());
        table[i as usize & (table.len() - 1)].map(Scalar)
    }
    #[inline(always)]
    fn to_bits(self) -> u32 {
        self.0.to_bits()
    }
    #[inline(always)]
    fn from_bits(u: u32) -> Self {
        Scalar(f32::from_bits(u))
    }
    #[inline(always)]
    fn shr<const S: i32>(u: u32) -> u32 {
        u >> S
    }
    #[inline(always)]
    fn and(u: u32, m: u32) -> u32 {
        u & m
    }
    #[inline(always)]
    fn add_u(u: u32, m: u32) -> u32 {
        u.wrapping_add(m)
    }
    #[inline(always)]
    fn shl<const S: i32>(u: u32) -> u32 {
        u << S
    }
    #[inline(always)]
    fn add_uu(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn to_f16_bits(self) -> u32 {
        u32::from(half::f16::from_f32(self.0).to_bits())
    }
    #[inline(always)]
    fn from_f16_bits(u: u32) -> Self {
        Scalar(half::f16::from_bits(u as u16).to_f32())
    }
    #[inline(always)]
    fn to_u16s(u: u32, dst: &mut [u16]) {
        dst[0] = u as u16;
    }
}

impl LanesF64 for ScalarF64 {
    type U = u64;
    const N: usize = 1;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        ScalarF64(x)
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> u64 {
        u64::from(src[0]) | (u64::from(src[1]) << 32)
    }
    #[inline(always)]
    fn top53(w: u64) -> Self {
        ScalarF64((w >> 11) as f64)
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f64>]) {
        dst[0].write(self.0);
    }
    clamps!();
    #[inline(always)]
    fn sqrt(self) -> Self {
        ScalarF64(self.0.sqrt())
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        if a.0 < b.0 {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        a.0 < b.0
    }
    #[inline(always)]
    fn to_bits(self) -> u64 {
        self.0.to_bits()
    }
    #[inline(always)]
    fn from_bits(u: u64) -> Self {
        ScalarF64(f64::from_bits(u))
    }
    #[inline(always)]
    fn shr<const S: i32>(u: u64) -> u64 {
        u >> S
    }
    #[inline(always)]
    fn and(u: u64, m: u64) -> u64 {
        u & m
    }
    #[inline(always)]
    fn or(u: u64, m: u64) -> u64 {
        u | m
    }
}
