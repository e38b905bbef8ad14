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
    use crate::{bf16, Backend, Key};

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

    /// Every distribution family with parameters that reach clamps, tails, f16 subnormals and
    /// f16 overflow.
    fn dists() -> Vec<crate::Distribution> {
        use crate::Distribution as D;
        vec![
            D::uniform(-1.5, 2.0).expect("valid"),
            D::uniform(-70000.0, 70000.0).expect("valid"),
            D::normal(0.0, 1.0).expect("valid"),
            D::normal(-1.5, 0.02).expect("valid"),
            D::normal(0.0, 1e-5).expect("valid"),
            D::normal(0.0, 3e4).expect("valid"),
            D::truncated_normal(0.0, 1.0, -2.0, 2.0).expect("valid"),
            D::truncated_normal(-3.0, 1.0, -0.5, 0.5).expect("valid"),
            D::truncated_normal(0.0, 1e-6, -1e-5, 2e-5).expect("valid"),
        ]
    }

    /// Offsets and lengths: empty, shorter than every vector (1, 7, 15, 31, 63 lanes), across
    /// group and batch boundaries, and long runs.
    const RANGES: [(u64, usize); 12] = [
        (0, 0),
        (0, 1),
        (5, 7),
        (63, 15),
        (1, 31),
        (33, 63),
        (0, 64),
        (17, 65),
        (64, 512),
        (3, 700),
        (1000, 1537),
        (12345, 20_000),
    ];

    fn narrow_levels<T: crate::element::Narrow + PartialEq + core::fmt::Debug>() {
        let key = Key::new(9).tensor("levels");
        for d in dists() {
            let Ok(plan) = crate::dist::Plan::narrow::<T>(&d) else {
                continue;
            };
            for (offset, len) in RANGES {
                let get = |backend, level| {
                    let mut v = vec![MaybeUninit::<T>::uninit(); len];
                    super::narrow::fill_level(&plan, &key, offset, &mut v, backend, level);
                    // SAFETY: `fill_level` initialises every element of its output.
                    v.into_iter()
                        .map(|x| unsafe { x.assume_init() })
                        .collect::<Vec<T>>()
                };
                let want = get(Backend::Scalar, 0);
                // 1: wide, 2: AVX2, 3: AVX-512 (each where the CPU has it, else the next below)
                for level in [1, 2, 3] {
                    assert_eq!(
                        get(Backend::Simd, level),
                        want,
                        "level {level} {d:?} offset {offset} len {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_simd_level_equals_scalar_narrow() {
        narrow_levels::<f32>();
        narrow_levels::<bf16>();
        narrow_levels::<crate::f16>();
    }

    #[test]
    fn every_simd_level_equals_scalar_double() {
        let key = Key::new(9).tensor("levels");
        for d in dists() {
            let plan = crate::dist::Plan::double(&d).expect("valid");
            for (offset, len) in RANGES {
                let get = |backend, level| {
                    let mut v = vec![MaybeUninit::<f64>::uninit(); len];
                    super::double::fill_level(&plan, &key, offset, &mut v, backend, level);
                    // SAFETY: `fill_level` initialises every element of its output.
                    v.into_iter()
                        .map(|x| unsafe { x.assume_init() })
                        .collect::<Vec<f64>>()
                };
                let want = get(Backend::Scalar, 0);
                for level in [1, 2, 3] {
                    assert_eq!(
                        get(Backend::Simd, level)
                            .iter()
                            .map(|x| x.to_bits())
                            .collect::<Vec<_>>(),
                        want.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                        "level {level} {d:?} offset {offset} len {len}"
                    );
                }
            }
        }
    }

    /// `len` narrow elements from `offset` on one kernel level (0 = the scalar reference);
    /// `None` when the output type has no value inside the distribution's bounds.
    fn narrow_at_level<T: crate::element::Narrow>(
        d: &crate::Distribution,
        offset: u64,
        len: usize,
        level: u8,
    ) -> Option<Vec<T>> {
        let plan = crate::dist::Plan::narrow::<T>(d).ok()?;
        let backend = if level == 0 {
            Backend::Scalar
        } else {
            Backend::Simd
        };
        let mut v = vec![MaybeUninit::<T>::uninit(); len];
        let key = Key::new(31).tensor("prop");
        super::narrow::fill_level(&plan, &key, offset, &mut v, backend, level);
        // SAFETY: `fill_level` initialises every element of its output.
        Some(v.into_iter().map(|x| unsafe { x.assume_init() }).collect())
    }

    /// The same for `f64`, as bit patterns.
    fn double_at_level(d: &crate::Distribution, offset: u64, len: usize, level: u8) -> Vec<u64> {
        let plan = crate::dist::Plan::double(d).expect("valid in f64");
        let backend = if level == 0 {
            Backend::Scalar
        } else {
            Backend::Simd
        };
        let mut v = vec![MaybeUninit::<f64>::uninit(); len];
        let key = Key::new(31).tensor("prop");
        super::double::fill_level(&plan, &key, offset, &mut v, backend, level);
        // SAFETY: `fill_level` initialises every element of its output.
        v.into_iter()
            .map(|x| unsafe { x.assume_init() }.to_bits())
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Every kernel level (wide, AVX2, AVX-512 where the CPU has them) equals the scalar
        /// reference on random distributions, offsets and lengths, in every dtype — the
        /// randomised twin of the fixed cases above (the public proptests only reach the
        /// default level).
        #[test]
        fn every_level_equals_scalar_on_random_ranges(
            kind in 0u8..3,
            centre in -5.0f64..5.0,
            width in 1e-3f64..10.0,
            offset in 0u64..(1 << 40),
            len in 0usize..300,
        ) {
            use crate::Distribution as D;
            let d = match kind {
                0 => D::uniform(centre - width, centre + width),
                1 => D::normal(centre, width),
                _ => D::truncated_normal(centre, width, centre - 0.5 * width, centre + 2.0 * width),
            }
            .expect("valid parameters");
            let f64_want = double_at_level(&d, offset, len, 0);
            let f32_want = narrow_at_level::<f32>(&d, offset, len, 0);
            let bf16_want = narrow_at_level::<bf16>(&d, offset, len, 0);
            let f16_want = narrow_at_level::<crate::f16>(&d, offset, len, 0);
            for level in [1u8, 2, 3] {
                proptest::prop_assert_eq!(&double_at_level(&d, offset, len, level), &f64_want);
                let f32_got = narrow_at_level::<f32>(&d, offset, len, level);
                proptest::prop_assert_eq!(
                    f32_got.map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
                    f32_want.as_ref().map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
                );
                proptest::prop_assert_eq!(&narrow_at_level::<bf16>(&d, offset, len, level), &bf16_want);
                proptest::prop_assert_eq!(&narrow_at_level::<crate::f16>(&d, offset, len, level), &f16_want);
            }
        }
    }
}
