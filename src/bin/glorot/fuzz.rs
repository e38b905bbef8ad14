//! Property tests: generated hostile input thrown at the spec reader and parser and at the
//! command-line parser. Never a panic; a spec is either an error or a model that validates and
//! writes a file Python-compatible readers accept.

use clap::Parser;
use glorot::io::{write_safetensors, WriteOptions};
use glorot::{DType, Key};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::{guard, spec, Cli};

const KEYS: &[&str] = &[
    "name",
    "shape",
    "init",
    "dtype",
    "layout",
    "in_axis",
    "out_axis",
    "gain",
    "a",
    "b",
    "mean",
    "std",
    "val",
    "low",
    "high",
    "scale",
    "mode",
    "nonlinearity",
    "distribution",
    "sparsity",
    "groups",
    "column_axis",
    "tensors",
    "__metadata__",
    "",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-5i64..10).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::num::f64::NORMAL.prop_map(Value::from),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(70000)),
        Just(json!(1e6)),
        Just(json!(0.02)),
        Just(json!(-0.0)),
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "w",
                "fc.weight",
                "__metadata__",
                "xavier_uniform",
                "kaiming_normal",
                "trunc_normal",
                "uniform",
                "normal",
                "constant",
                "zeros",
                "glorot_normal",
                "variance_scaling",
                "orthogonal",
                "dirac",
                "f16",
                "bf16",
                "f64",
                "f32",
                "torch",
                "jax",
                "fan_out",
                "relu",
                "leaky_relu",
                "truncated_normal",
                "\u{1b}[2J",
                "a\nb",
                "é",
                "",
            ][..]
        )
        .prop_map(str::to_string),
        "\\PC{0,8}",
        ".{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => number(),
        4 => string().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        2 => prop::collection::vec(number(), 0..5).prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// A tensor object: mostly plausible (name, shape, a known init with some of its parameters),
/// plus random extra fields and values.
fn tensor() -> impl Strategy<Value = Value> {
    let inits: Vec<&'static str> = spec::INITS.iter().map(|(n, _)| *n).collect();
    (
        prop_oneof![3 => (0u32..1000).prop_map(|i| format!("t{i}")), 1 => string()],
        prop_oneof![
            4 => prop::collection::vec(1u64..6, 0..4),
            1 => prop::collection::vec(prop_oneof![0u64..6, Just(1 << 40), any::<u64>()], 0..4),
        ],
        prop_oneof![4 => prop::sample::select(inits), 1 => Just("xavier")],
        prop::collection::vec(
            (
                prop::sample::select(KEYS),
                prop_oneof![3 => number(), 1 => leaf()],
            ),
            0..4,
        ),
        prop::option::weighted(0.2, prop::sample::select(&["f16", "bf16", "f64", "f8"][..])),
        0u8..10,
    )
        .prop_map(|(name, shape, init, extra, dtype, drop)| {
            let mut m = Map::new();
            m.insert("name".into(), name.into());
            m.insert("shape".into(), shape.into());
            m.insert("init".into(), init.into());
            if let Some(d) = dtype {
                m.insert("dtype".into(), d.into());
            }
            // Parameters the init knows, with hostile values; other keys only sometimes.
            let known = spec::INITS
                .iter()
                .find(|(n, _)| *n == init)
                .map_or(&[][..], |(_, p)| *p);
            for (k, v) in extra {
                if known.contains(&k) || drop == 0 {
                    m.insert(k.to_string(), v);
                }
            }
            if drop == 1 {
                m.remove("shape");
            }
            Value::Object(m)
        })
}

fn spec_text() -> impl Strategy<Value = String> {
    let layout = prop_oneof![
        3 => Just(None),
        2 => prop::sample::select(&["torch", "jax"][..]).prop_map(|l| Some(Value::from(l))),
        1 => leaf().prop_map(Some),
    ];
    let structured = (prop::collection::vec(tensor(), 1..4), layout).prop_map(|(ts, layout)| {
        let mut m = Map::new();
        m.insert("tensors".into(), Value::from(ts));
        if let Some(l) = layout {
            m.insert("layout".into(), l);
        }
        Value::Object(m).to_string()
    });
    let anything = value().prop_map(|v| v.to_string());
    // Byte-level mutations of a valid spec: deletions, insertions, a duplicated field.
    let mutated = (
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..4),
        any::<bool>(),
    )
        .prop_map(|(edits, dup)| {
            let mut s = r#"{"layout":"torch","tensors":[{"name":"fc.weight","shape":[4,3],"init":"kaiming_uniform","a":2.23,"mode":"fan_in"},{"name":"fc.bias","shape":[4],"init":"constant","val":0.5}]}"#.as_bytes().to_vec();
            if dup {
                let at = s.len() - 3;
                s.splice(at..at, br#","val":1"#.iter().copied());
            }
            for (i, b, op) in edits {
                if s.is_empty() {
                    break;
                }
                let at = i.index(s.len());
                match op {
                    0 => {
                        s.remove(at);
                    }
                    1 => s.insert(at, b),
                    _ => s[at] = b,
                }
            }
            String::from_utf8_lossy(&s).into_owned()
        });
    prop_oneof![3 => structured, 1 => anything, 2 => mutated]
}

fn dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(&[DType::F32, DType::F64, DType::BF16, DType::F16][..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn hostile_specs_are_errors_or_valid_files(text in spec_text(), dtype in dtype()) {
        let parsed = guard::check_json(&text).and_then(|()| spec::parse(&text, dtype, glorot::Layout::Torch));
        let Ok(specs) = parsed else { return Ok(()) };
        for s in &specs {
            prop_assert!(s.validate().is_ok(), "{:?}", s);
            prop_assert!(s.name != "__metadata__");
        }
        let total: u64 = specs.iter().map(|s| s.byte_len()).sum();
        if total <= 1 << 16 {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("m.safetensors");
            let summary = write_safetensors(&out, &specs, &Key::new(7), WriteOptions::default())
                .expect("a parsed spec writes");
            let bytes = std::fs::read(&out).unwrap();
            prop_assert_eq!(bytes.len() as u64, summary.file_bytes);
            let st = safetensors::SafeTensors::deserialize(&bytes).expect("readable");
            prop_assert_eq!(st.len(), specs.len());
        }
    }

    #[test]
    fn hostile_command_lines_never_panic(
        args in prop::collection::vec(
            prop_oneof![
                prop::sample::select(&[
                    "init", "list", "--model", "--spec", "--seed", "--dtype", "--out", "--shard",
                    "--threads", "--quiet", "--table", "--no-sync", "--force", "--help", "mlp",
                    "gpt2", "auto", "0/2", "3/3", "-1", "18446744073709551616", "0", "1025",
                    "f16", "x/", "--", "-", "=",
                ][..]).prop_map(str::to_string),
                "\\PC{0,6}",
            ],
            0..8,
        )
    ) {
        let argv = std::iter::once("glorot".to_string()).chain(args);
        if let Ok(Cli { cmd: Some(crate::Cmd::Init(a)) }) = Cli::try_parse_from(argv) {
            let _ = crate::parse_dtype(&a.dtype);
            if let Some(s) = a.shard.as_deref() {
                let _ = glorot::io::Rank::parse(s);
            }
            let _ = glorot::io::check_output_path(&a.out, glorot::io::OutputKind::File, a.force);
        }
    }
}

#[test]
fn duplicate_keys_anywhere_are_errors() {
    for text in [
        r#"{"tensors":[],"tensors":[]}"#,
        r#"{"layout":"torch","tensors":[{"name":"a","name":"b","shape":[1],"init":"zeros"}]}"#,
        r#"{"tensors":[{"name":"a","shape":[2,2],"init":"xavier_uniform","gain":1,"gain":2}]}"#,
    ] {
        let e = guard::check_json(text).unwrap_err();
        assert!(e.contains("appears twice"), "{e}");
    }
    assert!(guard::check_json(r#"{"a":{"x":1},"b":{"x":1}}"#).is_ok());
}

#[test]
fn too_many_values_is_an_error() {
    let n = guard::MAX_SPEC_VALUES + 1;
    let text = format!("[{}0]", "0,".repeat(n));
    assert!(guard::check_json(&text)
        .unwrap_err()
        .contains("JSON values"));
}
