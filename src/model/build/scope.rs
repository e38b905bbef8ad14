//! Scopes: the dotted path of the current layer, groups, repeated-block indices and residual
//! branches (which restart from the width their enclosing scope started with).

use super::msg::Msg;
use super::spatial::{Flattened, Layout};
use super::{Builder, MAX_DEPTH};
use crate::model::Name;

#[derive(Clone, Copy)]
pub(super) struct Frame {
    path_len: usize,
    entry_width: Option<usize>,
    entry_last: Name,
    branch: bool,
    saved_width: Option<usize>,
    saved_last: Name,
    entry_layout: Layout,
    saved_layout: Layout,
}

impl Frame {
    pub(super) const EMPTY: Frame = Frame {
        path_len: 0,
        entry_width: None,
        entry_last: Name::EMPTY,
        branch: false,
        saved_width: None,
        saved_last: Name::EMPTY,
        entry_layout: Layout::Untracked,
        saved_layout: Layout::Untracked,
    };
}

impl<const N: usize> Builder<N> {
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
            entry_layout: self.layout,
            saved_layout: self.layout,
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

    /// Enters element `i` of a repeated block whose elements are named `<prefix><i>`
    /// (torchvision ViT's `encoder.layers.encoder_layer_0`).
    pub const fn begin_prefixed(&mut self, prefix: &str, i: usize) {
        self.push_frame(false);
        if !self.path.is_empty() {
            self.path.push_str(".");
        }
        self.path.push_str(prefix);
        self.path.push_usize(i);
    }

    /// Enters a residual branch: it starts from the width the enclosing scope started with and
    /// must end at the width the main path has reached.
    pub const fn begin_branch(&mut self, seg: &str) {
        let (w, last, layout) = if self.depth == 0 {
            (None, Name::EMPTY, Layout::Untracked)
        } else {
            let f = &self.frames[self.depth - 1];
            (f.entry_width, f.entry_last, f.entry_layout)
        };
        self.push_frame(true);
        self.path.push_segment(seg);
        self.width = w;
        self.last = last;
        self.layout = layout;
        self.flattened = Flattened::NONE;
    }

    /// Whether the current scope is inside a residual branch.
    pub(super) const fn in_branch(&self) -> bool {
        let mut i = 0;
        while i < self.depth {
            if self.frames[i].branch {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Leaves the innermost scope.
    pub const fn end(&mut self) {
        self.layer = crate::model::LayerInfo::NONE;
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
            if !self.layout.same(&f.saved_layout) {
                Msg::new()
                    .s("network!: residual shape mismatch: branch `")
                    .s(self.path.as_str())
                    .s("` ends with ")
                    .layout(self.width, self.layout)
                    .s(" (from `")
                    .s(self.last.as_str())
                    .s("`) but the main path ends with ")
                    .layout(f.saved_width, f.saved_layout)
                    .s(" (from `")
                    .s(f.saved_last.as_str())
                    .s("`)")
                    .panic();
            }
            self.width = f.saved_width;
            self.last = f.saved_last;
            self.layout = f.saved_layout;
            self.flattened = Flattened::NONE;
        }
        self.path.truncate(f.path_len);
    }
}
