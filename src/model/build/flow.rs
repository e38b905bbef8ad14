//! Width flow and per-layer checks: the width a layer reads (declared, or flowing from the
//! previous layer), the width it leaves behind, the options it accepts, and the diagnostics
//! that name the layer.

use super::msg::Msg;
use super::opts::{opt, Opts};
use super::Builder;
use crate::model::LayerInfo;

impl<const N: usize> Builder<N> {
    /// The width the current layer reads: the declared one (checked against the flowing
    /// width) or the flowing one.
    pub(super) const fn input(&self, declared: Option<usize>, kind: &str) -> usize {
        match (declared, self.width) {
            (Some(d), Some(w)) => {
                if d != w && self.flattened.len > 1 {
                    let f = &self.flattened;
                    Msg::new()
                        .s("network!: width mismatch: `")
                        .s(self.path.as_str())
                        .s("` (")
                        .s(kind)
                        .s(") takes ")
                        .n(d)
                        .s(" inputs but `")
                        .s(self.last.as_str())
                        .s("` after `")
                        .s(f.from.as_str())
                        .s("` gives ")
                        .product(f.factors.split_at(f.len).0)
                        .s(" = ")
                        .n(w)
                        .panic();
                }
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

    pub(super) const fn output(&mut self, w: usize) {
        self.width = Some(w);
        self.last = self.path;
        self.flattened = super::spatial::Flattened::NONE;
    }

    /// Rejects options the layer kind does not take. Every layer kind calls it first, so it
    /// is also where the builder learns the layer it is in ([`Builder::tensor`] stamps that
    /// on each of the layer's specs; [`Builder::end`] forgets it).
    pub(super) const fn check_opts(&mut self, o: &Opts, allowed: u32, kind: &'static str) {
        self.layer = LayerInfo {
            kind,
            act: o.activation,
            branch: self.in_branch(),
            conv: None,
            pool: self.pending_pool,
            between: self.pending_other,
        };
        self.pending_pool = None;
        self.pending_other = "";
        let bad = o.set & !allowed;
        if bad != 0 {
            let bit = bad.trailing_zeros() as usize;
            self.layer_msg(kind)
                .s(" does not take option `")
                .s(opt::NAMES[bit])
                .s("`")
                .panic();
        }
    }

    /// The head of every per-layer diagnostic: "network!: layer `PATH` (KIND)".
    pub(super) const fn layer_msg(&self, kind: &str) -> Msg {
        Msg::new()
            .s("network!: layer `")
            .s(self.path.as_str())
            .s("` (")
            .s(kind)
            .s(")")
    }

    pub(super) const fn fail(&self, kind: &str, what: &str) -> ! {
        self.layer_msg(kind).s(": ").s(what).panic()
    }

    pub(super) const fn fail_n(&self, kind: &str, what: &str, a: usize, and: &str, b: usize) -> ! {
        self.layer_msg(kind)
            .s(": ")
            .s(what)
            .n(a)
            .s(and)
            .n(b)
            .panic()
    }
}
