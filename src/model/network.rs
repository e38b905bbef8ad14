//! Owned weights: the [`Network`] and [`Assemble`] traits and the [`Module`] bag of tensors the
//! generated structs hold in their named fields.

use super::ParamSpec;

/// A model description: the consts every `network!` type carries. Generic run-time code (the
/// fill functions of [`crate::model`], writers) takes `M: Network` and iterates
/// [`Network::SPECS`].
pub trait Network {
    /// The type's name as declared.
    const NAME: &'static str;
    /// Every parameter tensor, in declaration order (PyTorch's `named_parameters()` order for
    /// the equivalent module), with its offset in a packed arena.
    const SPECS: &'static [ParamSpec];
    /// Total number of parameters (elements).
    const PARAMS: usize;
    /// Number of parameter tensors.
    const TENSORS: usize;
}

/// A `network!` struct that can be built from its tensors' data, one `Vec<T>` per entry of
/// [`Network::SPECS`], in that order.
pub trait Assemble<T>: Network + Sized {
    /// Builds the struct. Panics if `tensors.len() != Self::TENSORS`.
    fn assemble(tensors: Vec<Vec<T>>) -> Self;
}

/// The tensors of one named field of a `network!` struct (a layer, a group, or one element of a
/// repeated block), addressed by name relative to the field.
#[derive(Clone, Debug, PartialEq)]
pub struct Module<T> {
    prefix: &'static str,
    specs: &'static [ParamSpec],
    data: Vec<Vec<T>>,
}

impl<T> Module<T> {
    /// The dotted prefix of this module (`"fc1"`, `"transformer.h.3"`).
    pub fn prefix(&self) -> &'static str {
        self.prefix
    }

    /// The specs of this module's tensors.
    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    /// Number of tensors.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the module has no tensors.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn index(&self, rel: &str) -> Option<usize> {
        self.specs.iter().position(|s| self.relative(s) == rel)
    }

    fn relative(&self, s: &'static ParamSpec) -> &'static str {
        let n: &'static str = s.name();
        if self.prefix.is_empty() {
            n
        } else {
            // A bare parameter named by its field (ViT's `class_token`) is `""` relative to it.
            n.get(self.prefix.len() + 1..).unwrap_or("")
        }
    }

    /// The tensor called `rel` relative to this module (`"weight"`, `"attn.c_attn.bias"`;
    /// `""` for a field that is one bare parameter, such as ViT's `class_token`).
    pub fn get(&self, rel: &str) -> Option<&[T]> {
        self.index(rel).map(|i| &self.data[i][..])
    }

    /// Mutable access to the tensor called `rel`.
    pub fn get_mut(&mut self, rel: &str) -> Option<&mut [T]> {
        self.index(rel).map(move |i| &mut self.data[i][..])
    }

    /// The spec of the tensor called `rel`.
    pub fn spec(&self, rel: &str) -> Option<&'static ParamSpec> {
        self.index(rel).map(|i| &self.specs[i])
    }

    /// `get("weight")`.
    pub fn weight(&self) -> Option<&[T]> {
        self.get("weight")
    }

    /// `get("bias")`.
    pub fn bias(&self) -> Option<&[T]> {
        self.get("bias")
    }

    /// `(relative name, spec, data)` for every tensor, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static ParamSpec, &[T])> + '_ {
        self.specs
            .iter()
            .zip(&self.data)
            .map(move |(s, d)| (self.relative(s), s, &d[..]))
    }

    /// The data, one `Vec` per tensor, in order.
    pub fn into_tensors(self) -> Vec<Vec<T>> {
        self.data
    }
}

/// Splits a flat tensor list into the fields of a generated struct.
#[doc(hidden)]
pub struct Cursor<T> {
    specs: &'static [ParamSpec],
    data: std::vec::IntoIter<Vec<T>>,
    pos: usize,
}

#[doc(hidden)]
impl<T> Cursor<T> {
    pub fn new(specs: &'static [ParamSpec], data: Vec<Vec<T>>) -> Self {
        assert_eq!(
            specs.len(),
            data.len(),
            "network!: expected one tensor per spec"
        );
        Cursor {
            specs,
            data: data.into_iter(),
            pos: 0,
        }
    }

    fn under(&self, prefix: &str) -> bool {
        match self.specs.get(self.pos) {
            Some(s) => {
                let n = s.name();
                n == prefix
                    || (n.len() > prefix.len()
                        && n.starts_with(prefix)
                        && n.as_bytes()[prefix.len()] == b'.')
            }
            None => false,
        }
    }

    fn take(&mut self, prefix: &'static str) -> Module<T> {
        let start = self.pos;
        let mut data = Vec::new();
        while self.under(prefix) {
            data.push(self.data.next().expect("one tensor per spec"));
            self.pos += 1;
        }
        Module {
            prefix,
            specs: &self.specs[start..self.pos],
            data,
        }
    }

    /// The tensors under `field.`.
    pub fn module(&mut self, field: &'static str) -> Module<T> {
        self.take(field)
    }

    /// The elements `field.0.`, `field.1.`, … of a repeated block.
    pub fn repeated(&mut self, field: &'static str) -> Vec<Module<T>> {
        let mut out = Vec::new();
        while self.under(field) {
            let name: &'static str = self.specs[self.pos].name();
            let rest = &name[field.len() + 1..];
            let idx_len = rest.find('.').unwrap_or(rest.len());
            out.push(self.take(&name[..field.len() + 1 + idx_len]));
        }
        out
    }

    pub fn finish(self) {
        assert_eq!(self.pos, self.specs.len(), "network!: unassigned tensors");
    }
}
