//! Spatial tracking (`input = [...]`), the parameter-free shape layers, the sequence layers
//! and the layer kinds added with them. A tracked size shows in the shape of the `linear`
//! after a `flatten` (its input width flows from the computed size), so each case below checks
//! a hand-computed PyTorch output size.

use glorot::model::__private::Builder;
use glorot::model::{Network, ParamSpec};
use glorot::Init;
use glorot_macros::network;

fn find(specs: &'static [ParamSpec], name: &str) -> &'static ParamSpec {
    specs
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("no tensor {name}"))
}

/// The width `flatten` computed, read back from the head's weight `(1, width)`.
fn head_width(specs: &'static [ParamSpec]) -> usize {
    find(specs, "head.weight").shape()[1]
}

network! {
    struct Conv2dGeometry {
        input = [3, 33, 33],
        // ⌊(33 + 2·1 − 2·(4 − 1) − 1) / 2⌋ + 1 = 15
        conv: conv2d(3 => 5, kernel = 4, stride = 2, padding = 1, dilation = 2),
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct PerAxis {
        input = [2, 8, 9, 10],
        // (8 − 3) / 1 + 1 = 6, ⌊(9 − 3) / 2⌋ + 1 = 4, ⌊(10 − 3) / 3⌋ + 1 = 3
        conv: conv3d(2 => 4, kernel = 3, stride = (1, 2, 3)),
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct Transposed {
        input = [8, 7],
        // (7 − 1)·2 − 2·1 + (3 − 1) + 1 + 1 = 14
        up: conv1d(8 => 4, kernel = 3, stride = 2, padding = 1, output_padding = 1,
                   transposed = true),
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct Ceil {
        input = [1, 7, 5],
        // axis 0: ceil((7 − 2) / 2) + 1 = 4 (last window starts at 6 < 7)
        // axis 1, padding 1: ceil((5 + 2 − 2) / 2) + 1 = 4, but (4 − 1)·2 = 6 ≥ 5 + 1, so 3
        pool: max_pool2d(2, padding = (0, 1), ceil_mode = true),
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct Floor {
        input = [1, 7, 5],
        pool: max_pool2d(2, padding = (0, 1)), // 3 × 3
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct AvgStride {
        input = [4, 10],
        pool: avg_pool1d(kernel = 3, stride = 2, padding = 1), // ⌊(10 + 2 − 3) / 2⌋ + 1 = 5
        flat: flatten,
        head: linear(1),
    }
}

network! {
    /// No `input`: the adaptive pool alone fixes the size `flatten` needs.
    struct Adaptive {
        conv: conv2d(3 => 6, kernel = 3),
        pool: adaptive_avg_pool2d(2, 3),
        flat: flatten,
        head: linear(1),
    }
}

network! {
    struct Residual {
        input = [8, 16, 16],
        block: {
            conv1: conv2d(8 => 8, kernel = 3, stride = 2, padding = 1), // 8 × 8
            down: branch { 0: conv2d(8 => 8, kernel = 1, stride = 2) },   // 8 × 8
        },
        flat: flatten,
        head: linear(1),
    }
}

#[test]
fn convolution_and_pooling_sizes_are_pytorchs() {
    assert_eq!(head_width(Conv2dGeometry::SPECS), 5 * 15 * 15);
    assert_eq!(head_width(PerAxis::SPECS), 4 * 6 * 4 * 3);
    assert_eq!(head_width(Transposed::SPECS), 4 * 14);
    assert_eq!(head_width(Ceil::SPECS), 4 * 3);
    assert_eq!(head_width(Floor::SPECS), 3 * 3);
    assert_eq!(head_width(AvgStride::SPECS), 4 * 5);
    assert_eq!(head_width(Adaptive::SPECS), 6 * 2 * 3);
    assert_eq!(head_width(Residual::SPECS), 8 * 8 * 8);
}

network! {
    /// Geometry options change no tensor: with or without `input`, the same table.
    struct Tracked {
        input = [3, 64, 64],
        conv: conv2d(3 => 8, kernel = 3, stride = 2, padding = 1, dilation = 1),
        pool: max_pool2d(2),
        norm: batch_norm,
    }
}

network! {
    struct Untracked {
        conv: conv2d(3 => 8, kernel = 3, stride = 2, padding = 1, dilation = 1),
        pool: max_pool2d(2),
        norm: batch_norm,
    }
}

network! {
    struct Plain {
        conv: conv2d(3 => 8, kernel = 3),
        norm: batch_norm,
    }
}

/// What a tensor is (name, shape, fans, init, gain, size, offset, role), without the layer
/// record: the geometry the report reads (`layer.conv`, `layer.pool`) legitimately differs
/// between these declarations.
#[allow(clippy::type_complexity)]
fn tensors(
    specs: &[ParamSpec],
) -> Vec<(
    &str,
    &[usize],
    usize,
    usize,
    Init,
    f64,
    usize,
    usize,
    glorot::model::Role,
)> {
    specs
        .iter()
        .map(|s| {
            (
                s.name(),
                s.shape(),
                s.fan_in,
                s.fan_out,
                s.init,
                s.gain,
                s.numel,
                s.offset,
                s.role,
            )
        })
        .collect()
}

#[test]
fn tracking_and_shape_layers_change_no_tensor() {
    assert_eq!(tensors(Tracked::SPECS), tensors(Untracked::SPECS));
    assert_eq!(tensors(Tracked::SPECS), tensors(Plain::SPECS));
    // The layer records differ only by what tracking knows: the input sizes.
    let geometry = |specs: &[ParamSpec]| -> Vec<_> {
        specs
            .iter()
            .map(|s| {
                let mut l = s.layer;
                if let Some(c) = l.conv.as_mut() {
                    c.input = None;
                }
                if let Some(p) = l.pool.as_mut() {
                    p.input = None;
                }
                l
            })
            .collect()
    };
    assert_eq!(geometry(Tracked::SPECS), geometry(Untracked::SPECS));
    assert_eq!(
        Tracked::SPECS[0].layer.conv.and_then(|c| c.input),
        Some([64, 64, 1])
    );
    // Parameter-free entries and `input` get no field; the others do.
    let m: Tracked = glorot::model::init(&glorot::Key::new(1)).unwrap();
    assert_eq!(m.conv.len(), 2);
    assert_eq!(m.norm.len(), 2);
}

network! {
    /// A small ViT: 32 × 32 images, 8 × 8 patches → 16 tokens + the class token.
    struct TinyVit {
        input = [3, 32, 32],
        conv_proj: conv2d(3 => 64, kernel = 8, stride = 8),
        patches: to_sequence,
        class_token: class_token,
        encoder: {
            pos_embedding: pos_embedding,
            layers: repeat(2, prefix = "encoder_layer_") {
                ln_1: layer_norm,
                self_attention: multihead_attention(heads = 4),
                ln_2: layer_norm,
                mlp: { 0: linear(64 => 128), 3: linear(64) },
            },
            ln: layer_norm,
        },
        heads: { head: linear(10, init = zeros, bias = zeros) },
    }
}

#[test]
fn vit_sequence_sizes_follow_from_image_and_patch() {
    let s = TinyVit::SPECS;
    assert_eq!(find(s, "class_token").shape(), [1, 1, 64]);
    assert_eq!(find(s, "class_token").init, Init::Zeros);
    let pos = find(s, "encoder.pos_embedding");
    assert_eq!(pos.shape(), [1, 17, 64]);
    assert_eq!(
        pos.init,
        Init::Normal {
            mean: 0.0,
            std: 0.02
        }
    );
    let a = "encoder.layers.encoder_layer_1.self_attention";
    let names: Vec<&str> = s
        .iter()
        .map(|t| t.name())
        .filter(|n| n.starts_with(a))
        .collect();
    assert_eq!(
        names,
        [
            format!("{a}.in_proj_weight"),
            format!("{a}.in_proj_bias"),
            format!("{a}.out_proj.weight"),
            format!("{a}.out_proj.bias"),
        ]
    );
    let w = find(s, &format!("{a}.in_proj_weight"));
    assert_eq!(w.shape(), [192, 64]);
    assert_eq!((w.fan_in, w.fan_out), (64, 192));
    assert_eq!(w.init, Init::XavierUniform { gain: 1.0 });
    assert_eq!(find(s, &format!("{a}.in_proj_bias")).init, Init::Zeros);
    assert_eq!(
        find(s, &format!("{a}.out_proj.weight")).init,
        Init::torch_default_weight()
    );
    assert_eq!(find(s, &format!("{a}.out_proj.bias")).init, Init::Zeros);

    // The bare parameter is its own field; its relative name is "".
    let m: TinyVit = glorot::model::init(&glorot::Key::new(3)).unwrap();
    assert_eq!(m.class_token.len(), 1);
    assert_eq!(m.class_token.get("").unwrap().len(), 64);
    assert!(m.class_token.get("").unwrap().iter().all(|&x| x == 0.0));
    assert_eq!(m.encoder.get("pos_embedding").unwrap().len(), 17 * 64);
    assert_eq!(TinyVit::TENSORS, 4 + 2 * 12 + 2 + 2);
}

network! {
    struct Groups {
        conv: conv2d(3 => 32, kernel = 3, bias = false),
        gn: group_norm(8),
        gn2: group_norm(groups = 32, affine = false),
        gn3: group_norm(4, bias = false),
    }
}

#[test]
fn group_norm_tensors() {
    let s = Groups::SPECS;
    let names: Vec<&str> = s.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["conv.weight", "gn.weight", "gn.bias", "gn3.weight"]);
    assert_eq!(find(s, "gn.weight").shape(), [32]);
    assert_eq!(find(s, "gn.weight").init, Init::Ones);
    assert_eq!(find(s, "gn.bias").init, Init::Zeros);
    assert_eq!(<Groups as Network>::PARAMS, 32 * 27 + 64 + 32);
}

/// The builder's const checks run at run time too: a declaration walked here panics with the
/// message the compile error shows.
fn message(f: impl FnOnce(&mut Builder<0>) + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(|| {
        let mut b = Builder::<0>::new();
        f(&mut b);
    })
    .expect_err("the declaration should be refused");
    match err.downcast::<String>() {
        Ok(s) => *s,
        Err(e) => e.downcast::<&str>().map(|s| s.to_string()).unwrap(),
    }
}

#[test]
fn shape_errors_name_both_layers_and_what_was_computed() {
    let m = message(|b| {
        glorot_macros::__entries!(b;
            input = [3, 32, 32],
            conv1: conv2d(3 => 16, kernel = 3),
            pool2: max_pool2d(2),
            flatten: flatten,
            fc1: linear(16 * 30 * 30 => 128),
        );
    });
    assert_eq!(
        m,
        "network!: width mismatch: `fc1` (linear) takes 14400 inputs but `flatten` after \
         `pool2` gives 16 × 15 × 15 = 3600"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b;
            input = [3, 32, 32],
            conv1: conv2d(3 => 16, kernel = 3),
            fc1: linear(16 => 10),
        );
    });
    assert_eq!(
        m,
        "network!: shape error: `fc1` (linear) reads feature vectors but `conv1` gives \
         16 × 30 × 30; put a `flatten` (or `to_sequence`) between them"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b;
            input = [3, 224, 224],
            conv_proj: conv2d(3 => 768, kernel = 16, stride = 16),
            patches: to_sequence,
            class_token: class_token,
            encoder: { pos_embedding: pos_embedding(196) },
        );
    });
    assert_eq!(
        m,
        "network!: shape error: `encoder.pos_embedding` (pos_embedding) has 196 positions but \
         the sequence from `class_token` has 197 tokens"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b; input = [3, 4, 4], conv: conv2d(3 => 8, kernel = 5));
    });
    assert_eq!(
        m,
        "network!: shape error: `conv` (conv2d): the kernel does not fit on spatial axis 0: its \
         input from `input` is 4 (padded), smaller than the dilated kernel 5"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b; conv: conv2d(3 => 30, kernel = 3), gn: group_norm(4));
    });
    assert_eq!(
        m,
        "network!: layer `gn` (group_norm): 30 channels (from `conv`) are not divisible by 4 groups"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b;
            input = [64, 56, 56],
            block: {
                conv1: conv2d(64 => 64, kernel = 3, stride = 2, padding = 1),
                downsample: branch { 0: conv2d(64 => 64, kernel = 1) },
            },
        );
    });
    assert_eq!(
        m,
        "network!: residual shape mismatch: branch `block.downsample` ends with 64 × 56 × 56 \
         (from `block.downsample.0`) but the main path ends with 64 × 28 × 28 (from \
         `block.conv1`)"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b; conv: conv2d(3 => 8, kernel = 3, stride = 0));
    });
    assert_eq!(
        m,
        "network!: layer `conv` (conv2d): stride must be at least 1"
    );
    let m = message(|b| {
        glorot_macros::__entries!(b; fc: linear(4 => 4), input = [4]);
    });
    assert_eq!(
        m,
        "network!: `input = [...]` must be the model's first entry"
    );
    let m = message(|b| {
        glorot_macros::__entries!(b;
            up: conv2d(8 => 4, kernel = 3, stride = 2, transposed = true, output_padding = 2));
    });
    assert!(
        m.contains("output_padding must be smaller than either stride or dilation"),
        "{m}"
    );
    let m = message(|b| {
        glorot_macros::__entries!(b; input = [3, 8, 8], pool: max_pool2d(2, padding = 2));
    });
    assert_eq!(
        m,
        "network!: layer `pool` (max_pool2d): padding 2 is more than half the kernel: at most 1"
    );
    let m = message(|b| {
        glorot_macros::__entries!(b; input = [3, 32, 32], conv: conv1d(3 => 8, kernel = 3));
    });
    assert_eq!(
        m,
        "network!: shape error: `conv` (conv1d) needs a spatial input [C, L] but `input` gives \
         3 × 32 × 32"
    );

    let m = message(|b| {
        glorot_macros::__entries!(b; conv: conv2d(3 => 16, kernel = 3), flatten: flatten);
    });
    assert!(
        m.starts_with("network!: `flatten` (flatten) cannot compute its width"),
        "{m}"
    );
}
