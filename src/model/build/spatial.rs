//! Optional spatial tracking. A model that declares `input = [C, H, W]` (or `[C, L]`,
//! `[C, D, H, W]`, `[WIDTH]`) has its activation's spatial size followed through convolutions
//! and pooling with PyTorch's output-size formulas, so `flatten` knows its width and a wrong
//! `linear` after it is a compile error naming both layers. Without `input` the layout stays
//! [`Layout::Untracked`] and only widths flow, as before; no tensor's name, shape or
//! initializer depends on any of this.

use super::msg::Msg;
use super::opts::{axis, opt, Opts, PoolKind};
use super::Builder;
use crate::model::{conv_output_len, pool_output_len, ConvGeometry, Name, PoolGeometry};

/// What the builder knows about the activation besides its width (the channels).
#[derive(Clone, Copy)]
pub(super) enum Layout {
    /// No `input = [...]` (or an `embedding` reset it): widths only.
    Untracked,
    /// One feature vector `[W]`.
    Flat,
    /// `[C, *dims[..rank]]`, rank 1 to 3.
    Spatial { rank: usize, dims: [usize; 3] },
    /// A token sequence `[len, W]` (after `to_sequence`).
    Sequence { len: usize },
}

impl Layout {
    pub(super) const fn same(&self, other: &Layout) -> bool {
        match (*self, *other) {
            (Layout::Untracked, _) | (_, Layout::Untracked) => true,
            (Layout::Flat, Layout::Flat) => true,
            (Layout::Sequence { len: a }, Layout::Sequence { len: b }) => a == b,
            (Layout::Spatial { rank: r, dims: a }, Layout::Spatial { rank: s, dims: b }) => {
                r == s && a[0] == b[0] && a[1] == b[1] && a[2] == b[2]
            }
            _ => false,
        }
    }
}

/// What the last `flatten` computed, kept so the next layer's width error can say how.
#[derive(Clone, Copy)]
pub(super) struct Flattened {
    /// The layer before the `flatten`.
    pub(super) from: Name,
    pub(super) factors: [usize; 4],
    pub(super) len: usize,
}

impl Flattened {
    pub(super) const NONE: Flattened = Flattened {
        from: Name::EMPTY,
        factors: [0; 4],
        len: 0,
    };
}

impl Msg {
    /// `16 × 15 × 15`.
    pub(super) const fn product(self, f: &[usize]) -> Msg {
        let mut m = self;
        let mut i = 0;
        while i < f.len() {
            if i > 0 {
                m = m.s(" × ");
            }
            m = m.n(f[i]);
            i += 1;
        }
        m
    }

    /// The activation `layout` of width `w`, as the user would write its shape.
    pub(super) const fn layout(self, w: Option<usize>, layout: Layout) -> Msg {
        match layout {
            Layout::Untracked => self.s("width ").w(w),
            Layout::Flat => self.s("a flat vector of ").w(w),
            Layout::Sequence { len } => self.s("a sequence of ").n(len).s(" × ").w(w),
            Layout::Spatial { rank, dims } => self.w(w).s(" × ").product(dims.split_at(rank).0),
        }
    }
}

const fn spatial_kind(dims: usize) -> &'static str {
    match dims {
        1 => "[C, L]",
        2 => "[C, H, W]",
        _ => "[C, D, H, W]",
    }
}

impl<const N: usize> Builder<N> {
    /// `input = [C, *spatial]` as the model's first entry: the width and spatial size the first
    /// layer reads.
    pub const fn input_shape(&mut self, shape: &[usize]) {
        if self.count != 0 || self.depth != 0 || self.width.is_some() {
            panic!("network!: `input = [...]` must be the model's first entry");
        }
        if shape.is_empty() || shape.len() > 4 {
            panic!(
                "network!: `input = [...]` takes [WIDTH], [C, L], [C, H, W] or [C, D, H, W] (no batch dimension)"
            );
        }
        let mut i = 0;
        while i < shape.len() {
            if shape[i] == 0 {
                panic!("network!: `input = [...]` has a zero size");
            }
            i += 1;
        }
        self.width = Some(shape[0]);
        let mut last = Name::EMPTY;
        last.push_str("input");
        self.last = last;
        self.layout = if shape.len() == 1 {
            Layout::Flat
        } else {
            let mut dims = [1usize; 3];
            let mut d = 0;
            while d + 1 < shape.len() {
                dims[d] = shape[d + 1];
                d += 1;
            }
            Layout::Spatial {
                rank: shape.len() - 1,
                dims,
            }
        };
    }

    /// A layer that reads one feature vector per position (linear, attention, recurrent …)
    /// cannot follow a tracked spatial activation without a `flatten`.
    pub(super) const fn flat_input(&self, kind: &str) {
        if let Layout::Spatial { .. } = self.layout {
            Msg::new()
                .s("network!: shape error: `")
                .s(self.path.as_str())
                .s("` (")
                .s(kind)
                .s(") reads feature vectors but `")
                .s(self.last.as_str())
                .s("` gives ")
                .layout(self.width, self.layout)
                .s("; put a `flatten` (or `to_sequence`) between them")
                .panic();
        }
    }

    /// The spatial input of a `dims`-D convolution or pooling layer, when tracked; `None` when
    /// untracked.
    const fn spatial_input(&self, kind: &str, dims: usize) -> Option<[usize; 3]> {
        match self.layout {
            Layout::Untracked => None,
            Layout::Spatial { rank, dims: d } if rank == dims => Some(d),
            _ => Msg::new()
                .s("network!: shape error: `")
                .s(self.path.as_str())
                .s("` (")
                .s(kind)
                .s(") needs a spatial input ")
                .s(spatial_kind(dims))
                .s(" but `")
                .s(self.last.as_str())
                .s("` gives ")
                .layout(self.width, self.layout)
                .panic(),
        }
    }

    const fn shape_fail(&self, kind: &str, what: &str, d: usize, input: usize, need: usize) -> ! {
        Msg::new()
            .s("network!: shape error: `")
            .s(self.path.as_str())
            .s("` (")
            .s(kind)
            .s("): ")
            .s(what)
            .s(" on spatial axis ")
            .n(d)
            .s(": its input from `")
            .s(self.last.as_str())
            .s("` is ")
            .n(input)
            .s(" (padded), smaller than the dilated kernel ")
            .n(need)
            .panic()
    }

    /// Geometry checks that hold with or without tracking (so a bad stride is an error even
    /// in a model without `input`).
    const fn check_geometry(&self, kind: &str, dims: usize, o: &Opts) {
        let mut d = 0;
        while d < dims {
            if axis(&o.stride, o.stride_len, d, 1) == 0 {
                self.fail(kind, "stride must be at least 1");
            }
            if axis(&o.dilation, o.dilation_len, d, 1) == 0 {
                self.fail(kind, "dilation must be at least 1");
            }
            d += 1;
        }
        let lens = [
            o.stride_len,
            o.padding_len,
            o.dilation_len,
            o.output_padding_len,
        ];
        let names = ["stride", "padding", "dilation", "output_padding"];
        let mut i = 0;
        while i < 4 {
            if lens[i] > 1 && lens[i] != dims {
                self.layer_msg(kind)
                    .s(": ")
                    .s(names[i])
                    .s(" has ")
                    .n(lens[i])
                    .s(" sizes but the layer has spatial rank ")
                    .n(dims)
                    .panic();
            }
            i += 1;
        }
    }

    /// The tracked spatial input of rank `dims` (`None` when untracked or of another rank,
    /// which [`Builder::spatial_input`] reports later).
    const fn tracked_input(&self, dims: usize) -> Option<[usize; 3]> {
        match self.layout {
            Layout::Spatial { rank, dims: d } if rank == dims => Some(d),
            _ => None,
        }
    }

    /// What the report needs of a convolution (per axis, defaults filled in).
    pub(super) const fn conv_geometry(&self, dims: usize, o: &Opts) -> ConvGeometry {
        let mut g = ConvGeometry {
            rank: dims,
            input: self.tracked_input(dims),
            kernel: [1; 3],
            stride: [1; 3],
            padding: [0; 3],
            dilation: [1; 3],
            groups: o.groups,
            transposed: o.transposed,
        };
        let mut d = 0;
        while d < dims && d < 3 {
            g.kernel[d] = axis(&o.kernel, o.kernel_len, d, 1);
            g.stride[d] = axis(&o.stride, o.stride_len, d, 1);
            g.padding[d] = axis(&o.padding, o.padding_len, d, 0);
            g.dilation[d] = axis(&o.dilation, o.dilation_len, d, 1);
            d += 1;
        }
        g
    }

    /// Notes a parameter-free layer that changes values in a way [`LayerInfo::pool`] does not
    /// describe (the first one is kept).
    ///
    /// [`LayerInfo::pool`]: crate::model::LayerInfo::pool
    pub(super) const fn note_other(&mut self, kind: &'static str) {
        if self.pending_other.is_empty() {
            self.pending_other = kind;
        }
    }

    /// A convolution's output size on every axis (PyTorch's `Conv{1,2,3}d` /
    /// `ConvTranspose{1,2,3}d` shape formulas); sets the layout when tracked.
    pub(super) const fn conv_shape(&mut self, kind: &str, dims: usize, o: &Opts) {
        self.check_geometry(kind, dims, o);
        if o.output_padding_len != 0 && !o.transposed {
            self.fail(kind, "`output_padding` needs `transposed = true`");
        }
        let mut d = 0;
        while d < dims {
            let s = axis(&o.stride, o.stride_len, d, 1);
            let dil = axis(&o.dilation, o.dilation_len, d, 1);
            let op = axis(&o.output_padding, o.output_padding_len, d, 0);
            if o.transposed && op >= s && op >= dil {
                self.fail(
                    kind,
                    "output_padding must be smaller than either stride or dilation (PyTorch's rule)",
                );
            }
            d += 1;
        }
        let Some(mut size) = self.spatial_input(kind, dims) else {
            return;
        };
        let mut d = 0;
        while d < dims {
            let k = axis(&o.kernel, o.kernel_len, d, 1);
            let s = axis(&o.stride, o.stride_len, d, 1);
            let p = axis(&o.padding, o.padding_len, d, 0);
            let dil = axis(&o.dilation, o.dilation_len, d, 1);
            if k == 0 {
                self.fail(kind, "kernel sizes must be at least 1");
            }
            let span = dil * (k - 1) + 1;
            size[d] = if o.transposed {
                // (in - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1
                let op = axis(&o.output_padding, o.output_padding_len, d, 0);
                let full = (size[d] - 1) * s + span + op;
                if full <= 2 * p {
                    Msg::new()
                        .s("network!: shape error: `")
                        .s(self.path.as_str())
                        .s("` (")
                        .s(kind)
                        .s("): padding ")
                        .n(p)
                        .s(" on both sides leaves no output on spatial axis ")
                        .n(d)
                        .s(" (its input from `")
                        .s(self.last.as_str())
                        .s("` is ")
                        .n(size[d])
                        .s(")")
                        .panic();
                }
                full - 2 * p
            } else {
                match conv_output_len(size[d], k, s, p, dil) {
                    Some(out) => out,
                    None => {
                        self.shape_fail(kind, "the kernel does not fit", d, size[d] + 2 * p, span)
                    }
                }
            };
            d += 1;
        }
        self.layout = Layout::Spatial {
            rank: dims,
            dims: size,
        };
    }

    /// `max_poolNd` / `avg_poolNd(K, stride = S, padding = P, dilation = D, ceil_mode = B)`:
    /// the channels pass through; the spatial size follows PyTorch's `pooling_output_shape`
    /// (stride defaults to the kernel).
    pub const fn pool(&mut self, kind: PoolKind, dims: usize, o: &Opts) {
        let name = match (kind, dims) {
            (PoolKind::Max, 1) => "max_pool1d",
            (PoolKind::Max, 2) => "max_pool2d",
            (PoolKind::Max, _) => "max_pool3d",
            (PoolKind::Avg, 1) => "avg_pool1d",
            (PoolKind::Avg, 2) => "avg_pool2d",
            (PoolKind::Avg, _) => "avg_pool3d",
        };
        let allowed = opt::KERNEL | opt::STRIDE | opt::PADDING | opt::CEIL_MODE;
        let allowed = match kind {
            PoolKind::Max => allowed | opt::DILATION,
            PoolKind::Avg => allowed,
        };
        // check_opts hands pending pooling to the next layer with tensors; this one has none.
        let (pending, other) = (self.pending_pool, self.pending_other);
        self.check_opts(o, allowed, name);
        self.pending_pool = pending;
        self.pending_other = other;
        if o.kernel_len == 0 {
            self.fail(
                name,
                "needs its kernel size: `max_pool2d(2)` or `kernel = (K1, K2)`",
            );
        }
        if o.kernel_len != 1 && o.kernel_len != dims {
            self.fail_n(
                name,
                "kernel has ",
                o.kernel_len,
                " sizes but the layer has spatial rank ",
                dims,
            );
        }
        self.check_geometry(name, dims, o);
        let input = self.spatial_input(name, dims);
        let mut size = match input {
            Some(s) => s,
            None => [0; 3],
        };
        let mut d = 0;
        while d < dims {
            let k = axis(&o.kernel, o.kernel_len, d, 1);
            let s = axis(&o.stride, o.stride_len, d, k);
            let p = axis(&o.padding, o.padding_len, d, 0);
            let dil = axis(&o.dilation, o.dilation_len, d, 1);
            if k == 0 {
                self.fail(name, "kernel sizes must be at least 1");
            }
            let span = dil * (k - 1) + 1;
            // PyTorch refuses padding over half the kernel size (not the dilated span), for
            // max and avg pooling alike.
            let half = k / 2;
            if p > half {
                self.fail_n(
                    name,
                    "padding ",
                    p,
                    " is more than half the kernel: at most ",
                    half,
                );
            }
            if input.is_some() {
                size[d] = match pool_output_len(size[d], k, s, p, dil, o.ceil_mode) {
                    Some(out) => out,
                    None => {
                        self.shape_fail(name, "the window does not fit", d, size[d] + 2 * p, span)
                    }
                };
            }
            d += 1;
        }
        let mut geom = PoolGeometry {
            max: matches!(kind, PoolKind::Max),
            rank: dims,
            input,
            kernel: [1; 3],
            stride: [1; 3],
            padding: [0; 3],
            dilation: [1; 3],
            ceil_mode: o.ceil_mode,
        };
        let mut d = 0;
        while d < dims && d < 3 {
            geom.kernel[d] = axis(&o.kernel, o.kernel_len, d, 1);
            geom.stride[d] = axis(&o.stride, o.stride_len, d, geom.kernel[d]);
            geom.padding[d] = axis(&o.padding, o.padding_len, d, 0);
            geom.dilation[d] = axis(&o.dilation, o.dilation_len, d, 1);
            d += 1;
        }
        if self.pending_pool.is_some() {
            self.note_other(name);
        } else {
            self.pending_pool = Some(geom);
        }
        if input.is_some() {
            self.layout = Layout::Spatial {
                rank: dims,
                dims: size,
            };
        }
        self.pass_through();
    }

    /// `adaptive_avg_poolNd(S1, …)`: output size as given, whatever the input's; so it also
    /// starts spatial tracking in a model without `input` (what `flatten` needs, as in
    /// torchvision's VGG and AlexNet heads).
    pub const fn adaptive_pool(&mut self, dims: usize, size: &[usize]) {
        let name = match dims {
            1 => "adaptive_avg_pool1d",
            2 => "adaptive_avg_pool2d",
            _ => "adaptive_avg_pool3d",
        };
        if size.len() != 1 && size.len() != dims {
            self.fail_n(
                name,
                "takes 1 output size or one per axis: got ",
                size.len(),
                " sizes for spatial rank ",
                dims,
            );
        }
        let input = self.spatial_input(name, dims);
        let mut out = [1usize; 3];
        let mut d = 0;
        while d < dims {
            out[d] = if size.len() == 1 { size[0] } else { size[d] };
            if out[d] == 0 {
                self.fail(name, "output sizes must be at least 1");
            }
            d += 1;
        }
        // An adaptive pool to the size it already has is the identity (AlexNet's and VGG's
        // at 224 × 224); any other changes values.
        let same = match input {
            Some(i) => i[0] == out[0] && i[1] == out[1] && i[2] == out[2],
            None => false,
        };
        if !same {
            self.note_other(name);
        }
        self.layout = Layout::Spatial {
            rank: dims,
            dims: out,
        };
        self.pass_through();
    }

    /// `flatten`: `torch.flatten(x, 1)`, width = channels × the spatial product (or
    /// length × width for a sequence).
    pub const fn flatten(&mut self) {
        let kind = "flatten";
        let Some(w) = self.width else {
            self.fail(kind, "has no input width: no earlier layer sets one");
        };
        let mut note = Flattened::NONE;
        note.from = self.last;
        note.factors[0] = w;
        let out = match self.layout {
            Layout::Untracked => Msg::new()
                .s("network!: `")
                .s(self.path.as_str())
                .s("` (flatten) cannot compute its width: the spatial size after `")
                .s(self.last.as_str())
                .s("` is unknown; declare `input = [C, H, W]` as the model's first entry, or ")
                .s("put an adaptive pool (e.g. `adaptive_avg_pool2d(7, 7)`) before it")
                .panic(),
            Layout::Flat => {
                note.len = 1;
                w
            }
            Layout::Sequence { len } => {
                note.factors = [len, w, 0, 0];
                note.len = 2;
                len * w
            }
            Layout::Spatial { rank, dims } => {
                let mut p = w;
                let mut d = 0;
                while d < rank {
                    note.factors[d + 1] = dims[d];
                    p = match p.checked_mul(dims[d]) {
                        Some(p) => p,
                        None => self.fail(kind, "its width overflows usize"),
                    };
                    d += 1;
                }
                note.len = rank + 1;
                p
            }
        };
        self.layout = Layout::Flat;
        self.output(out);
        self.flattened = note;
    }

    /// A parameter-free layer that keeps the width: it becomes the "previous layer" that
    /// later diagnostics name.
    pub(super) const fn pass_through(&mut self) {
        self.last = self.path;
        self.flattened = Flattened::NONE;
    }
}
