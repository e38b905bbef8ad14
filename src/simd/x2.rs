//! [`X2`]: two vectors processed as one, operation by operation, so that two independent
//! dependency chains are interleaved in the instruction stream. The long polynomial chains of
//! the normal kernels are latency-bound on one vector; interleaving two keeps the floating-point
//! pipes busy. Each lane still sees exactly the same operations, so results are unchanged.

use super::{Lanes, LanesF64};
use core::mem::MaybeUninit;
use core::ops::{Add, Div, Mul, Sub};

/// Two `V` vectors: lanes `0..V::N` in `.0`, `V::N..2·V::N` in `.1`.
#[derive(Clone, Copy)]
pub(crate) struct X2<V>(V, V);

macro_rules! binop {
    ($tr:ident, $f:ident) => {
        impl<V: Lanes> $tr for X2<V> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, rhs: Self) -> Self {
                X2(self.0.$f(rhs.0), self.1.$f(rhs.1))
            }
        }
    };
}
binop!(Add, add);
binop!(Sub, sub);
binop!(Mul, mul);
binop!(Div, div);

impl<V: Lanes> Lanes for X2<V> {
    type U = (V::U, V::U);
    const N: usize = 2 * V::N;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        X2(V::splat(x), V::splat(x))
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> Self::U {
        (V::load_u(src), V::load_u(&src[V::N..]))
    }
    #[inline(always)]
    fn from_u24(k: Self::U) -> Self {
        X2(V::from_u24(k.0), V::from_u24(k.1))
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f32>]) {
        self.0.store(dst);
        self.1.store(&mut dst[V::N..]);
    }
    #[inline(always)]
    fn max_with(self, bound: Self) -> Self {
        X2(self.0.max_with(bound.0), self.1.max_with(bound.1))
    }
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        X2(self.0.min_with(bound.0), self.1.min_with(bound.1))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        X2(self.0.sqrt(), self.1.sqrt())
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        X2(
            V::select_lt(a.0, b.0, t.0, f.0),
            V::select_lt(a.1, b.1, t.1, f.1),
        )
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        V::all_lt(a.0, b.0) & V::all_lt(a.1, b.1)
    }
    #[inline(always)]
    fn lookup4(table: &[[f32; 4]], i: Self::U) -> [Self; 4] {
        let (a, b) = (V::lookup4(table, i.0), V::lookup4(table, i.1));
        core::array::from_fn(|j| X2(a[j], b[j]))
    }
    #[inline(always)]
    fn to_bits(self) -> Self::U {
        (self.0.to_bits(), self.1.to_bits())
    }
    #[inline(always)]
    fn from_bits(u: Self::U) -> Self {
        X2(V::from_bits(u.0), V::from_bits(u.1))
    }
    #[inline(always)]
    fn shr<const S: i32>(u: Self::U) -> Self::U {
        (V::shr::<S>(u.0), V::shr::<S>(u.1))
    }
    #[inline(always)]
    fn and(u: Self::U, m: u32) -> Self::U {
        (V::and(u.0, m), V::and(u.1, m))
    }
    #[inline(always)]
    fn add_u(u: Self::U, m: u32) -> Self::U {
        (V::add_u(u.0, m), V::add_u(u.1, m))
    }
    #[inline(always)]
    fn shl<const S: i32>(u: Self::U) -> Self::U {
        (V::shl::<S>(u.0), V::shl::<S>(u.1))
    }
    #[inline(always)]
    fn add_uu(a: Self::U, b: Self::U) -> Self::U {
        (V::add_uu(a.0, b.0), V::add_uu(a.1, b.1))
    }
    #[inline(always)]
    fn to_f16_bits(self) -> Self::U {
        (self.0.to_f16_bits(), self.1.to_f16_bits())
    }
    #[inline(always)]
    fn from_f16_bits(u: Self::U) -> Self {
        X2(V::from_f16_bits(u.0), V::from_f16_bits(u.1))
    }
    #[inline(always)]
    fn to_u16s(u: Self::U, dst: &mut [u16]) {
        V::to_u16s(u.0, dst);
        V::to_u16s(u.1, &mut dst[V::N..]);
    }
}

/// Two `f64` vectors as one: the f64 normal kernel's Horner chains (23 dependent
/// multiply-adds) are latency-bound on one vector; interleaved chains overlap.
#[derive(Clone, Copy)]
pub(crate) struct X2d<W>(W, W);

macro_rules! binop_d {
    ($tr:ident, $f:ident) => {
        impl<W: LanesF64> $tr for X2d<W> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, rhs: Self) -> Self {
                X2d(self.0.$f(rhs.0), self.1.$f(rhs.1))
            }
        }
    };
}
binop_d!(Add, add);
binop_d!(Sub, sub);
binop_d!(Mul, mul);
binop_d!(Div, div);

impl<W: LanesF64> LanesF64 for X2d<W> {
    type U = (W::U, W::U);
    const N: usize = 2 * W::N;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        X2d(W::splat(x), W::splat(x))
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> Self::U {
        (W::load_u(src), W::load_u(&src[2 * W::N..]))
    }
    #[inline(always)]
    fn top53(w: Self::U) -> Self {
        X2d(W::top53(w.0), W::top53(w.1))
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f64>]) {
        self.0.store(dst);
        self.1.store(&mut dst[W::N..]);
    }
    #[inline(always)]
    fn max_with(self, bound: Self) -> Self {
        X2d(self.0.max_with(bound.0), self.1.max_with(bound.1))
    }
    #[inline(always)]
    fn min_with(self, bound: Self) -> Self {
        X2d(self.0.min_with(bound.0), self.1.min_with(bound.1))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        X2d(self.0.sqrt(), self.1.sqrt())
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        X2d(
            W::select_lt(a.0, b.0, t.0, f.0),
            W::select_lt(a.1, b.1, t.1, f.1),
        )
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        W::all_lt(a.0, b.0) & W::all_lt(a.1, b.1)
    }
    #[inline(always)]
    fn to_bits(self) -> Self::U {
        (self.0.to_bits(), self.1.to_bits())
    }
    #[inline(always)]
    fn from_bits(u: Self::U) -> Self {
        X2d(W::from_bits(u.0), W::from_bits(u.1))
    }
    #[inline(always)]
    fn shr<const S: i32>(u: Self::U) -> Self::U {
        (W::shr::<S>(u.0), W::shr::<S>(u.1))
    }
    #[inline(always)]
    fn and(u: Self::U, m: u64) -> Self::U {
        (W::and(u.0, m), W::and(u.1, m))
    }
    #[inline(always)]
    fn or(u: Self::U, m: u64) -> Self::U {
        (W::or(u.0, m), W::or(u.1, m))
    }
}
