//! What a layer applies to its output ([`Activation`]), and the layer facts `network!` records
//! on each of the layer's tensors ([`LayerInfo`]), so code reading a spec table (the
//! variance-propagation report, writers) knows more than the tensor's shape.

use crate::gain::gain_unchecked;
use crate::Nonlinearity;

/// An activation function, as a layer's `act = …` declares it.
///
/// The gain `network!` derives from it (Xavier's and orthogonal's default gain, Kaiming's
/// nonlinearity when `kaiming_*` has no arguments) is PyTorch's `calculate_gain` where PyTorch
/// has one; softsign and GELU, which `calculate_gain` does not know, take gain 1 (the
/// `linear` gain) — write the gain or `kaiming_normal(nonlinearity = relu)` explicitly for
/// another choice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `tanh(s)`.
    Tanh,
    /// `s/(1+|s|)` (Glorot & Bengio's softsign).
    Softsign,
    /// `1/(1+e^{−s})`.
    Sigmoid,
    /// `max(s, 0)`.
    Relu,
    /// `s` for `s ≥ 0`, `slope·s` below.
    LeakyRelu(f64),
    /// `s·Φ(s)`, the exact (erf) form, PyTorch's `nn.GELU()` default.
    Gelu,
    /// Identity.
    Linear,
    /// PyTorch's `nn.SELU`: `λ·s` for `s > 0`, `λ·α·(e^s − 1)` below (λ ≈ 1.0507, α ≈ 1.6733).
    Selu,
}

impl Activation {
    /// The name (`network!`'s `act = …` spelling; `leaky_relu` for any slope).
    pub const fn name(&self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Softsign => "softsign",
            Activation::Sigmoid => "sigmoid",
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Gelu => "gelu",
            Activation::Linear => "linear",
            Activation::Selu => "selu",
        }
    }

    /// The activation a `calculate_gain` nonlinearity stands for as a layer's `act`: the
    /// convolution names are gain-1 identities, so [`Activation::Linear`]; `slope` is leaky
    /// ReLU's.
    pub const fn from_nonlinearity(n: Nonlinearity, slope: f64) -> Activation {
        match n {
            Nonlinearity::Sigmoid => Activation::Sigmoid,
            Nonlinearity::Tanh => Activation::Tanh,
            Nonlinearity::Relu => Activation::Relu,
            Nonlinearity::LeakyRelu => Activation::LeakyRelu(slope),
            Nonlinearity::Selu => Activation::Selu,
            Nonlinearity::Linear
            | Nonlinearity::Conv1d
            | Nonlinearity::Conv2d
            | Nonlinearity::Conv3d
            | Nonlinearity::ConvTranspose1d
            | Nonlinearity::ConvTranspose2d
            | Nonlinearity::ConvTranspose3d => Activation::Linear,
        }
    }

    /// The `calculate_gain` nonlinearity whose gain `network!` uses for this activation:
    /// `Linear` (gain 1) for softsign and GELU, which PyTorch has no gain for.
    pub const fn nonlinearity(&self) -> Nonlinearity {
        match self {
            Activation::Tanh => Nonlinearity::Tanh,
            Activation::Sigmoid => Nonlinearity::Sigmoid,
            Activation::Relu => Nonlinearity::Relu,
            Activation::LeakyRelu(_) => Nonlinearity::LeakyRelu,
            Activation::Selu => Nonlinearity::Selu,
            Activation::Softsign | Activation::Gelu | Activation::Linear => Nonlinearity::Linear,
        }
    }

    /// The gain `network!` records for it: `calculate_gain(self.nonlinearity(), slope)`
    /// (1 for softsign and GELU).
    pub const fn gain(&self) -> f64 {
        let slope = match self {
            Activation::LeakyRelu(a) => *a,
            _ => 0.01,
        };
        gain_unchecked(self.nonlinearity(), slope)
    }
}

/// The layer a tensor belongs to, as `network!` declared it (every tensor of a layer carries
/// the same). [`LayerInfo::NONE`] for a spec built by hand ([`ParamSpec::new`]).
///
/// [`ParamSpec::new`]: crate::model::ParamSpec::new
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerInfo {
    /// The layer kind as the builder names it: `linear` (also for `dense`), `hf_conv1d`,
    /// `conv1d`/`conv2d`/`conv3d`, `embedding`, `layer_norm`, `rms_norm`, `batch_norm`,
    /// `attention`, `gated_mlp`, `rnn`/`lstm`/`gru`, …; empty when unknown.
    pub kind: &'static str,
    /// The layer's `act = …`, `None` when it declares none.
    pub act: Option<Activation>,
    /// Whether the layer sits inside a residual `branch { … }` (its output is added to the
    /// main path, not fed to the next layer).
    pub branch: bool,
}

impl LayerInfo {
    /// Nothing known.
    pub const NONE: LayerInfo = LayerInfo {
        kind: "",
        act: None,
        branch: false,
    };
}
