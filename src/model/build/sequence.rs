//! Token sequences for vision transformers: `to_sequence` turns a patch embedding's
//! `[C, H', W']` into `[H'·W', C]` (torchvision ViT's `reshape` + `permute`), `class_token`
//! prepends one learned token, and `pos_embedding`'s length follows from both, so a ViT's
//! `(1, 197, 768)` is computed from the image size, the patch size and the class token.

use super::msg::Msg;
use super::opts::{opt, Opts};
use super::spatial::Layout;
use super::Builder;
use crate::model::Role;
use crate::Init;

impl<const N: usize> Builder<N> {
    /// `to_sequence`: `[C, *spatial]` → a sequence of `∏spatial` tokens of width `C`.
    pub const fn to_sequence(&mut self) {
        let len = match self.layout {
            Layout::Spatial { rank, dims } => {
                let mut p = 1usize;
                let mut d = 0;
                while d < rank {
                    p *= dims[d];
                    d += 1;
                }
                p
            }
            Layout::Untracked => Msg::new()
                .s("network!: `")
                .s(self.path.as_str())
                .s("` (to_sequence) needs the spatial size after `")
                .s(self.last.as_str())
                .s("`: declare `input = [C, H, W]` as the model's first entry")
                .panic(),
            _ => Msg::new()
                .s("network!: shape error: `")
                .s(self.path.as_str())
                .s("` (to_sequence) needs a spatial input but `")
                .s(self.last.as_str())
                .s("` gives ")
                .layout(self.width, self.layout)
                .panic(),
        };
        self.layout = Layout::Sequence { len };
        self.note_other("to_sequence");
        self.pass_through();
    }

    /// `class_token`: a `(1, 1, W)` parameter named by the entry itself (torchvision ViT's
    /// `class_token`, default zeros), prepended to the sequence.
    pub const fn class_token(&mut self, declared: Option<usize>, o: &Opts) {
        let kind = "class_token";
        self.check_opts(o, opt::INIT, kind);
        let w = self.input(declared, kind);
        let init = match o.init {
            Some(i) => i,
            None => Init::Zeros,
        };
        match self.layout {
            Layout::Sequence { len } => self.layout = Layout::Sequence { len: len + 1 },
            Layout::Untracked => {}
            _ => Msg::new()
                .s("network!: shape error: `")
                .s(self.path.as_str())
                .s("` (class_token) is prepended to a token sequence but `")
                .s(self.last.as_str())
                .s("` gives ")
                .layout(self.width, self.layout)
                .s("; put a `to_sequence` before it")
                .panic(),
        }
        self.tensor("", &[1, 1, w], init, None, 0.01, Role::Embedding);
        self.output(w);
    }

    /// `pos_embedding` / `pos_embedding(LEN)`: a `(1, LEN, W)` parameter named by the entry
    /// itself (torchvision ViT's `encoder.pos_embedding`, default `normal(0, 0.02)`). `LEN`
    /// follows from the tracked sequence; written, it is checked against it.
    pub const fn pos_embedding(&mut self, declared: Option<usize>, o: &Opts) {
        let kind = "pos_embedding";
        self.check_opts(o, opt::INIT, kind);
        let Some(w) = self.width else {
            self.fail(kind, "has no input width: no earlier layer sets one");
        };
        let len = match (declared, self.layout) {
            (Some(d), Layout::Sequence { len }) => {
                if d != len {
                    Msg::new()
                        .s("network!: shape error: `")
                        .s(self.path.as_str())
                        .s("` (pos_embedding) has ")
                        .n(d)
                        .s(" positions but the sequence from `")
                        .s(self.last.as_str())
                        .s("` has ")
                        .n(len)
                        .s(" tokens")
                        .panic();
                }
                d
            }
            (None, Layout::Sequence { len }) => len,
            (Some(d), Layout::Untracked) => d,
            (None, Layout::Untracked) => Msg::new()
                .s("network!: `")
                .s(self.path.as_str())
                .s("` (pos_embedding) needs the sequence length: write `pos_embedding(LEN)`, ")
                .s("or declare `input = [C, H, W]` and build the sequence with `to_sequence`")
                .panic(),
            _ => Msg::new()
                .s("network!: shape error: `")
                .s(self.path.as_str())
                .s("` (pos_embedding) is added to a token sequence but `")
                .s(self.last.as_str())
                .s("` gives ")
                .layout(self.width, self.layout)
                .panic(),
        };
        let init = match o.init {
            Some(i) => i,
            None => Init::Normal {
                mean: 0.0,
                std: 0.02,
            },
        };
        self.tensor("", &[1, len, w], init, None, 0.01, Role::Embedding);
        self.output(w);
    }
}
