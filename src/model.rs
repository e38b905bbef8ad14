//! Whole models: fill every tensor of a [`network!`](crate::network) declaration.
//!
//! (guide goes here)

use rayon::prelude::*;

use crate::fan::Fans;
use crate::{
    try_alloc_filled, DType, Distribution, Element, Error, FanMode, Init, Key, Nonlinearity, Pages,
    Result, VarianceDistribution,
};

pub use glorot_macros::presets;
pub use glorot_macros::{
    gain, sqrt, torch_fans, Act, Assemble, InitSpec, Mode, Module, Name, Network, ParamSpec, Role,
    VarDist, MAX_RANK, NAME_CAP,
};

/// The engine's [`FanMode`] for a spec's [`Mode`].
pub const fn fan_mode(mode: Mode) -> FanMode {
    match mode {
        Mode::FanIn => FanMode::FanIn,
        Mode::FanOut => FanMode::FanOut,
        Mode::FanAvg => FanMode::FanAvg,
        Mode::FanGeoAvg => FanMode::FanGeoAvg,
    }
}

/// The engine's [`Nonlinearity`] for a spec's [`Act`].
pub const fn nonlinearity(act: Act) -> Nonlinearity {
    match act {
        Act::Linear => Nonlinearity::Linear,
        Act::Conv1d => Nonlinearity::Conv1d,
        Act::Conv2d => Nonlinearity::Conv2d,
        Act::Conv3d => Nonlinearity::Conv3d,
        Act::ConvTranspose1d => Nonlinearity::ConvTranspose1d,
        Act::ConvTranspose2d => Nonlinearity::ConvTranspose2d,
        Act::ConvTranspose3d => Nonlinearity::ConvTranspose3d,
        Act::Sigmoid => Nonlinearity::Sigmoid,
        Act::Tanh => Nonlinearity::Tanh,
        Act::Relu => Nonlinearity::Relu,
        Act::LeakyRelu => Nonlinearity::LeakyRelu,
        Act::Selu => Nonlinearity::Selu,
    }
}

/// Converts a spec's plain-data initializer into the engine's [`Init`].
///
/// The normal family (`XavierNormal`, `KaimingNormal`, `Normal`, `TruncNormal`, `GlorotNormal`,
/// `HeNormal`, `LecunNormal`, `VarianceScaling` with a normal distribution) is described by the
/// model crate but gives [`Error::InitNotAvailable`] until the engine has those kernels.
pub fn to_init(spec: &InitSpec) -> Result<Init> {
    Ok(match *spec {
        InitSpec::XavierUniform { gain } => Init::XavierUniform { gain },
        InitSpec::KaimingUniform {
            a,
            mode,
            nonlinearity: act,
        } => Init::KaimingUniform {
            a,
            mode: fan_mode(mode),
            nonlinearity: nonlinearity(act),
        },
        InitSpec::Uniform { low, high } => Init::Uniform { low, high },
        InitSpec::Constant { val } => Init::Constant { val },
        InitSpec::Zeros => Init::Zeros,
        InitSpec::Ones => Init::Ones,
        InitSpec::GlorotUniform => Init::GlorotUniform,
        InitSpec::HeUniform => Init::HeUniform,
        InitSpec::LecunUniform => Init::LecunUniform,
        InitSpec::VarianceScaling {
            scale,
            mode,
            distribution: VarDist::Uniform,
        } => Init::VarianceScaling {
            scale,
            mode: fan_mode(mode),
            distribution: VarianceDistribution::Uniform,
        },
        // NORMAL-FAMILY: wire these to the engine's normal initializers once they exist
        // (XavierNormal, KaimingNormal, Normal, TruncNormal, GlorotNormal, HeNormal, LecunNormal,
        // VarianceScaling with VarianceDistribution::{Normal, TruncatedNormal}).
        InitSpec::XavierNormal { .. }
        | InitSpec::KaimingNormal { .. }
        | InitSpec::Normal { .. }
        | InitSpec::TruncNormal { .. }
        | InitSpec::GlorotNormal
        | InitSpec::HeNormal
        | InitSpec::LecunNormal
        | InitSpec::VarianceScaling { .. } => {
            return Err(Error::InitNotAvailable { name: spec.name() })
        }
    })
}

/// The distribution of one spec'd tensor: its initializer applied to its stored fans.
pub fn distribution(spec: &ParamSpec) -> Result<Distribution> {
    let init = to_init(&spec.init)?;
    if init.needs_fans() && spec.rank() < 2 {
        return Err(Error::RankTooLow {
            rank: spec.rank(),
            min: 2,
        });
    }
    init.distribution(Fans::new(spec.fan_in, spec.fan_out))
}

/// Allocates and fills one spec'd tensor from the stream `key.tensor(spec.name())`.
pub fn alloc_tensor<T: Element>(spec: &ParamSpec, key: &Key) -> Result<Vec<T>> {
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
        distribution(s)?;
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
    let total: usize = specs.iter().map(|s| s.numel).sum();
    if arena.len() != total {
        return Err(Error::LengthMismatch {
            expected: total,
            actual: arena.len(),
        });
    }
    let dists = specs.iter().map(distribution).collect::<Result<Vec<_>>>()?;
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
        .try_for_each(|(out, (s, d))| crate::fill(out, d, &key.tensor(s.name())))
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
