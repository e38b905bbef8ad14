//! The `wide` backends: eight `f32` lanes, four `f64` lanes.

use super::{Lanes, LanesF64};
use core::mem::MaybeUninit;
use wide::{f32x8, f64x4, i32x8, u32x8, u64x4};

macro_rules! clamps {
    () => {
        #[inline(always)]
        fn max_with(self, bound: Self) -> Self {
            self.simd_lt(bound).select(bound, self)
        }
        #[inline(always)]
        fn min_with(self, bound: Self) -> Self {
            self.simd_gt(bound).select(bound, self)
        }
    };
}

impl Lanes for f32x8 {
    type U = u32x8;
    const N: usize = 8;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        f32x8::splat(x)
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> u32x8 {
        let arr: [u32; 8] = src[..8].try_into().expect("caller passes at least 8 words");
        u32x8::new(arr)
    }
    #[inline(always)]
    fn from_u24(k: u32x8) -> Self {
        // k < 2^24 < 2^31, so the signed conversion is exact and equals `k as f32`.
        f32x8::from_i32x8(bytemuck::cast::<u32x8, i32x8>(k))
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f32>]) {
        for (d, v) in dst[..8].iter_mut().zip(self.to_array()) {
            d.write(v);
        }
    }
    clamps!();
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32x8::sqrt(self)
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        a.simd_lt(b).select(t, f)
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        a.simd_lt(b).all()
    }
    #[inline(always)]
    fn lookup4(table: &[[f32; 4]], i: u32x8) -> [Self; 4] {
        assert!(!table.is_empty());
        let i = i.to_array();
        let e: [[f32; 4]; 8] = core::array::from_fn(|l| table[i[l] as usize & (table.len() - 1)]);
        core::array::from_fn(|j| f32x8::new(core::array::from_fn(|l| e[l][j])))
    }
    #[inline(always)]
    fn to_bits(self) -> u32x8 {
        bytemuck::cast(self)
    }
    #[inline(always)]
    fn from_bits(u: u32x8) -> Self {
        bytemuck::cast(u)
    }
    #[inline(always)]
    fn shr<const S: i32>(u: u32x8) -> u32x8 {
        u >> (S as u32)
    }
    #[inline(always)]
    fn and(u: u32x8, m: u32) -> u32x8 {
        u & u32x8::splat(m)
    }
    #[inline(always)]
    fn add_u(u: u32x8, m: u32) -> u32x8 {
        u + u32x8::splat(m)
    }
    #[inline(always)]
    fn shl<const S: i32>(u: u32x8) -> u32x8 {
        u << (S as u32)
    }
    #[inline(always)]
    fn add_uu(a: u32x8, b: u32x8) -> u32x8 {
        a + b
    }
    #[inline(always)]
    fn to_f16_bits(self) -> u32x8 {
        u32x8::new(
            self.to_array()
                .map(|x| u32::from(half::f16::from_f32(x).to_bits())),
        )
    }
    #[inline(always)]
    fn from_f16_bits(u: u32x8) -> Self {
        f32x8::new(
            u.to_array()
                .map(|b| half::f16::from_bits(b as u16).to_f32()),
        )
    }
    #[inline(always)]
    fn to_u16s(u: u32x8, dst: &mut [u16]) {
        for (d, v) in dst[..8].iter_mut().zip(u.to_array()) {
            *d = v as u16;
        }
    }
}

/// 2^52 as f64; `from_bits(bits(2^52) | x) - 2^52 == x as f64` for any `x < 2^32`.
const TWO52: f64 = 4_503_599_627_370_496.0;

impl LanesF64 for f64x4 {
    type U = u64x4;
    const N: usize = 4;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        f64x4::splat(x)
    }
    #[inline(always)]
    fn load_u(src: &[u32]) -> u64x4 {
        let w: [u32; 8] = src[..8].try_into().expect("caller passes at least 8 words");
        u64x4::new(core::array::from_fn(|i| {
            u64::from(w[2 * i]) | (u64::from(w[2 * i + 1]) << 32)
        }))
    }
    #[inline(always)]
    fn top53(w: u64x4) -> Self {
        // There is no u64→f64 conversion before AVX-512. Split the 53-bit value into a high part
        // (21 bits) and a low part (32 bits), convert each exactly with the 2^52 exponent trick,
        // and recombine: every step is exact, so the result equals `(w >> 11) as f64`.
        let k = w >> 11_u32;
        let hi = k >> 32_u32;
        let lo = k & u64x4::splat(0xFFFF_FFFF);
        let magic = u64x4::splat(TWO52.to_bits());
        let hi_f = f64x4::from_bits(hi | magic) - f64x4::splat(TWO52);
        let lo_f = f64x4::from_bits(lo | magic) - f64x4::splat(TWO52);
        hi_f * f64x4::splat(4_294_967_296.0) + lo_f
    }
    #[inline(always)]
    fn store(self, dst: &mut [MaybeUninit<f64>]) {
        for (d, v) in dst[..4].iter_mut().zip(self.to_array()) {
            d.write(v);
        }
    }
    clamps!();
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64x4::sqrt(self)
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        a.simd_lt(b).select(t, f)
    }
    #[inline(always)]
    fn all_lt(a: Self, b: Self) -> bool {
        a.simd_lt(b).all()
    }
    #[inline(always)]
    fn to_bits(self) -> u64x4 {
        bytemuck::cast(self)
    }
    #[inline(always)]
    fn from_bits(u: u64x4) -> Self {
        bytemuck::cast(u)
    }
    #[inline(always)]
    fn shr<const S: i32>(u: u64x4) -> u64x4 {
        u >> (S as u32)
    }
    #[inline(always)]
    fn and(u: u64x4, m: u64) -> u64x4 {
        u & u64x4::splat(m)
    }
    #[inline(always)]
    fn or(u: u64x4, m: u64) -> u64x4 {
        u | u64x4::splat(m)
    }
}
