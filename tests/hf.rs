//! Checkpoints written from Hugging Face `config.json`s, checked by transformers itself
//! (`tests/hf/check_models.py`): `from_pretrained` with `output_loading_info=True` reports no
//! missing, unexpected or mismatched keys; the names, shapes and dtype equal what
//! `save_pretrained` writes; the loaded values are the file's; a forward pass gives finite,
//! varying logits; and every tensor's values match transformers' own `from_config` init
//! (constants exactly, KS and std over 16 seeds).
//!
//! Skips with a printed message when python3, torch, transformers or safetensors is missing,
//! unless `GLOROT_REQUIRE_TRANSFORMERS=1` is set (CI sets it): then that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use std::process::Stdio;

const SEEDS: u64 = 16;

fn transformers_available() -> bool {
    common::python::available(
        "torch, transformers, safetensors",
        "GLOROT_REQUIRE_TRANSFORMERS",
        "the transformers tests",
    )
}

const BIN: &str = env!("CARGO_BIN_EXE_glorot");

fn glorot(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "glorot failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `glorot init --hf-config` of `config` into the model directory `dir/`.
fn write_dir(dir: &Path, config: &str, dtype: &str, seed: u64) {
    let cfg = dir.with_extension("json");
    std::fs::write(&cfg, config).unwrap();
    let out = format!("{}/", dir.display());
    let seed = seed.to_string();
    ok(&glorot(&[
        "init",
        "--hf-config",
        cfg.to_str().unwrap(),
        "--out",
        &out,
        "--dtype",
        dtype,
        "--seed",
        &seed,
        "--no-sync",
        "--quiet",
    ]));
}

struct Case {
    name: &'static str,
    config: String,
    forward: bool,
    fidelity: bool,
}

fn tiny(name: &'static str, model_type: &str, fields: &str) -> Case {
    Case {
        name,
        config: format!(r#"{{"model_type": "{model_type}", "num_hidden_layers": 2, {fields}}}"#),
        forward: true,
        fidelity: true,
    }
}

/// Two layers, hidden 64, GQA where the family has it, tied and untied heads, the optional
/// fields each family varies.
fn cases() -> Vec<Case> {
    let l = r#""vocab_size": 1000, "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4"#;
    let mut v = vec![
        tiny(
            "gpt2 tied",
            "gpt2",
            r#""vocab_size": 1000, "n_embd": 64, "n_head": 4, "n_positions": 128"#,
        ),
        tiny(
            "gpt2 untied, n_inner, initializer_range 0.05",
            "gpt2",
            r#""vocab_size": 1000, "n_embd": 64, "n_head": 4, "n_positions": 64, "n_inner": 96, "tie_word_embeddings": false, "initializer_range": 0.05"#,
        ),
        tiny(
            "llama GQA untied pad 3",
            "llama",
            &format!(r#"{l}, "num_key_value_heads": 2, "pad_token_id": 3"#),
        ),
        tiny(
            "llama tied, biases, head_dim 32",
            "llama",
            &format!(
                r#"{l}, "num_key_value_heads": 1, "tie_word_embeddings": true, "attention_bias": true, "mlp_bias": true, "head_dim": 32"#
            ),
        ),
        tiny(
            "mistral GQA",
            "mistral",
            &format!(r#"{l}, "num_key_value_heads": 2"#),
        ),
        tiny(
            "qwen2 GQA tied",
            "qwen2",
            &format!(r#"{l}, "num_key_value_heads": 2, "tie_word_embeddings": true"#),
        ),
        tiny(
            "qwen3 GQA head_dim 32",
            "qwen3",
            &format!(r#"{l}, "num_key_value_heads": 2, "head_dim": 32"#),
        ),
        tiny(
            "qwen3 tied, attention_bias",
            "qwen3",
            &format!(
                r#"{l}, "num_key_value_heads": 4, "head_dim": 16, "attention_bias": true, "tie_word_embeddings": true"#
            ),
        ),
        tiny(
            "gemma GQA (tied, pad 0 by default)",
            "gemma",
            &format!(r#"{l}, "num_key_value_heads": 2, "head_dim": 16"#),
        ),
        tiny(
            "gemma untied pad 7",
            "gemma",
            &format!(
                r#"{l}, "num_key_value_heads": 1, "head_dim": 16, "tie_word_embeddings": false, "pad_token_id": 7"#
            ),
        ),
        tiny("gpt_neox untied", "gpt_neox", l),
        tiny(
            "gpt_neox tied, no attention bias",
            "gpt_neox",
            &format!(r#"{l}, "tie_word_embeddings": true, "attention_bias": false"#),
        ),
    ];
    // Only the required fields: every optional one takes the config class's default (Qwen's
    // 32 key/value heads, Qwen3's head_dim 128, Gemma's 256, ...). Those defaults do not fit
    // 4 query heads, so no forward pass.
    for mt in [
        "gpt2", "llama", "mistral", "qwen2", "qwen3", "gemma", "gpt_neox",
    ] {
        let fields = if mt == "gpt2" {
            r#""vocab_size": 500, "n_embd": 64, "n_head": 4"#.to_string()
        } else {
            l.replace("1000", "500")
        };
        v.push(Case {
            name: Box::leak(format!("{mt} defaults").into_boxed_str()),
            config: format!(r#"{{"model_type": "{mt}", "num_hidden_layers": 2, {fields}}}"#),
            forward: false,
            fidelity: false,
        });
    }
    v
}

fn run_checks(manifest: &serde_json::Value, root: &Path) {
    let path = root.join("manifest.json");
    std::fs::write(&path, serde_json::to_string_pretty(manifest).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hf/check_models.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "transformers rejected glorot's checkpoints:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_family_loads_in_transformers_with_its_own_init_semantics() {
    if !transformers_available() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut manifest = Vec::new();
    for (i, c) in cases().iter().enumerate() {
        let dir = |s: u64| -> PathBuf { root.path().join(format!("case{i}-seed{s}")) };
        write_dir(&dir(0), &c.config, "f32", 0);
        let mut fid = Vec::new();
        if c.fidelity {
            for s in 0..SEEDS {
                if s > 0 {
                    write_dir(&dir(s), &c.config, "f32", s);
                }
                fid.push(dir(s));
            }
        }
        manifest.push(serde_json::json!({
            "name": c.name, "dir": dir(0), "dtype": "float32",
            "forward": c.forward, "fidelity": fid,
        }));
    }
    // bf16 output loads with torch_dtype=torch.bfloat16, values intact.
    for (i, c) in cases()
        .iter()
        .take(12)
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
    {
        let d = root.path().join(format!("case{i}-bf16"));
        write_dir(&d, &c.config, "bf16", 5);
        manifest.push(serde_json::json!({
            "name": format!("{} (bf16)", c.name), "dir": d, "dtype": "bfloat16",
            "forward": true, "fidelity": [],
        }));
    }
    run_checks(&serde_json::Value::Array(manifest), root.path());
}

/// The README's `--spec` recipe, run verbatim on a torch model with BatchNorm, LayerNorms and a
/// tied embedding, written by the CLI and loaded with the README's own loading block.
#[test]
fn readme_spec_recipe_gives_pytorchs_defaults_and_loads() {
    if !transformers_available() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("tests/hf/spec_recipe.py"))
        .arg(root.join("README.md"))
        .arg(env!("CARGO_BIN_EXE_glorot"))
        .arg(work.path())
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "the README recipe failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A sharded model directory written by three processes under `mpirun -n 3 --shard auto` loads,
/// and equals the single-file directory of the same seed tensor for tensor.
#[test]
fn mpirun_sharded_directory_loads() {
    if !transformers_available() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let config = &cases()[2].config; // llama GQA, untied, padding row
    let cfg = root.path().join("c.json");
    std::fs::write(&cfg, config).unwrap();
    let sharded = root.path().join("sharded");
    let mpirun = Command::new("mpirun")
        .args(["-n", "3", "--allow-run-as-root", "--oversubscribe", BIN])
        .args([
            "init",
            "--hf-config",
            cfg.to_str().unwrap(),
            "--seed",
            "9",
            "--quiet",
        ])
        .args(["--out", sharded.to_str().unwrap(), "--shard", "auto"])
        .stdin(Stdio::null())
        .output();
    let o = match mpirun {
        Ok(o) => o,
        Err(e) => {
            if std::env::var("GLOROT_REQUIRE_MPI").as_deref() == Ok("1") {
                panic!("mpirun not found ({e}) and GLOROT_REQUIRE_MPI=1");
            }
            println!("SKIPPED: mpirun not found ({e}); install Debian's openmpi-bin");
            return;
        }
    };
    ok(&o);
    let mut names: Vec<String> = std::fs::read_dir(&sharded)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "config.json",
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json"
        ]
    );
    let single = root.path().join("single");
    write_dir(&single, config, "f32", 9);
    run_checks(
        &serde_json::json!([
            {"name": "mpirun -n 3", "dir": sharded, "dtype": "float32", "forward": true, "fidelity": [], "same_as": single},
        ]),
        root.path(),
    );
}

/// Path problems are one-line errors before anything is written; `DIR/` creates the directory.
#[test]
fn output_paths_are_checked_before_writing() {
    let root = tempfile::tempdir().unwrap();
    let cfg = root.path().join("c.json");
    std::fs::write(&cfg, &cases()[0].config).unwrap();
    let cfg = cfg.to_str().unwrap();
    let file = root.path().join("f.safetensors");
    std::fs::write(&file, b"precious").unwrap();
    std::fs::create_dir(root.path().join("d.safetensors")).unwrap();
    let p = |s: &str| format!("{}/{s}", root.path().display());
    for (out, shard, problem) in [
        (p("f.safetensors/"), None, "not a directory"),
        (p("f.safetensors"), Some("0/2"), "not a directory"),
        (p("f.safetensors/x.safetensors"), None, "is not a directory"),
        (p("d.safetensors"), None, "trailing slash"),
        (p("missing/x.safetensors"), None, "does not exist"),
    ] {
        let mut args = vec!["init", "--hf-config", cfg, "--out", &out, "--quiet"];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let o = glorot(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(problem), "{out}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");
    let mut left: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["c.json", "d.safetensors", "f.safetensors"],
        "something was written"
    );
    assert_eq!(
        std::fs::read_dir(root.path().join("d.safetensors"))
            .unwrap()
            .count(),
        0
    );

    // The issue's case: a trailing slash, no --shard, a directory that does not exist yet.
    let new = p("new/dir/");
    ok(&glorot(&[
        "init",
        "--hf-config",
        cfg,
        "--out",
        &new,
        "--quiet",
        "--no-sync",
    ]));
    let mut names: Vec<_> = std::fs::read_dir(&new)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["config.json", "model.safetensors"]);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{new}config.json")).unwrap())
            .unwrap();
    assert_eq!(
        (written["model_type"].as_str(), written["dtype"].as_str()),
        (Some("gpt2"), Some("float32"))
    );

    let o = glorot(&[
        "init",
        "--hf-config",
        cfg,
        "--out",
        &new,
        "--shard",
        "0/2",
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("model.safetensors"),
        "{err}"
    );

    let bad = root.path().join("bad.json");
    std::fs::write(&bad, r#"{"model_type": "t5", "vocab_size": 10}"#).unwrap();
    let o = glorot(&[
        "init",
        "--hf-config",
        bad.to_str().unwrap(),
        "--out",
        &p("t5/"),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"t5\" is not supported")
            && err.contains("gpt_neox")
            && err.contains("bad.json"),
        "{err}"
    );
    assert!(!Path::new(&p("t5")).exists());
}

/// `glorot init --model gpt2 / gpt2-xl` in GPT2LMHeadModel's own layout: from_pretrained and
/// load_state_dict(strict=True) after tying (gpt2, f32 and bf16); gpt2-xl written in bf16 and
/// checked by names and shapes against GPT2LMHeadModel(config) on the meta device.
#[test]
fn gpt2_presets_load_in_gpt2lmheadmodel() {
    if !transformers_available() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let p = |s: &str| format!("{}/{s}", root.path().display());
    for (out, dtype) in [(p("gpt2/"), "f32"), (p("gpt2-bf16/"), "bf16")] {
        ok(&glorot(&[
            "init",
            "--model",
            "gpt2",
            "--dtype",
            dtype,
            "--out",
            &out,
            "--quiet",
            "--no-sync",
        ]));
    }
    let xl = p("gpt2-xl.safetensors");
    ok(&glorot(&[
        "init",
        "--model",
        "gpt2-xl",
        "--dtype",
        "bf16",
        "--out",
        &xl,
        "--quiet",
        "--no-sync",
    ]));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hf/check_gpt2_presets.py");
    let out = Command::new("python3")
        .arg(script)
        .args([p("gpt2"), p("gpt2-bf16"), xl])
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The in-memory init of an HF config (`HfModel::init`) equals the checkpoint the CLI writes
/// for it, bit for bit, in f32 and bf16, with the `pad_token_id` row of the embedding zeroed
/// in both (as transformers' `_init_weights` leaves it).
#[test]
fn in_memory_init_equals_the_written_checkpoint_padding_row_included() {
    use glorot::hf::HfModel;
    use glorot::{bf16, Key};
    let root = tempfile::tempdir().unwrap();
    let config = &cases()[2].config; // llama, GQA, untied, pad_token_id 3
    let model = HfModel::from_json_str(config).unwrap();
    let emb = model.tensor("model.embed_tokens.weight").unwrap();
    assert_eq!(emb.zero_row, Some(3));
    let width = emb.shape[1];
    for (dtype, size) in [("f32", 4), ("bf16", 2)] {
        let dir = root.path().join(dtype);
        write_dir(&dir, config, dtype, 7);
        let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let key = Key::new(7);
        let mem: Vec<Vec<u8>> = if dtype == "f32" {
            model
                .init::<f32>(&key)
                .unwrap()
                .iter()
                .map(|v| v.iter().flat_map(|x| x.to_le_bytes()).collect())
                .collect()
        } else {
            model
                .init::<bf16>(&key)
                .unwrap()
                .iter()
                .map(|v| v.iter().flat_map(|x| x.to_le_bytes()).collect())
                .collect()
        };
        assert_eq!(st.len(), model.tensors().len());
        for (t, m) in model.tensors().iter().zip(&mem) {
            let f = st.tensor(&t.name).unwrap();
            assert_eq!(f.shape(), &t.shape[..], "{}", t.name);
            assert!(
                f.data() == &m[..],
                "{dtype} {}: memory differs from the file",
                t.name
            );
        }
        let i = model
            .tensors()
            .iter()
            .position(|t| t.name == emb.name)
            .unwrap();
        let row = &mem[i][3 * width * size..4 * width * size];
        assert!(row.iter().all(|&b| b == 0), "{dtype}: padding row not zero");
        let other = &mem[i][2 * width * size..3 * width * size];
        assert!(other.iter().any(|&b| b != 0), "{dtype}: row 2 is zero");
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

/// `glorot init --hf-config` into `dir` (a model directory) with extra arguments.
fn init_into(cfg: &Path, dir: &Path, seed: u64, extra: &[&str]) -> std::process::Output {
    let out = format!("{}/", dir.display());
    let seed = seed.to_string();
    let mut args = vec![
        "init",
        "--hf-config",
        cfg.to_str().unwrap(),
        "--out",
        &out,
        "--seed",
        &seed,
        "--quiet",
        "--no-sync",
    ];
    args.extend_from_slice(extra);
    glorot(&args)
}

/// Rewriting a model directory with another file count: the earlier checkpoint's index and
/// shards (or its single file) are refused before anything is written, naming them; with
/// `--force` they are removed after the new write, and `from_pretrained` then loads exactly
/// the new weights.
#[test]
fn stale_checkpoint_files_are_refused_or_removed_after_the_write_with_force() {
    let root = tempfile::tempdir().unwrap();
    let config = &cases()[2].config;
    let cfg = root.path().join("c.json");
    std::fs::write(&cfg, config).unwrap();
    let dir = root.path().join("m");
    for r in 0..3 {
        let shard = format!("{r}/3");
        ok(&init_into(&cfg, &dir, 1, &["--shard", &shard]));
    }
    let sharded3 = contents(&dir);
    assert_eq!(
        listing(&dir),
        [
            "config.json",
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json"
        ]
    );

    // Single file over 3 shards: refused, nothing touched.
    let o = init_into(&cfg, &dir, 2, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for name in [
        "model-00001-of-00003.safetensors",
        "model-00003-of-00003.safetensors",
        "model.safetensors.index.json",
        "--force",
    ] {
        assert!(err.contains(name), "{name} not in: {err}");
    }
    assert!(
        contents(&dir) == sharded3,
        "a refused write changed the directory"
    );

    // With --force: written, then the stale files are removed (and said so on stderr).
    let o = init_into(&cfg, &dir, 2, &["--force"]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("removed") && err.contains("model-00002-of-00003"),
        "{err}"
    );
    assert_eq!(listing(&dir), ["config.json", "model.safetensors"]);
    let single2 = root.path().join("single2");
    std::fs::create_dir(&single2).unwrap();
    for (n, b) in contents(&dir) {
        std::fs::write(single2.join(n), b).unwrap();
    }

    // Two shards over a single file: refused naming model.safetensors, on every rank.
    for r in ["0/2", "1/2"] {
        let o = init_into(&cfg, &dir, 3, &["--shard", r]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("model.safetensors"), "{err}");
    }
    assert_eq!(listing(&dir), ["config.json", "model.safetensors"]);
    // With --force, rank 1 first: only rank 0 removes, after its shard and the index.
    ok(&init_into(&cfg, &dir, 3, &["--shard", "1/2", "--force"]));
    assert!(
        dir.join("model.safetensors").exists(),
        "rank 1 removed a file"
    );
    ok(&init_into(&cfg, &dir, 3, &["--shard", "0/2", "--force"]));
    assert_eq!(
        listing(&dir),
        [
            "config.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json"
        ]
    );
    // The same file count again is no stale state: replaced without --force.
    ok(&init_into(&cfg, &dir, 3, &["--shard", "0/2"]));

    if !transformers_available() {
        return;
    }
    let fresh2 = root.path().join("fresh2");
    write_dir(&fresh2, config, "f32", 2);
    let fresh3 = root.path().join("fresh3");
    write_dir(&fresh3, config, "f32", 3);
    run_checks(
        &serde_json::json!([
            {"name": "single over 3 shards (--force)", "dir": single2, "dtype": "float32", "forward": false, "fidelity": [], "same_as": fresh2},
            {"name": "2 shards over a single file (--force)", "dir": dir, "dtype": "float32", "forward": false, "fidelity": [], "same_as": fresh3},
        ]),
        root.path(),
    );
}
