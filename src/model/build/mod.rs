//! The const builder `network!` drives. The macro walks a declaration twice, once with
//! `Builder<0>` to count tensors and once with `Builder<N>` to fill the table, and every check
//! runs during that `const` evaluation: a failed check is a const panic whose message names the
//! layers involved, i.e. a compile error.
//!
//! By concern: [`scope`] (dotted names, groups, repeats, branches), [`flow`] (widths and
//! per-layer checks), [`spatial`] (the optional spatial sizes: `input = [...]`, convolution
//! and pooling output sizes, `flatten`), [`sequence`] (patches to a token sequence, class
//! token, position embedding), [`layers`] (each layer kind's tensors), [`opts`] and [`args`] (what the
//! DSL's `key = value` pairs set), [`streams`] (no two tensors share a stream), [`structured`]
//! (orthogonal, sparse, dirac, eye, identity against the tensor's shape), [`msg`]
//! (const panic messages). This module adds one tensor ([`Builder::tensor`]).
//!
//! Not part of the API: reached only through `glorot::model::__private` by the macro's
//! expansion.
#![doc(hidden)]

mod args;
mod flow;
mod layers;
mod msg;
mod opts;
mod scope;
mod sequence;
mod spatial;
mod streams;
mod structured;

pub use args::{KaimingArgs, NormalArgs, OrthogonalArgs, SparseArgs, UniformArgs, VarianceArgs};
pub use opts::{Cell, NormKind, Opts, PoolKind};

use msg::Msg;
use scope::Frame;
use spatial::{Flattened, Layout};

use crate::gain::gain_unchecked;
use crate::model::{LayerInfo, Name, ParamSpec, PoolGeometry, Role};
use crate::{Init, Nonlinearity};

const MAX_DEPTH: usize = 12;

/// The const table builder. `N = 0` counts; `N = count` fills.
#[doc(hidden)]
pub struct Builder<const N: usize> {
    specs: [ParamSpec; N],
    count: usize,
    params: usize,
    path: Name,
    frames: [Frame; MAX_DEPTH],
    depth: usize,
    width: Option<usize>,
    last: Name,
    /// The layer being built (set by `check_opts`, recorded on each of its specs).
    layer: LayerInfo,
    layout: Layout,
    flattened: Flattened,
    /// The pooling since the last layer with tensors (recorded on the next one's specs).
    pending_pool: Option<PoolGeometry>,
    /// Another parameter-free layer since then that changes values ("" when none).
    pending_other: &'static str,
}

#[doc(hidden)]
impl<const N: usize> Builder<N> {
    pub const fn new() -> Self {
        Builder {
            specs: [ParamSpec::EMPTY; N],
            count: 0,
            params: 0,
            path: Name::EMPTY,
            frames: [Frame::EMPTY; MAX_DEPTH],
            depth: 0,
            width: None,
            last: Name::EMPTY,
            layer: LayerInfo::NONE,
            layout: Layout::Untracked,
            flattened: Flattened::NONE,
            pending_pool: None,
            pending_other: "",
        }
    }

    pub const fn count(&self) -> usize {
        self.count
    }

    pub const fn params(&self) -> usize {
        self.params
    }

    /// The filled table, after checking that no two tensors share a name or a stream.
    pub const fn finish(self) -> [ParamSpec; N] {
        if self.count != N {
            panic!("network!: internal error: tensor count changed between passes");
        }
        self.check_streams();
        self.specs
    }

    /// Adds the tensor `<path>.<suffix>`, or `<path>` itself when `suffix` is empty (a bare
    /// `nn.Parameter` such as ViT's `class_token`).
    pub const fn tensor(
        &mut self,
        suffix: &str,
        shape: &[usize],
        init: Init,
        act: Option<Nonlinearity>,
        slope: f64,
        role: Role,
    ) {
        let mut name = self.path;
        if !suffix.is_empty() {
            name.push_segment(suffix);
        }
        let init = resolve(init, act, slope);
        let gain = match own_gain(&init) {
            Some(g) => g,
            None => act_gain(act, slope),
        };
        if init.needs_fans() && shape.len() < 2 {
            Msg::new()
                .s("network!: `")
                .s(name.as_str())
                .s("` has rank 1 but its initializer `")
                .s(init.name())
                .s("` needs fans (rank >= 2); use zeros, ones, constant, uniform or normal")
                .panic();
        }
        if init.is_structured() {
            self.check_structured(&name, shape, &init);
        }
        let mut spec = ParamSpec::new(name, shape, init, gain, role);
        spec.offset = self.params;
        spec.layer = self.layer;
        self.params = match self.params.checked_add(spec.numel) {
            Some(p) => p,
            None => panic!("network!: the parameter count overflows usize"),
        };
        if N > 0 {
            if self.count >= N {
                panic!("network!: internal error: more tensors than counted");
            }
            self.specs[self.count] = spec;
        }
        self.count += 1;
    }
}

impl<const N: usize> Default for Builder<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Replaces the "from the layer's activation" placeholders (a NaN gain or slope, as the DSL
/// writes a bare `xavier_*` / `kaiming_*` / `orthogonal`) by the values of `act`/`slope`. Kaiming without an
/// explicit `a` takes the activation when one was given, else PyTorch's defaults (`a = 0`,
/// `leaky_relu`).
const fn resolve(init: Init, act: Option<Nonlinearity>, slope: f64) -> Init {
    match init {
        Init::XavierUniform { gain } if gain.is_nan() => Init::XavierUniform {
            gain: act_gain(act, slope),
        },
        Init::XavierNormal { gain } if gain.is_nan() => Init::XavierNormal {
            gain: act_gain(act, slope),
        },
        Init::KaimingUniform { a, mode, .. } if a.is_nan() => {
            let (a, nonlinearity) = kaiming_auto(act, slope);
            Init::KaimingUniform {
                a,
                mode,
                nonlinearity,
            }
        }
        Init::KaimingNormal { a, mode, .. } if a.is_nan() => {
            let (a, nonlinearity) = kaiming_auto(act, slope);
            Init::KaimingNormal {
                a,
                mode,
                nonlinearity,
            }
        }
        Init::Orthogonal { gain } if gain.is_nan() => Init::Orthogonal {
            gain: act_gain(act, slope),
        },
        other => other,
    }
}

/// The gain the rule itself multiplies by: Xavier's, orthogonal's and identity's `gain`,
/// Kaiming's `calculate_gain(nonlinearity, a)`, JAX orthogonal's `scale`; `None` for rules
/// without one.
const fn own_gain(init: &Init) -> Option<f64> {
    match *init {
        Init::XavierUniform { gain }
        | Init::XavierNormal { gain }
        | Init::Orthogonal { gain }
        | Init::Identity { gain } => Some(gain),
        Init::OrthogonalJax { scale, .. } | Init::DeltaOrthogonal { scale, .. } => Some(scale),
        Init::KaimingUniform {
            a, nonlinearity, ..
        }
        | Init::KaimingNormal {
            a, nonlinearity, ..
        } => Some(gain_unchecked(nonlinearity, a)),
        _ => None,
    }
}

const fn act_gain(act: Option<Nonlinearity>, slope: f64) -> f64 {
    match act {
        Some(a) => gain_unchecked(a, slope),
        None => 1.0,
    }
}

const fn kaiming_auto(act: Option<Nonlinearity>, slope: f64) -> (f64, Nonlinearity) {
    match act {
        Some(Nonlinearity::LeakyRelu) => (slope, Nonlinearity::LeakyRelu),
        Some(a) => (0.0, a),
        None => (0.0, Nonlinearity::LeakyRelu),
    }
}
