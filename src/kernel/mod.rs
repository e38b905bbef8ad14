//! Fill kernels: turn a tensor's ChaCha words into values, one contiguous element range at a
//! time. A kernel call is sequential; [`crate::parallel`] decides which ranges run where.
//!
//! - [`narrow`] — `f32`, `bf16`, `f16`: 24 random bits per element, three words per four elements.
//! - [`double`] — `f64`: 64 random bits (two words) per element.

pub(crate) mod double;
pub(crate) mod narrow;

/// The ChaCha implementation for a kernel backend: [`crate::Backend::Scalar`] is the all-portable
/// reference, so it also uses the scalar block function.
#[inline]
pub(crate) fn chacha_imp(backend: crate::Backend) -> crate::chacha::Imp {
    match backend {
        crate::Backend::Simd | crate::Backend::Portable => crate::chacha::Imp::detect(),
        crate::Backend::Scalar => crate::chacha::Imp::Scalar,
    }
}

#[cfg(test)]
mod tests {
    //! On CPUs with AVX2 `Backend::Simd` runs the one-lane code auto-vectorised, so the `wide`
    //! paths (used on other CPUs) are not reached through the public API here; pin them directly.
    use core::mem::MaybeUninit;

    use crate::chacha::Imp;
    use crate::dist::{UniformDouble, UniformNarrow};
    use crate::simd::{Scalar, Scalar64};
    use crate::{bf16, Key};

    fn narrow<T: crate::element::Narrow + PartialEq + core::fmt::Debug>() {
        let key = Key::new(5).tensor("k");
        let map = UniformNarrow::new(-1.5, 2.0).expect("valid");
        let (lo, hi) = (T::from_f32(-1.5).to_f32(), T::from_f32(1.99).to_f32());
        for (offset, len) in [(0u64, 0usize), (0, 1), (3, 700), (64, 512), (1000, 1537)] {
            let mut a = vec![MaybeUninit::<T>::uninit(); len];
            let mut b = vec![MaybeUninit::<T>::uninit(); len];
            super::narrow::run_with::<T, _, wide::f32x8>(
                &map,
                lo,
                hi,
                &key,
                offset,
                &mut a,
                Imp::Scalar,
            );
            super::narrow::run_with::<T, _, Scalar>(
                &map,
                lo,
                hi,
                &key,
                offset,
                &mut b,
                Imp::detect(),
            );
            // SAFETY: `run_with` initialises every element of its output.
            let (a, b): (Vec<T>, Vec<T>) = unsafe {
                (
                    a.into_iter().map(|x| x.assume_init()).collect(),
                    b.into_iter().map(|x| x.assume_init()).collect(),
                )
            };
            assert_eq!(a, b, "offset {offset} len {len}");
        }
    }

    #[test]
    fn wide_narrow_path_equals_scalar() {
        narrow::<f32>();
        narrow::<bf16>();
    }

    #[test]
    fn wide_double_path_equals_scalar() {
        let key = Key::new(5).tensor("d");
        let map = UniformDouble::new(-1.5, 2.0);
        for (offset, len) in [(0u64, 0usize), (0, 1), (3, 700), (1000, 2049)] {
            let mut a = vec![MaybeUninit::<f64>::uninit(); len];
            let mut b = vec![MaybeUninit::<f64>::uninit(); len];
            super::double::run_with::<_, wide::f64x4>(
                &map,
                -1.5,
                1.99,
                &key,
                offset,
                &mut a,
                Imp::Scalar,
            );
            super::double::run_with::<_, Scalar64>(
                &map,
                -1.5,
                1.99,
                &key,
                offset,
                &mut b,
                Imp::detect(),
            );
            // SAFETY: `run_with` initialises every element of its output.
            let (a, b): (Vec<f64>, Vec<f64>) = unsafe {
                (
                    a.into_iter().map(|x| x.assume_init()).collect(),
                    b.into_iter().map(|x| x.assume_init()).collect(),
                )
            };
            assert_eq!(a, b, "offset {offset} len {len}");
        }
    }
}
