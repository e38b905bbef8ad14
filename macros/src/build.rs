//! The const builder the `network!` macro drives: it walks the declaration once to count
//! tensors and once to fill the table, tracking dotted names and the width that flows from
//! layer to layer. Every check here runs at compile time; a failed check is a const panic whose
//! message names the layers involved.

use crate::spec::{Act, InitSpec, Name, ParamSpec, Role};

const MAX_DEPTH: usize = 12;

/// A message buffer for const panics (numbers can't be formatted in const, so we do it here).
struct Msg {
    bytes: [u8; 512],
    len: usize,
}

impl Msg {
    const fn new() -> Self {
        Msg {
            bytes: [0; 512],
            len: 0,
        }
    }
    const fn s(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }
    const fn n(self, n: usize) -> Self {
        let mut name = Name::EMPTY;
        name.push_usize(n);
        self.s(name.as_str())
    }
    const fn w(self, w: Option<usize>) -> Self {
        match w {
            Some(n) => self.n(n),
            None => self.s("nothing"),
        }
    }
    const fn panic(&self) -> ! {
        let (head, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => panic!("{}", s),
            Err(_) => panic!("network!: invalid model"),
        }
    }
}

#[derive(Clone, Copy)]
struct Frame {
    path_len: usize,
    entry_width: Option<usize>,
    entry_last: Name,
    branch: bool,
    saved_width: Option<usize>,
    saved_last: Name,
}

impl Frame {
    const EMPTY: Frame = Frame {
        path_len: 0,
        entry_width: None,
        entry_last: Name::EMPTY,
        branch: false,
        saved_width: None,
        saved_last: Name::EMPTY,
    };
}

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
    pub const NAMES: [&str; 15] = [
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
    ];
}

/// The options of one layer, as the DSL's `key = value` pairs set them.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    pub set: u32,
    pub act: Option<Act>,
    pub slope: f64,
    pub init: Option<InitSpec>,
    pub bias: bool,
    pub bias_init: Option<InitSpec>,
    pub out_init: Option<InitSpec>,
    pub kernel: [usize; 3],
    pub kernel_len: usize,
    pub groups: usize,
    pub transposed: bool,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub fused_qkv: bool,
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
            init: None,
            bias: true,
            bias_init: None,
            out_init: None,
            kernel: [0; 3],
            kernel_len: 0,
            groups: 1,
            transposed: false,
            heads: 0,
            kv_heads: 0,
            head_dim: 0,
            fused_qkv: false,
            layers: 1,
            bidirectional: false,
            affine: true,
            names: [""; 4],
            names_len: 0,
        }
    }
    pub const fn act(&mut self, act: Act, slope: Option<f64>) {
        self.set |= opt::ACT;
        self.act = Some(act);
        if let Some(s) = slope {
            self.slope = s;
        }
    }
    pub const fn init(&mut self, init: InitSpec) {
        self.set |= opt::INIT;
        self.init = Some(init);
    }
    pub const fn bias(&mut self, on: bool) {
        self.set |= opt::BIAS;
        self.bias = on;
    }
    pub const fn bias_init(&mut self, init: InitSpec) {
        self.set |= opt::BIAS;
        self.bias = true;
        self.bias_init = Some(init);
    }
    pub const fn out_init(&mut self, init: InitSpec) {
        self.set |= opt::OUT_INIT;
        self.out_init = Some(init);
    }
    pub const fn kernel(&mut self, k: &[usize]) {
        self.set |= opt::KERNEL;
        if k.is_empty() || k.len() > 3 {
            panic!("network!: `kernel` takes 1 to 3 sizes");
        }
        let mut i = 0;
        while i < k.len() {
            self.kernel[i] = k[i];
            i += 1;
        }
        self.kernel_len = k.len();
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

/// Which recurrent cell (the number is PyTorch's gate count).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Rnn,
    Lstm,
    Gru,
}

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
        }
    }

    pub const fn count(&self) -> usize {
        self.count
    }

    pub const fn params(&self) -> usize {
        self.params
    }

    /// The filled table. Also checks that no two tensors share a name — nor a stream: the
    /// engine keys each tensor's random stream by the 64-bit FNV-1a hash of its name, so equal
    /// hashes would mean equal values.
    pub const fn finish(self) -> [ParamSpec; N] {
        if self.count != N {
            panic!("network!: internal error: tensor count changed between passes");
        }
        // Sort the hashes (heapsort: O(N log N) const steps) and look for neighbours.
        let mut hashes = [0u64; N];
        let mut i = 0;
        while i < N {
            hashes[i] = fnv1a_bytes(self.specs[i].name_buf().as_bytes());
            i += 1;
        }
        heapsort(&mut hashes);
        let mut k = 1;
        while k < N {
            if hashes[k] == hashes[k - 1] {
                self.report_collision(hashes[k]);
            }
            k += 1;
        }
        self.specs
    }

    const fn report_collision(&self, hash: u64) -> ! {
        let mut first = N;
        let mut i = 0;
        while i < N {
            if fnv1a_bytes(self.specs[i].name_buf().as_bytes()) == hash {
                if first == N {
                    first = i;
                } else {
                    let (a, b) = (self.specs[first].name(), self.specs[i].name());
                    let what = if str_eq(a, b) {
                        "network!: two tensors are both named `"
                    } else {
                        "network!: the names of two tensors hash to the same stream; rename `"
                    };
                    Msg::new()
                        .s(what)
                        .s(b)
                        .s("` (the other is `")
                        .s(a)
                        .s("`)")
                        .panic();
                }
            }
            i += 1;
        }
        panic!("network!: internal error: collision not found");
    }

    const fn push_frame(&mut self, branch: bool) {
        if self.depth == MAX_DEPTH {
            panic!("network!: scopes nest at most 12 deep");
        }
        self.frames[self.depth] = Frame {
            path_len: self.path.len(),
            entry_width: self.width,
            entry_last: self.last,
            branch,
            saved_width: self.width,
            saved_last: self.last,
        };
        self.depth += 1;
    }

    /// Enters the scope `seg` (a layer, a `{ ... }` group or a repeated block's name).
    pub const fn begin(&mut self, seg: &str) {
        self.push_frame(false);
        self.path.push_segment(seg);
    }

    /// Enters element `i` of a repeated block.
    pub const fn begin_index(&mut self, i: usize) {
        self.push_frame(false);
        if !self.path.is_empty() {
            self.path.push_str(".");
        }
        self.path.push_usize(i);
    }

    /// Enters a residual branch: it starts from the width the enclosing scope started with and
    /// must end at the width the main path has reached.
    pub const fn begin_branch(&mut self, seg: &str) {
        let (w, last) = if self.depth == 0 {
            (None, Name::EMPTY)
        } else {
            let f = &self.frames[self.depth - 1];
            (f.entry_width, f.entry_last)
        };
        self.push_frame(true);
        self.path.push_segment(seg);
        self.width = w;
        self.last = last;
    }

    /// Leaves the innermost scope.
    pub const fn end(&mut self) {
        self.depth -= 1;
        let f = self.frames[self.depth];
        if f.branch {
            let same = match (self.width, f.saved_width) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if !same {
                Msg::new()
                    .s("network!: residual width mismatch: branch `")
                    .s(self.path.as_str())
                    .s("` ends with width ")
                    .w(self.width)
                    .s(" (from `")
                    .s(self.last.as_str())
                    .s("`) but the main path ends with width ")
                    .w(f.saved_width)
                    .s(" (from `")
                    .s(f.saved_last.as_str())
                    .s("`)")
                    .panic();
            }
            self.width = f.saved_width;
            self.last = f.saved_last;
        }
        self.path.truncate(f.path_len);
    }

    /// The width the current layer reads: the declared one (checked against the flowing
    /// width) or the flowing one.
    const fn input(&self, declared: Option<usize>, kind: &str) -> usize {
        match (declared, self.width) {
            (Some(d), Some(w)) => {
                if d != w {
                    Msg::new()
                        .s("network!: width mismatch: `")
                        .s(self.path.as_str())
                        .s("` (")
                        .s(kind)
                        .s(") takes ")
                        .n(d)
                        .s(" inputs but the previous layer `")
                        .s(self.last.as_str())
                        .s("` outputs ")
                        .n(w)
                        .panic();
                }
                d
            }
            (Some(d), None) => d,
            (None, Some(w)) => w,
            (None, None) => Msg::new()
                .s("network!: `")
                .s(self.path.as_str())
                .s("` (")
                .s(kind)
                .s(") has no input width: no earlier layer sets one, so write it (e.g. `")
                .s(kind)
                .s("(IN => OUT)` or `")
                .s(kind)
                .s("(WIDTH)`)")
                .panic(),
        }
    }

    const fn output(&mut self, w: usize) {
        self.width = Some(w);
        self.last = self.path;
    }

    const fn check_opts(&self, o: &Opts, allowed: u32, kind: &str) {
        let bad = o.set & !allowed;
        if bad != 0 {
            let bit = bad.trailing_zeros() as usize;
            Msg::new()
                .s("network!: layer `")
                .s(self.path.as_str())
                .s("` (")
                .s(kind)
                .s(") does not take option `")
                .s(opt::NAMES[bit])
                .s("`")
                .panic();
        }
    }

    const fn fail(&self, kind: &str, what: &str) -> ! {
        Msg::new()
            .s("network!: layer `")
            .s(self.path.as_str())
            .s("` (")
            .s(kind)
            .s("): ")
            .s(what)
            .panic()
    }

    const fn fail_n(&self, kind: &str, what: &str, a: usize, and: &str, b: usize) -> ! {
        Msg::new()
            .s("network!: layer `")
            .s(self.path.as_str())
            .s("` (")
            .s(kind)
            .s("): ")
            .s(what)
            .n(a)
            .s(and)
            .n(b)
            .panic()
    }

    /// Adds the tensor `<path>.<suffix>`.
    pub const fn tensor(
        &mut self,
        suffix: &str,
        shape: &[usize],
        init: InitSpec,
        act: Option<Act>,
        slope: f64,
        role: Role,
    ) {
        let mut name = self.path;
        name.push_segment(suffix);
        let init = init.resolve(act, slope);
        let gain = match init.own_gain() {
            Some(g) => g,
            None => match act {
                Some(a) => crate::math::gain(a, slope),
                None => 1.0,
            },
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
        let mut spec = ParamSpec::new(name, shape, init, gain, role);
        spec.offset = self.params;
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

    /// A weight `(out, in)` plus optional bias `(out)` with PyTorch's `nn.Linear` defaults.
    const fn linear_tensors(&mut self, input: usize, out: usize, o: &Opts, w_init: InitSpec) {
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
                None => InitSpec::torch_default_bias(input),
            };
            self.tensor("bias", &[out], b, o.act, o.slope, Role::Bias);
        }
    }

    /// `linear(IN => OUT)` / `dense`: weight `(out, in)`, bias `(out)`.
    pub const fn linear(&mut self, input: Option<usize>, out: usize, o: &Opts) {
        self.check_opts(o, opt::ACT | opt::INIT | opt::BIAS, "linear");
        let i = self.input(input, "linear");
        let w = match o.init {
            Some(w) => w,
            None => InitSpec::TORCH_DEFAULT_WEIGHT,
        };
        self.linear_tensors(i, out, o, w);
        self.output(out);
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
            opt::ACT | opt::INIT | opt::BIAS | opt::KERNEL | opt::GROUPS | opt::TRANSPOSED,
            kind,
        );
        let i = self.input(input, kind);
        if o.kernel_len == 0 {
            self.fail(kind, "needs `kernel = K` or `kernel = (K1, K2, ...)`");
        }
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
            None => InitSpec::TORCH_DEFAULT_WEIGHT,
        };
        self.tensor("weight", shape, w, o.act, o.slope, Role::Weight);
        if o.bias {
            let b = match o.bias_init {
                Some(b) => b,
                // PyTorch: bound from the weight's fan_in (shape rule, so transposed convs use
                // (out/groups)·∏k).
                None => InitSpec::torch_default_bias(crate::spec::torch_fans(shape).0),
            };
            self.tensor("bias", &[out], b, o.act, o.slope, Role::Bias);
        }
        self.output(out);
    }

    /// `embedding(NUM, DIM)`: weight `(num, dim)`, PyTorch default `normal(0, 1)`.
    pub const fn embedding(&mut self, num: usize, dim: usize, o: &Opts) {
        self.check_opts(o, opt::INIT, "embedding");
        let w = match o.init {
            Some(w) => w,
            None => InitSpec::Normal {
                mean: 0.0,
                std: 1.0,
            },
        };
        self.tensor("weight", &[num, dim], w, None, 0.01, Role::Embedding);
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
                None => InitSpec::Ones,
            };
            self.tensor("weight", &[i], w, None, 0.01, Role::NormWeight);
            if has_bias && o.bias {
                let b = match o.bias_init {
                    Some(b) => b,
                    None => InitSpec::Zeros,
                };
                self.tensor("bias", &[i], b, None, 0.01, Role::NormBias);
            }
        }
        self.output(i);
    }

    /// A sub-linear `<seg>.weight` `(out, in)` (+ `<seg>.bias`).
    const fn projection(&mut self, seg: &str, input: usize, out: usize, o: &Opts, w: InitSpec) {
        self.begin(seg);
        self.linear_tensors(input, out, o, w);
        self.end();
    }

    /// `attention(WIDTH, heads = H, kv_heads = K, head_dim = D, fused_qkv = B)`:
    /// `q_proj (H·D, W)`, `k_proj (K·D, W)`, `v_proj (K·D, W)` (or one `qkv_proj ((H+2K)·D, W)`),
    /// `o_proj (W, H·D)`.
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
                | opt::PROJ_NAMES,
            kind,
        );
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
            None => InitSpec::TORCH_DEFAULT_WEIGHT,
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
        let w = self.input(declared, kind);
        let wi = match o.init {
            Some(x) => x,
            None => InitSpec::TORCH_DEFAULT_WEIGHT,
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
    /// `bias_ih_l{k} (G·H)`, `bias_hh_l{k} (G·H)`; G = 1, 4, 3.
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
            opt::ACT | opt::INIT | opt::BIAS | opt::LAYERS | opt::BIDIRECTIONAL,
            kind,
        );
        let input = self.input(declared, kind);
        if o.layers == 0 {
            self.fail(kind, "layers must be at least 1");
        }
        // PyTorch RNNBase.reset_parameters: every parameter U(-1/√H, 1/√H) (zeros if H = 0).
        let default = InitSpec::torch_default_bias(hidden);
        let w_init = match o.init {
            Some(w) => w,
            None => default,
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
                            w_init,
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

impl<const N: usize> Default for Builder<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// 64-bit FNV-1a of `name`: the engine's stream id (`glorot::name_stream`).
pub const fn fnv1a(name: &str) -> u64 {
    fnv1a_bytes(name.as_bytes())
}

const fn fnv1a_bytes(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn heapsort<const N: usize>(v: &mut [u64; N]) {
    let mut end = N;
    let mut start = N / 2;
    while start > 0 {
        start -= 1;
        sift_down(v, start, end);
    }
    while end > 1 {
        end -= 1;
        let t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(v, 0, end);
    }
}

const fn sift_down<const N: usize>(v: &mut [u64; N], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && v[child] < v[child + 1] {
            child += 1;
        }
        if v[root] >= v[child] {
            return;
        }
        let t = v[root];
        v[root] = v[child];
        v[child] = t;
        root = child;
    }
}
