//! Every diagnostic of [`network!`](crate::network), each shown failing next to a near-identical
//! declaration that compiles (on stable Rust a `compile_fail` doctest cannot check *which*
//! error occurred, so the passing twin is what shows the failure is the intended one).
//!
//! Shape errors are `const` evaluation panics (`error[E0080]: evaluation panicked: network!: …`)
//! whose message names the layers and widths involved; syntax errors are `compile_error!`s that
//! say what was expected.
//!
//! ## Width mismatch between consecutive layers
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     fc1: linear(784 => 1000),
//!     fc2: linear(500 => 10),   // `fc2` takes 500 inputs but `fc1` outputs 1000
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     fc1: linear(784 => 1000),
//!     fc2: linear(1000 => 10),
//! } }
//! ```
//!
//! ## Width mismatch across a group and a repeated block
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     embed: embedding(100, 64),
//!     blocks: repeat(4) { up: linear(64 => 128), down: linear(128 => 32) }, // block 1 reads 32
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     embed: embedding(100, 64),
//!     blocks: repeat(4) { up: linear(64 => 128), down: linear(128 => 64) },
//! } }
//! ```
//!
//! ## Residual branch that does not end at the main path's width
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     block: {
//!         conv1: conv2d(64 => 256, kernel = 1),
//!         downsample: branch { 0: conv2d(64 => 128, kernel = 1) }, // 128 ≠ 256
//!     },
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     block: {
//!         conv1: conv2d(64 => 256, kernel = 1),
//!         downsample: branch { 0: conv2d(64 => 256, kernel = 1) },
//!     },
//! } }
//! ```
//!
//! ## Channels not divisible by groups
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(30 => 64, kernel = 3, groups = 4) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(32 => 64, kernel = 3, groups = 4) } }
//! ```
//!
//! ## Kernel sizes that do not match the convolution's rank
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv1d(8 => 16, kernel = (3, 3)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(8 => 16, kernel = (3, 3)) } }
//! ```
//!
//! ## Attention heads that do not divide the width, or kv heads that do not divide heads
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { attn: attention(768, heads = 7) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { attn: attention(768, heads = 12) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { attn: attention(768, heads = 12, kv_heads = 5) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { attn: attention(768, heads = 12, kv_heads = 4) } }
//! ```
//!
//! ## Spatial shapes (with `input = [...]`)
//!
//! A `linear` whose width disagrees with the `flatten` before it: the message says what the
//! `flatten` computed (`` `fc1` (linear) takes 14400 inputs but `flatten` after `pool2` gives
//! 16 × 15 × 15 = 3600 ``):
//!
//! ```compile_fail
//! glorot_macros::network! { struct Tiny {
//!     input = [3, 32, 32],
//!     conv1: conv2d(3 => 16, kernel = 3),     // 16 × 30 × 30
//!     pool2: max_pool2d(2),                   // 16 × 15 × 15
//!     flatten: flatten,                       // 3600
//!     fc1: linear(16 * 30 * 30 => 128),
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct Tiny {
//!     input = [3, 32, 32],
//!     conv1: conv2d(3 => 16, kernel = 3),
//!     pool2: max_pool2d(2),
//!     flatten: flatten,
//!     fc1: linear(16 * 15 * 15 => 128),
//! } }
//! ```
//!
//! A layer that reads feature vectors straight after a tracked convolution (no `flatten`):
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     input = [3, 32, 32],
//!     conv1: conv2d(3 => 16, kernel = 3),
//!     fc1: linear(16 => 10),        // `conv1` gives 16 × 30 × 30
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     input = [3, 32, 32],
//!     conv1: conv2d(3 => 16, kernel = 3),
//!     flatten: flatten,
//!     fc1: linear(16 * 30 * 30 => 10),
//! } }
//! ```
//!
//! `flatten` where the spatial size is unknown (no `input`, no adaptive pool before it):
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     conv1: conv2d(3 => 16, kernel = 3),
//!     flatten: flatten,
//!     fc1: linear(10),
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     conv1: conv2d(3 => 16, kernel = 3),
//!     pool: adaptive_avg_pool2d(4, 4),
//!     flatten: flatten,
//!     fc1: linear(16 * 4 * 4 => 10),
//! } }
//! ```
//!
//! A kernel larger than its (padded) input:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { input = [3, 4, 4], conv: conv2d(3 => 8, kernel = 5) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [3, 4, 4], conv: conv2d(3 => 8, kernel = 5, padding = 1) } }
//! ```
//!
//! A convolution of the wrong spatial rank:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { input = [3, 32, 32], conv: conv1d(3 => 8, kernel = 3) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [3, 32], conv: conv1d(3 => 8, kernel = 3) } }
//! ```
//!
//! Geometry PyTorch refuses: a zero stride, per-axis sizes that do not match the rank,
//! `output_padding` not smaller than the stride or the dilation (or without `transposed`),
//! pooling padding more than half the kernel:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(3 => 8, kernel = 3, stride = 0) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(3 => 8, kernel = 3, stride = 1) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(3 => 8, kernel = 3, stride = (2, 2, 2)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(3 => 8, kernel = 3, stride = (2, 2)) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     up: conv2d(8 => 4, kernel = 3, stride = 2, transposed = true, output_padding = 2),
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     up: conv2d(8 => 4, kernel = 3, stride = 2, transposed = true, output_padding = 1),
//! } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(8 => 4, kernel = 3, output_padding = 1) } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     conv: conv2d(8 => 4, kernel = 3, stride = 2, transposed = true, output_padding = 1),
//! } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { input = [3, 8, 8], pool: max_pool2d(2, padding = 2) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [3, 8, 8], pool: max_pool2d(2, padding = 1) } }
//! ```
//!
//! An adaptive pool with more output sizes than spatial axes:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { input = [3, 8, 8], pool: adaptive_avg_pool2d(2, 2, 2) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [3, 8, 8], pool: adaptive_avg_pool2d(2, 2) } }
//! ```
//!
//! `input = [...]` anywhere but first:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(4 => 4), input = [4] } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [4], fc: linear(4 => 4) } }
//! ```
//!
//! A residual branch that ends at another spatial size than the main path (same channels):
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     input = [64, 56, 56],
//!     block: {
//!         conv1: conv2d(64 => 64, kernel = 3, stride = 2, padding = 1),      // 28 × 28
//!         downsample: branch { 0: conv2d(64 => 64, kernel = 1) },          // 56 × 56
//!     },
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     input = [64, 56, 56],
//!     block: {
//!         conv1: conv2d(64 => 64, kernel = 3, stride = 2, padding = 1),
//!         downsample: branch { 0: conv2d(64 => 64, kernel = 1, stride = 2) },
//!     },
//! } }
//! ```
//!
//! ## Sequences: `to_sequence`, `class_token`, `pos_embedding`
//!
//! A position embedding whose written length disagrees with the sequence (here 14 × 14
//! patches + the class token = 197):
//!
//! ```compile_fail
//! glorot_macros::network! { struct Vit {
//!     input = [3, 224, 224],
//!     conv_proj: conv2d(3 => 768, kernel = 16, stride = 16),
//!     patches: to_sequence,
//!     class_token: class_token,
//!     pos_embedding: pos_embedding(196),
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct Vit {
//!     input = [3, 224, 224],
//!     conv_proj: conv2d(3 => 768, kernel = 16, stride = 16),
//!     patches: to_sequence,
//!     class_token: class_token,
//!     pos_embedding: pos_embedding(197),
//! } }
//! ```
//!
//! A position embedding with no length to follow (untracked, none written):
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { emb: embedding(100, 64), pos: pos_embedding } }
//! ```
//! ```
//! glorot_macros::network! { struct M { emb: embedding(100, 64), pos: pos_embedding(16) } }
//! ```
//!
//! A class token on a spatial activation, and `to_sequence` without a spatial size:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M {
//!     input = [3, 32, 32],
//!     conv: conv2d(3 => 64, kernel = 4, stride = 4),
//!     cls: class_token,
//! } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     input = [3, 32, 32],
//!     conv: conv2d(3 => 64, kernel = 4, stride = 4),
//!     patches: to_sequence,
//!     cls: class_token,
//! } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(3 => 64, kernel = 4, stride = 4), patches: to_sequence } }
//! ```
//! ```
//! glorot_macros::network! { struct M {
//!     input = [3, 32, 32],
//!     conv: conv2d(3 => 64, kernel = 4, stride = 4),
//!     patches: to_sequence,
//! } }
//! ```
//!
//! `flatten` and `to_sequence` take no arguments:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { input = [4, 2], flat: flatten(1) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { input = [4, 2], flat: flatten } }
//! ```
//!
//! ## Group norm
//!
//! Channels not divisible by the groups:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(3 => 30, kernel = 3), gn: group_norm(4) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(3 => 32, kernel = 3), gn: group_norm(4) } }
//! ```
//!
//! The group count is positional (or `groups = G`); other options come after it:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(3 => 32, kernel = 3), gn: group_norm(affine = false) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(3 => 32, kernel = 3), gn: group_norm(8, affine = false) } }
//! ```
//!
//! ## `multihead_attention` heads that do not divide the width
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { attn: multihead_attention(768, heads = 7) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { attn: multihead_attention(768, heads = 12) } }
//! ```
//!
//! ## No input width
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(10) } } // nothing before it sets a width
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10) } }
//! ```
//!
//! ## An initializer that needs fans on a rank-1 tensor
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, bias = xavier_uniform) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, bias = zeros) } }
//! ```
//!
//! ## A structured initializer on a shape it cannot fill
//!
//! `dirac` needs a 3–5-D convolution weight, not a linear one:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = dirac) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(5 => 10, kernel = 3, init = dirac) } }
//! ```
//!
//! `orthogonal` needs rank ≥ 2, so not a bias:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, bias = orthogonal) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = orthogonal) } }
//! ```
//!
//! `eye`, `identity` and `sparse` need a 2-D tensor:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv1d(4 => 4, kernel = 3, init = eye) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(4 => 4, init = eye) } }
//! ```
//!
//! `dirac`'s groups must divide the weight's dimension 0 (here 9):
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(6 => 9, kernel = 3, init = dirac(groups = 2)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(6 => 8, kernel = 3, init = dirac(groups = 2)) } }
//! ```
//!
//! `delta_orthogonal` is JAX's, for kernels stored `(*k, in, out)`; `network!` stores PyTorch's
//! `(out, in, *k)`:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { conv: conv2d(4 => 8, kernel = 3, init = delta_orthogonal) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { conv: conv2d(4 => 8, kernel = 3, init = dirac) } }
//! ```
//!
//! `orthogonal_jax`'s column axis must lie inside the tensor:
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = orthogonal_jax(column_axis = 2)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = orthogonal_jax(column_axis = 1)) } }
//! ```
//!
//! ## A structured initializer's bad parameters
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = orthogonal(gain = -1.0)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = orthogonal(gain = 1.0)) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = sparse(sparsity = 1.5)) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = sparse(sparsity = 0.5)) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = sparse) } } // no sparsity
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = sparse(sparsity = 0.1)) } }
//! ```
//!
//! ## A recurrent initializer on a layer without recurrent weights
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, recurrent_init = orthogonal) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { rnn: lstm(5 => 10, recurrent_init = orthogonal) } }
//! ```
//!
//! ## An option the layer kind does not take
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, kernel = 3) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: conv1d(5 => 10, kernel = 3) } }
//! ```
//!
//! ## Two tensors with the same name
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { head: { a: linear(4 => 4), a: linear(4) } } }
//! ```
//! ```
//! glorot_macros::network! { struct M { head: { a: linear(4 => 4), b: linear(4) } } }
//! ```
//!
//! ## Unknown layer kind
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linaer(5 => 10) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10) } }
//! ```
//!
//! ## Unknown option
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, activation = tanh) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, act = tanh) } }
//! ```
//!
//! ## Unknown initializer or activation
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = xavier) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = xavier_uniform) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { fc: linear(5 => 10, act = swish) } }
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10, act = selu) } }
//! glorot_macros::network! { struct G { fc: linear(5 => 10, act = gelu) } }
//! ```
//! ```compile_fail
//! // gelu is a layer activation, not a `calculate_gain` nonlinearity
//! glorot_macros::network! { struct M { fc: linear(5 => 10, init = kaiming_normal(nonlinearity = gelu)) } }
//! ```
//!
//! ## Malformed entries
//!
//! ```compile_fail
//! glorot_macros::network! { struct M { fc linear(5 => 10) } } // missing `:`
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10) } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { 0: linear(5 => 10) } } // fields need identifiers
//! ```
//! ```
//! glorot_macros::network! { struct M { seq: { 0: linear(5 => 10) } } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { struct M { repeat(2) { fc: linear(5 => 5) } } } // no field name
//! ```
//! ```
//! glorot_macros::network! { struct M { blocks: repeat(2) { fc: linear(5 => 5) } } }
//! ```
//! ```compile_fail
//! glorot_macros::network! { M { fc: linear(5 => 10) } } // missing `struct`
//! ```
//! ```
//! glorot_macros::network! { struct M { fc: linear(5 => 10) } }
//! ```
