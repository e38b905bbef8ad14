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
