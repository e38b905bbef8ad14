//! Whole models: declare one with [`network!`](crate::network), read its compile-time consts,
//! fill every tensor.
//!
//! Where things live: everything a model is made of is defined here and in the crate root,
//! once — the initializers ([`Init`](crate::Init)), nonlinearities and gains
//! ([`calculate_gain`](crate::calculate_gain), a `const fn`), fan rules
//! ([`Fans::torch`](crate::Fans::torch)), the name → stream hash
//! ([`name_stream`](crate::name_stream)), the per-tensor [`ParamSpec`], the [`Network`] /
//! [`Assemble`] traits, [`Module`], the const builder `network!` drives (`build/`, hidden) and
//! the [`presets`]. The `glorot-macros` crate is only the grammar: [`network!`](crate::network)
//! parses a declaration and expands to `::glorot::model::…` paths, so the expansion builds `const`
//! tables of [`ParamSpec`]s (name, shape, fans, [`Init`](crate::Init), gain, arena offset, the
//! layer's kind and [`Activation`]) at compile time, and the functions below fill them, every
//! tensor from its own stream `key.tensor(name)`.
//!
//! ## 1. Declare a model
//!
//! ```
//! glorot::network! {
//!     /// A tanh MLP in the style of Glorot & Bengio (2010).
//!     pub struct Mlp {
//!         fc1: linear(784 => 256, act = tanh, init = xavier_uniform, bias = zeros),
//!         fc2: linear(256, act = tanh, init = xavier_uniform, bias = zeros),
//!         out: linear(10, init = xavier_uniform, bias = zeros),
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! Layers are named like PyTorch submodules; widths flow from layer to layer (`linear(256)`
//! reads 256 inputs from `fc1`), and writing a width that disagrees is a compile error naming
//! both layers. Layer kinds: `linear`/`dense`, `conv1d`/`conv2d`/`conv3d` (kernel, groups,
//! transposed, stride, padding, dilation), `embedding`, `layer_norm`, `rms_norm`, `batch_norm`,
//! `group_norm`, `attention` (heads, GQA `kv_heads`, `fused_qkv`), `multihead_attention`
//! (PyTorch's), `gated_mlp`, `rnn`/`lstm`/`gru`, and the parameter-free pooling layers,
//! `flatten` and `to_sequence` (with ViT's `class_token` and `pos_embedding`); groups
//! `name: { … }`, residual branches `name: branch { … }` and repeated blocks
//! `name: repeat(32) { … }`. A model that starts with `input = [C, H, W]` has its spatial
//! sizes tracked too, so `flatten`'s width is computed and checked. Without `init`,
//! every layer gets PyTorch's own default. The full grammar, defaults and fan conventions are in
//! the `glorot-macros` crate docs.
//!
//! ## 2. Read its consts
//!
//! ```
//! # glorot::network! { pub struct Mlp {
//! #     fc1: linear(784 => 256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     fc2: linear(256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     out: linear(10, init = xavier_uniform, bias = zeros),
//! # } }
//! use glorot::model::presets::Gpt2Small;
//!
//! const P: usize = Mlp::PARAMS;                 // total parameters, a const
//! assert_eq!(P, 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
//! assert_eq!(Mlp::TENSORS, 6);
//! let w = &Mlp::SPECS[2];
//! assert_eq!((w.name(), w.shape()), ("fc2.weight", &[256, 256][..]));
//! assert_eq!((w.fan_in, w.fan_out, w.gain), (256, 256, 5.0 / 3.0));
//! // The layer it belongs to: kind and `act` (what `glorot::report` runs).
//! assert_eq!((w.layer.kind, w.layer.act), ("linear", Some(glorot::model::Activation::Tanh)));
//!
//! const GPT2: usize = Gpt2Small::PARAMS;
//! assert_eq!(GPT2, 124_439_808);
//! assert_eq!(Gpt2Small::SPECS[4].name(), "transformer.h.0.attn.c_attn.weight");
//! ```
//!
//! ## 3. Initialize it
//!
//! ```
//! # glorot::network! { pub struct Mlp {
//! #     fc1: linear(784 => 256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     fc2: linear(256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     out: linear(10, init = xavier_uniform, bias = zeros),
//! # } }
//! use glorot::{bf16, model, Key};
//!
//! let key = Key::new(42);
//! // Owned, with named fields (all tensors filled in parallel):
//! let mlp: Mlp = model::init(&key)?;                  // f32
//! let half: Mlp<bf16> = model::init(&key)?;           // or any element type
//! assert_eq!(mlp.fc2.weight().unwrap().len(), 256 * 256);
//! assert!(mlp.out.bias().unwrap().iter().all(|&b| b == 0.0));
//!
//! // Or one contiguous arena: tensor `s` lives at `arena[s.offset..s.offset + s.numel]`.
//! let mut arena = vec![0f32; Mlp::PARAMS];
//! model::init_into::<Mlp, f32>(&key, &mut arena)?;
//! let fc2 = &Mlp::SPECS[2];
//! assert_eq!(&arena[fc2.range()], mlp.fc2.weight().unwrap());
//! # let _ = half;
//! # Ok::<(), glorot::Error>(())
//! ```
//!
//! Values depend only on the seed and each tensor's name: the same seed gives the same bits for
//! [`init`], [`init_into`] and [`tensors`], on any machine and thread count, and adding or
//! removing a layer never changes another layer's values.
//!
//! ## 4. Write it out
//!
//! [`tensors`] fills one tensor at a time, in order, for writers that stream to disk:
//!
//! ```
//! # glorot::network! { pub struct Mlp {
//! #     fc1: linear(784 => 256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     fc2: linear(256, act = tanh, init = xavier_uniform, bias = zeros),
//! #     out: linear(10, init = xavier_uniform, bias = zeros),
//! # } }
//! use std::io::Write;
//! let mut out: Vec<u8> = Vec::new(); // a file, in real use
//! for t in glorot::model::tensors::<Mlp, f32>(&glorot::Key::new(42)) {
//!     let t = t?;
//!     writeln!(out, "{} {:?} {} {}", t.name, t.shape, t.dtype, t.spec.init.name()).unwrap();
//!     for v in &t.values {
//!         out.extend_from_slice(&v.to_le_bytes());
//!     }
//! }
//! # Ok::<(), glorot::Error>(())
//! ```
//!
//! ## Presets
//!
//! [`presets`]: `GlorotMlp` (Glorot & Bengio 2010), `ResNet50`, `Vgg16`, `AlexNet` and
//! `VitB16` (torchvision), `Gpt2Small`, `Gpt2Xl`, `Llama7b`, each with its published
//! initialization and parameter count.

use rayon::prelude::*;

use crate::fan::Fans;
use crate::{try_alloc_filled, DType, Distribution, Element, Error, Key, Pages, Result};

mod activation;
mod build;
mod network;
mod param;
pub mod presets;

pub use crate::gain::sqrt;
pub(crate) use activation::{conv_output_len, pool_output_len};
pub use activation::{Activation, ConvGeometry, LayerInfo, PoolGeometry};
pub use network::{Assemble, Module, Network};
pub use param::{Name, ParamSpec, Role, MAX_RANK, NAME_CAP};

/// Not part of the API: what `network!`'s expansion calls (the const builder and the cursor
/// that splits filled tensors into struct fields). May change in any release.
#[doc(hidden)]
pub mod __private {
    pub use super::build::{
        Builder, Cell, KaimingArgs, NormKind, NormalArgs, Opts, OrthogonalArgs, PoolKind,
        SparseArgs, UniformArgs, VarianceArgs,
    };
    pub use super::network::Cursor;
}

/// The distribution of one spec'd tensor: its initializer applied to its stored fans. A
/// structured initializer (orthogonal, sparse, dirac, eye, identity) has none:
/// [`Error::NotElementwise`]; [`alloc_tensor`] and the other fills handle those whole.
///
/// `numel` is a public field: one that is not the product of the shape is
/// [`Error::LengthMismatch`] here (and so in every function that allocates or fills from the
/// spec), never a tensor of the wrong length.
pub fn distribution(spec: &ParamSpec) -> Result<Distribution> {
    let n = crate::fan::numel(spec.shape())?;
    if spec.numel != n {
        return Err(Error::LengthMismatch {
            expected: n,
            actual: spec.numel,
        });
    }
    let init = spec.init;
    if init.needs_fans() && spec.rank() < 2 {
        return Err(Error::RankTooLow {
            rank: spec.rank(),
            min: 2,
        });
    }
    init.distribution(Fans::new(spec.fan_in, spec.fan_out))
}

/// Every check before a spec'd tensor is filled: its distribution, or `None` for a structured
/// initializer whose shape and parameters passed.
fn plan(spec: &ParamSpec) -> Result<Option<Distribution>> {
    if spec.init.is_structured() {
        let n = crate::fan::numel(spec.shape())?;
        if spec.numel != n {
            return Err(Error::LengthMismatch {
                expected: n,
                actual: spec.numel,
            });
        }
        crate::structured::validate(&spec.init, spec.shape())?;
        return Ok(None);
    }
    distribution(spec).map(Some)
}

/// Allocates and fills one spec'd tensor from the stream `key.tensor(spec.name())`. A
/// structured initializer fills it whole, exactly as [`crate::Init::alloc`] does for the
/// spec's shape.
pub fn alloc_tensor<T: Element>(spec: &ParamSpec, key: &Key) -> Result<Vec<T>> {
    if spec.init.is_structured() {
        // Structured rules read no fans and carry their own convention: the layout is moot.
        return spec
            .init
            .alloc(spec.shape(), crate::Layout::Torch, &key.tensor(spec.name()));
    }
    let dist = distribution(spec)?;
    if spec.numel == 0 {
        return Ok(Vec::new());
    }
    try_alloc_filled(spec.numel, &dist, &key.tensor(spec.name()), Pages::Plain)
}

/// Allocates and fills every tensor of `specs`, in parallel, each from its own name-keyed
/// stream. One `Vec` per spec, in order.
pub fn alloc_all<T: Element>(specs: &[ParamSpec], key: &Key) -> Result<Vec<Vec<T>>> {
    // Validate everything first, so a bad spec costs no allocation.
    for s in specs {
        plan(s)?;
    }
    specs.par_iter().map(|s| alloc_tensor(s, key)).collect()
}

/// Allocates and fills a whole model, returning the owned struct with its named fields.
///
/// ```
/// use glorot::model::{self, presets::GlorotMlp};
/// let mlp: GlorotMlp = model::init(&glorot::Key::new(0))?;
/// assert_eq!(mlp.fc1.weight().unwrap().len(), 1000 * 784);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn init<M, T>(key: &Key) -> Result<M>
where
    M: Assemble<T>,
    T: Element,
{
    Ok(M::assemble(alloc_all(M::SPECS, key)?))
}

/// Fills `arena`, one contiguous buffer of `M::PARAMS` elements, with every tensor of `M`:
/// tensor `s` occupies `arena[s.offset .. s.offset + s.numel]` (declaration order, packed, no
/// padding — [`ParamSpec::range`]). The values are bit-identical to [`init`]'s.
///
/// Every spec is validated before anything is written: on `Err`, `arena` is untouched.
pub fn init_into<M: Network, T: Element>(key: &Key, arena: &mut [T]) -> Result<()> {
    fill_specs_into(M::SPECS, key, arena)
}

/// [`init_into`] for a bare spec list (whose offsets must be packed, as `network!` makes them).
pub fn fill_specs_into<T: Element>(specs: &[ParamSpec], key: &Key, arena: &mut [T]) -> Result<()> {
    let dists = specs.iter().map(plan).collect::<Result<Vec<_>>>()?;
    // The fields are public: a sum that overflows is no arena any slice could be.
    let total = specs
        .iter()
        .try_fold(0usize, |a, s| a.checked_add(s.numel))
        .ok_or(Error::OutOfRange)?;
    if arena.len() != total {
        return Err(Error::LengthMismatch {
            expected: total,
            actual: arena.len(),
        });
    }
    let mut pieces = Vec::with_capacity(specs.len());
    let mut rest = arena;
    let mut at = 0;
    for s in specs {
        if s.offset != at {
            return Err(Error::OutOfRange);
        }
        let (head, tail) = rest.split_at_mut(s.numel);
        pieces.push(head);
        rest = tail;
        at += s.numel;
    }
    pieces
        .into_par_iter()
        .zip(specs.par_iter().zip(dists.par_iter()))
        .try_for_each(|(out, (s, d))| {
            let k = key.tensor(s.name());
            match d {
                Some(d) => crate::fill(out, d, &k),
                None => s.init.fill(out, s.shape(), crate::Layout::Torch, &k),
            }
        })
}

/// One filled tensor, as a writer wants it.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor<T> {
    /// The dotted PyTorch name.
    pub name: &'static str,
    /// The shape (PyTorch layout).
    pub shape: &'static [usize],
    /// The element type.
    pub dtype: DType,
    /// The values, row-major.
    pub values: Vec<T>,
    /// The full spec (fans, initializer, gain, offset).
    pub spec: &'static ParamSpec,
}

/// An iterator over the tensors of a model, filling each one when it is reached (so a writer
/// holds one tensor at a time). Values are bit-identical to [`init`]'s.
///
/// ```
/// use glorot::model::{self, presets::GlorotMlp};
/// let names: Vec<_> = model::tensors::<GlorotMlp, f32>(&glorot::Key::new(0))
///     .map(|t| t.map(|t| t.name))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(names[..2], ["fc1.weight", "fc1.bias"]);
/// # Ok::<(), glorot::Error>(())
/// ```
pub fn tensors<M: Network, T: Element>(key: &Key) -> Tensors<T> {
    Tensors::new(M::SPECS, *key)
}

/// See [`tensors`].
#[derive(Clone, Debug)]
pub struct Tensors<T> {
    specs: core::slice::Iter<'static, ParamSpec>,
    key: Key,
    _t: core::marker::PhantomData<fn() -> T>,
}

impl<T> Tensors<T> {
    /// Iterates a bare spec list.
    pub fn new(specs: &'static [ParamSpec], key: Key) -> Self {
        Tensors {
            specs: specs.iter(),
            key,
            _t: core::marker::PhantomData,
        }
    }
}

impl<T: Element> Iterator for Tensors<T> {
    type Item = Result<NamedTensor<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let spec = self.specs.next()?;
        Some(alloc_tensor(spec, &self.key).map(|values| NamedTensor {
            name: spec.name(),
            shape: spec.shape(),
            dtype: T::DTYPE,
            values,
            spec,
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.specs.size_hint()
    }
}

impl<T: Element> ExactSizeIterator for Tensors<T> {}
