//! `glorot::jax` against jax itself.
//!
//! - `committed_vectors`: `tests/jax/vectors.json`, written by real jax with
//!   `tests/jax/make_vectors.py` (the file records the jax version).
//! - `live_jax`: runs that script now (`--quick`: fewer shapes, bounds and offsets, every kind
//!   of case) and checks its output the same way. Skips with a message
//!   when `python3` or `jax` is missing, unless `GLOROT_REQUIRE_JAX=1` (CI sets it), in which
//!   case that is a failure.
//!
//! Every case must match to the bit: keys from seeds, `split`, `fold_in`; values of
//! `jax.random.uniform` and the uniform initializers over keys, shapes and dtypes; jax's
//! counters for tensors of more than 2³² elements, and the values at offsets near and across
//! multiples of 2³² (through `fill_at`).
//!
//! The rest of the file needs no Python: offset fills, shards, thread counts and levels.

mod common;

use std::process::Command;

use glorot::jax::{self, JaxAxes, JaxFloat, JaxInit, JaxKey};
use glorot::{bf16, f16, FanMode, Level};
use serde_json::Value;

trait Bits: JaxFloat {
    const ZERO: Self;
    fn bits(self) -> u64;
}
impl Bits for f32 {
    const ZERO: Self = 0.0;
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}
impl Bits for f64 {
    const ZERO: Self = 0.0;
    fn bits(self) -> u64 {
        self.to_bits()
    }
}
impl Bits for bf16 {
    const ZERO: Self = bf16::ZERO;
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}
impl Bits for f16 {
    const ZERO: Self = f16::ZERO;
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
}

fn words(v: &Value) -> [u32; 2] {
    let a = v.as_array().unwrap();
    [a[0].as_u64().unwrap() as u32, a[1].as_u64().unwrap() as u32]
}

fn key(v: &Value) -> JaxKey {
    JaxKey::from_words(words(v))
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn init(spec: &Value) -> JaxInit {
    let f = |k: &str| spec[k].as_f64().unwrap();
    let i = |k: &str| spec[k].as_i64().unwrap() as isize;
    match spec["type"].as_str().unwrap() {
        "uniform_range" => JaxInit::uniform_range(f("minval"), f("maxval")),
        "scaled_uniform" => JaxInit::uniform(f("scale")),
        "variance_scaling" => JaxInit::VarianceScaling {
            scale: f("scale"),
            mode: FanMode::parse(spec["mode"].as_str().unwrap()).unwrap(),
            axes: JaxAxes {
                in_axis: i("in_axis"),
                out_axis: i("out_axis"),
                batch_axis: spec["batch_axis"].as_i64().map(|b| b as isize),
            },
        },
        t => panic!("unknown init type {t}"),
    }
}

/// Little-endian hex of `n` elements of `size` bytes.
fn unhex(s: &str, size: usize) -> Vec<u64> {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    bytes
        .chunks(size)
        .map(|c| c.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b)))
        .collect()
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The script's checksum: Σ (bits_i + 1) · (K · (i + 1)) mod 2⁶⁴.
fn checksum(bits: &[u64]) -> u64 {
    bits.iter().enumerate().fold(0u64, |s, (i, &b)| {
        s.wrapping_add(b.wrapping_add(1).wrapping_mul(K.wrapping_mul(i as u64 + 1)))
    })
}

/// Compares computed element bits with a case's `bits` or `sum` + `ends`; `Err` says where.
fn compare(got: &[u64], case: &Value, size: usize) -> Result<(), String> {
    let n = case["n"].as_u64().unwrap() as usize;
    if got.len() != n {
        return Err(format!("length {} != {n}", got.len()));
    }
    if let Some(h) = case["bits"].as_str() {
        let want = unhex(h, size);
        let bad: Vec<usize> = (0..n).filter(|&i| got[i] != want[i]).collect();
        if !bad.is_empty() {
            let i = bad[0];
            return Err(format!(
                "{} of {n} differ; first at {i}: {:#x} != jax {:#x}",
                bad.len(),
                got[i],
                want[i]
            ));
        }
    } else {
        let ends = unhex(case["ends"].as_str().unwrap(), size);
        let mine: Vec<u64> = got[..8].iter().chain(&got[n - 8..]).copied().collect();
        if mine != ends {
            return Err(format!("ends differ: {mine:x?} != jax {ends:x?}"));
        }
        let want: u64 = case["sum"].as_str().unwrap().parse().unwrap();
        if checksum(got) != want {
            return Err("checksum differs".into());
        }
    }
    Ok(())
}

fn values<T: Bits>(
    init: &JaxInit,
    shape: &[usize],
    key: JaxKey,
    offset: u64,
    n: usize,
) -> Vec<u64> {
    let mut out = vec![T::ZERO; n];
    jax::fill_at(&mut out, init, shape, key, offset).unwrap();
    out.into_iter().map(Bits::bits).collect()
}

fn check_values(case: &Value, offset: u64, shape: &[usize]) -> Result<(), String> {
    let init = init(&case["init"]);
    let key = key(&case["key"]);
    let n = case["n"].as_u64().unwrap() as usize;
    match case["dtype"].as_str().unwrap() {
        "float32" => compare(&values::<f32>(&init, shape, key, offset, n), case, 4),
        "float64" => compare(&values::<f64>(&init, shape, key, offset, n), case, 8),
        "bfloat16" => compare(&values::<bf16>(&init, shape, key, offset, n), case, 2),
        "float16" => compare(&values::<f16>(&init, shape, key, offset, n), case, 2),
        d => Err(format!("unknown dtype {d}")),
    }
}

/// The Rust derivation of each named key in the script.
fn named_key(name: &str) -> JaxKey {
    let s = JaxKey::from_seed;
    match name {
        "key(0)" => s(0),
        "key(42)" => s(42),
        "key(2**32-1)" => s((1 << 32) - 1),
        "split(key(0),3)[1]" => s(0).split(3)[1],
        "fold_in(key(7),11)" => s(7).fold_in(11),
        "fold_in(split(key(1))[0],2**31+3)" => s(1).split(2)[0].fold_in((1 << 31) + 3),
        "wrap(deadbeef,01234567)" => JaxKey::from_words([0xDEAD_BEEF, 0x0123_4567]),
        n => panic!("unknown key {n}"),
    }
}

/// Checks every case; returns (cases checked per kind, failures).
fn check_all(doc: &Value) -> (std::collections::BTreeMap<String, usize>, Vec<String>) {
    let mut count = std::collections::BTreeMap::new();
    let mut fail = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let kind = case["kind"].as_str().unwrap();
        let x64 = case["x64"].as_bool().unwrap();
        let r: Result<(), String> = match kind {
            "seed" => {
                let seed = case["seed"].as_i64().unwrap() as u64;
                match case.get("words") {
                    // JAX's 32-bit mode truncates the seed to 32 bits first.
                    Some(w) => {
                        let k = JaxKey::from_seed(if x64 { seed } else { seed & 0xFFFF_FFFF });
                        (k.words() == words(w))
                            .then_some(())
                            .ok_or(format!("seed {seed}: {:?}", k.words()))
                    }
                    None => Ok(()), // jax refused this seed; nothing to reproduce
                }
            }
            "key" => {
                let k = named_key(case["name"].as_str().unwrap());
                (k.words() == words(&case["words"]))
                    .then_some(())
                    .ok_or(format!("{}: {:?}", case["name"], k.words()))
            }
            "split" | "split2d" => {
                let num: usize = match kind {
                    "split" => case["num"].as_u64().unwrap() as usize,
                    _ => usizes(&case["shape"]).iter().product(),
                };
                let got = key(&case["key"]).split(num);
                let want: Vec<JaxKey> = case["words"].as_array().unwrap().iter().map(key).collect();
                (got == want).then_some(()).ok_or(format!("{got:?}"))
            }
            "fold_in" => {
                let d = case["data"].as_u64().unwrap() as u32;
                let got = key(&case["key"]).fold_in(d);
                (got == key(&case["words"]))
                    .then_some(())
                    .ok_or(format!("{got:?}"))
            }
            "iota" => {
                // jax's own counter for flat index i of a huge tensor is (i >> 32, i mod 2³²),
                // the convention the kernels hash.
                let first = case["first"].as_u64().unwrap();
                let (hi, lo) = (usizes(&case["hi"]), usizes(&case["lo"]));
                let ok = (0..hi.len()).all(|j| {
                    let i = first + j as u64;
                    hi[j] as u64 == i >> 32 && lo[j] as u64 == i & 0xFFFF_FFFF
                });
                ok.then_some(()).ok_or(format!("{hi:?} {lo:?}"))
            }
            "values" => check_values(case, 0, &usizes(&case["shape"])),
            "window" => check_values(
                case,
                case["offset"].as_u64().unwrap(),
                &usizes(&case["full_shape"]),
            ),
            k => Err(format!("unknown kind {k}")),
        };
        let label = format!("{kind}{}", if x64 { " (x64)" } else { "" });
        *count.entry(label.clone()).or_insert(0) += 1;
        if let Err(e) = r {
            fail.push(format!(
                "{label} {} {} {} {}: {e}",
                case["what"], case["dtype"], case["shape"], case["key"]
            ));
        }
    }
    (count, fail)
}

fn run(doc: &Value, source: &str) {
    let (count, fail) = check_all(doc);
    println!("{source} (jax {}): {count:?}", doc["jax"]);
    for kind in [
        "seed",
        "split",
        "fold_in",
        "values",
        "values (x64)",
        "window",
        "iota",
    ] {
        assert!(
            count.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} cases in {source}"
        );
    }
    assert!(
        fail.is_empty(),
        "{} of {} cases differ from jax:\n{}",
        fail.len(),
        count.values().sum::<usize>(),
        fail.join("\n")
    );
}

#[test]
fn committed_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jax/vectors.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    run(&doc, "tests/jax/vectors.json");
}

#[test]
fn live_jax() {
    if !common::python::available("jax, numpy", "GLOROT_REQUIRE_JAX", "live jax comparison") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vectors.json");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/jax/make_vectors.py");
    let r = Command::new("python3")
        .args([script, "--quick"])
        .arg(&out)
        .env("JAX_PLATFORMS", "cpu")
        .output()
        .unwrap();
    assert!(
        r.status.success(),
        "make_vectors.py failed:\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    run(&doc, "live jax");
}

// ---- No Python needed below. ----

fn inits() -> Vec<JaxInit> {
    vec![
        JaxInit::glorot_uniform(),
        JaxInit::he_uniform(),
        JaxInit::uniform_range(-1.234567, 3.3333),
        JaxInit::uniform(0.05),
    ]
}

fn bits_of<T: Bits>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.bits()).collect()
}

fn fill_with<T: Bits>(
    init: &JaxInit,
    shape: &[usize],
    key: JaxKey,
    offset: u64,
    n: usize,
    level: Level,
) -> Vec<u64> {
    let mut out = vec![T::ZERO; n];
    jax::fill_at_with(&mut out, init, shape, key, offset, level).unwrap();
    bits_of(&out)
}

/// Shards at arbitrary offsets equal slices of the whole tensor (which spans several parallel
/// chunks), in every dtype.
fn shards_equal_slices_for<T: Bits>() {
    let shape = [3, 3, 97, 211]; // 184 311 elements: three 64 Ki chunks and a tail
    let key = JaxKey::from_seed(11).fold_in(3);
    for init in inits() {
        let whole = bits_of(&jax::alloc::<T>(&init, &shape, key).unwrap());
        let mut filled = vec![T::ZERO; whole.len()];
        jax::fill(&mut filled, &init, &shape, key).unwrap();
        assert_eq!(bits_of(&filled), whole);
        let n = whole.len();
        for (a, b) in [
            (0, 1),
            (1, 17),
            (65_535, 65_537),
            (100_000, n),
            (n - 3, n),
            (7, 131_080),
        ] {
            let part = fill_with::<T>(&init, &shape, key, a as u64, b - a, Level::Avx512);
            assert_eq!(part, whole[a..b], "{init:?} [{a}, {b})");
        }
        // Four uneven shards laid end to end are the whole.
        let cuts = [0, 12_345, 70_000, 150_001, n];
        let mut joined = Vec::new();
        for w in cuts.windows(2) {
            joined.extend(fill_with::<T>(
                &init,
                &shape,
                key,
                w[0] as u64,
                w[1] - w[0],
                Level::Avx512,
            ));
        }
        assert_eq!(joined, whole);
    }
}

#[test]
fn shards_equal_slices() {
    shards_equal_slices_for::<f32>();
    shards_equal_slices_for::<f64>();
    shards_equal_slices_for::<bf16>();
    shards_equal_slices_for::<f16>();
}

fn levels_agree_for<T: Bits>() {
    let shape = [1 << 20, 1 << 14]; // 2³⁴ elements: counters with a non-zero high word
    let key = JaxKey::from_words([0xDEAD_BEEF, 0x0123_4567]);
    for init in inits() {
        for (offset, n) in [
            (0u64, 1000usize),
            (5, 33),
            ((1 << 32) - 40, 100), // across 2³²
            ((1 << 32) - 16, 16),
            (3 << 32, 17),
            ((1 << 34) - 77, 77), // the last elements
        ] {
            let scalar = fill_with::<T>(&init, &shape, key, offset, n, Level::Scalar);
            let portable = fill_with::<T>(&init, &shape, key, offset, n, Level::Portable);
            let simd = fill_with::<T>(&init, &shape, key, offset, n, Level::Avx512);
            assert_eq!(portable, scalar, "{init:?} portable at {offset}");
            assert_eq!(simd, scalar, "{init:?} simd at {offset}");
        }
        // A fill across 2³² equals the two fills on either side of it.
        let across = fill_with::<T>(&init, &shape, key, (1 << 32) - 100, 300, Level::Avx512);
        let mut sides = fill_with::<T>(&init, &shape, key, (1 << 32) - 100, 100, Level::Avx512);
        sides.extend(fill_with::<T>(
            &init,
            &shape,
            key,
            1 << 32,
            200,
            Level::Avx512,
        ));
        assert_eq!(across, sides);
        // The high word matters: element 2³² + i is not element i.
        let low = fill_with::<T>(&init, &shape, key, 0, 64, Level::Avx512);
        let high = fill_with::<T>(&init, &shape, key, 1 << 32, 64, Level::Avx512);
        assert_ne!(low, high);
    }
}

#[test]
fn levels_agree_across_the_high_word() {
    levels_agree_for::<f32>();
    levels_agree_for::<f64>();
    levels_agree_for::<bf16>();
    levels_agree_for::<f16>();
}

#[test]
fn one_thread_equals_many() {
    let shape = [512, 1031];
    let key = JaxKey::from_seed(2026);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let a = bits_of(&jax::alloc::<f32>(&JaxInit::glorot_uniform(), &shape, key).unwrap());
            let b = bits_of(&jax::alloc::<bf16>(&JaxInit::lecun_uniform(), &shape, key).unwrap());
            (a, b)
        })
    };
    let one = on(1);
    for t in [2, 3, 8] {
        assert_eq!(on(t), one, "{t} threads");
    }
}

#[test]
fn split_keys_give_independent_tensors() {
    let key = JaxKey::from_seed(0);
    let [a, b] = [key.split_nth(0), key.split_nth(1)];
    assert_ne!(a, b);
    let x = jax::alloc::<f32>(&JaxInit::glorot_uniform(), &[64, 64], a).unwrap();
    let y = jax::alloc::<f32>(&JaxInit::glorot_uniform(), &[64, 64], b).unwrap();
    assert_ne!(x, y);
    let bound = (6.0f64 / 128.0).sqrt() as f32;
    assert!(x.iter().chain(&y).all(|v| v.abs() <= bound));
}

// ---- The CLI's `--rng jax`, read back with Python's safetensors and compared with jax. ----

/// Several tensors and dtypes: JAX layout unless a tensor says `torch`; one tensor of more than
/// the writer's 1 Mi-element work item (so it is written as slices at offsets), one of several
/// 64 Ki parallel chunks in f64, constants whose f16 and bf16 values depend on the rounding
/// route (1 + 2⁻¹¹ + 2⁻³⁰, 1 + 2⁻⁸ + 2⁻³⁰: NumPy's direct f16 rounding vs through f32).
#[cfg(feature = "cli")]
const CLI_SPEC: &str = r#"{"tensors": [
  {"name": "dense.kernel", "shape": [300, 129], "init": "glorot_uniform"},
  {"name": "big.kernel", "shape": [1030, 1031], "init": "glorot_uniform"},
  {"name": "conv.kernel", "shape": [3, 3, 17, 33], "init": "he_uniform", "dtype": "bf16"},
  {"name": "proj.kernel", "shape": [257, 65], "init": "lecun_uniform", "dtype": "f16"},
  {"name": "wide.kernel", "shape": [70001, 3], "init": "xavier_uniform", "gain": 1.5, "dtype": "f64"},
  {"name": "lin.weight", "shape": [40, 30], "init": "kaiming_uniform", "a": 2.23606797749979,
   "layout": "torch"},
  {"name": "emb", "shape": [1000, 64], "init": "uniform", "low": -0.5, "high": 0.25,
   "dtype": "bf16"},
  {"name": "vs", "shape": [5, 7, 11], "init": "variance_scaling", "scale": 0.3,
   "mode": "fan_out", "distribution": "uniform", "dtype": "f16"},
  {"name": "bias", "shape": [129], "init": "zeros"},
  {"name": "ln.scale", "shape": [64], "init": "ones", "dtype": "bf16"},
  {"name": "c16", "shape": [10], "init": "constant", "val": 1.0004882821813226, "dtype": "f16"},
  {"name": "cb16", "shape": [4], "init": "constant", "val": 1.0039062509313226, "dtype": "bf16"},
  {"name": "c64", "shape": [3], "init": "constant", "val": 0.1, "dtype": "f64"}
]}"#;

/// Rebuilds every tensor of the spec with jax (the initializer each spec init names, on
/// `jax.random.key(seed)` or, per tensor, `fold_in(key, zlib.crc32(name))`) and compares it bit
/// for bit with what Python's safetensors reads from the files. f64 tensors are checked only in
/// x64 mode (JAX_ENABLE_X64=1), the others only in the default mode.
#[cfg(feature = "cli")]
const CLI_CHECK: &str = r#"
import json, sys, zlib
import numpy as np
import jax, jax.numpy as jnp
from safetensors.numpy import load_file

# argv: spec, seed, then one "MODE=FILE[:FILE...]" per checkpoint (MODE: same | per-tensor)
spec, seed = json.load(open(sys.argv[1])), int(sys.argv[2])
x64 = jax.config.jax_enable_x64
I = jax.nn.initializers
DT = {"f32": jnp.float32, "bf16": jnp.bfloat16, "f16": jnp.float16, "f64": jnp.float64}

def initializer(t):
    i = t["init"]
    ax = {"in_axis": 1, "out_axis": 0} if t.get("layout") == "torch" else {}
    if i == "glorot_uniform": return I.glorot_uniform(**ax)
    if i == "he_uniform": return I.he_uniform(**ax)
    if i == "lecun_uniform": return I.lecun_uniform(**ax)
    if i == "xavier_uniform":
        g = t.get("gain", 1.0)
        return I.variance_scaling(g * g, "fan_avg", "uniform", **ax)
    if i == "kaiming_uniform":  # leaky_relu, the default nonlinearity
        a = t.get("a", 0.0)
        return I.variance_scaling(2 / (1 + a * a), t.get("mode", "fan_in"), "uniform", **ax)
    if i == "variance_scaling":
        return I.variance_scaling(t["scale"], t["mode"], t["distribution"], **ax)
    if i == "uniform": return lambda k, s, d: jax.random.uniform(k, s, d, t["low"], t["high"])
    if i == "constant": return I.constant(t["val"])
    if i == "zeros": return I.zeros
    if i == "ones": return I.ones
    raise ValueError(i)

root = jax.random.key(seed)
for group in sys.argv[3:]:
    mode, files = group.split("=", 1)
    got = {}
    for f in files.split(":"):
        for k, v in load_file(f).items():
            assert k not in got, k
            got[k] = v
    assert set(got) == {t["name"] for t in spec["tensors"]}, sorted(got)
    checked = 0
    for t in spec["tensors"]:
        dt = t.get("dtype", "f32")
        if (dt == "f64") != x64:
            continue
        name = t["name"]
        key = root if mode == "same" else jax.random.fold_in(root, zlib.crc32(name.encode()))
        want = np.asarray(initializer(t)(key, tuple(t["shape"]), DT[dt]))
        have = got[name]
        assert (have.dtype, have.shape) == (want.dtype, want.shape), (name, have.dtype, have.shape, want.dtype, want.shape)
        u = "u%d" % want.itemsize
        bad = np.flatnonzero(have.reshape(-1).view(u) != want.reshape(-1).view(u))
        assert bad.size == 0, "%s (%s): %d of %d differ, first at %d: %r != jax %r" % (
            name, mode, bad.size, want.size, bad[0], have.reshape(-1)[bad[0]], want.reshape(-1)[bad[0]])
        checked += 1
    print("%s: checked %d tensors bit for bit (x64=%s, %d files)" % (mode, checked, x64, len(files.split(":"))))
"#;

#[cfg(feature = "cli")]
fn glorot_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_glorot"))
        .args(args)
        .output()
        .unwrap()
}

/// One jax run per mode (default, x64) over every `(key mode, files)` checkpoint.
#[cfg(feature = "cli")]
fn jax_check(spec: &std::path::Path, seed: u64, checkpoints: &[(&str, &[std::path::PathBuf])]) {
    let groups: Vec<String> = checkpoints
        .iter()
        .map(|(mode, files)| {
            let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
            format!("{mode}={}", paths.join(":"))
        })
        .collect();
    for x64 in ["0", "1"] {
        let o = Command::new("python3")
            .args(["-c", CLI_CHECK])
            .arg(spec)
            .arg(seed.to_string())
            .args(&groups)
            .env("JAX_PLATFORMS", "cpu")
            .env("JAX_ENABLE_X64", x64)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "jax check (x64={x64}) failed:\n{out}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        println!("{}", out.trim());
        let want = if x64 == "1" { 2 } else { 11 };
        for (mode, files) in checkpoints {
            let line = format!(
                "{mode}: checked {want} tensors bit for bit (x64={}, {} files)",
                if x64 == "1" { "True" } else { "False" },
                files.len()
            );
            assert!(out.contains(&line), "{out}\nwanted: {line}");
        }
    }
}

/// Every tensor's bytes, by name, from the files' own headers.
#[cfg(feature = "cli")]
fn tensor_bytes(files: &[std::path::PathBuf]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for f in files {
        let data = std::fs::read(f).unwrap();
        let entries = glorot::io::read_header(&mut std::fs::File::open(f).unwrap()).unwrap();
        for e in entries {
            let bytes = data[e.start as usize..e.end as usize].to_vec();
            assert!(out.insert(e.name, bytes).is_none());
        }
    }
    out
}

#[cfg(feature = "cli")]
#[test]
fn cli_rng_jax_writes_what_jax_returns() {
    if !common::python::available(
        "jax, numpy, safetensors",
        "GLOROT_REQUIRE_JAX",
        "CLI --rng jax against jax",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, CLI_SPEC).unwrap();
    let spec_s = spec.to_str().unwrap();
    let ok = |o: std::process::Output| {
        assert!(
            o.status.success(),
            "glorot failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };

    // One file, the literal rule: every tensor on jax.random.key(7).
    let single = dir.path().join("m.safetensors");
    let base = [
        "init", "--spec", spec_s, "--seed", "7", "--rng", "jax", "--quiet",
    ];
    ok(glorot_cli(
        &[&base[..], &["--out", single.to_str().unwrap()]].concat(),
    ));

    // A 3-way sharded write (one process per rank), same keys: the same tensors.
    let shards = |mode: &str, out: &std::path::Path| -> Vec<std::path::PathBuf> {
        for r in 0..3 {
            let shard = format!("{r}/3");
            ok(glorot_cli(
                &[
                    &base[..],
                    &[
                        "--jax-key",
                        mode,
                        "--shard",
                        &shard,
                        "--out",
                        out.to_str().unwrap(),
                    ],
                ]
                .concat(),
            ));
        }
        let mut files: Vec<_> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
            .collect();
        files.sort();
        assert_eq!(files.len(), 3, "{files:?}");
        files
    };
    let same = shards("same", &dir.path().join("same"));
    assert_eq!(
        tensor_bytes(&same),
        tensor_bytes(std::slice::from_ref(&single))
    );

    // Per-tensor keys, sharded, against jax's fold_in(key, crc32(name)); the single file
    // against jax.random.key(7) for every tensor.
    let per = shards("per-tensor", &dir.path().join("per"));
    jax_check(
        &spec,
        7,
        &[
            ("same", std::slice::from_ref(&single)),
            ("per-tensor", &per),
        ],
    );
    let (a, b) = (tensor_bytes(&per), tensor_bytes(&same));
    assert_ne!(a["dense.kernel"], b["dense.kernel"]);
    assert_eq!(a["bias"], b["bias"]);
}

#[cfg(feature = "cli")]
#[test]
fn cli_rng_jax_refuses_the_normal_family_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"tensors": [{"name": "a", "shape": [4, 4], "init": "glorot_uniform"},
                        {"name": "emb.weight", "shape": [10, 4], "init": "normal", "std": 0.02}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = glorot_cli(&[
        "init",
        "--spec",
        spec.to_str().unwrap(),
        "--rng",
        "jax",
        "--out",
        &format!("{}/", out.display()),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("emb.weight") && err.contains("normal") && err.contains("erf_inv"),
        "{err}"
    );
    assert!(!out.exists(), "nothing may be created");
    // --jax-key belongs to --rng jax.
    let o = glorot_cli(&[
        "init",
        "--spec",
        spec.to_str().unwrap(),
        "--jax-key",
        "same",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jax-key needs --rng jax"));
}
