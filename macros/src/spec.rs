//! Plain-data descriptions: initializers, activations and the per-tensor [`ParamSpec`].
//!
//! Everything here is `Copy` and const-constructible, so the `network!` macro can build whole
//! spec tables at compile time. Nothing here fills memory: the `glorot` engine converts an
//! [`InitSpec`] into its own `glorot::Init` and does the filling.

/// An activation, as named by PyTorch's `calculate_gain` (mirrors `glorot::Nonlinearity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Act {
    /// Identity. Gain 1.
    Linear,
    /// Gain 1.
    Conv1d,
    /// Gain 1.
    Conv2d,
    /// Gain 1.
    Conv3d,
    /// Gain 1.
    ConvTranspose1d,
    /// Gain 1.
    ConvTranspose2d,
    /// Gain 1.
    ConvTranspose3d,
    /// Gain 1.
    Sigmoid,
    /// Gain 5/3.
    Tanh,
    /// Gain √2.
    Relu,
    /// Gain √(2/(1+slope²)).
    LeakyRelu,
    /// Gain 3/4.
    Selu,
}

impl Act {
    /// PyTorch's name (`"tanh"`, `"leaky_relu"`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Act::Linear => "linear",
            Act::Conv1d => "conv1d",
            Act::Conv2d => "conv2d",
            Act::Conv3d => "conv3d",
            Act::ConvTranspose1d => "conv_transpose1d",
            Act::ConvTranspose2d => "conv_transpose2d",
            Act::ConvTranspose3d => "conv_transpose3d",
            Act::Sigmoid => "sigmoid",
            Act::Tanh => "tanh",
            Act::Relu => "relu",
            Act::LeakyRelu => "leaky_relu",
            Act::Selu => "selu",
        }
    }
}

/// Which fan a variance-scaled initializer divides by (mirrors `glorot::FanMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// fan_in.
    FanIn,
    /// fan_out.
    FanOut,
    /// (fan_in + fan_out) / 2.
    FanAvg,
    /// √(fan_in · fan_out).
    FanGeoAvg,
}

/// The distribution family of JAX's `variance_scaling` (mirrors `glorot::VarianceDistribution`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarDist {
    /// Uniform with the target variance.
    Uniform,
    /// Plain normal with the target variance.
    Normal,
    /// Normal truncated at ±2σ, rescaled to the target variance.
    TruncatedNormal,
}

/// An initializer, as plain data. Mirrors every variant of `glorot::Init`, including the normal
/// family; the engine converts it (`glorot::model::to_init`).
///
/// Gains and slopes are already resolved: the `network!` macro replaces "use the layer's
/// activation" by the number before the spec is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitSpec {
    /// PyTorch `xavier_uniform_(gain)`.
    XavierUniform {
        /// Multiplier.
        gain: f64,
    },
    /// PyTorch `xavier_normal_(gain)`.
    XavierNormal {
        /// Multiplier.
        gain: f64,
    },
    /// PyTorch `kaiming_uniform_(a, mode, nonlinearity)`.
    KaimingUniform {
        /// Negative slope (leaky ReLU only).
        a: f64,
        /// Which fan.
        mode: Mode,
        /// The activation.
        nonlinearity: Act,
    },
    /// PyTorch `kaiming_normal_(a, mode, nonlinearity)`.
    KaimingNormal {
        /// Negative slope (leaky ReLU only).
        a: f64,
        /// Which fan.
        mode: Mode,
        /// The activation.
        nonlinearity: Act,
    },
    /// PyTorch `uniform_(a, b)`: `U[low, high)`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// PyTorch `normal_(mean, std)`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// PyTorch `trunc_normal_(mean, std, a, b)`; `a`, `b` are absolute bounds.
    TruncNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation (before truncation).
        std: f64,
        /// Lower bound (absolute).
        a: f64,
        /// Upper bound (absolute).
        b: f64,
    },
    /// PyTorch `constant_(val)`.
    Constant {
        /// The value.
        val: f64,
    },
    /// Zeros.
    Zeros,
    /// Ones.
    Ones,
    /// JAX `glorot_uniform()`.
    GlorotUniform,
    /// JAX `glorot_normal()` (truncated).
    GlorotNormal,
    /// JAX `he_uniform()`.
    HeUniform,
    /// JAX `he_normal()` (truncated).
    HeNormal,
    /// JAX `lecun_uniform()`.
    LecunUniform,
    /// JAX `lecun_normal()` (truncated).
    LecunNormal,
    /// JAX `variance_scaling(scale, mode, distribution)`.
    VarianceScaling {
        /// Variance multiplier.
        scale: f64,
        /// Which fan.
        mode: Mode,
        /// Distribution family.
        distribution: VarDist,
    },
}

impl InitSpec {
    /// PyTorch's default for `nn.Linear`/`nn.ConvNd` weights: `kaiming_uniform_(a=√5)`,
    /// i.e. `U[-1/√fan_in, 1/√fan_in)`.
    pub const TORCH_DEFAULT_WEIGHT: InitSpec = InitSpec::KaimingUniform {
        a: crate::math::sqrt(5.0),
        mode: Mode::FanIn,
        nonlinearity: Act::LeakyRelu,
    };

    /// PyTorch's default bias of `nn.Linear`/`nn.ConvNd`: `U[-1/√fan_in, 1/√fan_in)` with the
    /// weight's fan_in (zeros when that fan_in is 0, as PyTorch gives).
    pub const fn torch_default_bias(weight_fan_in: usize) -> InitSpec {
        if weight_fan_in == 0 {
            return InitSpec::Zeros;
        }
        let bound = 1.0 / crate::math::sqrt(weight_fan_in as f64);
        InitSpec::Uniform {
            low: -bound,
            high: bound,
        }
    }

    /// The name PyTorch or JAX uses.
    pub const fn name(&self) -> &'static str {
        match self {
            InitSpec::XavierUniform { .. } => "xavier_uniform",
            InitSpec::XavierNormal { .. } => "xavier_normal",
            InitSpec::KaimingUniform { .. } => "kaiming_uniform",
            InitSpec::KaimingNormal { .. } => "kaiming_normal",
            InitSpec::Uniform { .. } => "uniform",
            InitSpec::Normal { .. } => "normal",
            InitSpec::TruncNormal { .. } => "trunc_normal",
            InitSpec::Constant { .. } => "constant",
            InitSpec::Zeros => "zeros",
            InitSpec::Ones => "ones",
            InitSpec::GlorotUniform => "glorot_uniform",
            InitSpec::GlorotNormal => "glorot_normal",
            InitSpec::HeUniform => "he_uniform",
            InitSpec::HeNormal => "he_normal",
            InitSpec::LecunUniform => "lecun_uniform",
            InitSpec::LecunNormal => "lecun_normal",
            InitSpec::VarianceScaling { .. } => "variance_scaling",
        }
    }

    /// Whether the rule reads fans (and so needs a weight of rank ≥ 2).
    pub const fn needs_fans(&self) -> bool {
        !matches!(
            self,
            InitSpec::Uniform { .. }
                | InitSpec::Normal { .. }
                | InitSpec::TruncNormal { .. }
                | InitSpec::Constant { .. }
                | InitSpec::Zeros
                | InitSpec::Ones
        )
    }

    /// Whether this is one of the normal-family rules.
    pub const fn is_normal_family(&self) -> bool {
        match self {
            InitSpec::XavierNormal { .. }
            | InitSpec::KaimingNormal { .. }
            | InitSpec::Normal { .. }
            | InitSpec::TruncNormal { .. }
            | InitSpec::GlorotNormal
            | InitSpec::HeNormal
            | InitSpec::LecunNormal => true,
            InitSpec::VarianceScaling { distribution, .. } => {
                !matches!(distribution, VarDist::Uniform)
            }
            _ => false,
        }
    }

    /// The gain the rule multiplies by: Xavier's `gain`, Kaiming's
    /// `calculate_gain(nonlinearity, a)`; `None` for rules without one.
    pub const fn own_gain(&self) -> Option<f64> {
        match *self {
            InitSpec::XavierUniform { gain } | InitSpec::XavierNormal { gain } => Some(gain),
            InitSpec::KaimingUniform {
                a, nonlinearity, ..
            }
            | InitSpec::KaimingNormal {
                a, nonlinearity, ..
            } => Some(crate::math::gain(nonlinearity, a)),
            _ => None,
        }
    }

    /// Replaces "from the layer's activation" placeholders (a NaN gain or slope, as the
    /// `network!` DSL writes them) by the values of `act`/`slope`. Kaiming without an explicit
    /// `a` takes the activation when one was given, else PyTorch's defaults (`a = 0`,
    /// `leaky_relu`).
    pub const fn resolve(self, act: Option<Act>, slope: f64) -> InitSpec {
        match self {
            InitSpec::XavierUniform { gain } if gain.is_nan() => InitSpec::XavierUniform {
                gain: act_gain(act, slope),
            },
            InitSpec::XavierNormal { gain } if gain.is_nan() => InitSpec::XavierNormal {
                gain: act_gain(act, slope),
            },
            InitSpec::KaimingUniform { a, mode, .. } if a.is_nan() => {
                let (a, nonlinearity) = kaiming_auto(act, slope);
                InitSpec::KaimingUniform {
                    a,
                    mode,
                    nonlinearity,
                }
            }
            InitSpec::KaimingNormal { a, mode, .. } if a.is_nan() => {
                let (a, nonlinearity) = kaiming_auto(act, slope);
                InitSpec::KaimingNormal {
                    a,
                    mode,
                    nonlinearity,
                }
            }
            other => other,
        }
    }
}

const fn act_gain(act: Option<Act>, slope: f64) -> f64 {
    match act {
        Some(a) => crate::math::gain(a, slope),
        None => 1.0,
    }
}

const fn kaiming_auto(act: Option<Act>, slope: f64) -> (f64, Act) {
    match act {
        Some(Act::LeakyRelu) => (slope, Act::LeakyRelu),
        Some(a) => (0.0, a),
        None => (0.0, Act::LeakyRelu),
    }
}

/// Longest tensor name, in bytes. Longer names are a compile error.
pub const NAME_CAP: usize = 96;

/// A dotted tensor name stored inline (so spec tables can be built in `const`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name {
    bytes: [u8; NAME_CAP],
    len: usize,
}

impl Name {
    /// The empty name.
    pub const EMPTY: Name = Name {
        bytes: [0; NAME_CAP],
        len: 0,
    };

    /// The name as a string.
    pub const fn as_str(&self) -> &str {
        let (head, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => panic!("tensor name is not UTF-8"),
        }
    }

    /// The name's bytes (no UTF-8 check, for const hashing).
    pub const fn as_bytes(&self) -> &[u8] {
        self.bytes.split_at(self.len).0
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the name is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) const fn truncate(&mut self, len: usize) {
        self.len = len;
    }

    pub(crate) const fn push_str(&mut self, s: &str) {
        let s = s.as_bytes();
        if self.len + s.len() > NAME_CAP {
            panic!("network!: a tensor name is longer than glorot_macros::NAME_CAP (96) bytes");
        }
        let mut i = 0;
        while i < s.len() {
            self.bytes[self.len] = s[i];
            self.len += 1;
            i += 1;
        }
    }

    pub(crate) const fn push_usize(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let mut k = 0;
        let mut v = n;
        loop {
            digits[k] = b'0' + (v % 10) as u8;
            k += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if self.len + k > NAME_CAP {
            panic!("network!: a tensor name is longer than glorot_macros::NAME_CAP (96) bytes");
        }
        while k > 0 {
            k -= 1;
            self.bytes[self.len] = digits[k];
            self.len += 1;
        }
    }

    /// `self` + `.` + `seg` (no dot when `self` is empty).
    pub(crate) const fn push_segment(&mut self, seg: &str) {
        if self.len > 0 {
            self.push_str(".");
        }
        self.push_str(seg);
    }
}

impl core::fmt::Debug for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl core::fmt::Display for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Largest tensor rank (conv3d weights have 5 dimensions).
pub const MAX_RANK: usize = 5;

/// What a tensor is, for writers and for per-role policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A weight matrix or kernel (rank ≥ 2).
    Weight,
    /// A bias vector.
    Bias,
    /// A normalisation scale (`LayerNorm`/`RMSNorm`/`BatchNorm` weight).
    NormWeight,
    /// A normalisation shift (`LayerNorm`/`BatchNorm` bias).
    NormBias,
    /// An embedding table.
    Embedding,
}

/// One parameter tensor: everything needed to allocate, fill and write it.
///
/// Fans follow PyTorch's shape rule (`torch.nn.init._calculate_fan_in_and_fan_out`) on the
/// stored shape: `fan_in = shape[1]·∏shape[2..]`, `fan_out = shape[0]·∏shape[2..]`. Tensors of
/// rank < 2 have no fans (both 0); an initializer that needs fans is then a compile error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    name: Name,
    dims: [usize; MAX_RANK],
    rank: usize,
    /// Inputs per output unit (PyTorch's rule on the stored shape; 0 for rank < 2).
    pub fan_in: usize,
    /// Outputs per input unit (PyTorch's rule on the stored shape; 0 for rank < 2).
    pub fan_out: usize,
    /// The initializer, resolved (no "from activation" placeholders left).
    pub init: InitSpec,
    /// The gain: the initializer's own (Xavier's `gain`, Kaiming's
    /// `calculate_gain(nonlinearity, a)`), else the gain of the layer's activation (1 without
    /// one). Recorded for writers; only Xavier and Kaiming multiply by it.
    pub gain: f64,
    /// Number of elements (product of the shape).
    pub numel: usize,
    /// Element offset of this tensor in the model's arena: tensors are packed in
    /// [`Network::SPECS`](crate::Network::SPECS) order with no padding.
    pub offset: usize,
    /// What the tensor is.
    pub role: Role,
}

impl ParamSpec {
    /// A placeholder (used to size tables before they are filled).
    pub const EMPTY: ParamSpec = ParamSpec {
        name: Name::EMPTY,
        dims: [0; MAX_RANK],
        rank: 0,
        fan_in: 0,
        fan_out: 0,
        init: InitSpec::Zeros,
        gain: 1.0,
        numel: 0,
        offset: 0,
        role: Role::Weight,
    };

    /// Builds a spec from a name and a shape, computing fans (PyTorch's rule), the element
    /// count and resolving nothing else. `offset` is set by the builder.
    pub const fn new(name: Name, shape: &[usize], init: InitSpec, gain: f64, role: Role) -> Self {
        if shape.len() > MAX_RANK {
            panic!("network!: tensors have at most 5 dimensions");
        }
        let mut dims = [0; MAX_RANK];
        let mut numel: usize = 1;
        let mut i = 0;
        while i < shape.len() {
            dims[i] = shape[i];
            numel = match numel.checked_mul(shape[i]) {
                Some(n) => n,
                None => panic!("network!: a tensor's element count overflows usize"),
            };
            i += 1;
        }
        let (fan_in, fan_out) = torch_fans(shape);
        ParamSpec {
            name,
            dims,
            rank: shape.len(),
            fan_in,
            fan_out,
            init,
            gain,
            numel,
            offset: 0,
            role,
        }
    }

    /// The dotted name, exactly as PyTorch's `named_parameters()` prints it.
    pub const fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The name as a [`Name`] (inline bytes).
    pub const fn name_buf(&self) -> &Name {
        &self.name
    }

    /// The shape (PyTorch layout).
    pub const fn shape(&self) -> &[usize] {
        self.dims.split_at(self.rank).0
    }

    /// The rank.
    pub const fn rank(&self) -> usize {
        self.rank
    }

    /// Element range of this tensor in the arena.
    pub const fn range(&self) -> core::ops::Range<usize> {
        self.offset..self.offset + self.numel
    }
}

/// PyTorch's `_calculate_fan_in_and_fan_out` on `shape`; `(0, 0)` for rank < 2.
pub const fn torch_fans(shape: &[usize]) -> (usize, usize) {
    if shape.len() < 2 {
        return (0, 0);
    }
    let mut receptive: usize = 1;
    let mut i = 2;
    while i < shape.len() {
        receptive *= shape[i];
        i += 1;
    }
    (shape[1] * receptive, shape[0] * receptive)
}
