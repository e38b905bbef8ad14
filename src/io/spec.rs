//! A run-time description of one tensor to create: name, shape, dtype and initializer.

use crate::fan::numel;
use crate::{DType, Distribution, Fans, Init, Layout};

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
    /// Elements set to zero after the fill, in row-major element indices: the post-step of
    /// an embedding's `padding_idx` row (PyTorch's `nn.Embedding.reset_parameters`,
    /// transformers' `_init_weights`). The writer applies it inside the streamed fill.
    pub zeroed: Option<core::ops::Range<u64>>,
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
            zeroed: None,
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

    /// Zeroes elements `range` after the fill (e.g. a padding row).
    pub fn with_zeroed(mut self, range: core::ops::Range<u64>) -> Self {
        self.zeroed = Some(range);
        self
    }

    /// Element count (0 if the shape overflows; [`TensorSpec::validate`] reports that).
    pub fn numel(&self) -> usize {
        numel(&self.shape).unwrap_or(0)
    }

    /// Bytes in the file.
    pub fn byte_len(&self) -> u64 {
        self.numel() as u64 * self.dtype.size() as u64
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

    /// Checks the shape and initializer; the error names the tensor.
    pub fn validate(&self) -> Result<Distribution, WriteError> {
        let n = numel(&self.shape).map_err(|e| WriteError::spec(&self.name, e))?;
        (n as u64)
            .checked_mul(self.dtype.size() as u64)
            .ok_or_else(|| WriteError::spec(&self.name, crate::Error::ShapeOverflow))?;
        if let Some(z) = &self.zeroed {
            if z.start > z.end || z.end > n as u64 {
                return Err(WriteError::spec(&self.name, crate::Error::InvalidBounds));
            }
        }
        if n == 0 {
            // Nothing is drawn from an empty tensor, so its (possibly fan-less) rule is moot,
            // exactly as in `Init::fill`; its parameters must still be valid.
            self.init
                .check_parameters()
                .map_err(|e| WriteError::spec(&self.name, e))?;
            return Ok(Distribution::zeros());
        }
        self.distribution()
            .map_err(|e| WriteError::spec(&self.name, e))
    }
}
