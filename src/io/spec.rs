//! A run-time description of one tensor to create: name, shape, dtype and initializer.

use crate::fan::numel;
use crate::model::ParamSpec;
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

    /// A `network!` tensor (e.g. of a [`preset`](crate::model::presets)) in `dtype`: its name,
    /// shape and initializer, and its fans (PyTorch's rule on the stored shape) for rank ≥ 2, so
    /// a file written from it holds exactly the values of [`crate::model::init`] for the same
    /// seed.
    pub fn from_param(spec: &ParamSpec, dtype: DType) -> Self {
        let mut t = TensorSpec::new(spec.name(), spec.shape(), spec.init)
            .with_dtype(dtype)
            .with_layout(Layout::Torch);
        if spec.rank() >= 2 {
            t.fans = Some(Fans::new(spec.fan_in, spec.fan_out));
        }
        t
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
        let n = self.check_common()?;
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

    /// The checks that do not depend on how the values are drawn: the name, the size, the
    /// zeroed range. Returns the element count.
    pub(crate) fn check_common(&self) -> Result<usize, WriteError> {
        if self.name == "__metadata__" {
            return Err(WriteError::InvalidName {
                name: self.name.clone(),
                reason: "is reserved for the safetensors header's metadata",
            });
        }
        let n = numel(&self.shape).map_err(|e| WriteError::spec(&self.name, e))?;
        self.checked_byte_len()?;
        if let Some(z) = &self.zeroed {
            if z.start > z.end || z.end > n as u64 {
                return Err(WriteError::spec(&self.name, crate::Error::InvalidBounds));
            }
        }
        Ok(n)
    }
}

/// Prepares `dist` for `dtype` exactly as the fill will, without filling anything, then
/// applies the writer's stricter rule for values the dtype cannot hold
/// ([`super::representable`]).
fn check_dtype(dtype: DType, dist: &Distribution) -> crate::Result<()> {
    super::representable::check(dtype, dist)?;
    crate::dist::Plan::new(dist, dtype).map(drop)
}

/// Every tensor of a `network!` spec list (`M::SPECS`, or a preset's `params`) as a
/// [`TensorSpec`] in `dtype` ([`TensorSpec::from_param`]), in order.
pub fn tensor_specs(params: &[ParamSpec], dtype: DType) -> Vec<TensorSpec> {
    params
        .iter()
        .map(|s| TensorSpec::from_param(s, dtype))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::presets::{preset, PRESETS};

    fn params(name: &str) -> usize {
        tensor_specs(preset(name).unwrap().params, DType::F32)
            .iter()
            .map(|s| s.numel())
            .sum()
    }

    #[test]
    fn parameter_counts_match_the_published_models() {
        assert_eq!(params("resnet50"), 25_557_032);
        assert_eq!(params("gpt2"), 124_439_808);
        assert_eq!(params("gpt2-xl"), 1_557_611_200);
        assert_eq!(params("llama-7b"), 6_738_415_616);
        // 784 → 5 × 1000 → 10
        assert_eq!(params("mlp"), 785 * 1000 + 4 * 1001 * 1000 + 1001 * 10);
        for p in PRESETS {
            assert_eq!(p.param_count(), params(p.name), "{}", p.name);
        }
    }

    #[test]
    fn preset_tensors_keep_names_fans_and_inits() {
        let specs = tensor_specs(preset("gpt2").unwrap().params, DType::BF16);
        let c_proj = specs
            .iter()
            .find(|s| s.name.ends_with("h.0.attn.c_proj.weight"))
            .unwrap();
        assert_eq!(c_proj.dtype, DType::BF16);
        assert_eq!(c_proj.fans, Some(Fans::new(768, 768)));
        assert_eq!(
            c_proj.init,
            crate::Init::Normal {
                mean: 0.0,
                std: 0.02 / 24f64.sqrt()
            }
        );
        let bias = specs
            .iter()
            .find(|s| s.name.ends_with("h.0.attn.c_proj.bias"))
            .unwrap();
        assert_eq!((bias.fans, bias.init), (None, crate::Init::Zeros));
    }
}
