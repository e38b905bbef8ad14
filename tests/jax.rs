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
    let probe = Command::new("python3")
        .args(["-c", "import jax, numpy"])
        .output();
    let missing = match &probe {
        Err(e) => Some(format!("python3 not runnable: {e}")),
        Ok(o) if !o.status.success() => Some(format!(
            "python modules missing: {}",
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("")
        )),
        Ok(_) => None,
    };
    if let Some(why) = missing {
        if std::env::var("GLOROT_REQUIRE_JAX").as_deref() == Ok("1") {
            panic!("{why} (GLOROT_REQUIRE_JAX=1)");
        }
        eprintln!("skipping the live jax comparison: {why}");
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
