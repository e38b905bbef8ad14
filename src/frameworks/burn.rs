//! burn plug-in (feature `burn`): initialize a burn module's parameters by path with glorot.
//!
//! [`GlorotStore`] is a `burn_store::ModuleStore`: `module.load_from(&mut store)` walks the
//! module's parameters (`ModuleSnapshot::collect`), names and shapes them as PyTorch does
//! (burn-store's own `BurnToPyTorchAdapter`: a `Linear` weight `(in, out)` is reported as
//! PyTorch's `(out, in)`, a `LayerNorm`'s `gamma`/`beta` as `weight`/`bias`), draws each one with
//! [`TensorInit::alloc`] under [`Key::tensor`]`(PyTorch name)`, and applies the values through
//! `PyTorchToBurnAdapter`, exactly as `SafetensorsStore::from_file(..)
//! .with_from_adapter(PyTorchToBurnAdapter)` loads a PyTorch checkpoint. So the module equals,
//! parameter for parameter, the PyTorch-layout checkpoint that `glorot init --spec` writes for
//! the same names, initializers and seed ([`GlorotStore::specs`] gives that list), and that
//! file loads through burn's own store to the same module.
//!
//! ```
//! use burn::module::Module;
//! use burn::nn::{LinearConfig, Linear};
//! use burn::store::ModuleSnapshot;
//! use glorot::frameworks::burn::{GlorotStore, TorchDefaults};
//! use glorot::Key;
//!
//! #[derive(Module, Debug)]
//! struct Mlp { fc1: Linear, fc2: Linear }
//!
//! let device = Default::default();
//! let mut mlp = Mlp {
//!     fc1: LinearConfig::new(784, 128).init(&device),
//!     fc2: LinearConfig::new(128, 10).init(&device),
//! };
//! // PyTorch's own defaults (nn.Linear.reset_parameters), drawn from glorot's streams.
//! let result = mlp.load_from(&mut GlorotStore::new(Key::new(0), TorchDefaults))?;
//! assert_eq!(result.applied.len(), 4);
//! # Ok::<(), glorot::frameworks::burn::GlorotStoreError>(())
//! ```
//!
//! # Policies
//!
//! A [`StorePolicy`] chooses each parameter's [`TensorInit`] from a [`ParamInfo`] (PyTorch
//! name and shape, burn module type, the sibling weight's shape). Given are [`TorchDefaults`]
//! (PyTorch's `reset_parameters` per module type) and any closure `(name, shape) -> Init`
//! ([`GlorotStore::from_fn`]).
//!
//! Only float parameters are drawn; integer and boolean ones are left as the module made them
//! and reported in `ApplyResult::missing`, which is an error unless
//! [`GlorotStore::allow_partial`] is set (as with burn's `SafetensorsStore`).
//!
//! Layout caveat: this follows burn's default `LinearLayout::Row` (weight `(in, out)`), the
//! layout `PyTorchToBurnAdapter` transposes for.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use ::burn::store::burn_pack::{Error as PackError, Tensor as PackTensor};
use ::burn::store::{
    bridge, ApplyResult, BurnToPyTorchAdapter, ModuleAdapter, ModuleContext, ModuleSnapshot,
    ModuleStore, PathFilter, PyTorchToBurnAdapter,
};
use ::burn::tensor::{DType, TensorData};

use super::TensorInit;
use crate::io::TensorSpec;
use crate::{bf16, f16, Init, Key};

/// What a policy knows about one parameter.
#[derive(Clone, Copy, Debug)]
pub struct ParamInfo<'a> {
    /// The PyTorch name (`fc1.weight`, `norm.weight` for a LayerNorm's `gamma`); the stream is
    /// `key.tensor(name)`.
    pub name: &'a str,
    /// The PyTorch-layout shape (`(out, in)` for a linear weight).
    pub shape: &'a [usize],
    /// The burn module type holding it, without burn-store's `Struct:` prefix (`"Linear"`,
    /// `"Conv2d"`, `"LayerNorm"`, a user struct's name), if known.
    pub module_type: Option<&'a str>,
    /// The shape of the sibling `weight` in the same module (what a PyTorch bias bound reads
    /// its fan-in from), if there is one.
    pub weight_shape: Option<&'a [usize]>,
}

/// Chooses each parameter's initializer.
pub trait StorePolicy: Send + Sync {
    /// The initializer of the parameter described by `p`, or a message saying why none fits.
    fn tensor_init(&self, p: &ParamInfo<'_>) -> Result<TensorInit, String>;
}

/// PyTorch's default initialization (`reset_parameters`, torch 2.x) by module type:
///
/// | module | weight | bias |
/// |---|---|---|
/// | `Linear`, `Conv1d/2d/3d`, `ConvTranspose1d/2d/3d` | `kaiming_uniform_(a=√5)` = `U[−1/√fan_in, 1/√fan_in)` | `U[−1/√fan_in, 1/√fan_in)`, fan_in of the weight |
/// | `Embedding` | `normal_(0, 1)` | — |
/// | `LayerNorm`, `GroupNorm`, `BatchNorm`, `InstanceNorm`, `RmsNorm` | ones | zeros |
/// | `PRelu` | `constant_(0.25)` | — |
///
/// Any other module type is an error naming the parameter.
#[derive(Clone, Copy, Debug, Default)]
pub struct TorchDefaults;

impl StorePolicy for TorchDefaults {
    fn tensor_init(&self, p: &ParamInfo<'_>) -> Result<TensorInit, String> {
        let param = p.name.rsplit('.').next().unwrap_or(p.name);
        let ty = p.module_type.unwrap_or("");
        let init = match (ty, param) {
            (
                "Linear" | "Conv1d" | "Conv2d" | "Conv3d" | "ConvTranspose1d" | "ConvTranspose2d"
                | "ConvTranspose3d",
                "weight",
            ) => Init::torch_default_weight(),
            (
                "Linear" | "Conv1d" | "Conv2d" | "Conv3d" | "ConvTranspose1d" | "ConvTranspose2d"
                | "ConvTranspose3d",
                "bias",
            ) => {
                let w = p
                    .weight_shape
                    .ok_or_else(|| format!("`{}`: a bias without a sibling weight", p.name))?;
                let fans = crate::Fans::torch(w).map_err(|e| format!("`{}`: {e}", p.name))?;
                if fans.fan_in == 0 {
                    Init::Zeros
                } else {
                    // torch: bound = 1 / math.sqrt(fan_in)
                    let bound = 1.0 / (fans.fan_in as f64).sqrt();
                    Init::Uniform {
                        low: -bound,
                        high: bound,
                    }
                }
            }
            ("Embedding", "weight") => Init::Normal {
                mean: 0.0,
                std: 1.0,
            },
            ("LayerNorm" | "GroupNorm" | "BatchNorm" | "InstanceNorm" | "RmsNorm", "weight") => {
                Init::Ones
            }
            ("LayerNorm" | "GroupNorm" | "BatchNorm" | "InstanceNorm" | "RmsNorm", "bias") => {
                Init::Zeros
            }
            ("BatchNorm", "running_mean") => Init::Zeros,
            ("BatchNorm", "running_var") => Init::Ones,
            ("PRelu", "alpha" | "weight") => Init::Constant { val: 0.25 },
            _ => {
                return Err(format!(
                    "`{}` {:?}: TorchDefaults has no rule for parameter `{param}` of module type \
                     `{}`; use GlorotStore::from_fn or your own StorePolicy",
                    p.name,
                    p.shape,
                    if ty.is_empty() { "(none)" } else { ty }
                ))
            }
        };
        Ok(init.into())
    }
}

/// A policy from a closure `(PyTorch name, PyTorch shape) -> Init` (or `-> TensorInit`).
pub struct FnPolicy<F>(F);

impl<F, R> StorePolicy for FnPolicy<F>
where
    F: Fn(&str, &[usize]) -> R + Send + Sync,
    R: Into<TensorInit>,
{
    fn tensor_init(&self, p: &ParamInfo<'_>) -> Result<TensorInit, String> {
        Ok((self.0)(p.name, p.shape).into())
    }
}

/// Why [`GlorotStore`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum GlorotStoreError {
    /// The policy has no initializer for a parameter, or its initializer does not fit the
    /// parameter's shape.
    Policy(String),
    /// burn could not apply the values (shape or dtype mismatch, allocation failure, …).
    Apply(String),
    /// Parameters were left uninitialized (see [`GlorotStore::allow_partial`]).
    Missing(String),
    /// The operation makes no sense for an initializer (saving a module into it).
    Unsupported(&'static str),
}

impl fmt::Display for GlorotStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlorotStoreError::Policy(m) => write!(f, "glorot: {m}"),
            GlorotStoreError::Apply(m) => write!(f, "glorot: burn could not apply the values: {m}"),
            GlorotStoreError::Missing(m) => write!(
                f,
                "glorot: parameters left uninitialized (non-float, or filtered): {m}; \
                 use GlorotStore::allow_partial(true) to accept that"
            ),
            GlorotStoreError::Unsupported(m) => write!(f, "glorot: {m}"),
        }
    }
}

impl std::error::Error for GlorotStoreError {}

/// Records the module type of every parameter while the PyTorch adapter names it.
#[derive(Clone, Default)]
struct TypeRecorder {
    types: Arc<Mutex<HashMap<String, String>>>,
}

impl ModuleAdapter for TypeRecorder {
    fn adapt(&self, tensor: PackTensor, ctx: ModuleContext<'_>) -> PackTensor {
        let tensor = BurnToPyTorchAdapter.adapt(tensor, ctx);
        if let Some(ty) = ctx.module_type() {
            let ty = ty.strip_prefix("Struct:").unwrap_or(ty);
            if let Ok(mut m) = self.types.lock() {
                m.insert(tensor.name.clone(), ty.to_string());
            }
        }
        tensor
    }

    fn get_alternative_param_name(&self, name: &str, container: &str) -> Option<String> {
        BurnToPyTorchAdapter.get_alternative_param_name(name, container)
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(self.clone())
    }
}

/// One parameter as glorot draws it: PyTorch name and shape, dtype, initializer.
struct Planned {
    name: String,
    shape: Vec<usize>,
    dtype: DType,
    init: TensorInit,
}

/// A `ModuleStore` that initializes a module's float parameters with glorot. See the
/// [module docs](self).
pub struct GlorotStore {
    key: Key,
    policy: Arc<dyn StorePolicy>,
    filter: Option<PathFilter>,
    allow_partial: bool,
    last: BTreeMap<String, PackTensor>,
}

impl fmt::Debug for GlorotStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlorotStore")
            .field("key", &self.key)
            .field("allow_partial", &self.allow_partial)
            .finish_non_exhaustive()
    }
}

impl GlorotStore {
    /// A store drawing from `key` by `policy`.
    pub fn new(key: Key, policy: impl StorePolicy + 'static) -> Self {
        GlorotStore {
            key,
            policy: Arc::new(policy),
            filter: None,
            allow_partial: false,
            last: BTreeMap::new(),
        }
    }

    /// A store whose policy is the closure `(PyTorch name, PyTorch shape) -> Init` (or
    /// `-> TensorInit`).
    pub fn from_fn<F, R>(key: Key, f: F) -> Self
    where
        F: Fn(&str, &[usize]) -> R + Send + Sync + 'static,
        R: Into<TensorInit> + 'static,
    {
        Self::new(key, FnPolicy(f))
    }

    /// Only initialize the parameters `filter` selects (burn paths); the others keep their
    /// values. Implies nothing about `allow_partial`: filtered-out parameters are skipped,
    /// not missing.
    pub fn with_filter(mut self, filter: PathFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Accept parameters left as the module made them (non-float ones).
    pub fn allow_partial(mut self, allow: bool) -> Self {
        self.allow_partial = allow;
        self
    }

    fn plan<M: ModuleSnapshot>(&self, module: &M) -> Result<Vec<Planned>, GlorotStoreError> {
        let recorder = TypeRecorder::default();
        let snaps = module.collect(self.filter.clone(), Some(Box::new(recorder.clone())), false);
        let types = recorder.types.lock().map(|m| m.clone()).unwrap_or_default();
        let shapes: HashMap<&str, Vec<usize>> = snaps
            .iter()
            .map(|s| (s.name.as_str(), s.shape.iter().copied().collect()))
            .collect();
        let mut out = Vec::new();
        for s in &snaps {
            if !matches!(s.dtype, DType::F32 | DType::F64 | DType::F16 | DType::BF16) {
                continue;
            }
            let shape = &shapes[s.name.as_str()];
            let weight_name = match s.name.rsplit_once('.') {
                Some((prefix, _)) => format!("{prefix}.weight"),
                None => "weight".to_string(),
            };
            let info = ParamInfo {
                name: &s.name,
                shape,
                module_type: types.get(&s.name).map(String::as_str),
                weight_shape: shapes.get(weight_name.as_str()).map(Vec::as_slice),
            };
            let init = self
                .policy
                .tensor_init(&info)
                .map_err(GlorotStoreError::Policy)?;
            // Fail here, before anything is applied, rather than inside burn's traversal.
            if crate::fan::numel(shape).is_ok_and(|n| n > 0) {
                init.distribution(shape).map_err(|e| {
                    GlorotStoreError::Policy(format!(
                        "`{}` {shape:?} ({}): {e}",
                        s.name,
                        init.init.name()
                    ))
                })?;
            }
            out.push(Planned {
                name: s.name.clone(),
                shape: shape.clone(),
                dtype: s.dtype,
                init,
            });
        }
        Ok(out)
    }

    /// The module's float parameters as glorot writes them: PyTorch names and shapes, the
    /// module's dtype, the policy's initializers. Pass them to [`crate::io::write_safetensors`]
    /// (or write them as a `glorot init --spec` file) for the checkpoint route: the file loads
    /// with `SafetensorsStore::from_file(..).with_from_adapter(PyTorchToBurnAdapter)` to the
    /// same values this store applies (a zeroed row becomes [`TensorSpec::zeroed`]; more than
    /// one is an error here).
    pub fn specs<M: ModuleSnapshot>(
        &self,
        module: &M,
    ) -> Result<Vec<TensorSpec>, GlorotStoreError> {
        self.plan(module)?
            .into_iter()
            .map(|p| {
                if p.init.zero_rows.len() > 1 {
                    return Err(GlorotStoreError::Policy(format!(
                        "`{}`: more than one zeroed row has no TensorSpec form",
                        p.name
                    )));
                }
                let dtype = match p.dtype {
                    DType::F64 => crate::DType::F64,
                    DType::F16 => crate::DType::F16,
                    DType::BF16 => crate::DType::BF16,
                    _ => crate::DType::F32,
                };
                let mut spec = TensorSpec::new(p.name, &p.shape, p.init.init)
                    .with_dtype(dtype)
                    .with_layout(p.init.layout);
                spec.fans = p.init.fans;
                if let Some(&row) = p.init.zero_rows.first() {
                    let width: u64 = p.shape[1..].iter().map(|&d| d as u64).product();
                    spec = spec.with_zeroed(row as u64 * width..(row as u64 + 1) * width);
                }
                Ok(spec)
            })
            .collect()
    }
}

/// The parameter's values, produced when burn applies it (so only one parameter's buffer is
/// alive at a time, plus burn's copy).
fn deferred(p: Planned, key: Key) -> PackTensor {
    let tkey = key.tensor(&p.name);
    let Planned {
        name,
        shape,
        dtype,
        init,
    } = p;
    let dims = shape.clone();
    let err = {
        let name = name.clone();
        move |e: crate::Error| PackError::ValidationError(format!("glorot: `{name}`: {e}"))
    };
    bridge::deferred(name, dtype, shape.into(), None, move || {
        let data = match dtype {
            DType::F64 => TensorData::new(
                init.alloc::<f64>(&dims, &tkey).map_err(err.clone())?,
                dims.clone(),
            ),
            DType::F16 => TensorData::new(
                init.alloc::<f16>(&dims, &tkey).map_err(err.clone())?,
                dims.clone(),
            ),
            DType::BF16 => TensorData::new(
                init.alloc::<bf16>(&dims, &tkey).map_err(err.clone())?,
                dims.clone(),
            ),
            _ => TensorData::new(
                init.alloc::<f32>(&dims, &tkey).map_err(err.clone())?,
                dims.clone(),
            ),
        };
        Ok(data)
    })
}

impl ModuleStore for GlorotStore {
    type Error = GlorotStoreError;

    fn collect_from<M: ModuleSnapshot>(&mut self, _module: &M) -> Result<(), Self::Error> {
        Err(GlorotStoreError::Unsupported(
            "GlorotStore initializes modules; it cannot save one (use SafetensorsStore)",
        ))
    }

    fn apply_to<M: ModuleSnapshot>(&mut self, module: &mut M) -> Result<ApplyResult, Self::Error> {
        let planned = self.plan(module)?;
        let tensors: Vec<PackTensor> = planned.into_iter().map(|p| deferred(p, self.key)).collect();
        self.last = tensors
            .iter()
            .map(|t| (t.name.clone(), t.clone()))
            .collect();
        let result = module.apply(
            tensors,
            self.filter.clone(),
            Some(Box::new(PyTorchToBurnAdapter)),
            false,
        );
        if !result.errors.is_empty() {
            return Err(GlorotStoreError::Apply(format!("{:?}", result.errors)));
        }
        if !self.allow_partial && !result.missing.is_empty() {
            let names: Vec<&str> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
            return Err(GlorotStoreError::Missing(names.join(", ")));
        }
        Ok(result)
    }

    /// The tensors of the last `apply_to` (PyTorch names; values produced on access).
    fn get_tensor(&mut self, name: &str) -> Result<Option<&PackTensor>, Self::Error> {
        Ok(self.last.get(name))
    }

    fn get_all_tensors(&mut self) -> Result<&BTreeMap<String, PackTensor>, Self::Error> {
        Ok(&self.last)
    }

    fn keys(&mut self) -> Result<Vec<String>, Self::Error> {
        Ok(self.last.keys().cloned().collect())
    }
}
