//! Plug-ins for Rust deep-learning frameworks (optional features, off by default).
//!
//! - [`candle`] (feature `candle`): a `candle_nn::var_builder::SimpleBackend`, so any model
//!   built from a `VarBuilder` (all of `candle-transformers`) is created randomly initialized
//!   with glorot's streams, tensor by tensor from its full dotted name.
//! - [`burn`] (feature `burn`): a `burn_store::ModuleStore` that initializes a burn module's
//!   parameters by path, through burn's own PyTorch adapter, so the result equals a
//!   PyTorch-layout checkpoint written by the `glorot` CLI for the same names and seed.
//!
//! Both plug-ins ask an *initialization policy* what each tensor gets ([`TensorInit`]): the
//! initializer, how its fans are read, and the rows to zero (an embedding's padding row, as
//! Hugging Face's `_init_weights` does). The element values are then exactly what
//! [`Init::alloc`] gives for the same name, shape and key, so a framework model, a CLI
//! checkpoint and a plain `Vec` agree bit for bit.

use crate::{fill, Distribution, Element, Error, Fans, Init, Layout, Pages, Result, TensorKey};

#[cfg(feature = "burn")]
pub mod burn;
#[cfg(feature = "candle")]
pub mod candle;

/// What an initialization policy decides for one tensor.
///
/// `TensorInit::from(init)` reads fans from the shape in PyTorch's layout `(out, in, *kernel)`,
/// which is how candle and the PyTorch-layout checkpoints store weights.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInit {
    /// The initializer.
    pub init: Init,
    /// How fans are read from the shape (ignored when `fans` is set).
    pub layout: Layout,
    /// Explicit fans, overriding `layout`.
    pub fans: Option<Fans>,
    /// Rows (indices along the first axis) set to zero after the fill, e.g. the embedding row
    /// of `pad_token_id`, which Hugging Face zeroes after `normal_`.
    pub zero_rows: Vec<usize>,
}

impl From<Init> for TensorInit {
    fn from(init: Init) -> Self {
        TensorInit::new(init)
    }
}

impl TensorInit {
    /// `init` with fans read in PyTorch's layout and no zeroed rows.
    pub fn new(init: Init) -> Self {
        TensorInit {
            init,
            layout: Layout::Torch,
            fans: None,
            zero_rows: Vec::new(),
        }
    }

    /// Sets the fan layout.
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets explicit fans.
    pub fn with_fans(mut self, fans: Fans) -> Self {
        self.fans = Some(fans);
        self
    }

    /// Adds a row to zero after the fill.
    pub fn with_zero_row(mut self, row: usize) -> Self {
        self.zero_rows.push(row);
        self
    }

    /// The distribution for a tensor of `shape`.
    pub fn distribution(&self, shape: &[usize]) -> Result<Distribution> {
        crate::fan::numel(shape)?;
        match self.fans {
            Some(f) => self.init.distribution(f),
            None => self.init.distribution_for_shape(shape, self.layout),
        }
    }

    /// Allocates and fills a tensor of `shape`, then zeroes `zero_rows`. Equal to
    /// [`Init::alloc`] (plus the zeroed rows) for the same shape and key.
    pub fn alloc<T: Element>(&self, shape: &[usize], key: &TensorKey) -> Result<Vec<T>> {
        self.alloc_in(shape, key, Pages::Plain)
    }

    /// [`TensorInit::alloc`] with the page backing of the new buffer chosen (a hint to the
    /// kernel; the values do not depend on it).
    pub fn alloc_in<T: Element>(
        &self,
        shape: &[usize],
        key: &TensorKey,
        pages: Pages,
    ) -> Result<Vec<T>> {
        let n = crate::fan::numel(shape)?;
        let row_len = if shape.is_empty() {
            n
        } else {
            n / shape[0].max(1)
        };
        // A row outside the first axis (or a scalar, which has no rows) is the policy's bug.
        if self
            .zero_rows
            .iter()
            .any(|&r| shape.is_empty() || r >= shape[0])
        {
            return Err(Error::OutOfRange);
        }
        if n == 0 {
            self.init.check_parameters()?;
            return Ok(Vec::new());
        }
        let mut v = if self.init.is_structured() {
            // Orthogonal and the other structured rules fill the whole tensor at once.
            self.init.alloc(shape, self.layout, key)?
        } else {
            let dist = self.distribution(shape)?;
            crate::try_alloc_filled(n, &dist, key, pages)?
        };
        for &r in &self.zero_rows {
            // Zeros read no words, so the key is irrelevant here.
            fill(
                &mut v[r * row_len..(r + 1) * row_len],
                &Distribution::zeros(),
                key,
            )?;
        }
        Ok(v)
    }
}
