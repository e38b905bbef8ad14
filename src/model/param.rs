//! The per-tensor description `network!` builds at compile time: [`ParamSpec`] (name, shape,
//! fans, initializer, gain, arena offset, [`Role`], [`LayerInfo`]) and the inline [`Name`] it
//! stores.
//!
//! Everything here is `Copy` and const-constructible, so whole spec tables are `const`s.

use super::LayerInfo;
use crate::{Error, Fans, Init};

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
            panic!("network!: a tensor name is longer than glorot::model::NAME_CAP (96) bytes");
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
            panic!("network!: a tensor name is longer than glorot::model::NAME_CAP (96) bytes");
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
    pub init: Init,
    /// The gain: the initializer's own (Xavier's, orthogonal's and identity's `gain`, Kaiming's
    /// `calculate_gain(nonlinearity, a)`, JAX orthogonal's `scale`), else the gain of the
    /// layer's activation (1 without one). Recorded for writers; only those initializers
    /// multiply by it.
    pub gain: f64,
    /// Number of elements (product of the shape).
    pub numel: usize,
    /// Element offset of this tensor in the model's arena: tensors are packed in
    /// [`Network::SPECS`](crate::model::Network::SPECS) order with no padding.
    pub offset: usize,
    /// What the tensor is.
    pub role: Role,
    /// The layer it belongs to: kind, activation, residual branch ([`LayerInfo::NONE`] from
    /// [`ParamSpec::new`]; `network!` fills it in). Read by code that runs the model, such as
    /// the variance-propagation report; filling never reads it.
    pub layer: LayerInfo,
}

impl ParamSpec {
    /// A placeholder (used to size tables before they are filled).
    pub const EMPTY: ParamSpec = ParamSpec {
        name: Name::EMPTY,
        dims: [0; MAX_RANK],
        rank: 0,
        fan_in: 0,
        fan_out: 0,
        init: Init::Zeros,
        gain: 1.0,
        numel: 0,
        offset: 0,
        role: Role::Weight,
        layer: LayerInfo::NONE,
    };

    /// Builds a spec from a name and a shape, computing fans (PyTorch's rule), the element
    /// count and resolving nothing else. `offset` is set by the builder.
    pub const fn new(name: Name, shape: &[usize], init: Init, gain: f64, role: Role) -> Self {
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
        // PyTorch's rule; rank < 2 has no fans (0, 0).
        let (fan_in, fan_out) = match Fans::torch(shape) {
            Ok(f) => (f.fan_in, f.fan_out),
            Err(Error::RankTooLow { .. }) => (0, 0),
            Err(_) => panic!("network!: a tensor's fans overflow usize"),
        };
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
            layer: LayerInfo::NONE,
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
        // Saturating: `offset` and `numel` are public fields, so a hand-edited spec must not
        // make this panic.
        self.offset..self.offset.saturating_add(self.numel)
    }
}
