//! The torchvision presets against torchvision itself, and `network!`'s spatial sizes against
//! PyTorch's modules.
//!
//! `glorot init --model vgg16 / alexnet / vit_b_16` must load into `torchvision.models`' own
//! model with `load_state_dict(strict=True)`, every tensor looking like torchvision's own
//! initialization of it (tests/torchvision/check_presets.py). Skips with a printed message when
//! torchvision is missing, unless `GLOROT_REQUIRE_TORCHVISION=1` (CI sets it). The spatial
//! cases need only torch (`GLOROT_REQUIRE_TORCH`).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use glorot::model::ParamSpec;

const BIN: &str = env!("CARGO_BIN_EXE_glorot");

fn run_python(script: &str, args: &[String]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let o = Command::new("python3")
        .arg(&script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert!(
        o.status.success(),
        "{} failed:\n{out}{}",
        script.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// bf16 halves what is written and read (VGG-16 + ViT-B/16 + AlexNet: 0.57 GB instead of
/// 1.1 GB); `load_state_dict` copies into torchvision's f32 parameters.
#[test]
fn torchvision_presets_load_with_strict_state_dict() {
    if !common::python::available(
        "torch, torchvision, safetensors",
        "GLOROT_REQUIRE_TORCHVISION",
        "the torchvision preset test",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for name in ["alexnet", "vgg16", "vit_b_16"] {
        let path = dir.path().join(format!("{name}.safetensors"));
        let path = path.to_str().unwrap();
        let o = Command::new(BIN)
            .args([
                "init",
                "--model",
                name,
                "--seed",
                "7",
                "--dtype",
                "bf16",
                "--out",
                path,
                "--quiet",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "glorot init --model {name} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        args.push(format!("{name}={path}"));
    }
    run_python("tests/torchvision/check_presets.py", &args);
}

/// The width `flatten` computed, read back from the head's weight `(1, width)`.
fn head_width(specs: &'static [ParamSpec]) -> usize {
    specs
        .iter()
        .find(|s| s.name() == "head.weight")
        .expect("head.weight")
        .shape()[1]
}

macro_rules! case {
    ($name:ident, [$($d:expr),+], $torch:expr, { $($body:tt)* }) => {{
        glorot::network! { struct $name { input = [$($d),+], $($body)* flat: flatten, head: linear(1) } }
        serde_json::json!({
            "input": [$($d),+],
            "modules": $torch,
            "width": head_width($name::SPECS),
        })
    }};
}

/// Each declaration's tracked size, through `flatten` into the head's width, equals the
/// flattened output of the same PyTorch modules run on zeros.
#[test]
fn spatial_sizes_match_torch_modules() {
    if !common::python::available("torch", "GLOROT_REQUIRE_TORCH", "the spatial-size test") {
        return;
    }
    let cases = vec![
        case!(Dilated, [3, 33, 33], "nn.Conv2d(3, 5, 4, stride=2, padding=1, dilation=2)", {
            conv: conv2d(3 => 5, kernel = 4, stride = 2, padding = 1, dilation = 2),
        }),
        case!(PerAxis, [2, 8, 9, 10], "nn.Conv3d(2, 4, 3, stride=(1, 2, 3))", {
            conv: conv3d(2 => 4, kernel = 3, stride = (1, 2, 3)),
        }),
        case!(Rect, [3, 20, 31], "nn.Conv2d(3, 4, (3, 5), stride=(2, 3), padding=(0, 2))", {
            conv: conv2d(3 => 4, kernel = (3, 5), stride = (2, 3), padding = (0, 2)),
        }),
        case!(Up1d, [8, 7], "nn.ConvTranspose1d(8, 4, 3, stride=2, padding=1, output_padding=1)", {
            up: conv1d(8 => 4, kernel = 3, stride = 2, padding = 1, output_padding = 1,
                       transposed = true),
        }),
        case!(Up2d, [6, 5, 9],
            "nn.ConvTranspose2d(6, 3, (4, 3), stride=(3, 2), padding=1, output_padding=(2, 1), dilation=(1, 2))", {
            up: conv2d(6 => 3, kernel = (4, 3), stride = (3, 2), padding = 1,
                       output_padding = (2, 1), dilation = (1, 2), transposed = true),
        }),
        case!(Ceil, [1, 7, 5], "nn.MaxPool2d(2, padding=(0, 1), ceil_mode=True)", {
            pool: max_pool2d(2, padding = (0, 1), ceil_mode = true),
        }),
        case!(CeilStride, [2, 17, 17], "nn.MaxPool2d(3, stride=2, ceil_mode=True)", {
            pool: max_pool2d(3, stride = 2, ceil_mode = true),
        }),
        case!(DilatedPool, [2, 19], "nn.MaxPool1d(3, stride=2, padding=1, dilation=3)", {
            pool: max_pool1d(3, stride = 2, padding = 1, dilation = 3),
        }),
        case!(Avg3d, [2, 9, 8, 7], "nn.AvgPool3d(3, stride=(2, 1, 3), padding=1, ceil_mode=True)", {
            pool: avg_pool3d(3, stride = (2, 1, 3), padding = 1, ceil_mode = true),
        }),
        case!(Adaptive, [4, 13, 11], "nn.AdaptiveAvgPool2d((3, 2))", {
            pool: adaptive_avg_pool2d(3, 2),
        }),
        case!(Patches, [3, 224, 224], "nn.Conv2d(3, 8, 16, stride=16)", {
            conv_proj: conv2d(3 => 8, kernel = 16, stride = 16),
        }),
        case!(AlexFeatures, [3, 224, 224],
            "nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.MaxPool2d(3, 2), \
             nn.Conv2d(64, 192, 5, padding=2), nn.MaxPool2d(3, 2), nn.Conv2d(192, 8, 3, padding=1), \
             nn.MaxPool2d(3, 2)", {
            c0: conv2d(3 => 64, kernel = 11, stride = 4, padding = 2),
            p0: max_pool2d(3, stride = 2),
            c1: conv2d(192, kernel = 5, padding = 2),
            p1: max_pool2d(3, stride = 2),
            c2: conv2d(8, kernel = 3, padding = 1),
            p2: max_pool2d(3, stride = 2),
        }),
    ];
    let n = cases.len();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::Value::Array(cases).to_string()).unwrap();
    run_python(
        "tests/torchvision/spatial_sizes.py",
        &[path.to_str().unwrap().to_string()],
    );
    assert!(n >= 12);
}
