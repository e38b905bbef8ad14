//! Variance propagation at initialization: the report of Glorot & Bengio (2010) and He et al.
//! (2015) for your own stack of layers (feature `report`, off by default).
//!
//! The point of Xavier/Glorot and He initialization is that activations and back-propagated
//! gradients keep their variance across depth. [`run`] shows it the way the papers do: it
//! initializes a [`Stack`] with glorot (the same [`Key`](crate::Key), tensor names and
//! initializers as [`crate::model::init`] or `glorot init` use, so it looks at exactly the
//! weights glorot writes), pushes a batch of random inputs forward and the gradient of a softmax
//! cross-entropy against random labels backward, and records per layer:
//!
//! - the activations `z = f(s)`: mean, std, 98th percentile, fraction saturated, histogram
//!   (Glorot & Bengio, Figure 6);
//! - the back-propagated gradient `∂cost/∂s`: std and histogram (Figure 7);
//! - the weight gradient `∂cost/∂W`: std and histogram (Figure 8);
//! - the mean singular value of the layer Jacobian `J = ∂z^i/∂z^{i−1} = diag(f′(s^i))·W_i`,
//!   averaged over a few examples (§4.2.2; the large-n limit for a square iid matrix is
//!   `8/(3π)·√(n·Var W)`: 0.849 for the normalized init, 0.490 for the standard one).
//!
//! A [`Stack`] is built by hand, by [`Stack::mlp`], or from a model: [`Stack::from_network`]
//! reads a `network!` declaration whose layers carry activations (`act = tanh`, `softsign`,
//! `sigmoid`, `relu`, `leaky_relu(a)`, `gelu`, `selu`, `linear`; each layer's
//! [`ParamSpec::layer`](crate::model::ParamSpec::layer)), [`Stack::from_specs`] a preset's
//! spec table, [`Stack::from_tensor_specs`] run-time tensor specs (a `glorot init --spec`
//! file with `act` keys). The report runs chains of fully connected layers, optionally after
//! 2-D convolutions with max or average pooling (a `network!` CNN that declares
//! `input = [C, H, W]`, e.g. LeNet: conv → pool → conv → pool → flatten → linear; forward by
//! im2col and a matrix product, backward by its adjoint; the Jacobian's singular values are
//! skipped for convolutions); grouped or transposed convolutions, norms, attention,
//! recurrent layers, residual branches and hidden layers without an activation are a
//! [`ReportError::Unsupported`] naming the tensor.
//!
//! Each [`Scheme`] is run on the same inputs, labels and uniform draws (the same tensor names
//! under the same key), so the runs differ only by the initializer: the stack's own
//! initializers, the paper's "standard" `U[−1/√n, 1/√n]` (eq. 1, which is also PyTorch's
//! `nn.Linear` default `kaiming_uniform_(a=√5)`), the "normalized" init (eq. 16, PyTorch's
//! `xavier_uniform_(gain=1)`), and for rectifiers He et al.'s `kaiming_normal_(fan_in)`.
//!
//! [`depth`] is He et al.'s §2.2 experiment: E\[y²\] of the pre-activations through a deep ReLU
//! stack under He init vs variance 1/n. [`svg`] and [`html`] draw the figures; [`Report::table`]
//! prints the numbers.
//!
//! ```
//! use glorot::report::{self, Activation, Options, Scheme, Stack};
//!
//! glorot::network! {
//!     struct Net {
//!         fc1: linear(64 => 64, act = tanh, init = xavier_uniform, bias = zeros),
//!         fc2: linear(64, act = tanh, init = xavier_uniform, bias = zeros),
//!         fc3: linear(64, act = tanh, init = xavier_uniform, bias = zeros),
//!         out: linear(10, init = xavier_uniform, bias = zeros),
//!     }
//! }
//!
//! // The paper's setup, smaller: 64 → 3 × 64 tanh → 10, batch 50.
//! let stack = Stack::from_network::<Net>()?;
//! assert_eq!(stack, Stack::mlp(64, &[64, 64, 64], Activation::Tanh, 10));
//! let opts = Options { batch: 50, jacobian_examples: 1, ..Options::default() };
//! let rep = report::run(&stack, &[Scheme::Standard, Scheme::Normalized], &opts)?;
//! let std = &rep.runs[0].layers;
//! // Standard init: the activations shrink going up.
//! assert!(std[2].activation.std < std[0].activation.std);
//! # Ok::<(), glorot::report::ReportError>(())
//! ```
//!
//! Conventions: weights have PyTorch's layout `(out, in)` and the layer computes
//! `s = z·Wᵀ + b` (`nn.Linear`); the cost is the batch mean of `−log softmax(z^L)[y]`, so the
//! weight gradient is the batch mean, and the back-propagated gradient shown is the
//! per-example `∂(−log P(y|x))/∂s` (the quantity of the paper's Figure 7). Matrix products and
//! singular values are computed with `faer` (not bit-reproducible across machines, but the same
//! seed gives the same numbers on one machine); every random number comes from glorot.

mod activation;
mod conv;
pub mod depth;
mod engine;
mod error;
mod from;
pub mod html;
mod stats;
pub mod svg;

pub use activation::Activation;
pub use depth::{DepthOptions, DepthReport, DepthRun};
pub use engine::run;
pub use error::ReportError;
pub use stats::{Histogram, Summary};

use crate::Init;

/// One layer: fully connected, `s = z·Wᵀ + b`, `z′ = act(s)`, with `W` of PyTorch's shape
/// `(out, in)`; or, with [`Layer::conv`], a 2-D convolution (`nn.Conv2d`, weight
/// `(out, C, kH, kW)`). The weight is the tensor `{name}.weight` (`{name}.bias` for the bias).
/// Activations are stored per example in PyTorch's `(C, H, W)` order, so `flatten` before a
/// linear layer is the identity.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Tensor-name prefix, e.g. `fc1` (tensors `fc1.weight`, `fc1.bias`).
    pub name: String,
    /// Output units (a convolution's output channels).
    pub out: usize,
    /// The activation applied to this layer's output.
    pub act: Activation,
    /// The weight initializer under [`Scheme::Own`].
    pub init: Init,
    /// The bias initializer under [`Scheme::Own`] (`None`: no bias). The comparison schemes
    /// use zero biases, as the papers do.
    pub bias: Option<Init>,
    /// A convolution's geometry; `None` for a fully connected layer.
    pub conv: Option<Conv>,
    /// A pooling applied to this layer's activations before the next layer reads them (a
    /// convolution's only). The layer's statistics are of its activations before pooling.
    pub pool: Option<Pool>,
}

/// A 2-D convolution (`nn.Conv2d`, `groups = 1`, zero padding) on an input of
/// `channels × size[0] × size[1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv {
    /// Input channels.
    pub channels: usize,
    /// Input height and width.
    pub size: [usize; 2],
    /// Kernel height and width.
    pub kernel: [usize; 2],
    /// Stride.
    pub stride: [usize; 2],
    /// Zero padding on both sides.
    pub padding: [usize; 2],
    /// Dilation.
    pub dilation: [usize; 2],
}

impl Conv {
    /// Output height and width (`None` when the kernel does not fit or a stride or dilation
    /// is 0).
    pub fn out_size(&self) -> Option<[usize; 2]> {
        let axis = |d: usize| {
            crate::model::conv_output_len(
                self.size[d],
                self.kernel[d],
                self.stride[d],
                self.padding[d],
                self.dilation[d],
            )
        };
        Some([axis(0)?, axis(1)?])
    }

    /// The weight's fan-in `C·kH·kW`.
    pub fn fan_in(&self) -> usize {
        self.channels * self.kernel[0] * self.kernel[1]
    }
}

/// A 2-D max or average pooling (`nn.MaxPool2d`, `nn.AvgPool2d` with
/// `count_include_pad = True`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pool {
    /// Max (`true`) or average pooling.
    pub max: bool,
    /// Window height and width.
    pub kernel: [usize; 2],
    /// Stride.
    pub stride: [usize; 2],
    /// Padding (−∞ for max, zeros counted in the average).
    pub padding: [usize; 2],
    /// Dilation (1 for average pooling).
    pub dilation: [usize; 2],
    /// `ceil_mode`.
    pub ceil_mode: bool,
}

impl Pool {
    /// Output height and width on an input of `size` (PyTorch's `pooling_output_shape`);
    /// `None` when the window does not fit, a size is 0, or the padding exceeds half the
    /// kernel.
    pub fn out_size(&self, size: [usize; 2]) -> Option<[usize; 2]> {
        let axis = |d: usize| {
            crate::model::pool_output_len(
                size[d],
                self.kernel[d],
                self.stride[d],
                self.padding[d],
                self.dilation[d],
                self.ceil_mode,
            )
        };
        Some([axis(0)?, axis(1)?])
    }
}

/// A stack of fully connected layers on an input of `input` features.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// Input features.
    pub input: usize,
    /// The layers, bottom to top; the last one's outputs are the softmax logits.
    pub layers: Vec<Layer>,
}

impl Stack {
    /// An MLP `input → hidden[0] → … → classes` with `act` on the hidden layers and a linear
    /// output, named `fc1`, `fc2`, …, `out`; its own init is `xavier_uniform` with the
    /// activation's gain (PyTorch's `calculate_gain`; 1 where PyTorch has none), zero biases.
    pub fn mlp(input: usize, hidden: &[usize], act: Activation, classes: usize) -> Stack {
        let gain = act.torch_gain().unwrap_or(1.0);
        let mut layers: Vec<Layer> = hidden
            .iter()
            .enumerate()
            .map(|(i, &out)| Layer {
                name: format!("fc{}", i + 1),
                out,
                act,
                init: Init::XavierUniform { gain },
                bias: Some(Init::Zeros),
                conv: None,
                pool: None,
            })
            .collect();
        layers.push(Layer {
            name: "out".into(),
            out: classes,
            act: Activation::Linear,
            init: Init::XavierUniform { gain: 1.0 },
            bias: Some(Init::Zeros),
            conv: None,
            pool: None,
        });
        Stack { input, layers }
    }

    /// Glorot & Bengio's network: 784 → 5 × 1000 `act` → 10. With tanh this is the
    /// `glorot-mlp` preset ([`crate::model::presets::GlorotMlp`]): same names, shapes and
    /// initializers.
    pub fn glorot_mlp(act: Activation) -> Stack {
        Stack::mlp(784, &[1000; 5], act, 10)
    }

    /// Fan-in of layer `i`: a convolution's `C·kH·kW`, else its input width.
    pub fn fan_in(&self, i: usize) -> usize {
        match &self.layers[i].conv {
            Some(c) => c.fan_in(),
            None => self.input_width(i),
        }
    }

    /// The values per example layer `i` reads: the stack's input, or the previous layer's
    /// [`Stack::width`].
    pub fn input_width(&self, i: usize) -> usize {
        if i == 0 {
            self.input
        } else {
            self.width(i - 1)
        }
    }

    /// Layer `i`'s output spatial size before its pooling (`[1, 1]` for a fully connected
    /// layer; `[0, 0]` for a convolution whose kernel does not fit).
    pub fn out_size(&self, i: usize) -> [usize; 2] {
        match &self.layers[i].conv {
            Some(c) => c.out_size().unwrap_or([0, 0]),
            None => [1, 1],
        }
    }

    /// The values per example layer `i` gives the next one (after its pooling).
    pub fn width(&self, i: usize) -> usize {
        let l = &self.layers[i];
        let [h, w] = match (&l.conv, &l.pool) {
            (Some(_), Some(p)) => p.out_size(self.out_size(i)).unwrap_or([0, 0]),
            _ => self.out_size(i),
        };
        l.out * h * w
    }

    /// Checks sizes: at least one layer, every width ≥ 1, at least 2 classes, convolution
    /// and pooling geometries that fit and chain, a fully connected last layer.
    pub fn check(&self) -> Result<(), ReportError> {
        if self.layers.is_empty() {
            return Err(ReportError::Invalid("the stack has no layers".into()));
        }
        if self.input == 0 || self.layers.iter().any(|l| l.out == 0) {
            return Err(ReportError::Invalid(
                "every layer width must be at least 1".into(),
            ));
        }
        for (i, l) in self.layers.iter().enumerate() {
            let bad = |why: String| ReportError::Invalid(format!("layer `{}`: {why}", l.name));
            if l.pool.is_some() && l.conv.is_none() {
                return Err(bad("pooling follows a convolution only".into()));
            }
            let Some(c) = &l.conv else { continue };
            let Some(out) = c.out_size() else {
                return Err(bad(format!(
                    "the kernel {:?} (dilation {:?}, padding {:?}, stride {:?}) does not fit                      its input {:?}",
                    c.kernel, c.dilation, c.padding, c.stride, c.size
                )));
            };
            if let Some(p) = &l.pool {
                if p.out_size(out).is_none() {
                    return Err(bad(format!(
                        "its pooling window {:?} does not fit the output {out:?}",
                        p.kernel
                    )));
                }
            }
            let reads = c.channels * c.size[0] * c.size[1];
            if reads != self.input_width(i) {
                return Err(bad(format!(
                    "reads {} × {} × {} = {reads} values per example but gets {}",
                    c.channels,
                    c.size[0],
                    c.size[1],
                    self.input_width(i)
                )));
            }
            if i > 0 && self.layers[i - 1].conv.is_none() {
                return Err(bad(
                    "a convolution after a fully connected layer is not supported".into(),
                ));
            }
            if i > 0 && self.layers[i - 1].out != c.channels {
                return Err(bad(format!(
                    "reads {} channels but the layer before gives {}",
                    c.channels,
                    self.layers[i - 1].out
                )));
            }
        }
        if self.layers.last().is_some_and(|l| l.conv.is_some()) {
            return Err(ReportError::Invalid(
                "the last layer (the softmax logits) must be fully connected".into(),
            ));
        }
        if self.layers.last().map(|l| l.out) < Some(2) {
            return Err(ReportError::Invalid(
                "the last layer (the softmax logits) needs at least 2 outputs".into(),
            ));
        }
        for l in &self.layers {
            l.act.check()?;
        }
        Ok(())
    }
}

/// Which initializer a run uses for every weight.
#[derive(Clone, Debug, PartialEq)]
pub enum Scheme {
    /// Each layer's own [`Layer::init`] and [`Layer::bias`].
    Own,
    /// Glorot & Bengio's eq. (1): `U[−1/√n, 1/√n)`, `n` = fan-in (so `n·Var W = 1/3`); this
    /// is also PyTorch's `nn.Linear` default. Zero biases.
    Standard,
    /// Glorot & Bengio's eq. (16), "normalized": `U[±√6/√(n_in + n_out))`, PyTorch's
    /// `xavier_uniform_(gain=1)`. Zero biases.
    Normalized,
    /// He et al. (2015): `N(0, 2/((1+a²)·fan_in))` (`kaiming_normal_(a, fan_in)` with each
    /// layer's activation: ReLU/leaky ReLU gain, 1 for the rest). Zero biases.
    He,
    /// Any initializer for every weight, zero biases.
    Custom {
        /// Shown in tables and legends.
        label: String,
        /// The initializer.
        init: Init,
    },
}

impl Scheme {
    /// The name in tables and legends.
    pub fn label(&self) -> String {
        match self {
            Scheme::Own => "own init".into(),
            Scheme::Standard => "standard U[±1/√n]".into(),
            Scheme::Normalized => "normalized (Xavier)".into(),
            Scheme::He => "He (kaiming_normal)".into(),
            Scheme::Custom { label, .. } => label.clone(),
        }
    }

    /// The weight and bias initializers of `layer` (fan-in `fan_in`) under this scheme.
    pub fn inits(&self, layer: &Layer, fan_in: usize) -> (Init, Option<Init>) {
        match self {
            Scheme::Own => (layer.init, layer.bias),
            Scheme::Standard => {
                let b = 1.0 / (fan_in as f64).sqrt();
                (Init::Uniform { low: -b, high: b }, None)
            }
            Scheme::Normalized => (Init::XavierUniform { gain: 1.0 }, None),
            Scheme::He => (layer.act.he_init(), None),
            Scheme::Custom { init, .. } => (*init, None),
        }
    }

    /// The default comparison for `stack`: its own init, standard, normalized, and He when a
    /// hidden layer is a rectifier (ReLU, leaky ReLU, GELU).
    pub fn defaults_for(stack: &Stack) -> Vec<Scheme> {
        let mut v = vec![Scheme::Standard, Scheme::Normalized, Scheme::Own];
        if stack.layers.iter().any(|l| l.act.is_rectifier()) {
            v.push(Scheme::He);
        }
        v
    }
}

/// Random inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    /// Standard normal features (glorot's `normal(0, 1)`).
    Gaussian,
    /// `U[0, 1)` features, like pixel intensities.
    Uniform01,
}

/// How a report is computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Examples in the batch (Glorot & Bengio's figures: 300 at a time is plenty).
    pub batch: usize,
    /// The seed of the weights (as `glorot init --seed`), the inputs and the labels.
    pub seed: u64,
    /// Input distribution.
    pub input: Input,
    /// Histogram bins.
    pub bins: usize,
    /// Examples whose Jacobians are decomposed per layer (0: skip the singular values).
    /// Each costs one SVD per layer, O(n³) for width n.
    pub jacobian_examples: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch: 300,
            seed: 0,
            input: Input::Gaussian,
            bins: 80,
            jacobian_examples: 2,
        }
    }
}

/// Per-layer numbers of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStats {
    /// The layer's name.
    pub name: String,
    /// Input width ([`Stack::fan_in`]: a convolution's `C·kH·kW`).
    pub fan_in: usize,
    /// Output width (a convolution's output channels).
    pub fan_out: usize,
    /// The activation.
    pub act: Activation,
    /// The weight initializer used.
    pub init: Init,
    /// Activations `z = f(s)`.
    pub activation: Summary,
    /// Their histogram.
    pub activation_hist: Histogram,
    /// Back-propagated gradient `∂(−log P(y|x))/∂s`, per example.
    pub backprop: Summary,
    /// Its histogram.
    pub backprop_hist: Histogram,
    /// Weight gradient `∂cost/∂W` (batch mean).
    pub weight_grad: Summary,
    /// Its histogram.
    pub weight_grad_hist: Histogram,
    /// Mean singular value of `diag(f′(s))·W` over [`Options::jacobian_examples`] examples;
    /// `None` when that is 0, and always for a convolution (whose Jacobian, `out·oH·oW ×
    /// C·H·W`, is not decomposed).
    pub jacobian_mean_sv: Option<f64>,
}

/// One scheme's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The scheme.
    pub scheme: Scheme,
    /// Its label.
    pub label: String,
    /// Bottom to top.
    pub layers: Vec<LayerStats>,
    /// Batch-mean cost `−log P(y|x)`.
    pub cost: f64,
}

impl Run {
    /// The back-propagated gradient std of the bottom layer over that of the top hidden layer
    /// (the last layer before the logits): how much of the gradient survives the way down.
    pub fn backprop_ratio(&self) -> f64 {
        let n = self.layers.len();
        let top = n.saturating_sub(2);
        self.layers[0].backprop.std / self.layers[top].backprop.std
    }
}

/// The report: one [`Run`] per scheme, on the same inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// What was analysed.
    pub stack: Stack,
    /// How.
    pub options: Options,
    /// One per scheme, in the order asked.
    pub runs: Vec<Run>,
}

impl Report {
    /// The hidden layers' activation: its name when they share one (`tanh`), else the names
    /// bottom to top (`relu/relu/tanh`), for titles.
    pub fn hidden_activations(&self) -> String {
        let layers = &self.stack.layers;
        let hidden = &layers[..layers.len().saturating_sub(1).max(1).min(layers.len())];
        let names: Vec<&str> = hidden.iter().map(|l| l.act.name()).collect();
        if names.windows(2).all(|w| w[0] == w[1]) {
            names.first().copied().unwrap_or("").to_string()
        } else {
            names.join("/")
        }
    }

    /// The per-layer table, plain text (one block per scheme).
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} examples ({}), seed {}; per example −log P(y|x) with random labels",
            self.options.batch,
            match self.options.input {
                Input::Gaussian => "Gaussian N(0,1) inputs",
                Input::Uniform01 => "U[0,1) inputs",
            },
            self.options.seed
        );
        for run in &self.runs {
            let _ = writeln!(s, "\n{} — cost {:.4}", run.label, run.cost);
            let _ = writeln!(
                s,
                "{:<6} {:>11} {:<11} {:>8} {:>8} {:>8} {:>6} {:>10} {:>10} {:>8}",
                "layer",
                "shape",
                "act",
                "mean",
                "std",
                "p98",
                "sat%",
                "∂C/∂s std",
                "∂C/∂W std",
                "mean σ(J)"
            );
            for l in &run.layers {
                let _ = writeln!(
                    s,
                    "{:<6} {:>11} {:<11} {:>8.4} {:>8.4} {:>8.4} {:>6} {:>10.3e} {:>10.3e} {:>8}",
                    l.name,
                    format!("{}x{}", l.fan_out, l.fan_in),
                    l.act.name(),
                    l.activation.mean,
                    l.activation.std,
                    l.activation.p98,
                    l.activation
                        .saturated
                        .map_or("-".to_string(), |f| format!("{:.1}", 100.0 * f)),
                    l.backprop.std,
                    l.weight_grad.std,
                    l.jacobian_mean_sv
                        .map_or("-".to_string(), |v| format!("{v:.4}")),
                );
            }
            let _ = writeln!(
                s,
                "∂C/∂s std, bottom / top hidden layer: {:.3}",
                run.backprop_ratio()
            );
        }
        s
    }
}
