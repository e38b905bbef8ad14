//! Checkpoint sharding across processes without communication, laid out as Hugging Face
//! checkpoints are: `model-00001-of-0000N.safetensors` … and `model.safetensors.index.json`.
//!
//! Every process computes the same [`ShardPlan`] from the spec list and `N` alone; process
//! `i` writes only file `i`, and rank 0 also writes the index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::Key;

use super::header::push_json_string;
use super::write::{write_members, write_small_file};
use super::{check_output_path, OutputKind};
use super::{Op, TensorSpec, WriteError, WriteOptions, WriteSummary};

/// The name of the index file.
pub const INDEX_NAME: &str = "model.safetensors.index.json";

/// Which tensors go into which of `N` files.
///
/// Tensors keep their order in the spec list; file `j` receives a contiguous run of them,
/// chosen so that each file's byte count is close to `total/N` (a tensor goes to the file its
/// byte midpoint falls into), every file gets at least one tensor, and nothing depends on
/// anything but the specs and `N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardPlan {
    /// For each file, the indices of its tensors in the spec list.
    pub files: Vec<Vec<usize>>,
    /// Sum of all tensors' byte sizes (the index's `metadata.total_size`).
    pub total_size: u64,
}

impl ShardPlan {
    /// Plans `n` files for `specs`. Needs `1 ≤ n ≤ specs.len()`.
    pub fn new(specs: &[TensorSpec], n: usize) -> Result<ShardPlan, WriteError> {
        let t = specs.len();
        if n == 0 || n > t {
            return Err(WriteError::Shard(format!(
                "cannot split {t} tensor(s) into {n} file(s): need 1 <= files <= tensors"
            )));
        }
        let sizes: Vec<u64> = specs
            .iter()
            .map(TensorSpec::checked_byte_len)
            .collect::<Result<_, _>>()?;
        let total = sizes
            .iter()
            .try_fold(0u64, |a, &b| a.checked_add(b))
            .filter(|&t| t <= i64::MAX as u64)
            .ok_or_else(|| {
                WriteError::TooLarge(
                    "the tensors together exceed 2^63 - 1 bytes, more than any file can hold"
                        .into(),
                )
            })?;
        let mut files = vec![Vec::new(); n];
        let mut cum: u128 = 0;
        let mut prev = 0usize;
        for (i, &sz) in sizes.iter().enumerate() {
            // Midpoint of the tensor in the concatenation, times n, over total.
            let mid2 = 2 * cum + u128::from(sz);
            let want = if total == 0 {
                (i * n) / t
            } else {
                ((mid2 * n as u128) / (2 * u128::from(total))) as usize
            };
            let lower = if i == 0 { 0 } else { prev }.max((n + i).saturating_sub(t));
            let upper = if i == 0 { 0 } else { prev + 1 }.min(n - 1);
            let s = want.clamp(lower, upper.max(lower));
            files[s].push(i);
            prev = s;
            cum += u128::from(sz);
        }
        Ok(ShardPlan {
            files,
            total_size: total,
        })
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the plan has no files (never true for a plan from [`ShardPlan::new`]).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file name of shard `rank` (zero-based): `model-{rank+1:05}-of-{n:05}.safetensors`.
    pub fn file_name(&self, rank: usize) -> String {
        format!(
            "model-{:05}-of-{:05}.safetensors",
            rank.saturating_add(1),
            self.files.len()
        )
    }

    /// The index JSON (`metadata.total_size`, `weight_map` sorted by tensor name). `specs`
    /// must be the list the plan was made from: an index outside it is an error.
    pub fn index_json(&self, specs: &[TensorSpec]) -> Result<String, WriteError> {
        let mut entries: Vec<(&str, usize)> = Vec::with_capacity(specs.len());
        for (j, f) in self.files.iter().enumerate() {
            for &i in f {
                let s = specs.get(i).ok_or_else(|| {
                    WriteError::Shard(format!(
                        "the plan names tensor #{i} but the spec list has {}",
                        specs.len()
                    ))
                })?;
                entries.push((s.name.as_str(), j));
            }
        }
        entries.sort();
        let mut s = String::with_capacity(64 + entries.len() * 80);
        s.push_str("{\n  \"metadata\": {\n    \"total_size\": ");
        s.push_str(&self.total_size.to_string());
        s.push_str("\n  },\n  \"weight_map\": {");
        for (k, (name, j)) in entries.iter().enumerate() {
            s.push_str(if k == 0 { "\n    " } else { ",\n    " });
            push_json_string(&mut s, name);
            s.push_str(": ");
            push_json_string(&mut s, &self.file_name(*j));
        }
        s.push_str("\n  }\n}\n");
        Ok(s)
    }
}

/// This process's place among `world` writers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rank {
    /// Zero-based index of this process.
    pub rank: usize,
    /// Number of processes (= number of files).
    pub world: usize,
}

/// The launcher variables [`Rank::from_env`] reads, most specific launcher first.
pub const LAUNCHER_VARS: [(&str, &str, &str); 4] = [
    ("torchrun", "RANK", "WORLD_SIZE"),
    ("Open MPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("PMI", "PMI_RANK", "PMI_SIZE"),
    ("Slurm", "SLURM_PROCID", "SLURM_NTASKS"),
];

impl Rank {
    /// Rank `rank` of `world`; needs `rank < world`.
    pub fn new(rank: usize, world: usize) -> Result<Rank, WriteError> {
        if world == 0 || rank >= world {
            return Err(WriteError::Shard(format!(
                "invalid shard {rank}/{world}: need 0 <= rank < world size"
            )));
        }
        Ok(Rank { rank, world })
    }

    /// Parses `I/N` (zero-based, e.g. `0/3`, `1/3`, `2/3`).
    pub fn parse(s: &str) -> Result<Rank, WriteError> {
        let bad = || {
            WriteError::Shard(format!(
                "invalid shard `{}`: expected `auto` or RANK/WORLD with 0 <= RANK < WORLD, e.g. 0/4",
                super::printable(s)
            ))
        };
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let rank = a.trim().parse().map_err(|_| bad())?;
        let world = b.trim().parse().map_err(|_| bad())?;
        Rank::new(rank, world).map_err(|_| bad())
    }

    /// Reads rank and world size from the process environment: torchrun (`RANK`,
    /// `WORLD_SIZE`), Open MPI (`OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`), PMI
    /// (`PMI_RANK`, `PMI_SIZE`) or Slurm (`SLURM_PROCID`, `SLURM_NTASKS`).
    pub fn from_env() -> Result<Rank, WriteError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Rank::from_env`] over any variable lookup.
    ///
    /// The first launcher in [`LAUNCHER_VARS`] whose variables are set wins (the innermost
    /// launcher: `torchrun` or `mpirun` inside a Slurm allocation sees Slurm's variables too,
    /// with the allocation's counts). Only one of a pair set, a value that is not a number, a
    /// world size of 0 or a rank ≥ world size is an error naming the variables; so is finding
    /// none.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Rank, WriteError> {
        for (launcher, rk, wk) in LAUNCHER_VARS {
            let (r, w) = (get(rk), get(wk));
            match (r, w) {
                (None, None) => continue,
                (Some(_), None) | (None, Some(_)) => {
                    let (set, unset) = if get(rk).is_some() {
                        (rk, wk)
                    } else {
                        (wk, rk)
                    };
                    return Err(WriteError::Shard(format!(
                        "--shard auto: {set} is set but {unset} is not ({launcher} environment incomplete)"
                    )));
                }
                (Some(r), Some(w)) => {
                    let num = |k: &str, v: &str| {
                        v.trim().parse::<usize>().map_err(|_| {
                            WriteError::Shard(format!(
                                "--shard auto: {k}={:?} is not a non-negative integer",
                                super::printable(v)
                            ))
                        })
                    };
                    let (rank, world) = (num(rk, &r)?, num(wk, &w)?);
                    return Rank::new(rank, world).map_err(|_| {
                        WriteError::Shard(format!(
                            "--shard auto: inconsistent {launcher} environment: {rk}={rank} but {wk}={world}"
                        ))
                    });
                }
            }
        }
        Err(WriteError::Shard(
            "--shard auto: no launcher environment found (looked for RANK/WORLD_SIZE, \
             OMPI_COMM_WORLD_RANK/OMPI_COMM_WORLD_SIZE, PMI_RANK/PMI_SIZE, SLURM_PROCID/SLURM_NTASKS)"
                .to_string(),
        ))
    }
}

/// What one rank wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardSummary {
    /// This rank's file.
    pub file: WriteSummary,
    /// The index, if this rank wrote it (rank 0).
    pub index: Option<PathBuf>,
    /// The plan every rank shares.
    pub plan: ShardPlan,
}

/// Writes this rank's file of the `rank.world`-way plan into `dir` (created if missing), and
/// from rank 0 also the index.
pub fn write_shard(
    dir: &Path,
    specs: &[TensorSpec],
    key: &Key,
    rank: Rank,
    opts: WriteOptions<'_>,
) -> Result<ShardSummary, WriteError> {
    // A Rank built from its public fields skips Rank::new's check.
    let rank = Rank::new(rank.rank, rank.world)?;
    // Validate everything (every rank checks all tensors, each for its own dtype, so a bad
    // spec fails everywhere instead of leaving a checkpoint with holes).
    let mut names = HashMap::with_capacity(specs.len());
    for s in specs {
        s.validate()?;
        if names.insert(s.name.as_str(), ()).is_some() {
            return Err(WriteError::DuplicateName(s.name.clone()));
        }
    }
    let plan = ShardPlan::new(specs, rank.world)?;
    let index_json = if rank.rank == 0 {
        Some(plan.index_json(specs)?)
    } else {
        None
    };
    check_output_path(dir, OutputKind::Directory, opts.force)?;
    let path = dir.join(plan.file_name(rank.rank));
    let index_path = dir.join(INDEX_NAME);
    if dir.is_dir() {
        check_output_path(&path, OutputKind::File, opts.force)?;
        if index_json.is_some() {
            check_output_path(&index_path, OutputKind::File, opts.force)?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| WriteError::io(Op::CreateDir, dir, e))?;
    let file = write_members(&path, specs, &plan.files[rank.rank], key, opts)?;
    let index = if let Some(json) = index_json {
        let p = index_path;
        write_small_file(&p, json.as_bytes(), &opts)?;
        Some(p)
    } else {
        None
    };
    Ok(ShardSummary { file, index, plan })
}
