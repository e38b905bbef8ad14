//! A run-time description of one tensor to create: name, shape, dtype and initializer.

use crate::fan::numel;
use crate::model::ParamSpec;
use crate::{fill, try_alloc_filled, DType, Distribution, Element, Fans, Init, Key, Layout, Pages};

use super::WriteError;

/// How the writer produces a validated tensor's values (what [`TensorSpec::validate`] found).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Source {
    /// An elementwise distribution: every slice of the tensor is filled on its own
    /// ([`crate::fill_at`]), so the writer streams it in bounded work items.
    Elementwise(Distribution),
    /// A structured initializer (orthogonal, sparse, dirac, eye, identity, delta-orthogonal,
    /// [`crate::structured`]): its values depend on the whole tensor, so the writer
    /// materializes it with [`crate::Init::alloc`] — one such tensor at a time — and then
    /// writes it.
    Whole,
}

impl Source {
    /// The distribution of an elementwise tensor (`None` for [`Source::Whole`]).
    pub fn distribution(&self) -> Option<&Distribution> {
        match self {
            Source::Elementwise(d) => Some(d),
            Source::Whole => None,
        }
    }
}

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
        checked_byte_len(&self.name, &self.shape, self.dtype)
    }

    /// The fans the initializer sees: explicit ones, else read from the shape by the layout
    /// (`None` when the shape has rank < 2 or the axes do not fit it).
    pub fn resolved_fans(&self) -> Option<Fans> {
        self.fans
            .or_else(|| Fans::from_shape(&self.shape, self.layout).ok())
    }

    /// The distribution this tensor is filled from ([`crate::Error::NotElementwise`] for the
    /// structured initializers, which have none).
    pub fn distribution(&self) -> crate::Result<Distribution> {
        numel(&self.shape)?;
        match self.fans {
            Some(f) => self.init.distribution(f),
            None => self.init.distribution_for_shape(&self.shape, self.layout),
        }
    }

    /// Checks the name, the shape, the initializer and that the tensor's dtype can hold what
    /// the initializer produces; the error names the tensor. This is everything the writer
    /// could find out later, so a write that passes it fails only on I/O (or, for a
    /// structured tensor, which is materialized whole, on memory). Returns how the values
    /// are produced.
    ///
    /// The structured initializers are checked as [`crate::Init::alloc`] checks them (rank,
    /// groups, `column_axis`, `shape[-2] <= shape[-1]` for delta-orthogonal, gains, sparsity,
    /// std), and for the dtype: a gain or scale whose values would round to ±∞
    /// ([`crate::Error::Unrepresentable`]) or, for the orthogonal family, to 0 everywhere
    /// ([`crate::Error::TooNarrow`]); sparse's normal values as a normal's.
    ///
    /// The dtype rule is the in-memory fills' own ([`crate::dist`]): a constant beyond the
    /// dtype's largest finite value (70000 in f16), a uniform with an end beyond it, a normal
    /// whose `mean ± 5.42·std` (f64: `8.3·std`; the farthest the sampler reaches) goes beyond
    /// it — `normal(mean = 1e6)` in f16 — are [`crate::Error::Unrepresentable`]; a random
    /// initializer all of whose samples would round to one value of the dtype (a std or bound
    /// too small for it) is [`crate::Error::TooNarrow`].
    ///
    /// ```
    /// use glorot::io::TensorSpec;
    /// use glorot::{DType, Init};
    /// let s = TensorSpec::new("b", &[4], Init::Constant { val: 70000.0 });
    /// assert!(s.validate().is_ok());
    /// assert!(s.with_dtype(DType::F16).validate().is_err());
    /// let q = TensorSpec::new("rnn.weight_hh_l0", &[256, 64], Init::Orthogonal { gain: 1.0 });
    /// assert_eq!(q.validate()?, glorot::io::Source::Whole);
    /// assert!(TensorSpec::new("b", &[64], Init::Orthogonal { gain: 1.0 }).validate().is_err());
    /// # Ok::<(), glorot::io::WriteError>(())
    /// ```
    pub fn validate(&self) -> Result<Source, WriteError> {
        self.validate_as(self.dtype)
    }

    /// [`TensorSpec::validate`] for `dtype` instead of the spec's own.
    fn validate_as(&self, dtype: DType) -> Result<Source, WriteError> {
        let n = self.check_common_as(dtype)?;
        if self.init.is_structured() {
            // Rank and parameters first, even for an empty tensor, as `Init::alloc` does.
            crate::structured::validate(&self.init, &self.shape)
                .map_err(|e| WriteError::spec(&self.name, e))?;
            if n > 0 {
                crate::structured::check_dtype(dtype, &self.init)
                    .map_err(|e| WriteError::spec(&self.name, e))?;
            }
            return Ok(Source::Whole);
        }
        if n == 0 {
            // Nothing is drawn from an empty tensor, so its (possibly fan-less) rule is moot,
            // exactly as in `Init::fill`; its parameters must still be valid.
            self.init
                .check_parameters()
                .map_err(|e| WriteError::spec(&self.name, e))?;
            return Ok(Source::Elementwise(Distribution::zeros()));
        }
        let dist = self
            .distribution()
            .map_err(|e| WriteError::spec(&self.name, e))?;
        check_dtype(dtype, &dist).map_err(|e| WriteError::spec(&self.name, e))?;
        Ok(Source::Elementwise(dist))
    }

    /// The tensor in memory as `T`: exactly the values the writer stores for this spec in
    /// `T`'s dtype, the [`zeroed`](TensorSpec::zeroed) range included (the spec's own `dtype`
    /// is not read). The same checks as [`TensorSpec::validate`] for that dtype run first, so
    /// on `Err` nothing was allocated.
    ///
    /// ```
    /// use glorot::io::TensorSpec;
    /// use glorot::{Init, Key};
    /// let emb = TensorSpec::new("emb", &[4, 3], Init::Normal { mean: 0.0, std: 0.02 })
    ///     .with_zeroed(3..6); // row 1, a padding row
    /// let v: Vec<f32> = emb.alloc(&Key::new(0))?;
    /// assert!(v[3..6].iter().all(|x| x.to_bits() == 0) && v[0] != 0.0);
    /// # Ok::<(), glorot::io::WriteError>(())
    /// ```
    pub fn alloc<T: Element>(&self, key: &Key) -> Result<Vec<T>, WriteError> {
        let tk = key.tensor(&self.name);
        let mut v = match self.validate_as(T::DTYPE)? {
            Source::Elementwise(dist) => try_alloc_filled(self.numel(), &dist, &tk, Pages::Plain),
            Source::Whole => self.init.alloc(&self.shape, self.layout, &tk),
        }
        .map_err(|e| WriteError::spec(&self.name, e))?;
        if let Some(z) = &self.zeroed {
            // In range: `validate_as` checked `z.end <= numel`. Zeros read no words.
            let z = z.start as usize..z.end as usize;
            fill(&mut v[z], &Distribution::zeros(), &tk)
                .map_err(|e| WriteError::spec(&self.name, e))?;
        }
        Ok(v)
    }

    /// The checks that do not depend on how the values are drawn: the name, the size, the
    /// zeroed range. Returns the element count.
    pub(crate) fn check_common(&self) -> Result<usize, WriteError> {
        self.check_common_as(self.dtype)
    }

    fn check_common_as(&self, dtype: DType) -> Result<usize, WriteError> {
        if self.name == "__metadata__" {
            return Err(WriteError::InvalidName {
                name: self.name.clone(),
                reason: "is reserved for the safetensors header's metadata",
            });
        }
        let n = numel(&self.shape).map_err(|e| WriteError::spec(&self.name, e))?;
        checked_byte_len(&self.name, &self.shape, dtype)?;
        if let Some(z) = &self.zeroed {
            if z.start > z.end || z.end > n as u64 {
                return Err(WriteError::spec(&self.name, crate::Error::InvalidBounds));
            }
        }
        Ok(n)
    }
}

/// Bytes of a tensor of `shape` in `dtype`, or the error [`TensorSpec::checked_byte_len`]
/// documents.
fn checked_byte_len(name: &str, shape: &[usize], dtype: DType) -> Result<u64, WriteError> {
    let n = numel(shape).map_err(|e| WriteError::spec(name, e))?;
    (n as u64)
        .checked_mul(dtype.size() as u64)
        .filter(|&b| b <= i64::MAX as u64)
        .ok_or_else(|| {
            WriteError::TooLarge(format!(
                "tensor `{}`: shape {:?} in {} is more than 2^63 - 1 bytes, more than any file can hold",
                super::printable(name),
                shape,
                dtype
            ))
        })
}

/// Checks and prepares `dist` for `dtype` exactly as the fill will (the one dtype rule of
/// [`crate::dist`]), without filling anything.
fn check_dtype(dtype: DType, dist: &Distribution) -> crate::Result<()> {
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
        assert_eq!(params("vgg16"), 138_357_544);
        assert_eq!(params("alexnet"), 61_100_840);
        assert_eq!(params("vit_b_16"), 86_567_656);
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
