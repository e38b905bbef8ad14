//! Shared by the framework plug-in tests: writes a `glorot init --spec` file for a tensor list
//! and runs the real CLI on it when the test is built with the `cli` feature (as CI does);
//! without it, the same specs go through `glorot::io::write_safetensors`, the writer the CLI
//! calls.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use glorot::{FanMode, Init, Nonlinearity};
use serde_json::{json, Value};

/// The CLI, when built in the same `cargo test` (feature `cli`). Cargo names the binary's path
/// even when its required features are off (then the file may be stale or absent), hence the
/// feature check.
#[cfg(feature = "cli")]
pub const BIN: Option<&str> = Some(env!("CARGO_BIN_EXE_glorot"));
#[cfg(not(feature = "cli"))]
pub const BIN: Option<&str> = None;

fn nonlinearity(n: Nonlinearity) -> &'static str {
    match n {
        Nonlinearity::Linear => "linear",
        Nonlinearity::Relu => "relu",
        Nonlinearity::LeakyRelu => "leaky_relu",
        Nonlinearity::Tanh => "tanh",
        Nonlinearity::Sigmoid => "sigmoid",
        Nonlinearity::Selu => "selu",
        other => panic!("test helper: no spec name for {other:?}"),
    }
}

/// The `--spec` entry of one tensor, for the initializers these tests use.
pub fn spec_entry(name: &str, shape: &[usize], init: Init) -> Value {
    let mut e = json!({"name": name, "shape": shape});
    let fields: Value = match init {
        Init::Zeros => json!({"init": "zeros"}),
        Init::Ones => json!({"init": "ones"}),
        Init::Constant { val } => json!({"init": "constant", "val": val}),
        Init::Normal { mean, std } => json!({"init": "normal", "mean": mean, "std": std}),
        Init::Uniform { low, high } => json!({"init": "uniform", "low": low, "high": high}),
        Init::XavierUniform { gain } => json!({"init": "xavier_uniform", "gain": gain}),
        Init::KaimingUniform {
            a,
            mode,
            nonlinearity: nl,
        } => json!({"init": "kaiming_uniform", "a": a,
                    "mode": if mode == FanMode::FanIn { "fan_in" } else { "fan_out" },
                    "nonlinearity": nonlinearity(nl)}),
        other => panic!("test helper: no spec form for {other:?}"),
    };
    for (k, v) in fields.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

/// Runs `glorot init --spec` over `tensors` and returns the checkpoint's path.
pub fn cli_checkpoint(
    dir: &Path,
    tensors: &[(String, Vec<usize>, Init)],
    seed: u64,
    dtype: &str,
) -> PathBuf {
    let spec = json!({
        "layout": "torch",
        "tensors": tensors.iter().map(|(n, s, i)| spec_entry(n, s, *i)).collect::<Vec<_>>(),
    });
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let out = dir.join(format!("model-{dtype}.safetensors"));
    let Some(bin) = BIN else {
        eprintln!("(no `cli` feature: writing with glorot::io::write_safetensors)");
        let dt = glorot::DType::parse(dtype).unwrap();
        let specs: Vec<glorot::io::TensorSpec> = tensors
            .iter()
            .map(|(n, s, i)| glorot::io::TensorSpec::new(n.clone(), s, *i).with_dtype(dt))
            .collect();
        let opts = glorot::io::WriteOptions {
            no_sync: true,
            ..Default::default()
        };
        glorot::io::write_safetensors(&out, &specs, &glorot::Key::new(seed), opts).unwrap();
        return out;
    };
    let o = Command::new(bin)
        .args(["init", "--quiet", "--no-sync", "--spec"])
        .arg(&spec_path)
        .args(["--seed", &seed.to_string(), "--dtype", dtype, "--out"])
        .arg(&out)
        .output()
        .expect("run the glorot CLI");
    assert!(
        o.status.success(),
        "glorot init failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[cfg(feature = "hf")]
/// `glorot init --hf-config` into `dir/` (the CLI's model directory), or without the `cli`
/// feature the same table through `write_safetensors`; returns the `.safetensors` path.
pub fn hf_checkpoint(dir: &Path, config: &str, seed: u64, dtype: &str) -> PathBuf {
    let cfg = dir.join("config-in.json");
    std::fs::write(&cfg, config).unwrap();
    let out_dir = dir.join(format!("hf-{dtype}"));
    let Some(bin) = BIN else {
        eprintln!("(no `cli` feature: writing with glorot::io::write_safetensors)");
        let model = glorot::hf::HfModel::from_json_str(config).unwrap();
        let specs = model.specs(glorot::DType::parse(dtype).unwrap());
        std::fs::create_dir_all(&out_dir).unwrap();
        let out = out_dir.join("model.safetensors");
        let opts = glorot::io::WriteOptions {
            no_sync: true,
            ..Default::default()
        };
        glorot::io::write_safetensors(&out, &specs, &glorot::Key::new(seed), opts).unwrap();
        return out;
    };
    let o = Command::new(bin)
        .args(["init", "--quiet", "--no-sync", "--hf-config"])
        .arg(&cfg)
        .args(["--seed", &seed.to_string(), "--dtype", dtype, "--out"])
        .arg(format!("{}/", out_dir.display()))
        .output()
        .expect("run the glorot CLI");
    assert!(
        o.status.success(),
        "glorot init --hf-config failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out_dir.join("model.safetensors")
}
