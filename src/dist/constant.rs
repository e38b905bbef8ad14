//! Constants, zeros and ones: no randomness, no words consumed.

use super::Plan;
use crate::element::Narrow;
use crate::{Error, Result};

/// The constant rounded to `T`; a value that overflows `T` (e.g. 1e6 in f16) is an error, not ∞.
pub(super) fn narrow<T: Narrow>(value: f64) -> Result<Plan> {
    let v = T::from_f64(value).to_f32();
    if !v.is_finite() {
        return Err(Error::NonFiniteValue);
    }
    Ok(Plan::ConstNarrow(v))
}
