//! candle plug-in (feature `candle`): a [`SimpleBackend`] that creates every tensor a candle
//! model asks for with glorot's streams.
//!
//! candle builds a model by asking a [`VarBuilder`] for each tensor by its full dotted name
//! and shape (`model.layers.0.self_attn.q_proj.weight`, `(4096, 4096)`);
//! [`VarBuilder::from_backend`] exists so that downstream crates supply their own backend
//! (candle-nn `var_builder.rs`). [`GlorotBackend`] answers each request with
//! [`TensorInit::alloc`] under [`Key::tensor`]`(full name)`: element for element what
//! [`crate::Init::alloc`] gives, and what the `glorot` CLI writes to a checkpoint for the same
//! name, initializer and seed. So a `candle-transformers` model (Llama, Mistral, Qwen2, …) is
//! built randomly initialized, in parallel, and bit-reproducibly: the same on any thread
//! count, SIMD level or machine.
//!
//! ```
//! use candle_core::{DType, Device};
//! use glorot::frameworks::candle::{policy_fn, GlorotBackend};
//! use glorot::{Init, Key};
//!
//! // HF-style rule by name: matrices normal(0, 0.02), norm weights one, biases zero.
//! let policy = policy_fn(|name: &str, shape: &[usize]| match (name, shape.len()) {
//!     (n, 1) if n.ends_with("norm.weight") => Init::Ones,
//!     (_, 1) => Init::Zeros,
//!     _ => Init::Normal { mean: 0.0, std: 0.02 },
//! });
//! let vb = GlorotBackend::new(Key::new(0), policy).into_var_builder(DType::BF16, Device::Cpu);
//! let w = vb.pp("mlp").pp("up_proj").get((256, 64), "weight")?;
//! assert_eq!(w.dtype(), DType::BF16);
//! # Ok::<(), candle_core::Error>(())
//! ```
//!
//! # Choosing the initializer: policies
//!
//! An [`InitPolicy`] maps (full name, shape, candle's hint) to a [`TensorInit`]:
//!
//! - [`policy_fn`]: your closure `(name, shape) -> Init` (or [`TensorInit`]).
//! - [`HintPolicy`]: candle's own [`candle_nn::Init`] hint, translated to the same rule
//!   (`Kaiming` → PyTorch `kaiming_*`, `Randn` → `normal`, `Uniform`, `Const`). **Caveat**: most
//!   `candle-transformers` layers call `vb.get(shape, name)`, which sends the default hint
//!   `Init::Const(0.)`; the hint alone would build those weights as zeros. `HintPolicy`
//!   therefore refuses (an error naming the tensor) a tensor of rank ≥ 2, or named `*.weight`,
//!   whose hint is `Const(0.)`, unless [`HintPolicy::allow_zero_matrices`] says that is
//!   intended.
//! - [`HfPolicy`] (with the `hf` feature): transformers' `_init_weights` for a `config.json`,
//!   the same table `glorot init --hf-config` writes, so a candle Llama equals that checkpoint
//!   bit for bit.
//!
//! # Which tensors exist: `contains_tensor`
//!
//! Models ask `vb.contains_tensor(name)` to decide optional tensors (Qwen2 builds an untied
//! `lm_head` only if `lm_head.weight` exists). The backend answers from the model's declared
//! tensor list ([`InitPolicy::tensors`] or [`GlorotBackend::with_tensors`]); with a list, a
//! request for a name outside it, or with another shape, is an error. Without a list every
//! `contains_tensor` is `false` (optional tensors are absent), never a blanket `true`.
//! `get_unchecked` (a tensor without a shape) is always an error: a random tensor needs one
//! (candle's own `VarMap` refuses it too).
//!
//! A name asked for twice (a tied weight: GPT-BigCode reuses `transformer.wte.weight` as its
//! output layer) gets the rule of its first request again, so the same values.
//!
//! # Training
//!
//! [`GlorotBackend::with_var_map`] registers every created tensor as a [`Var`] in a
//! [`VarMap`], so `varmap.all_vars()` hands them to an optimizer; a name already in the map is
//! returned as is (the semantics of [`VarMap::get`]).
//!
//! # Dtypes and memory
//!
//! `f32`, `f64`, `bf16` and `f16` are filled natively: one parallel allocate-and-fill of the
//! final dtype ([`crate::try_alloc_filled`]: pages first touched by the fill, never zeroed),
//! handed to candle with [`Tensor::from_vec`], which on the CPU takes the `Vec` as the storage
//! without copying. glorot's bf16/f16 values are computed in f32 and rounded once (and kept
//! inside the bounds), so this *is* "generate in f32, convert once", without the f32 buffer.
//! candle's other float dtypes (`F8E4M3`, …) are generated in f32 and converted once with
//! `to_dtype`; integer dtypes are an error. On a GPU device the tensor is made on the host and
//! copied once with `to_device`. [`GlorotBackend::via_f32`] makes every dtype the f32 way
//! (candle's rounding, at the cost of a transient f32 copy).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use candle_core::{bail, DType, Device, Result, Shape, Tensor, Var};
use candle_nn::init::{FanInOut, NonLinearity, NormalOrUniform};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{VarBuilder, VarMap};

use super::TensorInit;
use crate::{bf16, f16, FanMode, Init, Key, Nonlinearity, Pages, VarianceDistribution};

/// Chooses each tensor's initializer from its full dotted name, its shape and the hint the
/// candle layer sent.
pub trait InitPolicy: Send + Sync {
    /// The initializer of tensor `name` (the full dotted path) of `shape`. `hint` is what the
    /// layer passed to `get_with_hints`, or `Init::Const(0.)` for a plain `vb.get`.
    fn tensor_init(&self, name: &str, shape: &[usize], hint: candle_nn::Init)
        -> Result<TensorInit>;

    /// The model's declared tensors and shapes, when the policy knows them (a model config
    /// does). `None`: no list, see the [module docs](self#which-tensors-exist-contains_tensor).
    fn tensors(&self) -> Option<Vec<(String, Vec<usize>)>> {
        None
    }
}

/// A policy from a closure `(name, shape) -> Init` (or `-> TensorInit`); see [`policy_fn`].
#[derive(Clone)]
pub struct FnPolicy<F>(F);

/// Wraps a closure `(full name, shape) -> Init` (or `-> TensorInit`) as a policy. The closure
/// sees PyTorch-layout shapes, `(out, in)` for a linear weight, as candle stores them.
pub fn policy_fn<F, R>(f: F) -> FnPolicy<F>
where
    F: Fn(&str, &[usize]) -> R + Send + Sync,
    R: Into<TensorInit>,
{
    FnPolicy(f)
}

impl<F, R> InitPolicy for FnPolicy<F>
where
    F: Fn(&str, &[usize]) -> R + Send + Sync,
    R: Into<TensorInit>,
{
    fn tensor_init(&self, name: &str, shape: &[usize], _: candle_nn::Init) -> Result<TensorInit> {
        Ok((self.0)(name, shape).into())
    }
}

impl<F> fmt::Debug for FnPolicy<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnPolicy(..)")
    }
}

/// candle's own hint as the rule, translated to glorot's initializers (same formulas:
/// candle's `Kaiming` is PyTorch's `kaiming_*` with candle's gains).
///
/// Refuses a tensor of rank ≥ 2, or any tensor whose name ends in `.weight`, whose hint is
/// `Init::Const(0.)` — what a plain `vb.get` sends, so almost always "no initializer given"
/// rather than "zeros wanted" (candle-transformers' GPT-BigCode asks for its LayerNorm gains
/// that way) — unless [`HintPolicy::allow_zero_matrices`] is set. Rank-1 `Const(0.)` tensors
/// with other names (biases) are accepted as zeros, the usual convention.
#[derive(Clone, Copy, Debug, Default)]
pub struct HintPolicy {
    allow_zero_matrices: bool,
}

impl HintPolicy {
    /// The strict policy: an all-zero matrix from the default hint is an error.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept `Const(0.)` on weights of rank ≥ 2 (they become zeros, as candle would make
    /// them).
    pub fn allow_zero_matrices(mut self) -> Self {
        self.allow_zero_matrices = true;
        self
    }

    /// The glorot initializer equal to candle's hint `h`.
    pub fn translate(h: candle_nn::Init) -> Result<Init> {
        Ok(match h {
            candle_nn::Init::Const(0.0) => Init::Zeros,
            candle_nn::Init::Const(1.0) => Init::Ones,
            candle_nn::Init::Const(val) => Init::Constant { val },
            candle_nn::Init::Randn { mean, stdev } => Init::Normal { mean, std: stdev },
            candle_nn::Init::Uniform { lo, up } => Init::Uniform { low: lo, high: up },
            candle_nn::Init::Kaiming {
                dist,
                fan,
                non_linearity,
            } => {
                let mode = match fan {
                    FanInOut::FanIn => FanMode::FanIn,
                    FanInOut::FanOut => FanMode::FanOut,
                };
                let nonlinearity = match non_linearity {
                    NonLinearity::ReLU => Nonlinearity::Relu,
                    NonLinearity::Linear => Nonlinearity::Linear,
                    NonLinearity::Sigmoid => Nonlinearity::Sigmoid,
                    NonLinearity::Tanh => Nonlinearity::Tanh,
                    NonLinearity::SELU => Nonlinearity::Selu,
                    NonLinearity::ExplicitGain(g) => {
                        // std = g/√fan, i.e. variance g²/fan: JAX's variance_scaling(g²).
                        if g == 0.0 {
                            return Ok(Init::Zeros);
                        }
                        if !(g.is_finite() && g > 0.0) {
                            bail!("glorot: candle hint Kaiming with gain {g}: not a positive finite gain");
                        }
                        let distribution = match dist {
                            NormalOrUniform::Uniform => VarianceDistribution::Uniform,
                            NormalOrUniform::Normal => VarianceDistribution::Normal,
                        };
                        return Ok(Init::VarianceScaling {
                            scale: g * g,
                            mode,
                            distribution,
                        });
                    }
                };
                match dist {
                    NormalOrUniform::Uniform => Init::kaiming_uniform_with(0.0, mode, nonlinearity),
                    NormalOrUniform::Normal => Init::kaiming_normal_with(0.0, mode, nonlinearity),
                }
            }
        })
    }
}

impl InitPolicy for HintPolicy {
    fn tensor_init(&self, name: &str, shape: &[usize], h: candle_nn::Init) -> Result<TensorInit> {
        let is_weight = name.rsplit('.').next() == Some("weight");
        if !self.allow_zero_matrices
            && (shape.len() >= 2 || is_weight)
            && matches!(h, candle_nn::Init::Const(v) if v == 0.0)
        {
            bail!(
                "glorot HintPolicy: `{name}` {shape:?} came with candle's default hint \
                 Init::Const(0.) (the layer called `vb.get` without an initializer), which would \
                 make it all zeros. Use a name-based policy (policy_fn, or a model \
                 family's HF policy), or HintPolicy::allow_zero_matrices() if zeros are intended."
            );
        }
        Ok(Self::translate(h)?.into())
    }
}

/// Each name's first shape and rule, shared by the clones of a backend.
type Seen = Arc<Mutex<HashMap<String, (Vec<usize>, TensorInit)>>>;

/// A [`SimpleBackend`] that creates each tensor with glorot from its full name and shape.
/// See the [module docs](self).
#[derive(Clone)]
pub struct GlorotBackend {
    key: Key,
    policy: Arc<dyn InitPolicy>,
    declared: Option<Arc<HashMap<String, Vec<usize>>>>,
    /// The shape and initializer each name got first: a name asked for again (a tied weight,
    /// e.g. an embedding reused as the output layer) gets the same rule, so the same values.
    seen: Seen,
    /// Generate in f32 and convert with candle's `to_dtype` ([`GlorotBackend::via_f32`]).
    via_f32: bool,
    /// Page backing of the tensors' buffers ([`GlorotBackend::with_pages`]).
    pages: Pages,
}

impl fmt::Debug for GlorotBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlorotBackend")
            .field("key", &self.key)
            .field("declared", &self.declared.as_ref().map(|d| d.len()))
            .finish_non_exhaustive()
    }
}

/// A tensor's values on the host, in the dtype they were generated in.
enum Host {
    F32(Vec<f32>),
    F64(Vec<f64>),
    BF16(Vec<bf16>),
    F16(Vec<f16>),
}

impl GlorotBackend {
    /// A backend drawing from `key` by the rules of `policy`. The declared tensor list is the
    /// policy's ([`InitPolicy::tensors`]), if it has one.
    pub fn new(key: Key, policy: impl InitPolicy + 'static) -> Self {
        let declared = policy
            .tensors()
            .map(|list| Arc::new(list.into_iter().collect()));
        GlorotBackend {
            key,
            policy: Arc::new(policy),
            declared,
            seen: Arc::default(),
            via_f32: false,
            pages: Pages::Plain,
        }
    }

    /// Generates every tensor in f32 and converts it once with candle's own `to_dtype` (so
    /// bf16/f16 values are rounded as candle rounds them), instead of filling the dtype
    /// natively. Costs a transient f32 copy of each tensor and the conversion pass; f32 and
    /// candle's other float dtypes are unaffected. For comparisons (`examples/candle_bench.rs`
    /// measures it) and for code that must match candle's conversion.
    pub fn via_f32(mut self) -> Self {
        self.via_f32 = true;
        self
    }

    /// Backs each tensor's buffer with `pages` ([`Pages::Huge`]: transparent huge pages). The
    /// values never depend on it; first-touch time does, by machine (the allocator's docs and
    /// `examples/candle_bench.rs` `--ways glorot-huge` measure it). Default [`Pages::Plain`].
    pub fn with_pages(mut self, pages: Pages) -> Self {
        self.pages = pages;
        self
    }

    /// Declares the model's tensors and shapes: `contains_tensor` answers from this list, and
    /// a request outside it (or with another shape) is an error.
    pub fn with_tensors<I, S>(mut self, tensors: I) -> Self
    where
        I: IntoIterator<Item = (S, Vec<usize>)>,
        S: Into<String>,
    {
        let map = tensors.into_iter().map(|(n, s)| (n.into(), s)).collect();
        self.declared = Some(Arc::new(map));
        self
    }

    /// The key every tensor's stream is drawn from (`key.tensor(full name)`).
    pub fn key(&self) -> Key {
        self.key
    }

    /// A [`VarBuilder`] over this backend.
    pub fn into_var_builder(self, dtype: DType, device: Device) -> VarBuilder<'static> {
        VarBuilder::from_backend(Box::new(self), dtype, device)
    }

    /// The training variant: every created tensor is registered in `varmap` as a [`Var`].
    pub fn with_var_map(self, varmap: &VarMap) -> GlorotVarMap {
        GlorotVarMap {
            backend: self,
            varmap: varmap.clone(),
        }
    }

    /// Creates tensor `name` of `shape` in `dtype` on `device`, as the backend's `get` does.
    pub fn create(
        &self,
        shape: &Shape,
        name: &str,
        hint: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> Result<Tensor> {
        let host = self.generate(shape, name, hint, dtype)?;
        let t = match host {
            Ok(Host::F32(v)) => Tensor::from_vec(v, shape.clone(), &Device::Cpu)?,
            Ok(Host::F64(v)) => Tensor::from_vec(v, shape.clone(), &Device::Cpu)?,
            Ok(Host::BF16(v)) => Tensor::from_vec(v, shape.clone(), &Device::Cpu)?,
            Ok(Host::F16(v)) => Tensor::from_vec(v, shape.clone(), &Device::Cpu)?,
            Err(t) => t,
        };
        if device.is_cpu() {
            Ok(t)
        } else {
            t.to_device(device)
        }
    }

    fn create_var(
        &self,
        shape: &Shape,
        name: &str,
        hint: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> Result<Var> {
        if !device.is_cpu() {
            return Var::from_tensor(&self.create(shape, name, hint, dtype, device)?);
        }
        // `Var::from_vec` takes the buffer as the variable's storage; `Var::from_tensor` of a
        // plain tensor would copy it.
        match self.generate(shape, name, hint, dtype)? {
            Ok(Host::F32(v)) => Var::from_vec(v, shape.clone(), device),
            Ok(Host::F64(v)) => Var::from_vec(v, shape.clone(), device),
            Ok(Host::BF16(v)) => Var::from_vec(v, shape.clone(), device),
            Ok(Host::F16(v)) => Var::from_vec(v, shape.clone(), device),
            Err(t) => Var::from_tensor(&t),
        }
    }

    /// The values of tensor `name`: a host vector for glorot's own dtypes, or (Err) a CPU
    /// tensor already converted to another float dtype.
    fn generate(
        &self,
        shape: &Shape,
        name: &str,
        hint: candle_nn::Init,
        dtype: DType,
    ) -> Result<std::result::Result<Host, Tensor>> {
        let dims = shape.dims();
        if let Some(declared) = &self.declared {
            match declared.get(name) {
                None => bail!(
                    "glorot: the model asks for `{name}` {dims:?}, which is not among the {} \
                     tensors declared for it",
                    declared.len()
                ),
                Some(s) if s.as_slice() != dims => bail!(
                    "glorot: the model asks for `{name}` with shape {dims:?}, declared as {s:?}"
                ),
                Some(_) => {}
            }
        }
        let ti = self.tensor_init(name, dims, hint)?;
        let key = self.key.tensor(name);
        let err = |e: crate::Error| {
            candle_core::Error::msg(format!(
                "glorot: tensor `{name}` {dims:?} ({}): {e}",
                ti.init.name()
            ))
        };
        let (native, pages) = (!self.via_f32, self.pages);
        Ok(match dtype {
            DType::F32 => Ok(Host::F32(ti.alloc_in(dims, &key, pages).map_err(err)?)),
            DType::F64 if native => Ok(Host::F64(ti.alloc_in(dims, &key, pages).map_err(err)?)),
            DType::BF16 if native => Ok(Host::BF16(ti.alloc_in(dims, &key, pages).map_err(err)?)),
            DType::F16 if native => Ok(Host::F16(ti.alloc_in(dims, &key, pages).map_err(err)?)),
            d if d.is_float() => {
                let v: Vec<f32> = ti.alloc_in(dims, &key, pages).map_err(err)?;
                Err(Tensor::from_vec(v, shape.clone(), &Device::Cpu)?.to_dtype(d)?)
            }
            d => bail!(
                "glorot: tensor `{name}`: cannot randomly initialize an integer tensor ({d:?})"
            ),
        })
    }

    fn tensor_init(&self, name: &str, dims: &[usize], hint: candle_nn::Init) -> Result<TensorInit> {
        let poisoned = || candle_core::Error::msg("glorot: the backend's lock is poisoned");
        if let Some((shape, ti)) = self.seen.lock().map_err(|_| poisoned())?.get(name) {
            if shape.as_slice() != dims {
                bail!("glorot: `{name}` asked for with shape {dims:?}, earlier with {shape:?}");
            }
            return Ok(ti.clone());
        }
        let ti = self.policy.tensor_init(name, dims, hint)?;
        let mut seen = self.seen.lock().map_err(|_| poisoned())?;
        Ok(seen
            .entry(name.to_string())
            .or_insert_with(|| (dims.to_vec(), ti))
            .1
            .clone())
    }

    fn contains(&self, name: &str) -> bool {
        self.declared.as_ref().is_some_and(|d| d.contains_key(name))
    }
}

fn no_shape(name: &str) -> Result<Tensor> {
    bail!(
        "glorot: `get_unchecked(\"{name}\")` asks for a tensor without a shape; a randomly \
         initialized tensor needs one (use `get` with the shape)"
    )
}

impl SimpleBackend for GlorotBackend {
    fn get(
        &self,
        s: Shape,
        name: &str,
        h: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> Result<Tensor> {
        self.create(&s, name, h, dtype, dev)
    }

    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> Result<Tensor> {
        no_shape(name)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.contains(name)
    }
}

/// [`GlorotBackend`] that registers every created tensor as a [`Var`] in a [`VarMap`] (for
/// training). Made by [`GlorotBackend::with_var_map`].
#[derive(Clone)]
pub struct GlorotVarMap {
    backend: GlorotBackend,
    varmap: VarMap,
}

impl fmt::Debug for GlorotVarMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlorotVarMap")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl GlorotVarMap {
    /// A [`VarBuilder`] over this backend.
    pub fn into_var_builder(self, dtype: DType, device: Device) -> VarBuilder<'static> {
        VarBuilder::from_backend(Box::new(self), dtype, device)
    }

    /// The map the variables are registered in.
    pub fn var_map(&self) -> &VarMap {
        &self.varmap
    }
}

impl SimpleBackend for GlorotVarMap {
    fn get(
        &self,
        s: Shape,
        name: &str,
        h: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> Result<Tensor> {
        let existing = |map: &HashMap<String, Var>| -> Option<Result<Tensor>> {
            map.get(name).map(|v| {
                if v.shape() != &s {
                    bail!(
                        "glorot: shape mismatch on `{name}`: {s:?} asked, {:?} in the VarMap",
                        v.shape()
                    )
                }
                Ok(v.as_tensor().clone())
            })
        };
        if let Some(t) = existing(&*lock(&self.varmap)?) {
            return t;
        }
        // Generated without holding the lock; if another thread registered the name meanwhile,
        // its variable wins (as with VarMap::get).
        let var = self.backend.create_var(&s, name, h, dtype, dev)?;
        let mut map = lock(&self.varmap)?;
        if let Some(t) = existing(&map) {
            return t;
        }
        let t = var.as_tensor().clone();
        map.insert(name.to_string(), var);
        Ok(t)
    }

    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> Result<Tensor> {
        no_shape(name)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.backend.contains(name) || lock(&self.varmap).is_ok_and(|m| m.contains_key(name))
    }
}

fn lock(varmap: &VarMap) -> Result<std::sync::MutexGuard<'_, HashMap<String, Var>>> {
    varmap
        .data()
        .lock()
        .map_err(|_| candle_core::Error::msg("glorot: the VarMap's lock is poisoned"))
}

/// transformers' `_init_weights` rules for one `config.json`: the table `glorot init
/// --hf-config` writes ([`crate::hf::HfModel`]), so a candle model built through it equals that
/// checkpoint tensor for tensor, padding row included. It declares the model's tensor list,
/// so `contains_tensor` answers as the checkpoint would (an untied `lm_head.weight` exists
/// exactly when the config unties it), and a candle model asking for a tensor outside the
/// table, or with another shape, is an error.
///
/// ```
/// use candle_core::{DType, Device};
/// use glorot::frameworks::candle::{GlorotBackend, HfPolicy};
/// use glorot::Key;
///
/// let policy = HfPolicy::from_json_str(r#"{"model_type": "llama", "vocab_size": 100,
///     "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 1,
///     "num_attention_heads": 4, "max_position_embeddings": 64, "pad_token_id": 0}"#)?;
/// let vb = GlorotBackend::new(Key::new(0), policy).into_var_builder(DType::F32, Device::Cpu);
/// assert!(vb.contains_tensor("lm_head.weight"));
/// let embed = vb.get((100, 64), "model.embed_tokens.weight").unwrap();
/// // The padding row is zero, as transformers' `_init_weights` leaves it.
/// assert_eq!(embed.get(0).unwrap().abs().unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap(), 0.0);
/// # Ok::<(), glorot::hf::ConfigError>(())
/// ```
#[cfg(feature = "hf")]
#[derive(Clone, Debug)]
pub struct HfPolicy {
    model: crate::hf::HfModel,
    index: HashMap<String, usize>,
}

#[cfg(feature = "hf")]
impl HfPolicy {
    /// The policy of a parsed config.
    pub fn new(model: crate::hf::HfModel) -> Self {
        let index = model
            .tensors()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        HfPolicy { model, index }
    }

    /// Parses a `config.json` text.
    pub fn from_json_str(text: &str) -> std::result::Result<Self, crate::hf::ConfigError> {
        crate::hf::HfModel::from_json_str(text).map(Self::new)
    }

    /// Reads a `config.json` file.
    pub fn from_file(path: &std::path::Path) -> std::result::Result<Self, crate::hf::ConfigError> {
        crate::hf::HfModel::from_file(path).map(Self::new)
    }

    /// The model's table.
    pub fn model(&self) -> &crate::hf::HfModel {
        &self.model
    }
}

#[cfg(feature = "hf")]
impl InitPolicy for HfPolicy {
    fn tensor_init(&self, name: &str, shape: &[usize], _: candle_nn::Init) -> Result<TensorInit> {
        let Some(&i) = self.index.get(name) else {
            bail!(
                "glorot HfPolicy: `{name}` {shape:?} is not a tensor of this {:?} config",
                self.model.family()
            )
        };
        let t = &self.model.tensors()[i];
        let mut ti = TensorInit::new(t.init).with_layout(crate::Layout::Torch);
        ti.fans = t.fans;
        if let Some(row) = t.zero_row {
            ti = ti.with_zero_row(row);
        }
        Ok(ti)
    }

    fn tensors(&self) -> Option<Vec<(String, Vec<usize>)>> {
        Some(
            self.model
                .tensors()
                .iter()
                .map(|t| (t.name.clone(), t.shape.clone()))
                .collect(),
        )
    }
}
