//! The report's error type.

use std::fmt;

/// Why a report could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReportError {
    /// A bad stack, scheme or option (the message says which).
    Invalid(String),
    /// A model the report cannot run: a layer that is not fully connected, a hidden layer
    /// without an activation, a residual branch… (the message names the tensor or layer).
    Unsupported(String),
    /// An initializer rejected its parameters or fans.
    Init(crate::Error),
    /// The singular value decomposition did not converge.
    Svd,
    /// Drawing the figure failed.
    Plot(String),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Invalid(m) => f.write_str(m),
            ReportError::Unsupported(m) => write!(f, "the report cannot run this model: {m}"),
            ReportError::Init(e) => write!(f, "initializer: {e}"),
            ReportError::Svd => f.write_str("the Jacobian's SVD did not converge"),
            ReportError::Plot(m) => write!(f, "plotting: {m}"),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::Init(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::Error> for ReportError {
    fn from(e: crate::Error) -> Self {
        ReportError::Init(e)
    }
}
