//! Files load with Python's `safetensors` package + numpy: names, shapes, dtypes, metadata and
//! values at scattered indices equal the Rust side's in-memory initialization.
//!
//! Skips with a printed message when `python3`, `safetensors` or `numpy` is missing, unless
//! `GLOROT_REQUIRE_PYTHON=1` is set (CI sets it), in which case that is a failure.

mod common;

use std::process::Command;

use glorot::io::{write_safetensors, TensorSpec, WriteOptions};
use glorot::{bf16, f16, DType, Element, Init, Key, Layout};

const SCRIPT: &str = r#"
import json, sys
import numpy as np
from safetensors import safe_open

path, expect = sys.argv[1], json.load(open(sys.argv[2]))
np_dtype = {"F32": np.float32, "F64": np.float64, "F16": np.float16}

def raw_bf16(name):
    # numpy has no bfloat16: widen the raw 16-bit patterns to float32 by hand.
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n))
        b, e = header[name]["data_offsets"]
        fh.seek(8 + n + b)
        u16 = np.frombuffer(fh.read(e - b), dtype="<u2")
    return (u16.astype(np.uint32) << 16).view(np.float32)

with safe_open(path, framework="np") as f:
    assert set(f.keys()) == set(expect["tensors"]), (sorted(f.keys()), sorted(expect["tensors"]))
    assert f.metadata() == expect["metadata"], f.metadata()
    for name, e in expect["tensors"].items():
        s = f.get_slice(name)
        assert s.get_dtype() == e["dtype"], (name, s.get_dtype())
        assert list(s.get_shape()) == e["shape"], (name, s.get_shape())
        if e["dtype"] == "BF16":
            flat = raw_bf16(name)
        else:
            arr = f.get_tensor(name)
            assert arr.dtype == np_dtype[e["dtype"]], (name, arr.dtype)
            assert list(arr.shape) == e["shape"], (name, arr.shape)
            flat = arr.reshape(-1)
        assert flat.size == e["numel"], (name, flat.size)
        for i, v in e["values"]:
            assert float(flat[i]) == v, (name, i, float(flat[i]), v)
print("python: %d tensors OK" % len(expect["tensors"]))
"#;

fn values<T: Element>(s: &TensorSpec, key: &Key) -> Vec<(usize, f64)> {
    let v: Vec<T> = s
        .init
        .alloc(&s.shape, s.layout, &key.tensor(&s.name))
        .unwrap();
    let n = v.len();
    let mut idx = vec![0, 1, n / 3, n / 2, n - 2, n - 1];
    idx.dedup();
    idx.into_iter().map(|i| (i, v[i].to_f64())).collect()
}

#[test]
fn python_safetensors_reads_the_files() {
    if !common::python::available(
        "safetensors, numpy",
        "GLOROT_REQUIRE_PYTHON",
        "python interop test",
    ) {
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(4242);
    let specs = vec![
        TensorSpec::new("fc1.weight", &[300, 784], Init::xavier_uniform(1.0)),
        TensorSpec::new("fc1.bias", &[300], Init::Constant { val: 0.1 }),
        TensorSpec::new("conv.weight", &[16, 3, 5, 5], Init::kaiming_uniform())
            .with_dtype(DType::F16),
        TensorSpec::new(
            "emb.weight",
            &[1000, 64],
            Init::Uniform {
                low: -0.5,
                high: 0.25,
            },
        )
        .with_dtype(DType::BF16),
        TensorSpec::new("dense.kernel", &[64, 32], Init::HeUniform)
            .with_dtype(DType::F64)
            .with_layout(Layout::Jax),
    ];
    let meta = vec![("format".to_string(), "pt".to_string())];
    let path = dir.path().join("m.safetensors");
    write_safetensors(
        &path,
        &specs,
        &key,
        WriteOptions {
            metadata: &meta,
            ..Default::default()
        },
    )
    .unwrap();

    let mut tensors = serde_json::Map::new();
    for s in &specs {
        let vals = match s.dtype {
            DType::F32 => values::<f32>(s, &key),
            DType::F64 => values::<f64>(s, &key),
            DType::BF16 => values::<bf16>(s, &key),
            DType::F16 => values::<f16>(s, &key),
        };
        tensors.insert(
            s.name.clone(),
            serde_json::json!({
                "dtype": s.dtype.safetensors_name(),
                "shape": s.shape,
                "numel": s.numel(),
                "values": vals,
            }),
        );
    }
    let expect = serde_json::json!({"tensors": tensors, "metadata": {"format": "pt"}});
    let expect_path = dir.path().join("expect.json");
    std::fs::write(&expect_path, expect.to_string()).unwrap();

    let o = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&path)
        .arg(&expect_path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "python check failed:\n{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    println!("{}", out.trim());
    assert!(out.contains("5 tensors OK"));
}
