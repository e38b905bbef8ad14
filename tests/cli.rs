//! The `glorot` binary: separate processes (by flag, by launcher environment, and under a real
//! `mpirun -n 4`) write shards whose tensors equal a single-process run bit for bit; the
//! output does not depend on --threads; errors are one line and never a panic; failures leave
//! existing files intact.

#[cfg(unix)]
#[path = "common/signals.rs"]
mod signals;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use safetensors::SafeTensors;

const BIN: &str = env!("CARGO_BIN_EXE_glorot");

fn tmpdir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("glorot-cli-{tag}-"))
        .tempdir()
        .unwrap()
}

/// A spec with a dozen tensors of mixed sizes, layouts and dtypes.
fn write_spec(dir: &Path) -> PathBuf {
    let spec = r#"{"layout": "torch", "tensors": [
        {"name": "embed.weight", "shape": [5000, 64], "init": "uniform", "low": -0.05, "high": 0.05},
        {"name": "fc1.weight", "shape": [1000, 784], "init": "xavier_uniform", "gain": 1.0},
        {"name": "fc1.bias", "shape": [1000], "init": "zeros"},
        {"name": "fc2.weight", "shape": [1000, 1000], "init": "kaiming_uniform", "a": 2.23606797749979},
        {"name": "fc2.bias", "shape": [1000], "init": "constant", "val": 0.01},
        {"name": "conv.weight", "shape": [64, 3, 7, 7], "init": "kaiming_uniform", "mode": "fan_out", "nonlinearity": "relu"},
        {"name": "bn.weight", "shape": [64], "init": "ones"},
        {"name": "dense.kernel", "shape": [256, 128], "init": "glorot_uniform", "layout": "jax"},
        {"name": "he.kernel", "shape": [3, 3, 16, 32], "init": "he_uniform", "layout": "jax", "dtype": "f64"},
        {"name": "lecun.kernel", "shape": [128, 10], "init": "lecun_uniform", "layout": "jax"},
        {"name": "vs.kernel", "shape": [300, 200], "init": "variance_scaling", "scale": 2.0, "mode": "fan_avg", "distribution": "uniform", "in_axis": 0, "out_axis": 1},
        {"name": "head.weight", "shape": [10, 1000], "init": "xavier_uniform", "gain": 1.6666666666666667}
    ]}"#;
    let p = dir.join("model.json");
    std::fs::write(&p, spec).unwrap();
    p
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).stdin(Stdio::null());
    for (k, _) in glorot::io::LAUNCHER_VARS
        .iter()
        .flat_map(|(_, r, w)| [(r, ()), (w, ())])
    {
        c.env_remove(k);
    }
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every tensor of a file: name → (dtype, shape, bytes).
fn tensors(path: &Path) -> BTreeMap<String, (String, Vec<usize>, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    st.tensors()
        .into_iter()
        .map(|(n, t)| {
            (
                n,
                (
                    format!("{:?}", t.dtype()),
                    t.shape().to_vec(),
                    t.data().to_vec(),
                ),
            )
        })
        .collect()
}

/// All tensors of a sharded checkpoint directory (checking the index against the files).
fn checkpoint(dir: &Path, n: usize) -> BTreeMap<String, (String, Vec<usize>, Vec<u8>)> {
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("model.safetensors.index.json")).unwrap(),
    )
    .unwrap();
    let map = index["weight_map"].as_object().unwrap();
    let mut all = BTreeMap::new();
    let mut total = 0u64;
    for r in 1..=n {
        let name = format!("model-{r:05}-of-{n:05}.safetensors");
        for (k, v) in tensors(&dir.join(&name)) {
            assert_eq!(map[&k].as_str().unwrap(), name, "{k}");
            total += v.2.len() as u64;
            assert!(all.insert(k, v).is_none());
        }
    }
    assert_eq!(map.len(), all.len());
    assert_eq!(index["metadata"]["total_size"].as_u64().unwrap(), total);
    all
}

#[test]
fn separate_processes_equal_one_process() {
    let dir = tmpdir("procs");
    let spec = write_spec(dir.path());
    let spec = spec.to_str().unwrap();
    for dtype in ["f32", "bf16"] {
        let single = dir.path().join(format!("single-{dtype}.safetensors"));
        ok(&run(
            &[
                "init",
                "--spec",
                spec,
                "--seed",
                "7",
                "--dtype",
                dtype,
                "--out",
                single.to_str().unwrap(),
                "--quiet",
            ],
            &[],
        ));
        let want = tensors(&single);
        for n in [2, 3, 5] {
            let out = dir.path().join(format!("ckpt-{dtype}-{n}"));
            // All ranks at once, as a launcher would start them.
            let children: Vec<_> = (0..n)
                .map(|r| {
                    Command::new(BIN)
                        .args([
                            "init",
                            "--spec",
                            spec,
                            "--seed",
                            "7",
                            "--dtype",
                            dtype,
                            "--out",
                            out.to_str().unwrap(),
                            "--quiet",
                            "--shard",
                            &format!("{r}/{n}"),
                        ])
                        .stdin(Stdio::null())
                        .output()
                        .unwrap()
                })
                .collect();
            children.iter().for_each(ok);
            assert_eq!(checkpoint(&out, n), want, "{dtype} n={n}");
        }
    }
}

#[test]
fn shard_auto_reads_each_launcher() {
    let dir = tmpdir("auto");
    let spec = write_spec(dir.path());
    let spec = spec.to_str().unwrap();
    let single = dir.path().join("single.safetensors");
    ok(&run(
        &[
            "init",
            "--spec",
            spec,
            "--out",
            single.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    ));
    let want = tensors(&single);
    for (launcher, rk, wk) in glorot::io::LAUNCHER_VARS {
        let out = dir.path().join(launcher.replace(' ', "_"));
        for r in 0..4 {
            let rs = r.to_string();
            ok(&run(
                &[
                    "init",
                    "--spec",
                    spec,
                    "--out",
                    out.to_str().unwrap(),
                    "--quiet",
                    "--shard",
                    "auto",
                ],
                &[(rk, rs.as_str()), (wk, "4")],
            ));
        }
        assert_eq!(checkpoint(&out, 4), want, "{launcher}");
    }
    // Missing or inconsistent environments are clean errors.
    let out = dir.path().join("bad");
    for (envs, msg) in [
        (vec![], "no launcher environment"),
        (
            vec![("RANK", "4"), ("WORLD_SIZE", "4")],
            "inconsistent torchrun environment",
        ),
        (vec![("SLURM_PROCID", "1")], "SLURM_NTASKS is not"),
    ] {
        let o = run(
            &[
                "init",
                "--spec",
                spec,
                "--out",
                out.to_str().unwrap(),
                "--shard",
                "auto",
            ],
            &envs,
        );
        assert_one_line_error(&o, msg);
    }
    assert!(!out.exists());
}

#[test]
fn under_mpirun() {
    let dir = tmpdir("mpi");
    let spec = write_spec(dir.path());
    let spec = spec.to_str().unwrap();
    let out = dir.path().join("ckpt");
    let mpirun = Command::new("mpirun")
        .args(["-n", "4", "--allow-run-as-root", "--oversubscribe", BIN])
        .args([
            "init",
            "--spec",
            spec,
            "--seed",
            "3",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--shard",
            "auto",
        ])
        .stdin(Stdio::null())
        .output();
    let o = match mpirun {
        Ok(o) => o,
        Err(e) => {
            if std::env::var("GLOROT_REQUIRE_MPI").as_deref() == Ok("1") {
                panic!("mpirun not found ({e}) and GLOROT_REQUIRE_MPI=1");
            }
            println!(
                "SKIPPED: mpirun not found ({e}); install Debian's openmpi-bin to run this test"
            );
            return;
        }
    };
    ok(&o);
    let single = dir.path().join("single.safetensors");
    ok(&run(
        &[
            "init",
            "--spec",
            spec,
            "--seed",
            "3",
            "--out",
            single.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    ));
    assert_eq!(checkpoint(&out, 4), tensors(&single));
}

#[test]
fn output_does_not_depend_on_threads() {
    let dir = tmpdir("threads");
    let mut files = Vec::new();
    for t in ["1", "2", "3"] {
        let out = dir.path().join(format!("t{t}.safetensors"));
        ok(&run(
            &[
                "init",
                "--model",
                "mlp",
                "--dtype",
                "f16",
                "--seed",
                "11",
                "--threads",
                t,
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ],
            &[],
        ));
        files.push(std::fs::read(&out).unwrap());
    }
    assert!(files.windows(2).all(|w| w[0] == w[1]));
}

fn assert_one_line_error(o: &Output, contains: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "unexpected success; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains(contains), "{err:?} lacks {contains:?}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn errors_are_one_line_and_preserve_existing_files() {
    let dir = tmpdir("errors");
    let existing = dir.path().join("model.safetensors");
    std::fs::write(&existing, b"precious").unwrap();
    let out = existing.to_str().unwrap();

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"tensors": [{"name": "fc1.weight", "shape": [10, 5], "init": "xavier_uniform", "gian": 1.0}]}"#,
    )
    .unwrap();
    let o = run(
        &["init", "--spec", bad.to_str().unwrap(), "--out", out],
        &[],
    );
    assert_one_line_error(&o, "tensor `fc1.weight`: field `gian`");
    assert_eq!(o.status.code(), Some(1));

    let o = run(
        &["init", "--model", "mlp", "--dtype", "f8", "--out", out],
        &[],
    );
    assert_one_line_error(&o, "unknown --dtype `f8`");
    let o = run(
        &["init", "--model", "mlp", "--out", out, "--shard", "3/3"],
        &[],
    );
    assert_one_line_error(&o, "invalid shard `3/3`");
    assert_eq!(o.status.code(), Some(2), "shard errors are usage errors");
    let o = run(&["init", "--out", out], &[]);
    assert_one_line_error(&o, "--spec");
    let o = run(
        &["init", "--spec", "/nonexistent/x.json", "--out", out],
        &[],
    );
    assert_one_line_error(&o, "/nonexistent/x.json");
    let o = run(
        &[
            "init",
            "--model",
            "mlp",
            "--out",
            "/nonexistent-dir/m.safetensors",
        ],
        &[],
    );
    // Found while planning the output, before any file is created.
    assert_one_line_error(&o, "directory /nonexistent-dir does not exist");
    assert_eq!(o.status.code(), Some(2));

    // A file-size limit makes the write fail part-way (EFBIG): clean error, temporary removed,
    // the existing file untouched.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 1024 && exec {BIN} init --model mlp --out {out} --quiet"
        ))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_one_line_error(&o, "model.safetensors");
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| !n.contains(".glorot-tmp-")), "{left:?}");
}

#[test]
fn list_and_demo() {
    let o = run(&["list"], &[]);
    ok(&o);
    let s = String::from_utf8_lossy(&o.stdout);
    for m in ["gpt2 ", "gpt2-xl", "llama-7b", "1,557,611,200", "6.23 GB"] {
        assert!(s.contains(m), "{s}");
    }
    // No arguments: GPT-2 small into a temporary directory (removed afterwards), the table and
    // the throughput.
    let tmp = tmpdir("demo");
    let o = run(&[], &[("TMPDIR", tmp.path().to_str().unwrap())]);
    ok(&o);
    let s = String::from_utf8_lossy(&o.stdout);
    for m in [
        "wte.weight",
        "[50257, 768]",
        "h.0.attn.c_attn.weight",
        "fan_in",
        "measured",
        "GB/s",
        "148 tensors",
    ] {
        assert!(s.contains(m), "{m} missing from\n{s}");
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);

    // --table after init.
    let out = tmp.path().join("mlp.safetensors");
    let o = run(
        &[
            "init",
            "--model",
            "mlp",
            "--out",
            out.to_str().unwrap(),
            "--table",
        ],
        &[],
    );
    ok(&o);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("fc1.weight") && s.contains("xavier_uniform") && s.contains("784"),
        "{s}"
    );
}

#[cfg(unix)]
#[test]
fn interrupt_removes_the_temporary_and_keeps_the_existing_file() {
    let dir = tmpdir("sigint");
    let out = dir.path().join("gpt2.safetensors");
    std::fs::write(&out, b"previous").unwrap();
    let child = signals::default_cancel_signals(&mut Command::new(BIN))
        .args([
            "init",
            "--model",
            "gpt2",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the temporary file: the write has started.
    let t0 = std::time::Instant::now();
    loop {
        let started = std::fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".glorot-tmp-")
        });
        if started || t0.elapsed().as_secs() > 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // SAFETY: plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_one_line_error(&o, "cancelled before");
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["gpt2.safetensors".to_string()]);
}

/// Unmounts on drop, so a failing assertion never leaves the mount behind.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn disk_full_is_a_clean_error() {
    let dir = tmpdir("full");
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    // A 4 MiB filesystem; needs root (CI runs as root). The mlp preset is 7.2 MB.
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("SKIPPED disk-full test: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let _guard = Mount(mnt.clone());
    let out = mnt.join("mlp.safetensors");
    std::fs::write(&out, b"keep").unwrap();
    let o = run(
        &["init", "--model", "mlp", "--out", out.to_str().unwrap()],
        &[],
    );
    assert_one_line_error(&o, "No space left on device");
    assert!(String::from_utf8_lossy(&o.stderr).contains("mlp.safetensors"));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep");
    let left: Vec<String> = std::fs::read_dir(&mnt)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["mlp.safetensors".to_string()]);
}

#[test]
fn closed_stdout_is_not_a_panic() {
    let mut child = Command::new(BIN)
        .args(["list"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every structured initializer by its `--spec` name, next to an elementwise tensor.
const STRUCTURED_SPEC: &str = r#"{"tensors": [
    {"name": "lstm.weight_ih_l0", "shape": [256, 32], "init": "xavier_uniform"},
    {"name": "lstm.weight_hh_l0", "shape": [256, 64], "init": "orthogonal"},
    {"name": "wide.weight", "shape": [24, 90], "init": "orthogonal", "gain": 1.5},
    {"name": "conv.kernel", "shape": [3, 3, 4, 16], "init": "orthogonal_jax", "scale": 0.5, "column_axis": -1},
    {"name": "moved.kernel", "shape": [5, 2, 3], "init": "orthogonal_jax", "column_axis": 0},
    {"name": "sparse.weight", "shape": [120, 50], "init": "sparse", "sparsity": 0.2, "std": 0.05},
    {"name": "conv.weight", "shape": [8, 4, 3, 3], "init": "dirac", "groups": 2},
    {"name": "eye.weight", "shape": [30, 40], "init": "eye"},
    {"name": "id.weight", "shape": [16, 16], "init": "identity", "gain": 2.0},
    {"name": "delta.kernel", "shape": [3, 3, 8, 8], "init": "delta_orthogonal", "scale": 1.0}
]}"#;

/// The library's own allocation of one spec'd tensor, as little-endian bytes.
fn library_bytes(s: &glorot::io::TensorSpec, key: &glorot::Key) -> Vec<u8> {
    fn go<T: glorot::Element + bytemuck::Pod>(
        s: &glorot::io::TensorSpec,
        key: &glorot::Key,
    ) -> Vec<u8> {
        let v: Vec<T> = s
            .init
            .alloc(&s.shape, s.layout, &key.tensor(&s.name))
            .unwrap();
        bytemuck::cast_slice(&v).to_vec()
    }
    match s.dtype {
        glorot::DType::F32 => go::<f32>(s, key),
        glorot::DType::F64 => go::<f64>(s, key),
        glorot::DType::BF16 => go::<glorot::bf16>(s, key),
        glorot::DType::F16 => go::<glorot::f16>(s, key),
    }
}

/// Reads a file with Python's `safetensors` (numpy; bf16 as raw 16-bit words, which numpy
/// lacks) and dumps every tensor's little-endian bytes into `dump/NAME.bin`. `None` when
/// Python or its modules are missing (a failure under `GLOROT_REQUIRE_PYTHON=1`).
fn python_dump(path: &Path, dump: &Path) -> Option<()> {
    const SCRIPT: &str = r#"
import json, os, sys
import numpy as np
from safetensors import safe_open
path, dump = sys.argv[1], sys.argv[2]
with open(path, "rb") as fh:
    n = int.from_bytes(fh.read(8), "little")
    header = json.loads(fh.read(n))
with safe_open(path, framework="np") as f:
    for name in f.keys():
        s = f.get_slice(name)
        dtype, shape = s.get_dtype(), list(s.get_shape())
        assert dtype == header[name]["dtype"] and shape == header[name]["shape"], name
        if dtype == "BF16":
            b, e = header[name]["data_offsets"]
            with open(path, "rb") as fh:
                fh.seek(8 + n + b)
                raw = np.frombuffer(fh.read(e - b), dtype="<u2").tobytes()
        else:
            arr = f.get_tensor(name)
            assert list(arr.shape) == shape, name
            raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        with open(os.path.join(dump, name + ".bin"), "wb") as out:
            out.write(raw)
print("python: %d tensors read" % len(header.keys() - {"__metadata__"}))
"#;
    let probe = Command::new("python3")
        .args(["-c", "import safetensors, numpy"])
        .output();
    let missing = match &probe {
        Err(e) => Some(format!("python3 not runnable: {e}")),
        Ok(o) if !o.status.success() => Some("python modules safetensors/numpy missing".into()),
        Ok(_) => None,
    };
    if let Some(why) = missing {
        if std::env::var("GLOROT_REQUIRE_PYTHON").as_deref() == Ok("1") {
            panic!("{why} (GLOROT_REQUIRE_PYTHON=1)");
        }
        println!("SKIPPED python part: {why}; run `pip install safetensors numpy`");
        return None;
    }
    let o = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(path)
        .arg(dump)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "python read failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(())
}

#[test]
fn structured_spec_names_write_the_library_values() {
    let dir = tmpdir("structured");
    let spec = dir.path().join("structured.json");
    std::fs::write(&spec, STRUCTURED_SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    let key = glorot::Key::new(77);
    for dtype in ["f32", "bf16", "f16", "f64"] {
        let parsed_dtype = glorot::DType::parse(dtype).unwrap();
        let single = dir.path().join(format!("single-{dtype}.safetensors"));
        ok(&run(
            &[
                "init",
                "--spec",
                spec,
                "--seed",
                "77",
                "--dtype",
                dtype,
                "--out",
                single.to_str().unwrap(),
                "--quiet",
            ],
            &[],
        ));
        let got = tensors(&single);
        assert_eq!(got.len(), 10);
        // The crate's own header reader agrees with the safetensors crate on every offset.
        let bytes = std::fs::read(&single).unwrap();
        let entries = glorot::io::read_header(&mut std::fs::File::open(&single).unwrap()).unwrap();
        let dump = dir.path().join(format!("dump-{dtype}"));
        std::fs::create_dir(&dump).unwrap();
        let python = python_dump(&single, &dump);
        let v: serde_json::Value = serde_json::from_str(STRUCTURED_SPEC).unwrap();
        for t in v["tensors"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            let shape: Vec<usize> = t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            // Build the library's spec the documented way: parse the same JSON entry.
            let one = format!(r#"{{"tensors": [{t}]}}"#);
            let s = parse_spec(&one, parsed_dtype);
            assert_eq!(s.shape, shape);
            let want = library_bytes(&s, &key);
            let (_, file_shape, data) = &got[name];
            assert_eq!(file_shape, &shape, "{name}");
            assert!(
                data == &want,
                "{dtype} {name}: file differs from Init::alloc"
            );
            let e = entries.iter().find(|e| e.name == name).unwrap();
            assert!(
                bytes[e.start as usize..e.end as usize] == want[..],
                "{dtype} {name} via read_header"
            );
            if python.is_some() {
                let py = std::fs::read(dump.join(format!("{name}.bin"))).unwrap();
                assert!(py == want, "{dtype} {name}: python read differs");
            }
        }
        // Sharded: each process writes its file; the tensors are the single file's, whole.
        let ckpt = dir.path().join(format!("ckpt-{dtype}"));
        for r in 0..3 {
            ok(&run(
                &[
                    "init",
                    "--spec",
                    spec,
                    "--seed",
                    "77",
                    "--dtype",
                    dtype,
                    "--out",
                    ckpt.to_str().unwrap(),
                    "--shard",
                    &format!("{r}/3"),
                    "--quiet",
                ],
                &[],
            ));
        }
        assert_eq!(
            checkpoint(&ckpt, 3),
            got,
            "{dtype}: shards differ from the single file"
        );
    }
    // Thread count never matters.
    let mut files = Vec::new();
    for t in ["1", "3"] {
        let out = dir.path().join(format!("threads-{t}.safetensors"));
        ok(&run(
            &[
                "init",
                "--spec",
                spec,
                "--seed",
                "77",
                "--threads",
                t,
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--table",
            ],
            &[],
        ));
        files.push(std::fs::read(&out).unwrap());
    }
    assert!(files[0] == files[1]);
}

/// The library's reading of a one-tensor `--spec` document: the CLI's parser is not a library
/// API, so the test rebuilds the same `TensorSpec` from the same fields.
fn parse_spec(text: &str, dtype: glorot::DType) -> glorot::io::TensorSpec {
    use glorot::Init;
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let t = &v["tensors"][0];
    let num = |k: &str, d: f64| t.get(k).map_or(d, |x| x.as_f64().unwrap());
    let axis = t
        .get("column_axis")
        .map_or(-1, |x| x.as_i64().unwrap() as isize);
    let init = match t["init"].as_str().unwrap() {
        "xavier_uniform" => Init::xavier_uniform(num("gain", 1.0)),
        "orthogonal" => Init::Orthogonal {
            gain: num("gain", 1.0),
        },
        "orthogonal_jax" => Init::OrthogonalJax {
            scale: num("scale", 1.0),
            column_axis: axis,
        },
        "sparse" => Init::Sparse {
            sparsity: num("sparsity", f64::NAN),
            std: num("std", 0.01),
        },
        "dirac" => Init::Dirac {
            groups: t.get("groups").map_or(1, |g| g.as_u64().unwrap() as usize),
        },
        "eye" => Init::Eye,
        "identity" => Init::Identity {
            gain: num("gain", 1.0),
        },
        "delta_orthogonal" => Init::DeltaOrthogonal {
            scale: num("scale", 1.0),
            column_axis: axis,
        },
        other => panic!("{other}"),
    };
    let shape: Vec<usize> = t["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    glorot::io::TensorSpec::new(t["name"].as_str().unwrap(), &shape, init).with_dtype(dtype)
}

#[test]
fn structured_spec_errors_are_one_line_before_the_first_byte() {
    let dir = tmpdir("structured-errors");
    let out = dir.path().join("m.safetensors");
    for (tensor, want) in [
        (
            r#"{"name": "w", "shape": [10, 5], "init": "dirac"}"#,
            "tensor `w`: dirac on shape [10, 5]: only tensors with 3, 4 or 5 dimensions",
        ),
        (
            r#"{"name": "w", "shape": [10, 5, 3], "init": "dirac", "groups": 3}"#,
            "tensor `w`: field `groups`: dim 0 (10) must be divisible by groups (3)",
        ),
        (
            r#"{"name": "b", "shape": [10], "init": "orthogonal"}"#,
            "tensor `b`: orthogonal on shape [10]: only tensors with 2 or more dimensions",
        ),
        (
            r#"{"name": "w", "shape": [10, 5], "init": "sparse", "sparsity": 2}"#,
            "tensor `w`: field `sparsity`: sparsity must be a number in [0, 1]",
        ),
        (
            r#"{"name": "w", "shape": [10, 5], "init": "sparse"}"#,
            "tensor `w`: field `sparsity`: missing (required)",
        ),
        (
            r#"{"name": "w", "shape": [3, 3, 8, 4], "init": "delta_orthogonal"}"#,
            "`fan_in` (8) must be less or equal than `fan_out` (4)",
        ),
        (
            r#"{"name": "w", "shape": [10, 5], "init": "orthogonal", "sparsity": 0.1}"#,
            "tensor `w`: field `sparsity`: not a parameter of orthogonal (its parameters are gain)",
        ),
        (
            r#"{"name": "w", "shape": [10, 5], "init": "eye", "dtype": "f16", "layout": "jax"}"#,
            "tensor `w`: field `layout`: eye reads no fans",
        ),
    ] {
        let spec = dir.path().join("bad.json");
        // A valid orthogonal tensor first: nothing of it may be written either.
        std::fs::write(
            &spec,
            format!(
                r#"{{"tensors": [{{"name": "ok", "shape": [64, 64], "init": "orthogonal"}}, {tensor}]}}"#
            ),
        )
        .unwrap();
        let o = run(
            &[
                "init",
                "--spec",
                spec.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert_one_line_error(&o, want);
        assert_eq!(o.status.code(), Some(1), "{want}");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["bad.json"], "{want}");
    }
}

// ---------------------------------------------------------------- glorot report

/// `glorot report` with `args` into a fresh `DIR/out`; returns the output and `DIR/out`.
fn report(dir: &Path, tag: &str, args: &[&str]) -> (Output, PathBuf) {
    let out = dir.join(tag);
    let mut all = vec!["report", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    (run(&all, &[]), out)
}

/// The per-layer table: stdout without the timing line.
fn report_table(o: &Output) -> String {
    let text = String::from_utf8_lossy(&o.stdout);
    text.lines()
        .filter(|l| !l.starts_with("wrote "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn report_runs_a_preset_by_name_and_a_spec_with_activations() {
    let dir = tmpdir("report");
    // 784 → 5 × 1000 → 10 on 24 examples; no SVDs of its 1000 × 1000 Jacobians (the spec
    // below has them).
    let small = ["--batch", "24", "--jacobian-examples", "0", "--bins", "20"];
    // The preset by its `glorot list` name: its layers' tanh, its own init among the runs.
    let (o, out) = report(
        dir.path(),
        "mlp",
        &[&["--model", "mlp"][..], &small].concat(),
    );
    ok(&o);
    let table = report_table(&o);
    assert!(table.contains("own init"), "{table}");
    assert!(table.contains("fc5") && table.contains("tanh"), "{table}");
    let svg_a = std::fs::read_to_string(out.join("report.svg")).unwrap();
    assert!(svg_a.contains("<svg"));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("mlp, tanh layers"), "{page}");
    // Same seed, same numbers and the same figure; another seed, other numbers.
    let (o2, out2) = report(
        dir.path(),
        "mlp2",
        &[&["--model", "glorot-mlp"][..], &small].concat(),
    );
    ok(&o2);
    assert_eq!(report_table(&o2), table);
    assert_eq!(
        std::fs::read_to_string(out2.join("report.svg")).unwrap(),
        svg_a
    );
    let (o3, _) = report(
        dir.path(),
        "mlp3",
        &[&["--model", "mlp", "--seed", "1"][..], &small].concat(),
    );
    ok(&o3);
    assert_ne!(report_table(&o3), table);

    // A --spec MLP with activations, mixed, He in the comparison for the rectifier.
    let spec = dir.path().join("mlp.json");
    std::fs::write(
        &spec,
        r#"{"tensors": [
            {"name": "fc1.weight", "shape": [24, 20], "init": "kaiming_normal", "nonlinearity": "relu", "act": "relu"},
            {"name": "fc1.bias", "shape": [24], "init": "zeros"},
            {"name": "fc2.weight", "shape": [24, 24], "init": "xavier_uniform", "gain": 1.6666666666666667, "act": "tanh"},
            {"name": "head.weight", "shape": [3, 24], "init": "xavier_uniform"}
        ]}"#,
    )
    .unwrap();
    let (o, out) = report(
        dir.path(),
        "spec",
        &[
            "--spec",
            spec.to_str().unwrap(),
            "--batch",
            "24",
            "--bins",
            "20",
        ],
    );
    ok(&o);
    let table = report_table(&o);
    for want in ["fc1", "relu", "fc2", "tanh", "head", "He (kaiming_normal)"] {
        assert!(table.contains(want), "{want:?} not in {table}");
    }
    assert!(out.join("report.svg").exists() && out.join("report.html").exists());
    // `glorot init` reads the same file (the `act` keys change nothing it writes).
    let st = dir.path().join("mlp.safetensors");
    ok(&run(
        &[
            "init",
            "--spec",
            spec.to_str().unwrap(),
            "--seed",
            "0",
            "--out",
            st.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    ));
    assert_eq!(tensors(&st).len(), 4);
}

#[test]
fn report_refuses_models_it_cannot_run_before_writing() {
    let dir = tmpdir("report-refused");
    let spec = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let no_act = spec(
        "no-act.json",
        r#"{"tensors": [
            {"name": "fc1.weight", "shape": [8, 4], "init": "xavier_uniform", "act": "tanh"},
            {"name": "fc2.weight", "shape": [8, 8], "init": "xavier_uniform"},
            {"name": "out.weight", "shape": [3, 8], "init": "xavier_uniform"}
        ]}"#,
    );
    let conv = spec(
        "conv.json",
        r#"{"tensors": [
            {"name": "conv.weight", "shape": [8, 3, 3, 3], "init": "kaiming_normal", "act": "relu"},
            {"name": "out.weight", "shape": [3, 8], "init": "xavier_uniform"}
        ]}"#,
    );
    let bad_act = spec(
        "bad-act.json",
        r#"{"tensors": [
            {"name": "fc1.weight", "shape": [8, 4], "init": "xavier_uniform", "act": "swish"},
            {"name": "out.weight", "shape": [3, 8], "init": "xavier_uniform"}
        ]}"#,
    );
    let bias_act = spec(
        "bias-act.json",
        r#"{"tensors": [
            {"name": "fc1.weight", "shape": [8, 4], "init": "xavier_uniform", "act": "tanh"},
            {"name": "fc1.bias", "shape": [8], "init": "zeros", "act": "tanh"},
            {"name": "out.weight", "shape": [3, 8], "init": "xavier_uniform"}
        ]}"#,
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // Its first convolution is accepted now that the report runs convs; its batch norms are not.
        (
            vec!["--model", "resnet50"],
            "`bn1.weight`: layer kind `batch_norm`",
        ),
        (vec!["--model", "alexnet"], "declares no activation"),
        (vec!["--model", "gpt2"], "embedding"),
        (vec!["--model", "llama-7b"], "embedding"),
        (vec!["--model", "no-such-model"], "unknown --model"),
        (
            vec!["--model", "gpt2", "--act", "relu"],
            "--act applies to the glorot-mlp preset",
        ),
        (vec!["--act", "swish"], "unknown activation"),
        (
            vec!["--spec", no_act.as_str()],
            "hidden layer `fc2` declares no activation",
        ),
        (vec!["--spec", conv.as_str()], "conv.weight"),
        (
            vec!["--spec", bad_act.as_str()],
            "unknown activation `swish`",
        ),
        (
            vec!["--spec", bias_act.as_str()],
            "give `act` on the layer's weight",
        ),
        (
            vec!["--spec", no_act.as_str(), "--act", "relu"],
            "--act applies",
        ),
    ];
    for (i, (args, want)) in cases.iter().enumerate() {
        let (o, out) = report(dir.path(), &format!("case{i}"), args);
        assert_one_line_error(&o, want);
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
    // Flags that do not combine are usage errors (exit 2), also before anything is written.
    let (o, out) = report(
        dir.path(),
        "usage",
        &["--model", "mlp", "--spec", no_act.as_str()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    let (o, out) = report(dir.path(), "usage2", &["--depth", "--model", "mlp"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}
