//! Compile-time checks of the structured initializers (orthogonal, sparse, dirac, eye,
//! identity) against the shape of the tensor they are given: the peers' error cases, as
//! `const` panics naming the tensor, so `init = dirac` on a linear weight does not compile.
//!
//! The rules are those of [`crate::structured`] (which checks them again at run time for
//! every other caller); only the messages are written here.

use super::msg::Msg;
use super::Builder;
use crate::model::Name;
use crate::Init;

/// Gains and scales: finite and non-negative, as `structured::check_gain`.
const fn bad_gain(g: f64) -> bool {
    !(g.is_finite() && g >= 0.0)
}

/// A Python-style axis (`-1` = last) inside `rank`.
const fn axis_ok(axis: isize, rank: usize) -> bool {
    let r = rank as isize;
    axis >= -r && axis < r
}

impl<const N: usize> Builder<N> {
    /// Panics (a compile error in `network!`) when the structured `init` cannot fill `shape`.
    pub(super) const fn check_structured(&self, name: &Name, shape: &[usize], init: &Init) {
        let rank = shape.len();
        match *init {
            Init::Orthogonal { gain } => {
                if rank < 2 {
                    rank_error(name, rank, "orthogonal", "rank >= 2 (PyTorch: \"Only tensors with 2 or more dimensions are supported\")");
                }
                if bad_gain(gain) {
                    param_error(name, "orthogonal", "gain must be finite and non-negative");
                }
            }
            Init::OrthogonalJax { scale, column_axis } => {
                if rank < 2 {
                    rank_error(
                        name,
                        rank,
                        "orthogonal_jax",
                        "rank >= 2 (JAX: \"orthogonal initializer requires at least a 2D shape\")",
                    );
                }
                if !axis_ok(column_axis, rank) {
                    Msg::new()
                        .s("network!: `")
                        .s(name.as_str())
                        .s("`: orthogonal_jax column_axis lies outside the tensor's ")
                        .n(rank)
                        .s(" dimensions")
                        .panic();
                }
                if bad_gain(scale) {
                    param_error(
                        name,
                        "orthogonal_jax",
                        "scale must be finite and non-negative",
                    );
                }
            }
            Init::Sparse { sparsity, std } => {
                if rank != 2 {
                    rank_error(
                        name,
                        rank,
                        "sparse",
                        "a 2-D tensor (PyTorch: \"Only tensors with 2 dimensions are supported\")",
                    );
                }
                if !(sparsity >= 0.0 && sparsity <= 1.0) {
                    param_error(name, "sparse", "sparsity must be a number in [0, 1]");
                }
                if !(std.is_finite() && std >= 0.0) {
                    param_error(name, "sparse", "std must be finite and non-negative");
                }
            }
            Init::Dirac { groups } => {
                if rank < 3 || rank > 5 {
                    rank_error(name, rank, "dirac", "a 3-, 4- or 5-D convolution weight (PyTorch: \"Only tensors with 3, 4, or 5 dimensions are supported\")");
                }
                if groups == 0 || !shape[0].is_multiple_of(groups) {
                    Msg::new()
                        .s("network!: `")
                        .s(name.as_str())
                        .s("`: dirac groups = ")
                        .n(groups)
                        .s(" must be at least 1 and divide dim 0 (")
                        .n(shape[0])
                        .s(") (PyTorch: \"dim 0 must be divisible by groups\")")
                        .panic();
                }
            }
            Init::Eye if rank != 2 => rank_error(
                name,
                rank,
                "eye",
                "a 2-D tensor (PyTorch: \"Only tensors with 2 dimensions are supported\")",
            ),
            Init::Identity { gain } => {
                if rank != 2 {
                    rank_error(name, rank, "identity", "a 2-D tensor (Keras: \"Identity matrix initializer can only be used for 2D matrices\")");
                }
                if bad_gain(gain) {
                    param_error(name, "identity", "gain must be finite and non-negative");
                }
            }
            Init::DeltaOrthogonal { .. } => {
                // JAX lays kernels out (*k, in, out) and puts the matrix at the centre of the
                // leading axes; every network! tensor is stored in PyTorch's layout
                // (out, in, *k), where that centre and that matrix would be the wrong ones.
                Msg::new()
                    .s("network!: `")
                    .s(name.as_str())
                    .s("`: delta_orthogonal is JAX's, for kernels stored (*k, in, out); network! stores PyTorch's (out, in, *k): use dirac (PyTorch's delta initializer) or orthogonal")
                    .panic();
            }
            _ => {}
        }
    }
}

const fn rank_error(name: &Name, rank: usize, init: &str, needs: &str) -> ! {
    Msg::new()
        .s("network!: `")
        .s(name.as_str())
        .s("` has rank ")
        .n(rank)
        .s(" but `")
        .s(init)
        .s("` needs ")
        .s(needs)
        .panic()
}

const fn param_error(name: &Name, init: &str, what: &str) -> ! {
    Msg::new()
        .s("network!: `")
        .s(name.as_str())
        .s("`: ")
        .s(init)
        .s(" ")
        .s(what)
        .panic()
}
