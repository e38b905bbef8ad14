//! A run-time description of one tensor to create: name, shape, dtype and initializer.

use crate::fan::numel;
use crate::{DType, Distribution, Element, Fans, Init, Layout};

use super::WriteError;

/// One named tensor of a model: what the writer creates.
///
/// Presets, `network!` declarations and JSON specs all become a `Vec<TensorSpec>`.
///
/// ```
/// use glorot::io::TensorSpec;
/// use glorot::{DType, Init, Layout};
/// let w = TensorSpec::new("fc1.weight", &[1000, 784], Init::xavier_uniform(1.0))
///     .with_dtype(DType::BF16)
///     .with_layout(Layout::Torch);
/// assert_eq!(w.numel(), 784_000);
/// assert_eq!(w.byte_len(), 1_568_000);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TensorSpec {
    /// The tensor's name; it also selects the tensor's random stream ([`crate::Key::tensor`]).
    pub name: String,
    /// Dimensions, outermost first (row-major, as safetensors stores them).
    pub shape: Vec<usize>,
    /// Storage type in the file.
    pub dtype: DType,
    /// The initializer.
    pub init: Init,
    /// How fans are read from `shape` (ignored when `fans` is set).
    pub layout: Layout,
    /// Explicit fans, overriding `layout` (e.g. from a `network!` preset that knows them).
    pub fans: Option<Fans>,
}

impl TensorSpec {
    /// A spec with dtype `f32`, PyTorch layout, fans read from the shape.
    pub fn new(name: impl Into<String>, shape: &[usize], init: Init) -> Self {
        TensorSpec {
            name: name.into(),
            shape: shape.to_vec(),
            dtype: DType::F32,
            init,
            layout: Layout::Torch,
            fans: None,
        }
    }

    /// Sets the dtype.
    pub fn with_dtype(mut self, dtype: DType) -> Self {
        self.dtype = dtype;
        self
    }

    /// Sets the fan layout.
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets explicit fans.
    pub fn with_fans(mut self, fans: Fans) -> Self {
        self.fans = Some(fans);
        self
    }

    /// Element count (0 if the shape overflows; [`TensorSpec::validate`] reports that).
    pub fn numel(&self) -> usize {
        numel(&self.shape).unwrap_or(0)
    }

    /// Bytes in the file (`u64::MAX` if that overflows; [`TensorSpec::checked_byte_len`]
    /// and [`TensorSpec::validate`] report it).
    pub fn byte_len(&self) -> u64 {
        self.checked_byte_len().unwrap_or(u64::MAX)
    }

    /// Bytes in the file, or an error when the shape overflows or the tensor would not fit in
    /// a file (more than 2⁶³ − 1 bytes, which also keeps every element index below
    /// [`crate::MAX_ELEMENTS`]).
    pub fn checked_byte_len(&self) -> Result<u64, WriteError> {
        let n = numel(&self.shape).map_err(|e| WriteError::spec(&self.name, e))?;
        (n as u64)
            .checked_mul(self.dtype.size() as u64)
            .filter(|&b| b <= i64::MAX as u64)
            .ok_or_else(|| {
                WriteError::TooLarge(format!(
                    "tensor `{}`: shape {:?} in {} is more than 2^63 - 1 bytes, more than any file can hold",
                    super::printable(&self.name),
                    self.shape,
                    self.dtype
                ))
            })
    }

    /// The fans the initializer sees: explicit ones, else read from the shape by the layout
    /// (`None` when the shape has rank < 2 or the axes do not fit it).
    pub fn resolved_fans(&self) -> Option<Fans> {
        self.fans
            .or_else(|| Fans::from_shape(&self.shape, self.layout).ok())
    }

    /// The distribution this tensor is filled from.
    pub fn distribution(&self) -> crate::Result<Distribution> {
        numel(&self.shape)?;
        match self.fans {
            Some(f) => self.init.distribution(f),
            None => self.init.distribution_for_shape(&self.shape, self.layout),
        }
    }

    /// Checks the name, the shape, the initializer and that the tensor's dtype can hold what
    /// the initializer produces; the error names the tensor. This is everything the writer
    /// could find out later, so a write that passes it fails only on I/O.
    ///
    /// The dtype rule is stricter than the in-memory fills, which clamp: a constant beyond
    /// the dtype's largest finite value (70000 in f16), a uniform with an end beyond it, a
    /// normal whose `mean ± 5.42·std` (f64: `8.3·std`; the farthest the sampler reaches) goes
    /// beyond it — `normal(mean = 1e6)` in f16 — are [`crate::Error::Unrepresentable`]; a random
    /// initializer all of whose samples would round to one value of the dtype (a std or bound
    /// too small for it) is [`crate::Error::TooNarrow`].
    ///
    /// ```
    /// use glorot::io::TensorSpec;
    /// use glorot::{DType, Init};
    /// let s = TensorSpec::new("b", &[4], Init::Constant { val: 70000.0 });
    /// assert!(s.validate().is_ok());
    /// assert!(s.with_dtype(DType::F16).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<Distribution, WriteError> {
        if self.name == "__metadata__" {
            return Err(WriteError::InvalidName {
                name: self.name.clone(),
                reason: "is reserved for the safetensors header's metadata",
            });
        }
        let n = numel(&self.shape).map_err(|e| WriteError::spec(&self.name, e))?;
        self.checked_byte_len()?;
        if n == 0 {
            // Nothing is drawn from an empty tensor, so its (possibly fan-less) rule is moot,
            // exactly as in `Init::fill`; its parameters must still be valid.
            self.init
                .check_parameters()
                .map_err(|e| WriteError::spec(&self.name, e))?;
            return Ok(Distribution::zeros());
        }
        let dist = self
            .distribution()
            .map_err(|e| WriteError::spec(&self.name, e))?;
        check_dtype(self.dtype, &dist).map_err(|e| WriteError::spec(&self.name, e))?;
        Ok(dist)
    }
}

/// Prepares `dist` for `dtype` exactly as the fill will, without filling anything, then
/// applies the writer's stricter rule for values the dtype cannot hold
/// ([`super::representable`]).
fn check_dtype(dtype: DType, dist: &Distribution) -> crate::Result<()> {
    super::representable::check(dtype, dist)?;
    match dtype {
        DType::F32 => <f32 as Element>::check(dist).map(drop),
        DType::F64 => <f64 as Element>::check(dist).map(drop),
        DType::BF16 => <half::bf16 as Element>::check(dist).map(drop),
        DType::F16 => <half::f16 as Element>::check(dist).map(drop),
    }
}
