//! Output paths and Hugging Face model directories.
//!
//! [`plan_output`] decides, before a single byte is written, whether `--out` names one bare
//! safetensors file or a model directory, and rejects every path problem it can see up front:
//! a file where a directory must be, a directory where a file must be, a parent that is
//! missing or not a directory; [`check_stale_files`] finds the files of an earlier checkpoint
//! that `from_pretrained` would load instead of, or mixed with, the new one.
//! [`write_model_dir`] then writes what `transformers`' `from_pretrained(dir)` reads:
//! `config.json` and `model.safetensors`, or `model-0000k-of-0000N.safetensors` plus
//! `model.safetensors.index.json` (`metadata.total_size`, `weight_map`), with
//! `__metadata__ = {"format": "pt"}` in every file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Key;

use super::shard::{write_planned_shard, Rank, ShardPlan, INDEX_NAME};
use super::write::{write_safetensors, write_small_file};
use super::{TensorSpec, WriteError, WriteOptions, WriteSummary};

/// The single-file checkpoint name `from_pretrained` looks for first.
pub const SINGLE_FILE_NAME: &str = "model.safetensors";

/// The configuration file `from_pretrained` reads first.
pub const CONFIG_NAME: &str = "config.json";

/// Where a write goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// One bare safetensors file at this path.
    File(PathBuf),
    /// A model directory (created if missing).
    ModelDir(PathBuf),
}

impl Output {
    /// The path.
    pub fn path(&self) -> &Path {
        match self {
            Output::File(p) | Output::ModelDir(p) => p,
        }
    }
}

fn bad(path: &Path, problem: impl Into<String>) -> WriteError {
    WriteError::OutputPath {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

fn has_trailing_separator(p: &Path) -> bool {
    let s = p.as_os_str().as_encoded_bytes();
    s.last()
        .is_some_and(|&b| b == b'/' || (cfg!(windows) && b == b'\\'))
}

/// Decides what `out` means and checks it, without touching the filesystem beyond `stat`.
///
/// - `DIR/` (a trailing slash), an existing directory, or any path when `sharded`: a model
///   directory, created when missing; everything on the way to it must be a directory.
/// - Anything else: one bare safetensors file, whose parent directory must exist.
///
/// Errors ([`WriteError::OutputPath`]): a non-directory where the directory should be; an
/// existing directory named `*.safetensors` without a trailing slash (a file was meant);
/// a file path whose parent is missing or not a directory. Files of an earlier checkpoint in
/// a model directory are [`check_stale_files`]'s concern (it needs the new checkpoint's file
/// count and `force`).
pub fn plan_output(out: &Path, sharded: bool) -> Result<Output, WriteError> {
    if out.as_os_str().is_empty() {
        return Err(bad(out, "the output path is empty"));
    }
    // `stat("file/")` fails with ENOTDIR; look at the path without its trailing slash.
    let meta = fs::metadata(out.components().as_path()).ok();
    let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
    let trailing = has_trailing_separator(out);
    let named_file = out
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".safetensors"));

    if is_dir && named_file && !trailing && !sharded {
        return Err(bad(
            out,
            "is a directory, but the name asks for a .safetensors file; write `DIR/` (with a \
             trailing slash) to put a model directory there",
        ));
    }
    if trailing || sharded || is_dir {
        if meta.is_some() && !is_dir {
            return Err(bad(
                out,
                "exists and is not a directory, but a model directory is asked for",
            ));
        }
        if meta.is_none() {
            // The nearest existing ancestor must be a directory for create_dir_all to work.
            let mut a = out.parent();
            while let Some(p) = a {
                let probe = if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                };
                match fs::metadata(probe) {
                    Ok(m) if m.is_dir() => break,
                    Ok(_) => {
                        return Err(bad(
                            out,
                            format!("cannot be created: {} is not a directory", probe.display()),
                        ))
                    }
                    Err(_) => a = p.parent(),
                }
            }
        }
        return Ok(Output::ModelDir(out.to_path_buf()));
    }
    if out.file_name().is_none() {
        return Err(bad(out, "names no file"));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match fs::metadata(parent) {
        Ok(m) if m.is_dir() => Ok(Output::File(out.to_path_buf())),
        Ok(_) => Err(bad(
            out,
            format!("cannot be created: {} is not a directory", parent.display()),
        )),
        Err(_) => Err(bad(
            out,
            format!(
                "cannot be created: directory {} does not exist (end the path with `/` to write a \
                 model directory)",
                parent.display()
            ),
        )),
    }
}

/// Whether `name` is a shard name `model-<digits>-of-<digits>.safetensors` (any width), as
/// transformers' `save_pretrained` and this crate write them.
fn is_shard_name(name: &str) -> bool {
    let Some(mid) = name
        .strip_prefix("model-")
        .and_then(|r| r.strip_suffix(".safetensors"))
    else {
        return false;
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    mid.split_once("-of-")
        .is_some_and(|(k, n)| digits(k) && digits(n))
}

/// The checkpoint files of an earlier write in the model directory `dir` that the new
/// checkpoint would not replace, and that a Hugging Face loader could read instead of it or
/// mixed with it: `shards = None` is a single-file write (`model.safetensors`), `Some(n)` a
/// write of `n` shard files plus the index.
///
/// - Single file: a `model.safetensors.index.json`, and every `model-K-of-N.safetensors`.
/// - `n` shards: a `model.safetensors` (which `from_pretrained` loads before any index), and
///   every `model-K-of-M.safetensors` that is not one of the new `n` names (shards of an
///   earlier write with another count, which the new index no longer names).
///
/// Sorted; empty when `dir` does not exist. Files of the same names as the new ones are not
/// listed: the write replaces them (each by an atomic rename).
pub fn stale_checkpoint_files(dir: &Path, shards: Option<usize>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let new_shard = |name: &str| {
        shards.is_some_and(|n| {
            (0..n).any(|r| name == format!("model-{:05}-of-{:05}.safetensors", r + 1, n))
        })
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let Some(name) = name.to_str() else {
                return false;
            };
            match shards {
                None => name == INDEX_NAME || is_shard_name(name),
                Some(_) => name == SINGLE_FILE_NAME || (is_shard_name(name) && !new_shard(name)),
            }
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    stale
}

/// Refuses a write into `dir` that would leave files of an earlier checkpoint next to the new
/// one ([`stale_checkpoint_files`]), before anything is written, naming them — unless `force`,
/// then returns them for removal once the new checkpoint is complete (never before: a write
/// that fails leaves them, and everything else, as it was).
pub fn check_stale_files(
    dir: &Path,
    shards: Option<usize>,
    force: bool,
) -> Result<Vec<PathBuf>, WriteError> {
    let stale = stale_checkpoint_files(dir, shards);
    if stale.is_empty() || force {
        return Ok(stale);
    }
    let names: Vec<String> = stale
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| super::printable(&n.to_string_lossy()).into_owned())
        .collect();
    let what = if shards.is_some() {
        "the new shards"
    } else {
        "the new model.safetensors"
    };
    Err(bad(
        dir,
        format!(
            "holds {} of an earlier write, which from_pretrained could load instead of or mixed \
             with {what}; remove {} first, or pass --force to remove {} after the new checkpoint \
             is written",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
        ),
    ))
}

/// What [`write_model_dir`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelDirSummary {
    /// The safetensors file this process wrote.
    pub file: WriteSummary,
    /// The index, if this process wrote it (sharded, rank 0).
    pub index: Option<PathBuf>,
    /// `config.json`, if this process wrote it (rank 0, when a config was given).
    pub config: Option<PathBuf>,
    /// Stale checkpoint files of an earlier write this process removed after the write
    /// (only with `force`; see [`check_stale_files`]).
    pub removed: Vec<PathBuf>,
}

/// Writes a model directory: `model.safetensors` (or, with `shard = (rank, plan)`, this
/// process's file of the plan and from rank 0 the index), then from rank 0 `config.json` when
/// `config` is given. The data
/// files are written first, so an interrupted write never leaves a `config.json` next to
/// missing weights. `("format", "pt")` is added to the metadata when absent.
///
/// Files of an earlier checkpoint that the new one would not replace (a stale index or shards
/// of another count, [`stale_checkpoint_files`]) are an error before anything is written;
/// with `opts.force` they are removed once this process's part of the new checkpoint is
/// complete (in a sharded write by rank 0, after its shard, the index and `config.json`).
pub fn write_model_dir(
    dir: &Path,
    specs: &[TensorSpec],
    key: &Key,
    config: Option<&str>,
    shard: Option<(Rank, ShardPlan)>,
    opts: WriteOptions<'_>,
) -> Result<ModelDirSummary, WriteError> {
    let mut metadata = opts.metadata.to_vec();
    if !metadata.iter().any(|(k, _)| k == "format") {
        metadata.push(("format".to_string(), "pt".to_string()));
    }
    let opts = WriteOptions {
        metadata: &metadata,
        ..opts
    };
    let stale = check_stale_files(dir, shard.as_ref().map(|(_, p)| p.len()), opts.force)?;
    fs::create_dir_all(dir).map_err(|e| WriteError::io(super::Op::CreateDir, dir, e))?;
    let (file, index, first) = match shard {
        None => (
            write_safetensors(&dir.join(SINGLE_FILE_NAME), specs, key, opts)?,
            None,
            true,
        ),
        Some((r, plan)) => {
            let s = write_planned_shard(dir, specs, plan, key, r, opts)?;
            (s.file, s.index, r.rank() == 0)
        }
    };
    let config = match config {
        Some(text) if first => {
            let p = dir.join(CONFIG_NAME);
            write_small_file(&p, text.as_bytes(), &opts)?;
            Some(p)
        }
        _ => None,
    };
    debug_assert!(index.as_ref().is_none_or(|p| p.ends_with(INDEX_NAME)));
    let mut removed = Vec::new();
    if first {
        for p in stale {
            match fs::remove_file(&p) {
                Ok(()) => removed.push(p),
                // Gone already (another run cleaned it): nothing stale is left.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(WriteError::io(super::Op::RemoveStale, p, e)),
            }
        }
    }
    Ok(ModelDirSummary {
        file,
        index,
        config,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Init;

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("glorot-outplan-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn problem(r: Result<Output, WriteError>) -> String {
        match r {
            Err(e @ WriteError::OutputPath { .. }) => e.to_string(),
            other => panic!("expected an output-path error, got {other:?}"),
        }
    }

    #[test]
    fn paths_are_classified_and_checked_before_writing() {
        let d = tmp("plan");
        let file = d.join("a.safetensors");
        fs::write(&file, b"x").unwrap();
        let sub = d.join("sub.safetensors");
        fs::create_dir(&sub).unwrap();

        assert_eq!(
            plan_output(&file, false).unwrap(),
            Output::File(file.clone())
        );
        let new_dir = PathBuf::from(format!("{}/new/deeper/", d.display()));
        assert_eq!(
            plan_output(&new_dir, false).unwrap(),
            Output::ModelDir(new_dir.clone())
        );
        assert!(!new_dir.exists(), "planning must not create anything");
        assert_eq!(plan_output(&d, false).unwrap(), Output::ModelDir(d.clone()));
        assert_eq!(
            plan_output(&d.join("x"), true).unwrap(),
            Output::ModelDir(d.join("x"))
        );
        let with_slash = PathBuf::from(format!("{}/", sub.display()));
        assert_eq!(
            plan_output(&with_slash, false).unwrap(),
            Output::ModelDir(with_slash.clone())
        );

        let e = problem(plan_output(
            &PathBuf::from(format!("{}/", file.display())),
            false,
        ));
        assert!(e.contains("not a directory"), "{e}");
        let e = problem(plan_output(&file, true));
        assert!(e.contains("not a directory"), "{e}");
        let e = problem(plan_output(&sub, false));
        assert!(e.contains("trailing slash"), "{e}");
        let e = problem(plan_output(&file.join("x.safetensors"), false));
        assert!(e.contains("is not a directory"), "{e}");
        let e = problem(plan_output(&file.join("deeper/"), false));
        assert!(e.contains("is not a directory"), "{e}");
        let e = problem(plan_output(&d.join("missing/x.safetensors"), false));
        assert!(e.contains("does not exist"), "{e}");
        // Stale checkpoints are check_stale_files' concern, not the path plan's.
        fs::write(d.join(SINGLE_FILE_NAME), b"old").unwrap();
        assert!(plan_output(&d, true).is_ok());
        assert!(plan_output(&d, false).is_ok());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn model_dirs_hold_config_weights_and_format_metadata() {
        let d = tmp("dir");
        let specs = vec![
            TensorSpec::new(
                "a.weight",
                &[4, 3],
                Init::Normal {
                    mean: 0.0,
                    std: 1.0,
                },
            ),
            TensorSpec::new("b.weight", &[5], Init::Ones),
        ];
        let s = write_model_dir(
            &d.join("one"),
            &specs,
            &Key::new(1),
            Some("{}"),
            None,
            WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(s.config, Some(d.join("one").join(CONFIG_NAME)));
        let bytes = fs::read(d.join("one").join(SINGLE_FILE_NAME)).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
        assert!(
            header.starts_with(r#"{"__metadata__":{"format":"pt"}"#),
            "{header}"
        );
        for r in 0..2 {
            let s = write_model_dir(
                &d.join("two"),
                &specs,
                &Key::new(1),
                Some("{}"),
                Some((Rank::new(r, 2).unwrap(), ShardPlan::new(&specs, 2).unwrap())),
                WriteOptions::default(),
            )
            .unwrap();
            assert_eq!(s.config.is_some(), r == 0);
            assert_eq!(s.index.is_some(), r == 0);
        }
        let mut names: Vec<String> = fs::read_dir(d.join("two"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                CONFIG_NAME,
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                INDEX_NAME
            ]
        );
        fs::remove_dir_all(&d).unwrap();
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn stale_checkpoints_are_refused_or_removed_only_after_a_successful_write() {
        let d = tmp("stale");
        let specs = vec![
            TensorSpec::new("a.weight", &[4, 3], Init::Ones),
            TensorSpec::new("b.weight", &[5], Init::Zeros),
            TensorSpec::new("c.weight", &[2], Init::Ones),
        ];
        let key = Key::new(1);
        for r in 0..3 {
            let shard = Some((Rank::new(r, 3).unwrap(), ShardPlan::new(&specs, 3).unwrap()));
            write_model_dir(&d, &specs, &key, None, shard, WriteOptions::default()).unwrap();
        }
        let three = names(&d);
        assert_eq!(stale_checkpoint_files(&d, Some(3)), Vec::<PathBuf>::new());
        assert_eq!(stale_checkpoint_files(&d, None).len(), 4);
        assert_eq!(
            stale_checkpoint_files(&d, Some(2))
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
            [
                "model-00001-of-00003.safetensors",
                "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors"
            ]
        );
        // Refused before anything is written.
        let e = write_model_dir(&d, &specs, &key, None, None, WriteOptions::default()).unwrap_err();
        assert!(
            matches!(&e, WriteError::OutputPath { problem, .. }
                if problem.contains("model-00002-of-00003.safetensors")
                    && problem.contains(INDEX_NAME)),
            "{e}"
        );
        assert_eq!(names(&d), three);
        let force = WriteOptions {
            force: true,
            ..WriteOptions::default()
        };
        // A write that fails, even with force, removes nothing.
        let bad = vec![TensorSpec::new("x", &[2], Init::Constant { val: f64::NAN })];
        assert!(write_model_dir(&d, &bad, &key, None, None, force).is_err());
        assert_eq!(names(&d), three);
        // With force: written, then the stale files removed.
        let s = write_model_dir(&d, &specs, &key, None, None, force).unwrap();
        assert_eq!(s.removed.len(), 4);
        assert_eq!(names(&d), [SINGLE_FILE_NAME]);
        // Two shards over the single file: rank 1 never removes, rank 0 does after its part.
        for r in [1, 0] {
            let shard = Some((Rank::new(r, 2).unwrap(), ShardPlan::new(&specs, 2).unwrap()));
            assert!(write_model_dir(
                &d,
                &specs,
                &key,
                None,
                shard.clone(),
                WriteOptions::default()
            )
            .is_err());
            let s = write_model_dir(&d, &specs, &key, None, shard, force).unwrap();
            assert_eq!(s.removed.len(), if r == 0 { 1 } else { 0 });
        }
        assert_eq!(
            names(&d),
            [
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                INDEX_NAME
            ]
        );
        assert!(
            !is_shard_name("model-1-of-.safetensors") && is_shard_name("model-1-of-2.safetensors")
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn zeroed_ranges_are_applied_across_work_items_and_checked() {
        use crate::io::ITEM_BYTES;
        use crate::Layout;
        const ITEM_ELEMS: usize = ITEM_BYTES / 4;
        let d = tmp("zero");
        let n = 3 * ITEM_ELEMS as u64;
        // The first window boundary lies a header's length (< 4000 bytes) before element
        // ITEM_ELEMS: the zeroed range straddles it.
        let z = ITEM_ELEMS as u64 - 1005..ITEM_ELEMS as u64 + 7;
        let init = Init::Normal {
            mean: 0.0,
            std: 1.0,
        };
        let spec = TensorSpec::new("e.weight", &[3, ITEM_ELEMS], init).with_zeroed(z.clone());
        let s = write_model_dir(
            &d,
            std::slice::from_ref(&spec),
            &Key::new(4),
            None,
            None,
            WriteOptions::default(),
        )
        .unwrap();
        assert_eq!(s.config, None);
        let bytes = fs::read(d.join(SINGLE_FILE_NAME)).unwrap();
        let data = &bytes[bytes.len() - 4 * n as usize..];
        let full: Vec<f32> = init
            .alloc(
                &[3, ITEM_ELEMS],
                Layout::Torch,
                &Key::new(4).tensor("e.weight"),
            )
            .unwrap();
        for (i, c) in data.chunks_exact(4).enumerate() {
            let v = f32::from_le_bytes(c.try_into().unwrap());
            let want = if z.contains(&(i as u64)) {
                0.0
            } else {
                full[i]
            };
            assert_eq!(v.to_bits(), want.to_bits(), "element {i}");
        }
        let bad = spec.with_zeroed(n - 1..n + 1);
        assert!(matches!(
            write_model_dir(
                &d,
                &[bad],
                &Key::new(4),
                None,
                None,
                WriteOptions::default()
            ),
            Err(WriteError::Spec { .. })
        ));
        fs::remove_dir_all(&d).unwrap();
    }
}
