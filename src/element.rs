//! Output element types: `f32`, `f64`, `bf16`, `f16`.
//!
//! `f32`, `bf16` and `f16` form the *narrow family*: every value is computed in `f32` from one
//! 24-bit random integer and, for the 16-bit types, rounded once to nearest-even (exactly
//! `half::bf16::from_f32` / `half::f16::from_f32` of the `f32` result). `f64` has its own kernels
//! with 53 random bits per value.

use core::fmt::Debug;
use core::mem::MaybeUninit;

use crate::simd::Lanes;
use half::{bf16, f16};

/// The storage type of a tensor, named as safetensors names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// IEEE-754 binary32.
    F32,
    /// IEEE-754 binary64.
    F64,
    /// bfloat16: f32's exponent, 7 mantissa bits.
    BF16,
    /// IEEE-754 binary16.
    F16,
}

impl DType {
    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
            DType::BF16 | DType::F16 => 2,
        }
    }

    /// The safetensors dtype string (`"F32"`, `"F64"`, `"BF16"`, `"F16"`).
    pub const fn safetensors_name(self) -> &'static str {
        match self {
            DType::F32 => "F32",
            DType::F64 => "F64",
            DType::BF16 => "BF16",
            DType::F16 => "F16",
        }
    }

    /// Parses `f32`, `f64`, `bf16`, `f16` (any case, also the safetensors spelling).
    pub fn parse(name: &str) -> crate::Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "f32" | "float32" | "float" => Ok(DType::F32),
            "f64" | "float64" | "double" => Ok(DType::F64),
            "bf16" | "bfloat16" => Ok(DType::BF16),
            "f16" | "float16" | "half" => Ok(DType::F16),
            _ => Err(crate::Error::UnknownName),
        }
    }
}

impl core::fmt::Display for DType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::BF16 => "bf16",
            DType::F16 => "f16",
        })
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for half::bf16 {}
    impl Sealed for half::f16 {}
}

/// An output slice of one of the four element types ([`Element::as_out`]).
#[doc(hidden)]
#[derive(Debug)]
pub enum Out<'a> {
    F32(&'a mut [MaybeUninit<f32>]),
    F64(&'a mut [MaybeUninit<f64>]),
    BF16(&'a mut [MaybeUninit<bf16>]),
    F16(&'a mut [MaybeUninit<f16>]),
}

/// A type the crate can fill: `f32`, `f64`, [`half::bf16`], [`half::f16`]. Sealed.
pub trait Element: sealed::Sealed + Copy + Send + Sync + Debug + PartialEq + 'static {
    /// The dtype tag.
    const DTYPE: DType;
    /// The value as `f64` (exact for every element type).
    fn to_f64(self) -> f64;
    /// The downward hook of the sealed trait: `out` as the slice of its concrete type, which
    /// the kernel matches on. (Not part of the API.)
    #[doc(hidden)]
    fn as_out(out: &mut [MaybeUninit<Self>]) -> Out<'_>;
}

/// The narrow family's per-type rules: rounding from `f32` and the representable bounds.
pub(crate) trait Narrow: Element {
    /// Round an `f32` to this type (nearest-even).
    fn from_f32(x: f32) -> Self;
    /// Exact widening to `f32`.
    fn to_f32(self) -> f32;
    /// The next representable value towards +∞ / −∞ (finite inputs only).
    fn next_up(self) -> Self;
    fn next_down(self) -> Self;
    /// Round an `f64` to this type (nearest-even).
    fn from_f64(x: f64) -> Self;
    /// Rounds computed `f32` lanes to this type, clamps them into `[lo, hi]` (both representable
    /// in this type) and stores them. Clamping after rounding keeps bounds exact in every dtype.
    fn finish<V: Lanes>(x: V, lo: f32, hi: f32, dst: &mut [MaybeUninit<Self>]);
    /// [`Narrow::finish`] without the clamp, for plans whose values provably stay finite and
    /// unbounded (same result as clamping to `[−∞, +∞]`).
    fn finish_unclamped<V: Lanes>(x: V, dst: &mut [MaybeUninit<Self>]);
}

/// Smallest value of `T` that is `>= lo` (or `> lo` when `open`), as an exact `f64`.
pub(crate) fn narrow_above<T: Narrow>(lo: f64, open: bool) -> T {
    let mut c = T::from_f64(lo);
    while c.to_f64() < lo || (open && c.to_f64() == lo) {
        c = c.next_up();
    }
    c
}

/// Largest value of `T` that is `< hi` (or `<= hi` when `!open`).
pub(crate) fn narrow_below<T: Narrow>(hi: f64, open: bool) -> T {
    let mut c = T::from_f64(hi);
    while c.to_f64() > hi || (open && c.to_f64() == hi) {
        c = c.next_down();
    }
    c
}

impl Narrow for f32 {
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    fn next_up(self) -> Self {
        f32::next_up(self)
    }
    fn next_down(self) -> Self {
        f32::next_down(self)
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn finish<V: Lanes>(x: V, lo: f32, hi: f32, dst: &mut [MaybeUninit<Self>]) {
        x.max_with(V::splat(lo)).min_with(V::splat(hi)).store(dst);
    }
    #[inline(always)]
    fn finish_unclamped<V: Lanes>(x: V, dst: &mut [MaybeUninit<Self>]) {
        x.store(dst);
    }
}

/// The adjacent 16-bit float pattern towards +∞ (`up`) or −∞. Rounding a nudged `f32` back could
/// land on the same value, so step the bit pattern instead (finite inputs only).
fn step16(bits: u16, up: bool) -> u16 {
    let magnitude = bits & 0x7fff;
    let negative = bits & 0x8000 != 0;
    match (magnitude, up, negative) {
        (0, true, _) => 0x0001,
        (0, false, _) => 0x8001,
        (_, true, false) | (_, false, true) => bits + 1,
        _ => bits - 1,
    }
}

macro_rules! narrow16 {
    ($t:ty, $finish:ident) => {
        impl Narrow for $t {
            #[inline(always)]
            fn from_f32(x: f32) -> Self {
                <$t>::from_f32(x)
            }
            #[inline(always)]
            fn to_f32(self) -> f32 {
                <$t>::to_f32(self)
            }
            fn next_up(self) -> Self {
                <$t>::from_bits(step16(self.to_bits(), true))
            }
            fn next_down(self) -> Self {
                <$t>::from_bits(step16(self.to_bits(), false))
            }
            fn from_f64(x: f64) -> Self {
                <$t>::from_f64(x)
            }
            #[inline(always)]
            fn finish<V: Lanes>(x: V, lo: f32, hi: f32, dst: &mut [MaybeUninit<Self>]) {
                $finish::<V, true>(x, lo, hi, dst)
            }
            #[inline(always)]
            fn finish_unclamped<V: Lanes>(x: V, dst: &mut [MaybeUninit<Self>]) {
                $finish::<V, false>(x, 0.0, 0.0, dst)
            }
        }
    };
}

/// bf16 rounding in vector registers: round-to-nearest-even on the bit pattern,
/// `(b + 0x7FFF + ((b >> 16) & 1)) >> 16`, which equals `half::bf16::from_f32` for every
/// non-NaN input (the kernels never produce NaN), then the clamp in `f32` (bf16 values are
/// f32 values with zero low bits).
#[inline(always)]
fn finish_bf16<V: Lanes, const CLAMP: bool>(x: V, lo: f32, hi: f32, dst: &mut [MaybeUninit<bf16>]) {
    let b = x.to_bits();
    let lsb = V::and(V::shr::<16>(b), 1);
    let r = V::shr::<16>(V::add_uu(V::add_u(b, 0x7FFF), lsb));
    let r = if CLAMP {
        let rf = V::from_bits(V::shl::<16>(r))
            .max_with(V::splat(lo))
            .min_with(V::splat(hi));
        V::shr::<16>(rf.to_bits())
    } else {
        r
    };
    let mut bits = [0u16; 64]; // up to 64 lanes (AVX-512's four interleaved vectors)
    V::to_u16s(r, &mut bits);
    for (d, &v) in dst[..V::N].iter_mut().zip(&bits[..V::N]) {
        d.write(bf16::from_bits(v));
    }
}

/// f16 in vector registers: IEEE nearest-even conversion (F16C / AVX-512F `vcvtps2ph` on the
/// run-time x86_64 backends, `half` lane by lane elsewhere — the same result), exact widening
/// back, clamp, exact conversion of the clamped (representable) value: `half::f16::from_f32`
/// rounding, then the clamp.
#[inline(always)]
fn finish_f16<V: Lanes, const CLAMP: bool>(x: V, lo: f32, hi: f32, dst: &mut [MaybeUninit<f16>]) {
    let h = x.to_f16_bits();
    let h = if CLAMP {
        V::from_f16_bits(h)
            .max_with(V::splat(lo))
            .min_with(V::splat(hi))
            .to_f16_bits()
    } else {
        h
    };
    let mut bits = [0u16; 64]; // up to 64 lanes (AVX-512's four interleaved vectors)
    V::to_u16s(h, &mut bits);
    for (d, &v) in dst[..V::N].iter_mut().zip(&bits[..V::N]) {
        d.write(f16::from_bits(v));
    }
}

narrow16!(bf16, finish_bf16);
narrow16!(f16, finish_f16);

macro_rules! element {
    ($t:ty, $d:ident, $to_f64:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn to_f64(self) -> f64 {
                $to_f64(self)
            }
            #[inline(always)]
            fn as_out(out: &mut [MaybeUninit<Self>]) -> Out<'_> {
                Out::$d(out)
            }
        }
    };
}
element!(f32, F32, f64::from);
element!(f64, F64, core::convert::identity);
element!(bf16, BF16, bf16::to_f64);
element!(f16, F16, f16::to_f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_steps_are_adjacent() {
        let x = bf16::from_f32(1.0);
        assert_eq!(x.next_up().to_bits(), x.to_bits() + 1);
        assert_eq!(x.next_down().to_bits(), x.to_bits() - 1);
        let z = f16::from_f32(0.0);
        assert_eq!(z.next_up().to_bits(), 1);
        assert_eq!(z.next_down().to_bits(), 0x8001);
        let n = f16::from_f32(-2.0);
        assert!(n.next_up().to_f32() > -2.0 && n.next_down().to_f32() < -2.0);
    }

    #[test]
    fn vector_bf16_rounding_equals_half() {
        use crate::simd::Scalar;
        // a spread of bit patterns: every exponent, ties, values next to ties, huge values
        let mut xs = Vec::new();
        let mut s = 0x9E37_79B9u32;
        for _ in 0..20_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let f = f32::from_bits(s);
            if !f.is_nan() {
                xs.push(f);
            }
        }
        xs.extend([
            1.0 + 2f32.powi(-8),
            1.0 + 3.0 * 2f32.powi(-8),
            f32::MAX,
            -f32::MAX,
            0.0,
            -0.0,
        ]);
        let (lo, hi) = (f32::MIN, f32::MAX);
        let (blo, bhi) = (bf16::MIN.to_f32(), bf16::MAX.to_f32());
        for &x in &xs {
            let want = bf16::from_f32(x).to_f32().clamp(blo, bhi);
            let mut got = [MaybeUninit::<bf16>::uninit()];
            finish_bf16::<Scalar, true>(Scalar(x), blo, bhi, &mut got);
            // SAFETY: `finish_bf16` wrote the slot.
            let got = unsafe { got[0].assume_init() };
            assert_eq!(got.to_f32().to_bits(), want.to_bits(), "{x:e}");
            let mut w = [MaybeUninit::<bf16>::uninit(); 8];
            finish_bf16::<wide::f32x8, true>(
                wide::f32x8::splat(x),
                lo.max(blo),
                hi.min(bhi),
                &mut w,
            );
            // SAFETY: all eight slots were written.
            let w0 = unsafe { w[7].assume_init() };
            assert_eq!(w0.to_f32().to_bits(), want.to_bits(), "{x:e}");
        }
    }

    #[test]
    fn vector_f16_rounding_equals_half() {
        use crate::simd::Scalar;
        let mut s = 0x1234_5678u32;
        let (lo, hi) = (f16::MIN.to_f32(), f16::MAX.to_f32());
        for i in 0..40_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            // magnitudes from f16-subnormal to beyond f16::MAX
            let x = f32::from_bits((s & 0x81FF_FFFF) | (((0x60 + i % 0x30) as u32) << 23));
            let want = f16::from_f32(f16::from_f32(x).to_f32().clamp(lo, hi));
            let mut got = [MaybeUninit::<f16>::uninit()];
            finish_f16::<Scalar, true>(Scalar(x), lo, hi, &mut got);
            // SAFETY: `finish_f16` wrote the slot.
            assert_eq!(
                unsafe { got[0].assume_init() }.to_bits(),
                want.to_bits(),
                "{x:e}"
            );
            let mut w = [MaybeUninit::<f16>::uninit(); 8];
            finish_f16::<wide::f32x8, true>(wide::f32x8::splat(x), lo, hi, &mut w);
            // SAFETY: all eight slots were written.
            assert_eq!(
                unsafe { w[3].assume_init() }.to_bits(),
                want.to_bits(),
                "{x:e}"
            );
        }
    }

    #[test]
    fn inward_bounds() {
        let lo: f32 = narrow_above(0.1, false);
        assert!(f64::from(lo) >= 0.1 && f64::from((-lo).next_up()) > -0.1 - 1e-9);
        let hi: bf16 = narrow_below(1.0, true);
        assert!(hi.to_f32() < 1.0);
        assert_eq!(hi.next_up().to_f32(), 1.0);
    }

    /// Bit patterns spread over every exponent, plus ties and their neighbours.
    fn inputs() -> Vec<f32> {
        let mut xs = Vec::new();
        let mut s = 0x9E37_79B9u32;
        for i in 0..64_000u32 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            xs.push(f32::from_bits(s));
            // magnitudes from below the f16 subnormals to beyond f16::MAX
            xs.push(f32::from_bits(
                (s & 0x81FF_FFFF) | ((0x60 + i % 0x30) << 23),
            ));
        }
        xs.retain(|x| !x.is_nan());
        xs.extend([
            1.0 + 2f32.powi(-8),
            1.0 + 3.0 * 2f32.powi(-8),
            1.0 + 2f32.powi(-11),
            1.0 + 3.0 * 2f32.powi(-11),
            65504.0,
            65520.0,
            -65520.0,
            2f32.powi(-25),
            2f32.powi(-24),
            3.0 * 2f32.powi(-26),
            f32::MAX,
            -f32::MAX,
            0.0,
            -0.0,
        ]);
        while xs.len() % 64 != 0 {
            xs.push(0.5);
        }
        xs
    }

    /// Finishes `bits` (f32 patterns, a multiple of 64) in `V`-sized pieces: clamped bf16,
    /// clamped f16, clamped f32 (to `[-1.5, 2]`) and unclamped f16.
    struct FinishAll<'a>(&'a [u32]);

    type Finished = (Vec<bf16>, Vec<f16>, Vec<f32>, Vec<f16>);

    impl crate::simd::WithLanes for FinishAll<'_> {
        type Output = Finished;
        #[inline(always)]
        fn run<V: Lanes, W: crate::simd::LanesF64>(self) -> Finished {
            fn go<T: Narrow, V: Lanes>(bits: &[u32], clamp: Option<(f32, f32)>) -> Vec<T> {
                let mut out = vec![MaybeUninit::<T>::uninit(); bits.len()];
                for (b, o) in bits.chunks_exact(V::N).zip(out.chunks_exact_mut(V::N)) {
                    let x = V::from_bits(V::load_u(b));
                    match clamp {
                        Some((lo, hi)) => T::finish(x, lo, hi, o),
                        None => T::finish_unclamped(x, o),
                    }
                }
                // SAFETY: `bits.len()` is a multiple of `V::N`, so every slot was written.
                out.into_iter()
                    .map(|x| unsafe { x.assume_init() })
                    .collect()
            }
            let b = (bf16::MIN.to_f32(), bf16::MAX.to_f32());
            let h = (f16::MIN.to_f32(), f16::MAX.to_f32());
            (
                go::<bf16, V>(self.0, Some(b)),
                go::<f16, V>(self.0, Some(h)),
                go::<f32, V>(self.0, Some((-1.5, 2.0))),
                go::<f16, V>(self.0, None),
            )
        }
    }

    /// The element finishing (bf16/f16 rounding, clamps, 16-bit stores) on every level the CPU
    /// runs (scalar, `wide`, AVX2, AVX-512) against `half`, lane by lane; f16 overflow and
    /// subnormals survive the unclamped path.
    #[test]
    fn finish_equals_half_on_every_level() {
        let xs = inputs();
        let bits: Vec<u32> = xs.iter().map(|x| x.to_bits()).collect();
        let (blo, bhi) = (bf16::MIN.to_f32(), bf16::MAX.to_f32());
        let (hlo, hhi) = (f16::MIN.to_f32(), f16::MAX.to_f32());
        for ready in crate::level::Ready::all() {
            let (b, h, f, u) = crate::simd::run(ready, FinishAll(&bits));
            for (i, &x) in xs.iter().enumerate() {
                let want_b = bf16::from_f32(bf16::from_f32(x).to_f32().clamp(blo, bhi));
                let want_h = f16::from_f32(f16::from_f32(x).to_f32().clamp(hlo, hhi));
                assert_eq!(b[i].to_bits(), want_b.to_bits(), "{ready:?} bf16 {x:e}");
                assert_eq!(h[i].to_bits(), want_h.to_bits(), "{ready:?} f16 {x:e}");
                assert_eq!(
                    f[i].to_bits(),
                    x.clamp(-1.5, 2.0).to_bits(),
                    "{ready:?} f32 {x:e}"
                );
                assert_eq!(
                    u[i].to_bits(),
                    f16::from_f32(x).to_bits(),
                    "{ready:?} {x:e}"
                );
            }
        }
    }
}
