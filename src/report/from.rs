//! A [`Stack`] from a model: a `network!` spec table ([`Stack::from_specs`],
//! [`Stack::from_network`]) or run-time tensor specs with activations
//! ([`Stack::from_tensor_specs`], what `glorot report --spec` reads).
//!
//! The report runs a feed-forward chain of 2-D convolutions (`{name}.weight (out, C, kH, kW)`,
//! `network!` models with `input = [C, H, W]` only) and then fully connected layers, each a
//! weight `{name}.weight (out, in)` in PyTorch's layout and an optional bias `{name}.bias
//! (out)`, every layer reading the previous one's outputs. Anything else is
//! [`ReportError::Unsupported`] with the tensor or layer named, never a guess: the report would
//! otherwise show numbers of a network that is not the model.

use super::{Activation, Conv, Layer, Pool, ReportError, Stack};
use crate::io::TensorSpec;
use crate::model::{ConvGeometry, LayerInfo, Network, ParamSpec, PoolGeometry, Role};
use crate::{Fans, Init};

/// One tensor as the chain reader sees it, from either source.
struct Tensor<'a> {
    name: &'a str,
    shape: &'a [usize],
    init: Init,
    /// Fans the initializer reads (`None`: rank < 2 or unreadable).
    fans: Option<Fans>,
    /// What it is: `Some(true)` weight, `Some(false)` bias, `None` unknown (run-time specs
    /// carry no role: read from the name and rank).
    weight: Option<bool>,
    act: Option<Activation>,
    /// The layer facts `network!` recorded (none for run-time specs).
    layer: LayerInfo,
}

impl Stack {
    /// The stack of a `network!` model (see [`Stack::from_specs`]).
    ///
    /// ```
    /// use glorot::report::{Activation, Stack};
    /// glorot::network! {
    ///     struct Mlp {
    ///         fc1: linear(64 => 32, act = softsign, init = xavier_uniform, bias = zeros),
    ///         out: linear(10, init = xavier_uniform, bias = zeros),
    ///     }
    /// }
    /// let s = Stack::from_network::<Mlp>()?;
    /// assert_eq!(s, Stack::mlp(64, &[32], Activation::Softsign, 10));
    /// # Ok::<(), glorot::report::ReportError>(())
    /// ```
    pub fn from_network<M: Network>() -> Result<Stack, ReportError> {
        Stack::from_specs(M::SPECS)
    }

    /// The stack of a `network!` spec table (a model's `SPECS`, a
    /// [preset](crate::model::presets)'s `params`): every layer a `linear`/`dense` (weight
    /// `(out, in)`, optional bias) or a `conv2d` (weight `(out, C, kH, kW)`), each reading the
    /// previous one's outputs, every hidden layer with an `act = …` (the last layer gives the
    /// softmax logits; without `act` it is linear). Each layer's own init is its spec's
    /// initializer, so [`super::Scheme::Own`] looks at exactly the weights
    /// [`crate::model::init`] fills for the same seed.
    ///
    /// Convolutions need their spatial sizes, so the model must declare `input = [C, H, W]`
    /// (the report reads [`LayerInfo::conv`]); between layers a single `max_pool2d` or
    /// `avg_pool2d` after a convolution ([`LayerInfo::pool`], run as the convolution's
    /// [`Layer::pool`]), `flatten`, and an adaptive pool to the size it already has are run;
    /// convolutions come first, then fully connected layers.
    ///
    /// ```
    /// use glorot::report::Stack;
    /// glorot::network! {
    ///     struct Cnn {
    ///         input = [1, 12, 12],
    ///         c1: conv2d(1 => 4, kernel = 3, padding = 1, act = relu),
    ///         p1: max_pool2d(2),
    ///         flat: flatten,
    ///         out: linear(10),
    ///     }
    /// }
    /// let s = Stack::from_network::<Cnn>()?;
    /// assert_eq!((s.fan_in(0), s.width(0), s.fan_in(1)), (9, 4 * 6 * 6, 144));
    /// # Ok::<(), glorot::report::ReportError>(())
    /// ```
    ///
    /// Errors ([`ReportError::Unsupported`]): convolutions in a model without `input`,
    /// grouped, transposed, 1-D and 3-D convolutions, other parameter-free layers between
    /// layers (two poolings in a row, an adaptive pool that resizes, `to_sequence`),
    /// embeddings, norms, attention, gated MLPs, recurrent layers, Hugging Face `Conv1D`
    /// (`(in, out)`) weights, layers inside a residual `branch { … }`, widths that do not
    /// chain, and a hidden layer without an activation.
    ///
    /// [`LayerInfo::conv`]: crate::model::LayerInfo::conv
    /// [`LayerInfo::pool`]: crate::model::LayerInfo::pool
    /// [`Layer::pool`]: super::Layer::pool
    pub fn from_specs(specs: &[ParamSpec]) -> Result<Stack, ReportError> {
        let mut tensors = Vec::with_capacity(specs.len());
        for s in specs {
            let kind = s.layer.kind;
            let what = match kind {
                "" | "linear" | "conv2d" => None,
                "conv1d" | "conv3d" => Some(
                    "a 1-D or 3-D convolution (the report runs linear/dense layers and 2-D \
                     convolutions)",
                ),
                "hf_conv1d" => Some(
                    "a Hugging Face Conv1D, stored (in, out) (the report runs linear/dense layers \
                     and 2-D convolutions)",
                ),
                _ => Some(
                    "not a layer the report runs (linear/dense layers, after 2-D convolutions \
                     if any)",
                ),
            };
            if let Some(what) = what {
                return Err(ReportError::Unsupported(format!(
                    "tensor `{}`: layer kind `{kind}` is {what}",
                    s.name()
                )));
            }
            if s.layer.branch {
                return Err(ReportError::Unsupported(format!(
                    "tensor `{}` is inside a residual branch: the report runs plain \
                     feed-forward stacks only",
                    s.name()
                )));
            }
            let weight = match s.role {
                Role::Weight => true,
                Role::Bias => false,
                other => {
                    return Err(ReportError::Unsupported(format!(
                        "tensor `{}` is a {other:?} tensor, not a fully connected layer's \
                         weight or bias",
                        s.name()
                    )))
                }
            };
            tensors.push(Tensor {
                name: s.name(),
                shape: s.shape(),
                init: s.init,
                fans: (s.rank() >= 2).then_some(Fans::new(s.fan_in, s.fan_out)),
                weight: Some(weight),
                act: s.layer.act,
                layer: s.layer,
            });
        }
        chain(&tensors)
    }

    /// The stack of run-time tensor specs (e.g. a `glorot init --spec` file's) with the
    /// activation of each layer on its weight (`acts[i]` for `tensors[i]`, `None` elsewhere):
    /// the same chain as [`Stack::from_specs`] reads, named `{layer}.weight` (rank 2, PyTorch
    /// layout `(out, in)`) and `{layer}.bias` (rank 1, right after its weight).
    ///
    /// Errors: `acts` of another length ([`ReportError::Invalid`]); a tensor of another name
    /// or rank, a JAX-layout or explicit-axes weight whose fans are not `(shape[1], shape[0])`,
    /// a zeroed range, an activation on a bias, widths that do not chain, a hidden layer
    /// without an activation ([`ReportError::Unsupported`]).
    pub fn from_tensor_specs(
        tensors: &[TensorSpec],
        acts: &[Option<Activation>],
    ) -> Result<Stack, ReportError> {
        if tensors.len() != acts.len() {
            return Err(ReportError::Invalid(format!(
                "{} tensors but {} activation entries",
                tensors.len(),
                acts.len()
            )));
        }
        let mut out = Vec::with_capacity(tensors.len());
        for (t, &act) in tensors.iter().zip(acts) {
            // The engine reads weights as (out, in): the layout must read fans that way (a
            // 2 × 3 probe tells Torch-equivalent layouts from JAX's, square shapes included).
            if t.fans.is_none()
                && t.shape.len() == 2
                && Fans::from_shape(&[2, 3], t.layout).ok() != Some(Fans::new(3, 2))
            {
                return Err(ReportError::Unsupported(format!(
                    "tensor `{}` is in a layout that stores (in, out) ({:?}): the report reads \
                     PyTorch-layout (out, in) weights",
                    crate::io::printable(&t.name),
                    t.layout
                )));
            }
            if t.zeroed.is_some() {
                return Err(ReportError::Unsupported(format!(
                    "tensor `{}` has a zeroed range (an embedding's padding row), which the \
                     report does not apply",
                    crate::io::printable(&t.name)
                )));
            }
            out.push(Tensor {
                name: &t.name,
                shape: &t.shape,
                init: t.init,
                fans: t.resolved_fans(),
                weight: None,
                act,
                layer: LayerInfo::NONE,
            });
        }
        chain(&out)
    }
}

/// Reads the chain: weight, optional bias, weight, … .
fn chain(tensors: &[Tensor<'_>]) -> Result<Stack, ReportError> {
    let unsupported = |t: &Tensor<'_>, why: String| {
        ReportError::Unsupported(format!("tensor `{}` {why}", crate::io::printable(t.name)))
    };
    let mut input = None;
    let mut layers: Vec<Layer> = Vec::new();
    let mut acts: Vec<Option<Activation>> = Vec::new();
    let mut i = 0;
    while i < tensors.len() {
        let w = &tensors[i];
        let is_weight = w.weight.unwrap_or(w.shape.len() == 2);
        let Some(prefix) = w.name.strip_suffix(".weight").filter(|p| !p.is_empty()) else {
            return Err(unsupported(
                w,
                if is_weight {
                    "is not named `{layer}.weight`: the report reads fully connected layers \
                     as `{layer}.weight (out, in)` and `{layer}.bias (out)`"
                        .into()
                } else {
                    "is not a layer's weight where one is expected (a bias comes right after \
                     its `{layer}.weight`)"
                        .into()
                },
            ));
        };
        if !w.layer.between.is_empty() {
            return Err(unsupported(
                w,
                format!(
                    "follows a `{}`, which the report does not run (between layers it runs one \
                     max or average pooling after a convolution, and `flatten`)",
                    w.layer.between
                ),
            ));
        }
        if let Some(pg) = &w.layer.pool {
            let pool = pooling(pg, layers.last()).map_err(|why| unsupported(w, why))?;
            if let Some(prev) = layers.last_mut() {
                prev.pool = Some(pool);
            }
        }
        let conv = match &w.layer.conv {
            Some(g) => Some(convolution(g, w.shape).map_err(|why| unsupported(w, why))?),
            None => None,
        };
        if let Some(c) = conv {
            let out = w.shape[0];
            let (k0, k1) = (c.kernel[0], c.kernel[1]);
            if w.fans != Some(Fans::new(c.fan_in(), out * k0 * k1)) {
                return Err(unsupported(
                    w,
                    "does not have PyTorch's convolution fans (in C·kH·kW, out OUT·kH·kW)".into(),
                ));
            }
            match input {
                None => input = Some(c.channels * c.size[0] * c.size[1]),
                Some(inp) => {
                    let prev = width(inp, &layers);
                    let reads = c.channels * c.size[0] * c.size[1];
                    if layers.last().is_some_and(|l| l.conv.is_none()) || reads != prev {
                        return Err(unsupported(
                            w,
                            format!(
                                "is a convolution reading {} × {} × {} but the layer before it \
                                 gives {prev} values: the report runs a chain of convolutions \
                                 followed by fully connected layers",
                                c.channels, c.size[0], c.size[1]
                            ),
                        ));
                    }
                }
            }
            i = push_layer(tensors, i, prefix, out, Some(c), &mut layers, &mut acts)?;
            continue;
        }
        if !is_weight || w.shape.len() != 2 {
            return Err(unsupported(
                w,
                format!(
                    "has shape {:?}: the report runs fully connected layers, whose weight is \
                     (out, in)",
                    w.shape
                ),
            ));
        }
        let (out, fan_in) = (w.shape[0], w.shape[1]);
        // The engine fills the weight as PyTorch's (out, in); other fans would be another
        // tensor than the one glorot writes.
        if w.fans != Some(Fans::new(fan_in, out)) {
            return Err(unsupported(
                w,
                format!(
                    "is not stored (out, in) = {:?} with PyTorch's fans (its fans are {}): \
                     the report reads PyTorch-layout weights",
                    w.shape,
                    w.fans.map_or("unreadable".into(), |f| format!(
                        "in {}, out {}",
                        f.fan_in, f.fan_out
                    ))
                ),
            ));
        }
        match input {
            None => input = Some(fan_in),
            Some(inp) => {
                let prev = width(inp, &layers);
                if fan_in != prev {
                    return Err(unsupported(
                        w,
                        format!(
                            "reads {fan_in} inputs but the layer before it outputs {prev}: \
                             the report runs a chain of layers, each reading the previous one"
                        ),
                    ));
                }
            }
        }
        i = push_layer(tensors, i, prefix, out, None, &mut layers, &mut acts)?;
    }
    let Some(input) = input else {
        return Err(ReportError::Unsupported("the model has no layers".into()));
    };
    let n = layers.len();
    for (k, (layer, act)) in layers.iter_mut().zip(acts).enumerate() {
        layer.act = match act {
            Some(a) => a,
            // The logits: linear unless the model says otherwise.
            None if k + 1 == n => Activation::Linear,
            None => {
                return Err(ReportError::Unsupported(format!(
                    "hidden layer `{}` declares no activation (`act = …`): the report needs \
                     the activation of every layer but the last",
                    crate::io::printable(&layer.name)
                )))
            }
        };
    }
    let stack = Stack { input, layers };
    stack.check()?;
    Ok(stack)
}

/// Appends the layer whose weight is tensor `i` (with its bias, when the next tensor is it) and
/// its declared activation; returns the index of the first tensor after the layer.
fn push_layer(
    tensors: &[Tensor<'_>],
    i: usize,
    prefix: &str,
    out: usize,
    conv: Option<Conv>,
    layers: &mut Vec<Layer>,
    acts: &mut Vec<Option<Activation>>,
) -> Result<usize, ReportError> {
    let w = &tensors[i];
    let bias = bias_of(tensors, i, prefix, out)?;
    let next = i + 1 + usize::from(bias.is_some());
    layers.push(Layer {
        name: prefix.to_string(),
        out,
        act: Activation::Linear,
        init: w.init,
        bias,
        conv,
        pool: None,
    });
    acts.push(w.act);
    Ok(next)
}

/// The bias right after weight `i` (named `{prefix}.bias`), if any.
fn bias_of(
    tensors: &[Tensor<'_>],
    i: usize,
    prefix: &str,
    out: usize,
) -> Result<Option<Init>, ReportError> {
    let Some(b) = tensors.get(i + 1) else {
        return Ok(None);
    };
    if b.name.strip_suffix(".bias") != Some(prefix) {
        return Ok(None);
    }
    let unsupported = |why: String| {
        ReportError::Unsupported(format!("tensor `{}` {why}", crate::io::printable(b.name)))
    };
    if b.weight == Some(true) || b.shape != [out] {
        return Err(unsupported(format!(
            "has shape {:?}, not the bias ({out}) of its layer",
            b.shape
        )));
    }
    if b.weight.is_none() && b.act.is_some() {
        return Err(unsupported(
            "has an activation: give a layer's `act` on its weight".into(),
        ));
    }
    Ok(Some(b.init))
}

/// The values per example the last of `layers` gives (the stack's input when empty).
fn width(input: usize, layers: &[Layer]) -> usize {
    if layers.is_empty() {
        return input;
    }
    let s = Stack {
        input,
        layers: layers.to_vec(),
    };
    s.width(layers.len() - 1)
}

/// The report's convolution for a `network!` conv2d of weight shape `shape`, or why not.
fn convolution(g: &ConvGeometry, shape: &[usize]) -> Result<Conv, String> {
    if g.rank != 2 {
        return Err("is a 1-D or 3-D convolution (the report runs 2-D ones)".into());
    }
    if g.transposed {
        return Err("is a transposed convolution, which the report does not run".into());
    }
    if g.groups != 1 {
        return Err(format!(
            "is a grouped convolution (groups = {}), which the report does not run",
            g.groups
        ));
    }
    let Some(size) = g.input else {
        return Err(
            "is a convolution whose input size the model does not track: declare \
                    `input = [C, H, W]` as the model's first entry so the report knows the \
                    spatial sizes"
                .into(),
        );
    };
    if shape.len() != 4 || shape[2] != g.kernel[0] || shape[3] != g.kernel[1] {
        return Err(format!(
            "has shape {shape:?}, not a conv2d weight (out, C, {}, {})",
            g.kernel[0], g.kernel[1]
        ));
    }
    let c = Conv {
        channels: shape[1],
        size: [size[0], size[1]],
        kernel: [g.kernel[0], g.kernel[1]],
        stride: [g.stride[0], g.stride[1]],
        padding: [g.padding[0], g.padding[1]],
        dilation: [g.dilation[0], g.dilation[1]],
    };
    if c.out_size().is_none() {
        return Err("is a convolution whose kernel does not fit its input".into());
    }
    Ok(c)
}

/// The report's pooling for the `network!` pooling before a layer, attached to the layer
/// before it (`prev`), or why not.
fn pooling(g: &PoolGeometry, prev: Option<&Layer>) -> Result<Pool, String> {
    let Some(c) = prev.and_then(|l| l.conv) else {
        return Err(
            "follows a pooling that does not follow a 2-D convolution: the report \
                    pools convolutions' activations only"
                .into(),
        );
    };
    if g.rank != 2 {
        return Err("follows a 1-D or 3-D pooling (the report runs 2-D ones)".into());
    }
    let Some(size) = g.input else {
        return Err(
            "follows a pooling whose input size the model does not track: declare \
                    `input = [C, H, W]`"
                .into(),
        );
    };
    let pool = Pool {
        max: g.max,
        kernel: [g.kernel[0], g.kernel[1]],
        stride: [g.stride[0], g.stride[1]],
        padding: [g.padding[0], g.padding[1]],
        dilation: [g.dilation[0], g.dilation[1]],
        ceil_mode: g.ceil_mode,
    };
    // The builder and the report compute the same sizes; a mismatch would be a bug in one.
    if c.out_size() != Some([size[0], size[1]]) || pool.out_size([size[0], size[1]]).is_none() {
        return Err(format!(
            "follows a pooling of input {:?} that is not the output {:?} of the convolution \
             before it",
            &size[..2],
            c.out_size()
        ));
    }
    Ok(pool)
}
