//! Constants, zeros and ones: no randomness, no words consumed.

use crate::element::Narrow;
use crate::{Error, Result};

/// The constant rounded to `T` (held as the exact `f32`); a value that overflows `T` (e.g. 1e6
/// in f16) is an error, not ∞.
pub(crate) fn narrow<T: Narrow>(value: f64) -> Result<f32> {
    let v = T::from_f64(value).to_f32();
    if !v.is_finite() {
        return Err(Error::NonFiniteValue);
    }
    Ok(v)
}
