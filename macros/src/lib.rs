//! # glorot-macros: declare a model, get its parameter table at compile time
//!
//! [`network!`] declares a model as named layers. Every parameter tensor's dotted name (exactly
//! as PyTorch's `named_parameters()` prints it for the equivalent module), shape, fans,
//! initializer and gain, the tensor count and the parameter count are computed by `const`
//! evaluation, and a shape error is a compile error that names the layers involved.
//!
//! This crate is **only the syntax**: [`network!`] and its `#[doc(hidden)]` helper macros are
//! `macro_rules!` that parse the declaration and expand to `::glorot::…` paths. Everything the
//! expansion names lives in [`glorot`](https://docs.rs/glorot), defined once: the vocabulary
//! (`glorot::Init`, `glorot::Nonlinearity`, `glorot::FanMode`, `glorot::VarianceDistribution`,
//! the `const fn`s `glorot::calculate_gain`, `glorot::name_stream` and `glorot::Fans::torch`),
//! the model types (`glorot::model::{ParamSpec, Network, Module, Assemble}`) and the const
//! builder the expansion drives (`glorot::model::__private`, not part of the API). `glorot`
//! re-exports the macro as `glorot::network!`; use it through `glorot` (the expansion needs a
//! dependency named `glorot`, and the user imports nothing else).
//!
//! Why this split: a `macro_rules!` macro's `$crate` is the crate that defines it, and this
//! crate cannot depend on `glorot` (which depends on it). Keeping the types and the builder
//! next to the engine that fills them means each initializer, nonlinearity, fan rule and the
//! name → stream hash is written once, with no mirror types, converters or parity tests; this
//! crate keeps only the grammar. Its own tests and doctests use `glorot` as a dev-dependency.
//!
//! ## 1. Declare a model
//!
//! ```
//! use glorot_macros::network;
//!
//! network! {
//!     /// A small convolutional classifier.
//!     pub struct Tiny {
//!         conv: conv2d(3 => 16, kernel = 3, act = relu, init = kaiming_uniform, bias = zeros),
//!         norm: batch_norm,                       // width 16 flows in
//!         head: { fc1: linear(16 => 32, act = tanh, init = xavier_uniform),
//!                 fc2: linear(10) },              // 32 flows into fc2
//!     }
//! }
//! ```
//!
//! ## 2. Read its consts
//!
//! ```
//! # use glorot_macros::network;
//! # network! { pub struct Tiny {
//! #     conv: conv2d(3 => 16, kernel = 3, act = relu, init = kaiming_uniform, bias = zeros),
//! #     norm: batch_norm,
//! #     head: { fc1: linear(16 => 32, act = tanh, init = xavier_uniform), fc2: linear(10) },
//! # } }
//! use glorot::{model::Network, Init};
//!
//! const P: usize = Tiny::PARAMS;      // usable in const contexts
//! const N: usize = Tiny::TENSORS;
//! assert_eq!(P, 16 * 3 * 9 + 16 + 16 + 16 + 32 * 16 + 32 + 10 * 32 + 10);
//! assert_eq!(N, 8);
//!
//! let w = &Tiny::SPECS[0];
//! assert_eq!(w.name(), "conv.weight");
//! assert_eq!(w.shape(), [16, 3, 3, 3]);
//! assert_eq!((w.fan_in, w.fan_out), (27, 144));          // PyTorch's rule
//! assert_eq!(w.gain, std::f64::consts::SQRT_2);            // relu
//!
//! let names: Vec<&str> = Tiny::SPECS.iter().map(|s| s.name()).collect();
//! assert_eq!(names, ["conv.weight", "conv.bias", "norm.weight", "norm.bias",
//!                    "head.fc1.weight", "head.fc1.bias", "head.fc2.weight", "head.fc2.bias"]);
//! assert_eq!(Tiny::SPECS[4].init, Init::XavierUniform { gain: 5.0 / 3.0 });
//! // fc2 got PyTorch's nn.Linear default bias: U(±1/√fan_in)
//! assert_eq!(Tiny::SPECS[7].init, Init::Uniform { low: -1.0 / 32f64.sqrt(), high: 1.0 / 32f64.sqrt() });
//!
//! // Generic code takes `M: Network`; the spec list is a plain slice to iterate.
//! fn count<M: Network>() -> usize { M::SPECS.iter().map(|s| s.numel).sum() }
//! assert_eq!(count::<Tiny>(), P);
//! ```
//!
//! ## 3. Initialize it (with `glorot`)
//!
//! ```text
//! let model: Tiny = glorot::model::init(&glorot::Key::new(42))?;        // owned, f32
//! let w: &[f32] = model.head.get("fc1.weight").unwrap();                  // named fields
//! let mut arena = vec![0f32; Tiny::PARAMS];                               // or one buffer:
//! glorot::model::init_into::<Tiny, f32>(&key, &mut arena)?;              // offsets = spec.offset
//! for t in glorot::model::tensors::<Tiny, bf16>(&key) { /* name, shape, dtype, values */ }
//! ```
//!
//! Each tensor is filled from its own stream, `key.tensor(name)`: values depend only on the
//! seed and the tensor's name, never on the other layers or the thread count.
//!
//! ## Grammar
//!
//! ```text
//! network! {
//!     #[attributes] /// docs
//!     [pub] struct Name {
//!         input = [C, H, W],             // optional, first: the input shape (see "Spatial shapes")
//!         field: kind(args),             // a layer (`kind` alone when every argument flows)
//!         field: { entries },            // a group (a PyTorch submodule): names field.<entry>
//!         field: branch { entries },     // a residual branch (see "Widths")
//!         field: repeat(N) { entries },  // N copies named field.0.… to field.{N-1}.…
//!         field: repeat(N, prefix = "p_") { entries }, // named field.p_0.… (torchvision ViT)
//!     }
//! }
//! ```
//!
//! Inside groups an entry's name may also be an integer (`0: conv2d(...)`, as `nn.Sequential`
//! names its children), and `repeat(A..B) { entries }` without a name appends the indices
//! `A..B` to the group's own path (how ResNet's `layer2.1` … `layer2.3` follow a different
//! `layer2.0`). Repeated blocks are walked by a `const` loop, so 48 transformer blocks cost no
//! more macro expansion than one.
//!
//! Arguments are Rust expressions (`linear(D_MODEL => 4 * D_MODEL)`); option *values* are one
//! token, a call (`normal(std = 0.02)`), or a `{ block }` (`groups = {C / 4}`).
//!
//! ### Layer kinds
//!
//! | kind | arguments | tensors (PyTorch names and shapes) | PyTorch default init |
//! |---|---|---|---|
//! | `linear`, `dense` | `(IN => OUT)` or `(OUT)` | `weight (OUT, IN)`, `bias (OUT)` | weight `kaiming_uniform(a = √5)` = `U(±1/√IN)`; bias `U(±1/√IN)` |
//! | `conv1d`, `conv2d`, `conv3d` | `(IN => OUT, kernel = K \| (K1, …))`, `groups`, `transposed` | `weight (OUT, IN/groups, *K)`; transposed: `(IN, OUT/groups, *K)`; `bias (OUT)` | as linear, with the weight's fan_in |
//! | `embedding` | `(NUM, DIM)` | `weight (NUM, DIM)` | `normal(0, 1)` |
//! | `layer_norm`, `batch_norm` | none, `(WIDTH)` or `(options)` | `weight (W)` ones, `bias (W)` zeros (`affine = false`: none; `bias = false`: no bias) | ones / zeros |
//! | `group_norm` | `(GROUPS, options)` or `(groups = G, …)`; the channels `C` flow in and must be divisible by `G` | `weight (C)` ones, `bias (C)` zeros (`affine`, `bias` as above) | ones / zeros |
//! | `rms_norm` | none, `(WIDTH)` or `(options)` | `weight (W)` ones | ones |
//! | `attention` | `(WIDTH, heads = H)`, `kv_heads = K` (GQA), `head_dim = D` (default W/H), `fused_qkv`, `names = (q, k, v, o)` or `(qkv, o)` | `q_proj (H·D, W)`, `k_proj (K·D, W)`, `v_proj (K·D, W)` — or `qkv_proj ((H+2K)·D, W)` — and `o_proj (W, H·D)`, each `.weight` + `.bias` | as linear |
//! | `multihead_attention` | `(WIDTH, heads = H)`; `init` (in-projection), `out_init`, `bias` | PyTorch's `nn.MultiheadAttention`: `in_proj_weight (3W, W)`, `in_proj_bias (3W)`, `out_proj.weight (W, W)`, `out_proj.bias (W)` | `in_proj_weight` `xavier_uniform`, `out_proj.weight` as linear, biases zeros |
//! | `gated_mlp` | `(WIDTH => HIDDEN)` or `(HIDDEN)` | `gate_proj (HIDDEN, W)`, `up_proj (HIDDEN, W)`, `down_proj (W, HIDDEN)` | as linear |
//! | `rnn`, `lstm`, `gru` | `(IN => HIDDEN)`, `layers = L`, `bidirectional`, `recurrent_init` | `weight_ih_l{k}[_reverse] (G·HIDDEN, IN_k)`, `weight_hh_l{k} (G·HIDDEN, HIDDEN)`, `bias_ih_l{k}`, `bias_hh_l{k} (G·HIDDEN)`; G = 1, 4, 3; `IN_k = HIDDEN·dirs` for k > 0 | every tensor `U(±1/√HIDDEN)` |
//!
//! | `max_pool1d` … `max_pool3d`, `avg_pool1d` … `avg_pool3d` | `(K, options)` or `(kernel = K, …)`; `stride` (default `K`), `padding`, `dilation` (max only), `ceil_mode` | none: channels pass through | — |
//! | `adaptive_avg_pool1d` … `3d` | `(S)` or one size per axis, `(H, W)` | none | — |
//! | `flatten` | none | none: width = channels × spatial product (`torch.flatten(x, 1)`) | — |
//! | `to_sequence` | none | none: `[C, H, W]` → a sequence of `H·W` tokens of width `C` (ViT's reshape + permute) | — |
//! | `class_token` | none, `(WIDTH)` or `(init = …)` | the entry itself `(1, 1, W)` (a bare parameter: the name has no `.weight`); the sequence grows by one | zeros (torchvision ViT) |
//! | `pos_embedding` | none, `(LEN)` or `(init = …)`; `LEN` follows from the sequence when tracked | the entry itself `(1, LEN, W)` | `normal(0, 0.02)` (torchvision ViT) |
//!
//! Tensors are listed in PyTorch's registration order (for `rnn`/`lstm`/`gru`: per layer, per
//! direction, `w_ih, w_hh, b_ih, b_hh`).
//!
//! ### Options
//!
//! | option | meaning |
//! |---|---|
//! | `act = tanh` / `leaky_relu(0.2)` | the activation after the layer: its `calculate_gain` is Xavier's gain, and Kaiming's nonlinearity when `kaiming_*` has no arguments. Names: `linear`, `sigmoid`, `tanh`, `relu`, `leaky_relu`, `selu`, `conv1d` … `conv_transpose3d`, and `softsign`, `gelu`, which `calculate_gain` lacks: they take gain 1 (the `linear` one). Recorded on every tensor of the layer (`ParamSpec::layer.act`, a `glorot::model::Activation`). |
//! | `init = …` | the weight initializer (all weights of `attention` / `gated_mlp`) |
//! | `out_init = …` | the output projection's initializer (`o_proj`, `down_proj`), e.g. GPT-2's residual scaling |
//! | `recurrent_init = …` | `rnn`/`lstm`/`gru`: the `weight_hh_l*` initializer (Keras' `recurrent_initializer`), e.g. `orthogonal`; `init` then sets only `weight_ih_l*` |
//! | `bias = false` / `true` / an initializer | no bias / PyTorch's default bias / that initializer |
//! | `kernel`, `groups`, `transposed` | convolutions |
//! | `stride`, `padding`, `dilation` (one size or one per axis), `output_padding` (transposed only) | convolutions and pooling: they change no tensor, only the spatial size that is tracked |
//! | `ceil_mode = true` | pooling: PyTorch's `ceil_mode` |
//! | `heads`, `kv_heads`, `head_dim`, `fused_qkv`, `names` | attention |
//! | `layers`, `bidirectional` | recurrent layers |
//! | `affine = false` | norms without parameters |
//!
//! ### Initializers
//!
//! `xavier_uniform`, `xavier_normal` (optional `(GAIN)`; default: the `act` gain, 1 without
//! one), `kaiming_uniform`, `kaiming_normal` (optional `(a = A, mode = fan_in|fan_out,
//! nonlinearity = relu)`; with no arguments `a` and the nonlinearity come from `act`, else
//! PyTorch's defaults `a = 0`, `leaky_relu`), `uniform(LOW, HIGH)`, `normal(mean = M, std = S)`,
//! `trunc_normal(mean, std, a, b)` (absolute bounds, PyTorch's), `constant(V)`, `zeros`, `ones`,
//! JAX's `glorot_uniform`, `glorot_normal`, `he_uniform`, `he_normal`, `lecun_uniform`,
//! `lecun_normal`, `variance_scaling(scale = S, mode = fan_avg, distribution = uniform)`, or
//! any `{ Init expression }` (a `glorot::Init`). `glorot::model::sqrt` is a correctly rounded
//! `const fn`, so `normal(std = 0.02 / sqrt(24.0))` works with it in scope.
//!
//! The structured initializers (`glorot::structured`; they fill a whole tensor at once):
//! `orthogonal` (optional `(GAIN)`, default as Xavier's: the `act` gain, 1 without one; PyTorch's
//! `orthogonal_`, the tensor viewed as `(shape[0], prod(shape[1:]))`), `orthogonal_jax(scale = S,
//! column_axis = A)` (JAX's `orthogonal`, defaults 1 and −1), `sparse(sparsity = S, std = D)`
//! (`std` default 0.01; 2-D), `dirac(groups = G)` (default 1; 3–5-D conv weights, `G` dividing
//! `OUT`), `eye` and `identity(GAIN)` (2-D). `delta_orthogonal` parses but is refused: it is JAX's,
//! for kernels stored `(*k, in, out)`, and every `network!` tensor is stored in PyTorch's layout.
//! A structured initializer on a shape it cannot fill (a rank-1 bias, `dirac` on a linear weight,
//! groups that do not divide) is a compile error naming the tensor, as are bad gains and
//! sparsities.
//!
//! ```
//! glorot_macros::network! {
//!     /// Keras' LSTM defaults: Glorot-uniform input weights, orthogonal recurrent weights.
//!     struct Seq {
//!         lstm: lstm(32 => 64, init = glorot_uniform, recurrent_init = orthogonal, bias = zeros),
//!         head: linear(10, init = orthogonal(gain = 2.0)),
//!     }
//! }
//! use glorot::Init;
//! assert_eq!(Seq::SPECS[1].name(), "lstm.weight_hh_l0");
//! assert_eq!(Seq::SPECS[1].init, Init::Orthogonal { gain: 1.0 });
//! assert_eq!(Seq::SPECS[0].init, Init::GlorotUniform);
//! assert_eq!(Seq::SPECS[4].init, Init::Orthogonal { gain: 2.0 });
//! ```
//!
//! ## Fans
//!
//! Fans are PyTorch's rule (`_calculate_fan_in_and_fan_out`) on the stored shape:
//! `fan_in = shape[1]·∏shape[2..]`, `fan_out = shape[0]·∏shape[2..]`. So grouped convolutions
//! have `fan_in = IN/groups·∏K` and `fan_out = OUT·∏K`; transposed convolutions, stored
//! `(IN, OUT/groups, *K)`, get their fans swapped, exactly as PyTorch computes them; an
//! embedding `(NUM, DIM)` has `fan_in = DIM`.
//!
//! **Recurrent layers: fans are per stacked matrix**, not per gate: `lstm.weight_ih_l0` of shape
//! `(4·H, IN)` has `fan_in = IN`, `fan_out = 4·H`, which is what `xavier_uniform_` on that
//! parameter gives in PyTorch. Per-gate Xavier (`fan_out = H`, bound larger by
//! `√((IN+4H)/(IN+H))`) would need one initializer call per gate block and is not what
//! PyTorch does; PyTorch's own default ignores fans and uses `U(±1/√H)` for every weight and
//! bias, which is this crate's default too.
//! For `rnn` (one gate) the two conventions coincide: `weight_ih_l0` `(H, IN)` has
//! `fan_in = IN`, `fan_out = H`, the classic Xavier setting for simple recurrent nets.
//!
//! Rank-1 tensors (biases, norm weights) have no fans (both 0); giving them an initializer that
//! needs fans is a compile error.
//!
//! ## Widths
//!
//! Each layer's output width flows into the next layer, so a width is written once:
//! `linear(784 => 1000)` then `linear(10)`. Where both sides are written and disagree the
//! declaration does not compile, and the message names both layers:
//!
//! ```text
//! error[E0080]: evaluation panicked: network!: width mismatch: `fc2` (linear) takes 500 inputs
//!               but the previous layer `fc1` outputs 1000
//! ```
//!
//! A `branch { … }` (a residual path such as ResNet's `downsample`) starts from the width its
//! enclosing group started with, and must end at the width the main path has reached (the two
//! are added). Widths flow through groups and repeated blocks; `embedding` sets a width without
//! reading one. See [`compile_errors`] for every diagnostic, each with a passing twin.
//!
//! ## Spatial shapes
//!
//! Widths alone cannot check a convolution followed by `flatten` and `linear`. A model may
//! therefore declare its input shape (without the batch dimension) as its first entry:
//! `input = [C, H, W]` for 2-D convolutions, `[C, L]` for 1-D, `[C, D, H, W]` for 3-D, `[W]`
//! for a flat vector. Every convolution and pooling layer then computes its output size with
//! PyTorch's formulas, per axis:
//!
//! ```text
//! conv:            out = ⌊(in + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1
//! conv transposed: out = (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1
//! pooling:         as conv (stride defaults to k), rounded up with ceil_mode = true, where the
//!                  last window must start inside the input or the left padding
//! adaptive pool:   out = the size given
//! ```
//!
//! so `flatten` knows its width and a `linear` after it that disagrees does not compile:
//!
//! ```text
//! error[E0080]: evaluation panicked: network!: width mismatch: `fc1` (linear) takes 14400
//!               inputs but `flatten` after `pool2` gives 16 × 15 × 15 = 3600
//! ```
//!
//! ```
//! glorot_macros::network! {
//!     /// LeNet-5 as usually written for 32 × 32 inputs.
//!     struct LeNet {
//!         input = [1, 32, 32],
//!         conv1: conv2d(1 => 6, kernel = 5, act = tanh),   // 6 × 28 × 28
//!         pool1: avg_pool2d(2),                            // 6 × 14 × 14
//!         conv2: conv2d(16, kernel = 5, act = tanh),       // 16 × 10 × 10
//!         pool2: avg_pool2d(2),                            // 16 × 5 × 5
//!         flatten: flatten,                                // 400
//!         fc1: linear(16 * 5 * 5 => 120, act = tanh),
//!         fc2: linear(84, act = tanh),
//!         fc3: linear(10),
//!     }
//! }
//! assert_eq!(LeNet::PARAMS, 61_706);
//! ```
//!
//! Parameter-free layers (pooling, `flatten`, `to_sequence`) and `input` get no struct field.
//! A layer that reads feature vectors (`linear`, attention, recurrent) straight after a tracked
//! spatial activation is a compile error asking for a `flatten`; a kernel larger than its
//! padded input, a convolution of the wrong spatial rank, and a residual branch that ends at
//! another spatial size than the main path are compile errors too. An adaptive pool fixes the
//! spatial size whatever came before, so `adaptive_avg_pool2d(7, 7)` + `flatten` works even
//! without `input` (torchvision's VGG head). `embedding` ends tracking (token ids have no
//! spatial size).
//!
//! For vision transformers, a patch embedding (`conv2d` with `stride = kernel`) followed by
//! `to_sequence` gives a sequence of `(H/p)·(W/p)` tokens; `class_token` adds one, and
//! `pos_embedding`'s length follows: torchvision's ViT-B/16 (`glorot::model::presets::VitB16`)
//! gets its `(1, 197, 768)` from `input = [3, 224, 224]` and `kernel = 16`.
//!
//! Without `input = [...]` nothing is tracked and everything works on widths alone.
//!
//! ## What the macro generates
//!
//! For `struct Name { … }`:
//! - `pub struct Name<T = f32>` with one public field per top-level entry: a
//!   `glorot::model::Module<T>` (the tensors under `field.`, addressed by relative name) or, for
//!   `repeat`, a `Vec<Module<T>>`;
//! - inherent consts on `Name` (= `Name<f32>`): `NAME`, `SPECS: &[ParamSpec]`, `PARAMS`,
//!   `TENSORS`, and the same through the `glorot::model::Network` trait for every `Name<T>`;
//! - `glorot::model::Assemble<T>`, which builds the struct from one `Vec<T>` per spec (what
//!   `glorot::model::init` fills).
//!
//! Specs are in declaration order, which is PyTorch's registration order when the declaration
//! follows the module's `__init__`; `ParamSpec::offset` packs them into one arena.
//!
//! ## Presets
//!
//! `glorot::model::presets`: the Glorot & Bengio MLP, ResNet-50, GPT-2 small and XL,
//! LLaMA-style 7B, and torchvision's VGG-16, AlexNet and ViT-B/16, with their published
//! parameter counts and initializations, declared with this macro.

#![deny(missing_docs)]

pub mod compile_errors;
mod dsl;
