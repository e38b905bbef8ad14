//! The options of one layer, as the DSL's `key = value` pairs set them, and the small enums
//! that pick a layer variant.

use super::msg::Msg;
use crate::model::Activation;
use crate::{Init, Nonlinearity};

// Option bits (which options a layer was given).
#[doc(hidden)]
pub mod opt {
    pub const ACT: u32 = 1 << 0;
    pub const INIT: u32 = 1 << 1;
    pub const BIAS: u32 = 1 << 2;
    pub const OUT_INIT: u32 = 1 << 3;
    pub const KERNEL: u32 = 1 << 4;
    pub const GROUPS: u32 = 1 << 5;
    pub const TRANSPOSED: u32 = 1 << 6;
    pub const HEADS: u32 = 1 << 7;
    pub const KV_HEADS: u32 = 1 << 8;
    pub const HEAD_DIM: u32 = 1 << 9;
    pub const FUSED_QKV: u32 = 1 << 10;
    pub const LAYERS: u32 = 1 << 11;
    pub const BIDIRECTIONAL: u32 = 1 << 12;
    pub const AFFINE: u32 = 1 << 13;
    pub const PROJ_NAMES: u32 = 1 << 14;
    pub const HF_CONV1D: u32 = 1 << 15;
    pub const RECURRENT_INIT: u32 = 1 << 16;
    pub const STRIDE: u32 = 1 << 17;
    pub const PADDING: u32 = 1 << 18;
    pub const DILATION: u32 = 1 << 19;
    pub const OUTPUT_PADDING: u32 = 1 << 20;
    pub const CEIL_MODE: u32 = 1 << 21;
    pub const NAMES: [&str; 22] = [
        "act",
        "init",
        "bias",
        "out_init",
        "kernel",
        "groups",
        "transposed",
        "heads",
        "kv_heads",
        "head_dim",
        "fused_qkv",
        "layers",
        "bidirectional",
        "affine",
        "names",
        "hf_conv1d",
        "recurrent_init",
        "stride",
        "padding",
        "dilation",
        "output_padding",
        "ceil_mode",
    ];
}

/// The options of one layer, as the DSL's `key = value` pairs set them.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    pub set: u32,
    pub act: Option<Nonlinearity>,
    pub slope: f64,
    /// The activation itself (recorded on the layer's specs); `act` is the nonlinearity whose
    /// gain it takes.
    pub activation: Option<Activation>,
    pub init: Option<Init>,
    pub bias: bool,
    pub bias_init: Option<Init>,
    pub out_init: Option<Init>,
    pub recurrent_init: Option<Init>,
    pub kernel: [usize; 3],
    pub kernel_len: usize,
    /// Convolution and pooling geometry (shape tracking only: no tensor depends on them).
    /// A length of 0 means "not given"; 1 means the same value on every spatial axis.
    pub stride: [usize; 3],
    pub stride_len: usize,
    pub padding: [usize; 3],
    pub padding_len: usize,
    pub dilation: [usize; 3],
    pub dilation_len: usize,
    pub output_padding: [usize; 3],
    pub output_padding_len: usize,
    pub ceil_mode: bool,
    pub groups: usize,
    pub transposed: bool,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub fused_qkv: bool,
    pub hf_conv1d: bool,
    pub layers: usize,
    pub bidirectional: bool,
    pub affine: bool,
    pub names: [&'static str; 4],
    pub names_len: usize,
}

#[doc(hidden)]
impl Opts {
    pub const fn new() -> Self {
        Opts {
            set: 0,
            act: None,
            slope: 0.01,
            activation: None,
            init: None,
            bias: true,
            bias_init: None,
            out_init: None,
            recurrent_init: None,
            kernel: [0; 3],
            kernel_len: 0,
            stride: [0; 3],
            stride_len: 0,
            padding: [0; 3],
            padding_len: 0,
            dilation: [0; 3],
            dilation_len: 0,
            output_padding: [0; 3],
            output_padding_len: 0,
            ceil_mode: false,
            groups: 1,
            transposed: false,
            heads: 0,
            kv_heads: 0,
            head_dim: 0,
            fused_qkv: false,
            hf_conv1d: false,
            layers: 1,
            bidirectional: false,
            affine: true,
            names: [""; 4],
            names_len: 0,
        }
    }
    pub const fn act(&mut self, act: Nonlinearity, slope: Option<f64>) {
        self.set |= opt::ACT;
        self.act = Some(act);
        if let Some(s) = slope {
            self.slope = s;
        }
        self.activation = Some(Activation::from_nonlinearity(act, self.slope));
    }
    /// `act = softsign` / `act = gelu`: activations `calculate_gain` has no name for, so
    /// their gain is the `linear` one (1).
    pub const fn act_only(&mut self, a: Activation) {
        self.set |= opt::ACT;
        self.act = Some(a.nonlinearity());
        self.activation = Some(a);
    }
    pub const fn init(&mut self, init: Init) {
        self.set |= opt::INIT;
        self.init = Some(init);
    }
    pub const fn bias(&mut self, on: bool) {
        self.set |= opt::BIAS;
        self.bias = on;
    }
    pub const fn bias_init(&mut self, init: Init) {
        self.set |= opt::BIAS;
        self.bias = true;
        self.bias_init = Some(init);
    }
    pub const fn out_init(&mut self, init: Init) {
        self.set |= opt::OUT_INIT;
        self.out_init = Some(init);
    }
    pub const fn recurrent_init(&mut self, init: Init) {
        self.set |= opt::RECURRENT_INIT;
        self.recurrent_init = Some(init);
    }
    pub const fn kernel(&mut self, k: &[usize]) {
        self.set |= opt::KERNEL;
        self.kernel_len = sizes(&mut self.kernel, k, "kernel");
    }
    pub const fn stride(&mut self, s: &[usize]) {
        self.set |= opt::STRIDE;
        self.stride_len = sizes(&mut self.stride, s, "stride");
    }
    pub const fn padding(&mut self, p: &[usize]) {
        self.set |= opt::PADDING;
        self.padding_len = sizes(&mut self.padding, p, "padding");
    }
    pub const fn dilation(&mut self, d: &[usize]) {
        self.set |= opt::DILATION;
        self.dilation_len = sizes(&mut self.dilation, d, "dilation");
    }
    pub const fn output_padding(&mut self, p: &[usize]) {
        self.set |= opt::OUTPUT_PADDING;
        self.output_padding_len = sizes(&mut self.output_padding, p, "output_padding");
    }
    pub const fn ceil_mode(&mut self, c: bool) {
        self.set |= opt::CEIL_MODE;
        self.ceil_mode = c;
    }
    pub const fn groups(&mut self, g: usize) {
        self.set |= opt::GROUPS;
        self.groups = g;
    }
    pub const fn transposed(&mut self, t: bool) {
        self.set |= opt::TRANSPOSED;
        self.transposed = t;
    }
    pub const fn heads(&mut self, h: usize) {
        self.set |= opt::HEADS;
        self.heads = h;
    }
    pub const fn kv_heads(&mut self, h: usize) {
        self.set |= opt::KV_HEADS;
        self.kv_heads = h;
    }
    pub const fn head_dim(&mut self, d: usize) {
        self.set |= opt::HEAD_DIM;
        self.head_dim = d;
    }
    pub const fn fused_qkv(&mut self, f: bool) {
        self.set |= opt::FUSED_QKV;
        self.fused_qkv = f;
    }
    pub const fn hf_conv1d(&mut self, f: bool) {
        self.set |= opt::HF_CONV1D;
        self.hf_conv1d = f;
    }
    pub const fn layers(&mut self, n: usize) {
        self.set |= opt::LAYERS;
        self.layers = n;
    }
    pub const fn bidirectional(&mut self, b: bool) {
        self.set |= opt::BIDIRECTIONAL;
        self.bidirectional = b;
    }
    pub const fn names(&mut self, n: &[&'static str]) {
        self.set |= opt::PROJ_NAMES;
        if n.len() > 4 {
            panic!("network!: `names` takes 2 (fused) or 4 projection names");
        }
        let mut i = 0;
        while i < n.len() {
            self.names[i] = n[i];
            i += 1;
        }
        self.names_len = n.len();
    }
    pub const fn affine(&mut self, a: bool) {
        self.set |= opt::AFFINE;
        self.affine = a;
    }
}

/// Copies 1 to 3 per-axis sizes into `into`; returns how many were given.
const fn sizes(into: &mut [usize; 3], v: &[usize], what: &str) -> usize {
    if v.is_empty() || v.len() > 3 {
        Msg::new()
            .s("network!: `")
            .s(what)
            .s("` takes 1 to 3 sizes")
            .panic();
    }
    let mut i = 0;
    while i < v.len() {
        into[i] = v[i];
        i += 1;
    }
    v.len()
}

/// The value of a per-axis option on axis `d`: one value for every axis, one per axis, or
/// `default` when not given.
pub(super) const fn axis(v: &[usize; 3], len: usize, d: usize, default: usize) -> usize {
    match len {
        0 => default,
        1 => v[0],
        _ => v[d],
    }
}

impl Default for Opts {
    fn default() -> Self {
        Self::new()
    }
}

/// Which normalisation layer.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormKind {
    LayerNorm,
    RmsNorm,
    BatchNorm,
}

/// Which pooling layer.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// Which recurrent cell (the number is PyTorch's gate count).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Rnn,
    Lstm,
    Gru,
}
