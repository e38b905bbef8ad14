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
    /// A convolution's geometry (`None` for other kinds).
    pub conv: Option<ConvGeometry>,
    /// The pooling layer between the previous layer with tensors and this one, when there is
    /// exactly one and nothing else but `flatten` (see [`LayerInfo::between`]).
    pub pool: Option<PoolGeometry>,
    /// The first parameter-free layer between the previous layer with tensors and this one
    /// that [`LayerInfo::pool`] does not describe (a second pooling, an adaptive pool that
    /// changes the size, `to_sequence`); empty when none. `flatten` is never recorded: it does
    /// not change values.
    pub between: &'static str,
}

/// A convolution's geometry as `network!` declared it, per spatial axis (`rank` of the three
/// entries are used, the rest are 1 or 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConvGeometry {
    /// Spatial rank: 1, 2 or 3.
    pub rank: usize,
    /// The spatial size of the layer's input, when the model tracks it (`input = [C, …]`, or
    /// an adaptive pool before); `None` otherwise.
    pub input: Option<[usize; 3]>,
    /// Kernel size.
    pub kernel: [usize; 3],
    /// Stride.
    pub stride: [usize; 3],
    /// Zero padding on both sides.
    pub padding: [usize; 3],
    /// Dilation.
    pub dilation: [usize; 3],
    /// Channel groups.
    pub groups: usize,
    /// A transposed convolution.
    pub transposed: bool,
}

/// A `max_poolNd` / `avg_poolNd` layer's geometry (PyTorch's defaults filled in: stride = the
/// kernel when not given).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolGeometry {
    /// Max (`true`) or average pooling.
    pub max: bool,
    /// Spatial rank: 1, 2 or 3.
    pub rank: usize,
    /// The spatial size of the pooling's input when tracked.
    pub input: Option<[usize; 3]>,
    /// Window size.
    pub kernel: [usize; 3],
    /// Stride.
    pub stride: [usize; 3],
    /// Padding (implicit −∞ for max pooling, zeros counted in the average for avg pooling:
    /// PyTorch's `count_include_pad = True`).
    pub padding: [usize; 3],
    /// Dilation (max pooling only; 1 otherwise).
    pub dilation: [usize; 3],
    /// `ceil_mode`.
    pub ceil_mode: bool,
}

/// A convolution's output length along one axis (PyTorch's `nn.ConvNd`):
/// `(size + 2·padding − dilation·(kernel − 1) − 1) / stride + 1`; `None` when the dilated
/// kernel does not fit the padded input or the kernel, stride or dilation is 0.
pub(crate) const fn conv_output_len(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Option<usize> {
    if kernel == 0 || stride == 0 || dilation == 0 {
        return None;
    }
    let span = dilation * (kernel - 1) + 1;
    let padded = size + 2 * padding;
    if padded < span {
        return None;
    }
    Some((padded - span) / stride + 1)
}

/// A pooling's output length along one axis (PyTorch's `pooling_output_shape`, for max and
/// average pooling): as [`conv_output_len`], rounded up with `ceil_mode` except that the last
/// window must start inside the input or the left padding; `None` also when the padding is
/// more than half the kernel, which PyTorch refuses.
pub(crate) const fn pool_output_len(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
    ceil_mode: bool,
) -> Option<usize> {
    if kernel == 0 || stride == 0 || dilation == 0 || padding > kernel / 2 {
        return None;
    }
    let span = dilation * (kernel - 1) + 1;
    let padded = size + 2 * padding;
    if padded < span {
        return None;
    }
    let up = if ceil_mode { stride - 1 } else { 0 };
    let mut out = (padded - span + up) / stride + 1;
    if ceil_mode && (out - 1) * stride >= size + padding {
        out -= 1;
    }
    Some(out)
}

impl LayerInfo {
    /// Nothing known.
    pub const NONE: LayerInfo = LayerInfo {
        kind: "",
        act: None,
        branch: false,
        conv: None,
        pool: None,
        between: "",
    };
}
