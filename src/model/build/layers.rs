//! Layer kinds: each one's PyTorch tensor names, shapes, registration order and default
//! initializers.

use super::opts::{opt, Cell, NormKind, Opts};
use super::Builder;
use crate::model::{Name, Role};
use crate::{Fans, Init};

impl<const N: usize> Builder<N> {
    /// A weight `(out, in)` plus optional bias `(out)` with PyTorch's `nn.Linear` defaults.
    const fn linear_tensors(&mut self, input: usize, out: usize, o: &Opts, w_init: Init) {
        self.tensor(
            "weight",
            &[out, input],
            w_init,
            o.act,
            o.slope,
            Role::Weight,
        );
        if o.bias {
            let b = match o.bias_init {
                Some(b) => b,
                None => Init::torch_default_bias(input),
            };
            self.tensor("bias", &[out], b, o.act, o.slope, Role::Bias);
        }
    }

    /// `linear(IN => OUT)` / `dense`: weight `(out, in)`, bias `(out)`.
    pub const fn linear(&mut self, input: Option<usize>, out: usize, o: &Opts) {
        self.check_opts(o, opt::ACT | opt::INIT | opt::BIAS, "linear");
        self.flat_input("linear");
        let i = self.input(input, "linear");
        let w = match o.init {
            Some(w) => w,
            None => Init::torch_default_weight(),
        };
        self.linear_tensors(i, out, o, w);
        self.output(out);
    }

    /// `hf_conv1d(IN => OUT)`: Hugging Face `transformers`' `Conv1D` (GPT-2's projections,
    /// `pytorch_utils.Conv1D(nf = OUT, nx = IN)`): weight stored `(in, out)` and applied as
    /// `x·W + b`, bias `(out)`. Defaults as its constructor: weight `normal(0, 0.02)`, bias 0.
    /// Fans come from its semantics, not from PyTorch's shape rule (which would read the
    /// stored shape swapped): `fan_in = in = shape[0]`, `fan_out = out = shape[1]`, so
    /// Kaiming, LeCun and Xavier give the values they give on the equivalent `nn.Linear`.
    pub const fn hf_conv1d(&mut self, input: Option<usize>, out: usize, o: &Opts) {
        self.check_opts(o, opt::ACT | opt::INIT | opt::BIAS, "hf_conv1d");
        self.flat_input("hf_conv1d");
        let i = self.input(input, "hf_conv1d");
        let w = match o.init {
            Some(w) => w,
            None => Init::Normal {
                mean: 0.0,
                std: 0.02,
            },
        };
        self.conv1d_tensors(i, out, o, w);
        self.output(out);
    }

    /// `Conv1D`'s weight `(in, out)` with fans `(in, out)`, and its bias (default 0).
    const fn conv1d_tensors(&mut self, i: usize, out: usize, o: &Opts, w: Init) {
        self.tensor("weight", &[i, out], w, o.act, o.slope, Role::Weight);
        if N > 0 {
            let s = &mut self.specs[self.count - 1];
            s.fan_in = i;
            s.fan_out = out;
        }
        if o.bias {
            let b = match o.bias_init {
                Some(b) => b,
                None => Init::Zeros,
            };
            self.tensor("bias", &[out], b, o.act, o.slope, Role::Bias);
        }
    }

    /// `convNd(IN => OUT, kernel = …)`: weight `(out, in/groups, *k)`, or `(in, out/groups, *k)`
    /// when transposed; bias `(out)`.
    pub const fn conv(&mut self, dims: usize, input: Option<usize>, out: usize, o: &Opts) {
        let kind = match dims {
            1 => "conv1d",
            2 => "conv2d",
            _ => "conv3d",
        };
        self.check_opts(
            o,
            opt::ACT
                | opt::INIT
                | opt::BIAS
                | opt::KERNEL
                | opt::GROUPS
                | opt::TRANSPOSED
                | opt::STRIDE
                | opt::PADDING
                | opt::DILATION
                | opt::OUTPUT_PADDING,
            kind,
        );
        let i = self.input(input, kind);
        if o.kernel_len == 0 {
            self.fail(kind, "needs `kernel = K` or `kernel = (K1, K2, ...)`");
        }
        self.layer.conv = Some(self.conv_geometry(dims, o));
        if o.kernel_len != 1 && o.kernel_len != dims {
            self.fail_n(
                kind,
                "kernel has ",
                o.kernel_len,
                " sizes but the layer has spatial rank ",
                dims,
            );
        }
        let g = o.groups;
        if g == 0 {
            self.fail(kind, "groups must be at least 1");
        }
        if !i.is_multiple_of(g) {
            self.fail_n(kind, "in_channels ", i, " is not divisible by groups ", g);
        }
        if !out.is_multiple_of(g) {
            self.fail_n(
                kind,
                "out_channels ",
                out,
                " is not divisible by groups ",
                g,
            );
        }
        let mut shape = [0usize; 5];
        if o.transposed {
            shape[0] = i;
            shape[1] = out / g;
        } else {
            shape[0] = out;
            shape[1] = i / g;
        }
        let mut d = 0;
        while d < dims {
            shape[2 + d] = if o.kernel_len == 1 {
                o.kernel[0]
            } else {
                o.kernel[d]
            };
            d += 1;
        }
        let shape = shape.split_at(2 + dims).0;
        let w = match o.init {
            Some(w) => w,
            None => Init::torch_default_weight(),
        };
        self.tensor("weight", shape, w, o.act, o.slope, Role::Weight);
        if o.bias {
            let b = match o.bias_init {
                Some(b) => b,
                // PyTorch: bound from the weight's fan_in (shape rule, so transposed convs use
                // (out/groups)·∏k).
                None => Init::torch_default_bias(match Fans::torch(shape) {
                    Ok(f) => f.fan_in,
                    Err(_) => 0,
                }),
            };
            self.tensor("bias", &[out], b, o.act, o.slope, Role::Bias);
        }
        self.conv_shape(kind, dims, o);
        self.output(out);
    }

    /// `embedding(NUM, DIM)`: weight `(num, dim)`, PyTorch default `normal(0, 1)`.
    pub const fn embedding(&mut self, num: usize, dim: usize, o: &Opts) {
        self.check_opts(o, opt::INIT, "embedding");
        let w = match o.init {
            Some(w) => w,
            None => Init::Normal {
                mean: 0.0,
                std: 1.0,
            },
        };
        self.tensor("weight", &[num, dim], w, None, 0.01, Role::Embedding);
        // Token ids in, vectors out: no spatial size to follow.
        self.layout = super::spatial::Layout::Untracked;
        self.output(dim);
    }

    /// `layer_norm` / `rms_norm` / `batch_norm`: weight ones, bias zeros (no bias for RMSNorm).
    pub const fn norm(&mut self, kind: NormKind, declared: Option<usize>, o: &Opts) {
        let (name, allowed, has_bias) = match kind {
            NormKind::LayerNorm => ("layer_norm", opt::INIT | opt::BIAS | opt::AFFINE, true),
            NormKind::RmsNorm => ("rms_norm", opt::INIT | opt::AFFINE, false),
            NormKind::BatchNorm => ("batch_norm", opt::INIT | opt::BIAS | opt::AFFINE, true),
        };
        self.check_opts(o, allowed, name);
        let i = self.input(declared, name);
        if o.affine {
            let w = match o.init {
                Some(w) => w,
                None => Init::Ones,
            };
            self.tensor("weight", &[i], w, None, 0.01, Role::NormWeight);
            if has_bias && o.bias {
                let b = match o.bias_init {
                    Some(b) => b,
                    None => Init::Zeros,
                };
                self.tensor("bias", &[i], b, None, 0.01, Role::NormBias);
            }
        }
        self.output(i);
    }

    /// `group_norm(G)`: PyTorch's `nn.GroupNorm(G, C)` on the flowing `C` channels: weight
    /// `(C)` ones, bias `(C)` zeros; `C` must be divisible by `G`.
    pub const fn group_norm(&mut self, groups: usize, o: &Opts) {
        let kind = "group_norm";
        self.check_opts(o, opt::INIT | opt::BIAS | opt::AFFINE, kind);
        let Some(c) = self.width else {
            self.fail(
                kind,
                "has no input width: no earlier layer sets the channels",
            );
        };
        if groups == 0 {
            self.fail(kind, "needs at least 1 group");
        }
        if !c.is_multiple_of(groups) {
            self.layer_msg("group_norm")
                .s(": ")
                .n(c)
                .s(" channels (from `")
                .s(self.last.as_str())
                .s("`) are not divisible by ")
                .n(groups)
                .s(" groups")
                .panic();
        }
        if o.affine {
            let w = match o.init {
                Some(w) => w,
                None => Init::Ones,
            };
            self.tensor("weight", &[c], w, None, 0.01, Role::NormWeight);
            if o.bias {
                let b = match o.bias_init {
                    Some(b) => b,
                    None => Init::Zeros,
                };
                self.tensor("bias", &[c], b, None, 0.01, Role::NormBias);
            }
        }
        self.output(c);
    }

    /// `multihead_attention(WIDTH, heads = H)`: PyTorch's `nn.MultiheadAttention(W, H)` with
    /// its registration order and `_reset_parameters`: `in_proj_weight (3W, W)`
    /// `xavier_uniform`, `in_proj_bias (3W)` zeros, `out_proj.weight (W, W)` `nn.Linear`'s
    /// default, `out_proj.bias (W)` zeros. `init` sets `in_proj_weight`, `out_init`
    /// `out_proj.weight`, `bias` both biases.
    pub const fn multihead_attention(&mut self, declared: Option<usize>, o: &Opts) {
        let kind = "multihead_attention";
        self.check_opts(o, opt::INIT | opt::OUT_INIT | opt::BIAS | opt::HEADS, kind);
        self.flat_input(kind);
        let w = self.input(declared, kind);
        let h = o.heads;
        if h == 0 {
            self.fail(kind, "needs `heads = H` (at least 1)");
        }
        if !w.is_multiple_of(h) {
            self.fail_n(kind, "width ", w, " is not divisible by heads ", h);
        }
        let wi = match o.init {
            Some(x) => x,
            None => Init::XavierUniform { gain: 1.0 },
        };
        let wo = match o.out_init {
            Some(x) => x,
            None => Init::torch_default_weight(),
        };
        let b = match o.bias_init {
            Some(b) => b,
            None => Init::Zeros,
        };
        self.tensor("in_proj_weight", &[3 * w, w], wi, None, 0.01, Role::Weight);
        if o.bias {
            self.tensor("in_proj_bias", &[3 * w], b, None, 0.01, Role::Bias);
        }
        self.begin("out_proj");
        self.tensor("weight", &[w, w], wo, None, 0.01, Role::Weight);
        if o.bias {
            self.tensor("bias", &[w], b, None, 0.01, Role::Bias);
        }
        self.end();
        self.output(w);
    }

    /// A sub-linear `<seg>.weight` `(out, in)` (+ `<seg>.bias`), or with `hf_conv1d = true`
    /// a `Conv1D` `(in, out)`.
    const fn projection(&mut self, seg: &str, input: usize, out: usize, o: &Opts, w: Init) {
        self.begin(seg);
        if o.hf_conv1d {
            self.conv1d_tensors(input, out, o, w);
        } else {
            self.linear_tensors(input, out, o, w);
        }
        self.end();
    }

    /// `attention(WIDTH, heads = H, kv_heads = K, head_dim = D, fused_qkv = B)`:
    /// `q_proj (H·D, W)`, `k_proj (K·D, W)`, `v_proj (K·D, W)` (or one `qkv_proj ((H+2K)·D, W)`),
    /// `o_proj (W, H·D)`; with `hf_conv1d = true` every projection is a Hugging Face `Conv1D`
    /// stored `(in, out)` (GPT-2's `c_attn (W, 3W)`, `c_proj (W, W)`).
    pub const fn attention(&mut self, declared: Option<usize>, o: &Opts) {
        let kind = "attention";
        self.check_opts(
            o,
            opt::INIT
                | opt::OUT_INIT
                | opt::BIAS
                | opt::HEADS
                | opt::KV_HEADS
                | opt::HEAD_DIM
                | opt::FUSED_QKV
                | opt::HF_CONV1D
                | opt::PROJ_NAMES,
            kind,
        );
        self.flat_input(kind);
        let w = self.input(declared, kind);
        let h = o.heads;
        if h == 0 {
            self.fail(kind, "needs `heads = H` (at least 1)");
        }
        let kv = if o.kv_heads == 0 { h } else { o.kv_heads };
        if !h.is_multiple_of(kv) {
            self.fail_n(kind, "heads ", h, " is not a multiple of kv_heads ", kv);
        }
        let d = if o.head_dim != 0 {
            o.head_dim
        } else {
            if !w.is_multiple_of(h) {
                self.fail_n(kind, "width ", w, " is not divisible by heads ", h);
            }
            w / h
        };
        let wi = match o.init {
            Some(x) => x,
            None => Init::torch_default_weight(),
        };
        let wo = match o.out_init {
            Some(x) => x,
            None => wi,
        };
        let want = if o.fused_qkv { 2 } else { 4 };
        if o.names_len != 0 && o.names_len != want {
            self.fail_n(
                kind,
                "`names` needs 2 names (qkv, out) when fused_qkv, else 4 (q, k, v, out); got ",
                o.names_len,
                " for fused_qkv = ",
                o.fused_qkv as usize,
            );
        }
        let named = o.names_len != 0;
        if o.fused_qkv {
            let qkv = if named { o.names[0] } else { "qkv_proj" };
            self.projection(qkv, w, (h + 2 * kv) * d, o, wi);
        } else {
            self.projection(if named { o.names[0] } else { "q_proj" }, w, h * d, o, wi);
            self.projection(if named { o.names[1] } else { "k_proj" }, w, kv * d, o, wi);
            self.projection(if named { o.names[2] } else { "v_proj" }, w, kv * d, o, wi);
        }
        let out = if named {
            o.names[o.names_len - 1]
        } else {
            "o_proj"
        };
        self.projection(out, h * d, w, o, wo);
        self.output(w);
    }

    /// `gated_mlp(WIDTH => HIDDEN)`: `gate_proj (H, W)`, `up_proj (H, W)`, `down_proj (W, H)`.
    pub const fn gated_mlp(&mut self, declared: Option<usize>, hidden: usize, o: &Opts) {
        let kind = "gated_mlp";
        self.check_opts(o, opt::ACT | opt::INIT | opt::OUT_INIT | opt::BIAS, kind);
        self.flat_input(kind);
        let w = self.input(declared, kind);
        let wi = match o.init {
            Some(x) => x,
            None => Init::torch_default_weight(),
        };
        let wo = match o.out_init {
            Some(x) => x,
            None => wi,
        };
        self.projection("gate_proj", w, hidden, o, wi);
        self.projection("up_proj", w, hidden, o, wi);
        self.projection("down_proj", hidden, w, o, wo);
        self.output(w);
    }

    /// `rnn` / `lstm` / `gru (IN => HIDDEN, layers = L, bidirectional = B)`, PyTorch names and
    /// gate stacking: `weight_ih_l{k}[_reverse] (G·H, in_k)`, `weight_hh_l{k} (G·H, H)`,
    /// `bias_ih_l{k} (G·H)`, `bias_hh_l{k} (G·H)`; G = 1, 4, 3. `init` sets both weights,
    /// `recurrent_init` only the `weight_hh` ones (Keras' `recurrent_initializer`, e.g.
    /// orthogonal).
    pub const fn recurrent(
        &mut self,
        cell: Cell,
        declared: Option<usize>,
        hidden: usize,
        o: &Opts,
    ) {
        let (kind, gates) = match cell {
            Cell::Rnn => ("rnn", 1),
            Cell::Lstm => ("lstm", 4),
            Cell::Gru => ("gru", 3),
        };
        self.check_opts(
            o,
            opt::ACT
                | opt::INIT
                | opt::RECURRENT_INIT
                | opt::BIAS
                | opt::LAYERS
                | opt::BIDIRECTIONAL,
            kind,
        );
        self.flat_input(kind);
        let input = self.input(declared, kind);
        if o.layers == 0 {
            self.fail(kind, "layers must be at least 1");
        }
        // PyTorch RNNBase.reset_parameters: every parameter U(-1/√H, 1/√H) (zeros if H = 0).
        let default = Init::torch_default_bias(hidden);
        let w_init = match o.init {
            Some(w) => w,
            None => default,
        };
        let hh_init = match o.recurrent_init {
            Some(w) => w,
            None => w_init,
        };
        let b_init = match o.bias_init {
            Some(b) => b,
            None => default,
        };
        let dirs = if o.bidirectional { 2 } else { 1 };
        let mut layer = 0;
        while layer < o.layers {
            let in_k = if layer == 0 { input } else { hidden * dirs };
            let mut dir = 0;
            while dir < dirs {
                let names = ["weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"];
                let mut t = 0;
                while t < 4 {
                    if t >= 2 && !o.bias {
                        break;
                    }
                    let mut seg = Name::EMPTY;
                    seg.push_str(names[t]);
                    seg.push_usize(layer);
                    if dir == 1 {
                        seg.push_str("_reverse");
                    }
                    match t {
                        0 => self.tensor(
                            seg.as_str(),
                            &[gates * hidden, in_k],
                            w_init,
                            o.act,
                            o.slope,
                            Role::Weight,
                        ),
                        1 => self.tensor(
                            seg.as_str(),
                            &[gates * hidden, hidden],
                            hh_init,
                            o.act,
                            o.slope,
                            Role::Weight,
                        ),
                        _ => self.tensor(
                            seg.as_str(),
                            &[gates * hidden],
                            b_init,
                            o.act,
                            o.slope,
                            Role::Bias,
                        ),
                    }
                    t += 1;
                }
                dir += 1;
            }
            layer += 1;
        }
        self.output(hidden * dirs);
    }
}
