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
        crate::Backend::Simd => crate::chacha::Imp::detect(),
        crate::Backend::Scalar => crate::chacha::Imp::Scalar,
    }
}
