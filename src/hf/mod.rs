//! Hugging Face `transformers` checkpoints from a `config.json`: the exact tensor table
//! (names as `save_pretrained` writes them, shapes) and transformers' own `_init_weights` rules,
//! without Python.
//!
//! Needs the `hf` feature (which the `cli` feature enables); it adds `serde_json` and nothing
//! else.
//!
//! ```
//! use glorot::hf::HfModel;
//! let model = HfModel::from_json_str(r#"{
//!     "model_type": "llama", "vocab_size": 1000, "hidden_size": 64, "intermediate_size": 128,
//!     "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2
//! }"#)?;
//! let k = model.tensor("model.layers.0.self_attn.k_proj.weight").unwrap();
//! assert_eq!(k.shape, [32, 64]); // GQA: 2 key/value heads of 16
//! assert_eq!(model.tensors().len(), 2 + 2 * 9 + 1);
//! # Ok::<(), glorot::hf::ConfigError>(())
//! ```
//!
//! # Whose semantics
//!
//! transformers **5.24.0** (`modeling_utils.PreTrainedModel._init_weights` and the per-family
//! overrides in `models/*/modeling_*.py`), checked against that version's `from_config` by
//! `tests/hf.rs`:
//!
//! - `nn.Linear` and GPT-2's `Conv1D`: weight `normal(0, std)`, bias 0, with
//!   `std = initializer_range or 0.02` (an `initializer_range` of 0 means 0.02 in the generic
//!   rule; GPT-2's `Conv1D` override uses it verbatim).
//! - `nn.Embedding`: `normal(0, std)`, the `padding_idx = pad_token_id` row zeroed (LLaMA,
//!   Mistral, Qwen2, Qwen3, Gemma; GPT-2 and GPT-NeoX have no padding index). The row is a
//!   post-step on the tensor, [`HfTensor::zero_row`]; a negative `pad_token_id` counts from the
//!   end, as `nn.Embedding` does.
//! - LayerNorm / RMSNorm: weight 1, bias 0; Gemma's RMSNorm computes `x·(1 + w)`, so its
//!   weights are 0.
//! - GPT-2: every `attn.c_proj.weight` and `mlp.c_proj.weight` is redrawn from
//!   `normal(0, initializer_range/√(2·n_layer))`. Releases 5.0 – 5.14.1 skipped this by mistake
//!   (transformers issue #47458, fixed by PR #47459); 4.x and 5.24 apply it.
//! - Tied heads (`tie_word_embeddings`): `lm_head.weight` is the embedding and is not written.
//!   Buffers (rotary `inv_freq`, Gemma's `embed_scale`, GPT-2's causal mask) are not persistent
//!   and are never written.
//!
//! Fields missing from the config take the defaults of that version's config class
//! (`LlamaConfig`, `Qwen3Config`, …; e.g. Qwen2/Qwen3 default to 32 key/value heads, Qwen3 to
//! `head_dim` 128, Gemma to `head_dim` 256, a tied head and `pad_token_id` 0), **except** the
//! sizes: `vocab_size`, the hidden size, the layer and head counts and (where the family has
//! one) `intermediate_size` are required. transformers would silently default them to the
//! family's flagship model; a truncated config writing a 7B checkpoint is never what is meant.
//!
//! # The table as a policy
//!
//! Each [`HfTensor`] says which module it belongs to ([`Module`]) and which parameter it is
//! ([`Param`]); [`InitPolicy::init`] maps the pair to the [`Init`], so a backend that creates
//! tensors by name and shape (e.g. a candle `VarBuilder`) applies the same rules through
//! [`HfModel::tensor`] or [`HfModel::policy`].

mod config;
mod families;
mod presets;

use core::fmt;

use crate::io::{TensorSpec, WriteError};
use crate::{DType, Element, Fans, Init, Key, Layout};

pub use config::ConfigError;
pub use presets::{preset_config, preset_model, PRESET_CONFIGS};

/// The transformers release whose `_init_weights` and config defaults this module follows.
pub const TRANSFORMERS_VERSION: &str = "5.24.0";

/// A supported `model_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// `gpt2`: `GPT2LMHeadModel` (`Conv1D` weights stored `(in, out)`, LayerNorm, learned
    /// positions).
    Gpt2,
    /// `llama`: `LlamaForCausalLM`.
    Llama,
    /// `mistral`: `MistralForCausalLM`.
    Mistral,
    /// `qwen2`: `Qwen2ForCausalLM` (q/k/v biases always).
    Qwen2,
    /// `qwen3`: `Qwen3ForCausalLM` (per-head q/k RMSNorms).
    Qwen3,
    /// `gemma`: `GemmaForCausalLM` (RMSNorm `x·(1 + w)`, weights 0).
    Gemma,
    /// `gpt_neox`: `GPTNeoXForCausalLM` (fused `query_key_value`, LayerNorm, `embed_out`).
    GptNeox,
}

impl Family {
    /// Every supported family.
    pub const ALL: [Family; 7] = [
        Family::Gpt2,
        Family::Llama,
        Family::Mistral,
        Family::Qwen2,
        Family::Qwen3,
        Family::Gemma,
        Family::GptNeox,
    ];

    /// The `model_type` string of `config.json`.
    pub const fn model_type(self) -> &'static str {
        match self {
            Family::Gpt2 => "gpt2",
            Family::Llama => "llama",
            Family::Mistral => "mistral",
            Family::Qwen2 => "qwen2",
            Family::Qwen3 => "qwen3",
            Family::Gemma => "gemma",
            Family::GptNeox => "gpt_neox",
        }
    }

    /// The transformers class `AutoModelForCausalLM` builds for it.
    pub const fn architecture(self) -> &'static str {
        match self {
            Family::Gpt2 => "GPT2LMHeadModel",
            Family::Llama => "LlamaForCausalLM",
            Family::Mistral => "MistralForCausalLM",
            Family::Qwen2 => "Qwen2ForCausalLM",
            Family::Qwen3 => "Qwen3ForCausalLM",
            Family::Gemma => "GemmaForCausalLM",
            Family::GptNeox => "GPTNeoXForCausalLM",
        }
    }

    /// The family of a `model_type` string.
    pub fn from_model_type(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.model_type() == s)
    }

    /// `"gpt2, llama, …"`, for error messages.
    pub fn supported_list() -> String {
        Family::ALL
            .iter()
            .map(|f| f.model_type())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.model_type())
    }
}

/// The kind of module a tensor belongs to: what `_init_weights` dispatches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Module {
    /// `nn.Linear`: weight `(out, in)`.
    Linear,
    /// A residual output projection (GPT-2's `attn.c_proj` and `mlp.c_proj`, a `Conv1D`) whose
    /// weight the family rescales by `1/√(2·n_layer)`.
    ResidualConv1D,
    /// transformers' `Conv1D` (GPT-2): weight `(in, out)`, `y = x·W + b`.
    Conv1D,
    /// `nn.Embedding`: weight `(num_embeddings, dim)`.
    Embedding,
    /// `nn.LayerNorm`: weight and bias.
    LayerNorm,
    /// An RMSNorm (weight only), `x·w`.
    RmsNorm,
    /// Gemma's RMSNorm, `x·(1 + w)`.
    OffsetRmsNorm,
}

/// Which parameter of its module a tensor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// `.weight`
    Weight,
    /// `.bias`
    Bias,
}

/// transformers' `_init_weights` for one model, as a function of module kind and parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InitPolicy {
    /// `config.initializer_range` as written (GPT-2's `Conv1D` rules use it verbatim).
    pub initializer_range: f64,
    /// The generic rule's std: `initializer_range or 0.02` (Python's `or`: 0 → 0.02).
    pub std: f64,
    /// The residual projections' std (GPT-2: `initializer_range/√(2·n_layer)`).
    pub residual_std: f64,
}

impl InitPolicy {
    /// The policy of transformers' generic `_init_weights` with `initializer_range`, and the
    /// GPT-2 residual scaling for `n_layer` layers.
    pub fn new(initializer_range: f64, n_layer: usize) -> Self {
        let std = if initializer_range == 0.0 {
            0.02
        } else {
            initializer_range
        };
        InitPolicy {
            initializer_range,
            std,
            residual_std: initializer_range / ((2 * n_layer) as f64).sqrt(),
        }
    }

    /// The initializer of `param` of a `module`.
    pub fn init(&self, module: Module, param: Param) -> Init {
        let normal = |std: f64| Init::Normal { mean: 0.0, std };
        match (module, param) {
            (Module::Linear | Module::Embedding, Param::Weight) => normal(self.std),
            (Module::Conv1D, Param::Weight) => normal(self.initializer_range),
            (Module::ResidualConv1D, Param::Weight) => normal(self.residual_std),
            (Module::LayerNorm | Module::RmsNorm, Param::Weight) => Init::Ones,
            (Module::OffsetRmsNorm, Param::Weight) => Init::Zeros,
            (_, Param::Bias) => Init::Zeros,
        }
    }
}

/// One tensor of the checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct HfTensor {
    /// The name `save_pretrained` writes.
    pub name: String,
    /// Shape, outermost first.
    pub shape: Vec<usize>,
    /// The module it belongs to.
    pub module: Module,
    /// Which parameter of the module.
    pub param: Param,
    /// The initializer ([`InitPolicy::init`] of `module` and `param`).
    pub init: Init,
    /// The fans from the module's semantics, for weights of rank 2: `(in, out)` = `(shape[1],
    /// shape[0])` for `Linear` and `Embedding` (PyTorch's shape rule), `(shape[0], shape[1])`
    /// for `Conv1D`. Only fan-based initializers read them; transformers' rules are plain
    /// normals.
    pub fans: Option<Fans>,
    /// An embedding's `padding_idx` row, zeroed after the fill (a post-step: elements
    /// `row·shape[1] .. (row+1)·shape[1]`).
    pub zero_row: Option<usize>,
}

impl HfTensor {
    /// Number of elements (0 if the shape overflows; the writer's
    /// [`TensorSpec::validate`] reports that).
    pub fn numel(&self) -> usize {
        crate::fan::numel(&self.shape).unwrap_or(0)
    }

    /// The element range the post-step zeroes, if any. (The fields are public: a row of a
    /// hand-made tensor beyond its shape, or of a scalar, gives a range the writer and
    /// [`HfTensor::alloc`] refuse, never a panic here.)
    pub fn zeroed_elements(&self) -> Option<core::ops::Range<u64>> {
        let row = self.zero_row? as u64;
        let width = self
            .shape
            .get(1..)
            .unwrap_or(&[usize::MAX])
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d as u64))
            .unwrap_or(u64::MAX);
        let start = row.saturating_mul(width);
        Some(start..start.saturating_add(width))
    }

    /// The tensor in memory as `T`, the padding row zeroed: the bits `glorot init
    /// --hf-config` writes for it in `T`'s dtype ([`TensorSpec::alloc`] of
    /// [`HfTensor::spec`]).
    pub fn alloc<T: Element>(&self, key: &Key) -> Result<Vec<T>, WriteError> {
        self.spec(T::DTYPE).alloc(key)
    }

    /// The writer's spec for this tensor in `dtype`, the zero row included
    /// ([`TensorSpec::zeroed`]).
    pub fn spec(&self, dtype: DType) -> TensorSpec {
        let mut s = TensorSpec::new(self.name.clone(), &self.shape, self.init)
            .with_dtype(dtype)
            .with_layout(Layout::Torch);
        s.fans = self.fans;
        s.zeroed = self.zeroed_elements();
        s
    }
}

/// A parsed `config.json` with its complete tensor table.
#[derive(Clone, Debug)]
pub struct HfModel {
    family: Family,
    policy: InitPolicy,
    tied: bool,
    tensors: Vec<HfTensor>,
    config: serde_json::Value,
}

impl HfModel {
    /// Parses a `config.json` text.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        Self::from_value(value)
    }

    /// Reads and parses a `config.json` file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: path.to_path_buf(),
            error: e.to_string(),
        })?;
        Self::from_json_str(&text).map_err(|e| e.in_file(path))
    }

    /// Builds the table from a parsed `config.json`.
    pub fn from_value(config: serde_json::Value) -> Result<Self, ConfigError> {
        let cfg = config::Fields::new(&config)?;
        let (family, policy, tied, tensors) = families::build(&cfg)?;
        Ok(HfModel {
            family,
            policy,
            tied,
            tensors,
            config,
        })
    }

    /// The family (`model_type`).
    pub fn family(&self) -> Family {
        self.family
    }

    /// The `_init_weights` rules of this model.
    pub fn policy(&self) -> InitPolicy {
        self.policy
    }

    /// Whether the head is tied to the input embedding (no `lm_head.weight` in the file).
    pub fn tied(&self) -> bool {
        self.tied
    }

    /// Every tensor `save_pretrained` writes, in the model's registration order.
    pub fn tensors(&self) -> &[HfTensor] {
        &self.tensors
    }

    /// The tensor called `name`.
    pub fn tensor(&self, name: &str) -> Option<&HfTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Total number of parameters written (a tied head counted once).
    pub fn param_count(&self) -> usize {
        self.tensors.iter().map(HfTensor::numel).sum()
    }

    /// Every tensor in memory as `T`, in [`HfModel::tensors`] order and filled in parallel:
    /// transformers' `_init_weights` with the `pad_token_id` row of the embedding zeroed, bit
    /// for bit what `glorot init --hf-config` writes for the same seed in `T`'s dtype. Every
    /// tensor is checked before any is allocated.
    ///
    /// ```
    /// use glorot::hf::HfModel;
    /// let model = HfModel::from_json_str(r#"{"model_type": "llama", "vocab_size": 100,
    ///     "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 1,
    ///     "num_attention_heads": 4, "pad_token_id": 3}"#)?;
    /// let tensors: Vec<Vec<f32>> = model.init(&glorot::Key::new(0))?;
    /// let i = model.tensors().iter().position(|t| t.name == "model.embed_tokens.weight").unwrap();
    /// let emb = &tensors[i]; // (100, 64)
    /// assert!(emb[3 * 64..4 * 64].iter().all(|&x| x == 0.0));
    /// assert!(emb[..3 * 64].iter().all(|&x| x != 0.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn init<T: Element>(&self, key: &Key) -> Result<Vec<Vec<T>>, WriteError> {
        use rayon::prelude::*;
        let specs = self.specs(T::DTYPE);
        for s in &specs {
            s.validate()?;
        }
        specs.par_iter().map(|s| s.alloc(key)).collect()
    }

    /// The writer's specs in `dtype`, zero rows included.
    pub fn specs(&self, dtype: DType) -> Vec<TensorSpec> {
        self.tensors.iter().map(|t| t.spec(dtype)).collect()
    }

    /// The configuration as parsed.
    pub fn config(&self) -> &serde_json::Value {
        &self.config
    }
}

#[cfg(test)]
mod tests;
