//! The structured initializers against the real peers, run through `python3`:
//! - two-sample Kolmogorov–Smirnov of `√n·Q_ij` and of `trace(Q)` against
//!   `torch.nn.init.orthogonal_` output of the same shapes (the same law, not the same values);
//! - `torch.nn.init.dirac_` and `eye_` bit for bit (they are deterministic);
//! - JAX's `delta_orthogonal` zero pattern (centre `(k−1)//2`) and JAX's `column_axis`
//!   convention: JAX's own output, read through the mapping `orthogonal_jax` documents, is
//!   orthonormal.
//!
//! Skips with a printed message when `python3`, `torch` or `jax` is missing, unless
//! `GLOROT_REQUIRE_TORCH=1` is set, in which case that is a failure.

mod common;

use std::process::Command;

use common::ks_p_value;
use glorot::structured::{delta_orthogonal, dirac, eye, orthogonal};
use glorot::Key;

const SCRIPT: &str = r#"
import json, sys
import numpy as np
import torch
torch.set_num_threads(1)  # tiny QRs: OpenMP spinning only slows them down
torch.manual_seed(0)
out = {}
n, mats = 64, 40
out["entries"] = []
for _ in range(mats):
    t = torch.empty(n, n); torch.nn.init.orthogonal_(t)
    out["entries"] += (t.double() * n ** 0.5).flatten().tolist()
out["traces"] = []
for _ in range(3000):
    t = torch.empty(12, 12, dtype=torch.float64); torch.nn.init.orthogonal_(t)
    out["traces"].append(float(torch.trace(t)))
out["tall"] = []
for _ in range(30):
    t = torch.empty(96, 32); torch.nn.init.orthogonal_(t)
    out["tall"] += (t.double() * 96 ** 0.5).flatten().tolist()
out["dirac"] = []
for shape, groups in [((6, 4, 3), 2), ((4, 6, 3, 4), 1), ((6, 2, 2, 3, 5), 3), ((4, 4, 2, 2), 2)]:
    t = torch.full(shape, 7.0, dtype=torch.float64); torch.nn.init.dirac_(t, groups)
    out["dirac"].append([list(shape), groups, t.flatten().tolist()])
t = torch.full((3, 5), 7.0); torch.nn.init.eye_(t); out["eye"] = t.flatten().tolist()

import jax, jax.numpy as jnp
init = jax.nn.initializers.delta_orthogonal()
out["delta"] = []
for shape in [(4, 3, 5, 7), (2, 3, 3), (2, 3, 4, 4, 6)]:
    w = np.asarray(init(jax.random.key(0), shape, jnp.float64 if jax.config.jax_enable_x64 else jnp.float32))
    out["delta"].append([list(shape), (w != 0).astype(int).flatten().tolist()])
# column_axis = 0 of (5, 2, 3): orthogonal_jax documents M[(a1, a2), a0] as the 6 x 5 matrix.
w = np.asarray(jax.nn.initializers.orthogonal(column_axis=0)(jax.random.key(1), (5, 2, 3)), dtype=np.float64)
m = w.reshape(5, 6).T
out["axis0_err"] = float(np.abs(m.T @ m - np.eye(5)).max())
json.dump(out, sys.stdout)
"#;

fn run_python() -> Option<serde_json::Value> {
    let required = std::env::var("GLOROT_REQUIRE_TORCH").is_ok_and(|v| v == "1");
    let out = Command::new("python3").args(["-c", SCRIPT]).output();
    let skip = |why: String| {
        assert!(!required, "GLOROT_REQUIRE_TORCH=1 but {why}");
        eprintln!("skipping the peer comparison: {why}");
        None
    };
    match out {
        Err(e) => skip(format!("python3 could not run: {e}")),
        Ok(o) if !o.status.success() => skip(format!(
            "python3 (torch + jax) failed: {}",
            String::from_utf8_lossy(&o.stderr)
        )),
        Ok(o) => Some(serde_json::from_slice(&o.stdout).expect("the script prints JSON")),
    }
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Two-sample Kolmogorov–Smirnov p-value (asymptotic, effective size `nm/(n+m)`).
fn ks2(mut a: Vec<f64>, mut b: Vec<f64>) -> f64 {
    a.sort_by(|x, y| x.partial_cmp(y).unwrap());
    b.sort_by(|x, y| x.partial_cmp(y).unwrap());
    let (n, m) = (a.len(), b.len());
    let (mut i, mut j, mut d) = (0, 0, 0f64);
    while i < n && j < m {
        let x = a[i].min(b[j]);
        while i < n && a[i] <= x {
            i += 1;
        }
        while j < m && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n as f64 - j as f64 / m as f64).abs());
    }
    ks_p_value(d, n * m / (n + m))
}

fn ours_scaled(rows: usize, cols: usize, count: u64, seed: u64) -> Vec<f64> {
    let key = Key::new(seed);
    let mut all = Vec::new();
    for i in 0..count {
        let mut q = vec![0f32; rows * cols];
        orthogonal(&mut q, &[rows, cols], 1.0, &key.tensor_id(i)).unwrap();
        all.extend(q.iter().map(|x| *x as f64 * (rows.max(cols) as f64).sqrt()));
    }
    all
}

#[test]
fn structured_initializers_match_torch_and_jax() {
    let Some(py) = run_python() else { return };

    // The Haar law: entries and traces, two-sample against torch.
    let p = ks2(ours_scaled(64, 64, 40, 1), floats(&py["entries"]));
    assert!(p > 1e-4, "entries vs torch: p = {p}");
    let p = ks2(ours_scaled(96, 32, 30, 2), floats(&py["tall"]));
    assert!(p > 1e-4, "tall entries vs torch: p = {p}");
    let key = Key::new(3);
    let traces: Vec<f64> = (0..3000)
        .map(|i| {
            let mut q = vec![0f64; 144];
            orthogonal(&mut q, &[12, 12], 1.0, &key.tensor_id(i)).unwrap();
            (0..12).map(|k| q[k * 12 + k]).sum()
        })
        .collect();
    let p = ks2(traces, floats(&py["traces"]));
    assert!(p > 1e-4, "traces vs torch: p = {p}");

    // dirac_ and eye_: exactly torch's.
    for case in py["dirac"].as_array().unwrap() {
        let shape: Vec<usize> = floats(&case[0]).iter().map(|x| *x as usize).collect();
        let groups = case[1].as_u64().unwrap() as usize;
        let mut ours = vec![7f64; shape.iter().product()];
        dirac(&mut ours, &shape, groups).unwrap();
        assert_eq!(ours, floats(&case[2]), "dirac {shape:?} groups {groups}");
    }
    let mut e = vec![7f32; 15];
    eye(&mut e, &[3, 5]).unwrap();
    let e: Vec<f64> = e.iter().map(|x| *x as f64).collect();
    assert_eq!(e, floats(&py["eye"]));

    // delta_orthogonal: JAX's zero pattern.
    for case in py["delta"].as_array().unwrap() {
        let shape: Vec<usize> = floats(&case[0]).iter().map(|x| *x as usize).collect();
        let mut w = vec![0f32; shape.iter().product()];
        delta_orthogonal(&mut w, &shape, 1.0, -1, &Key::new(4).tensor("d")).unwrap();
        let mask: Vec<f64> = w
            .iter()
            .map(|x| if *x != 0.0 { 1.0 } else { 0.0 })
            .collect();
        assert_eq!(mask, floats(&case[1]), "delta_orthogonal {shape:?}");
    }
    let err = py["axis0_err"].as_f64().unwrap();
    assert!(
        err < 1e-5,
        "JAX's column_axis=0 output is not orthonormal as read: {err}"
    );
}
