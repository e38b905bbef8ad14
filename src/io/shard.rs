//! Checkpoint sharding across processes without communication, laid out as Hugging Face
//! checkpoints are: `model-00001-of-0000N.safetensors` … and `model.safetensors.index.json`.
//!
//! Every process computes the same [`ShardPlan`] from the spec list and `N` alone; process
//! `i` writes only file `i`, and rank 0 also writes the index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::Key;

use super::header::push_json_string;
use super::write::{plan_fills, write_members, write_small_file};
use super::{check_output_path, OutputKind};
use super::{Op, ShardError, TensorSpec, WriteError, WriteOptions, WriteSummary};

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
    pub fn new(specs: &[TensorSpec], n: usize) -> Result<ShardPlan, ShardError> {
        let t = specs.len();
        if n == 0 || n > t {
            return Err(ShardError::FileCount {
                tensors: t,
                files: n,
            });
        }
        // Saturating sizes and a u128 sum: the plan never overflows; a total no file could
        // hold is reported by the writer (`write_planned_shard`), before anything is written.
        let sizes: Vec<u64> = specs.iter().map(|s| s.byte_len()).collect();
        let total_wide: u128 = sizes.iter().map(|&b| u128::from(b)).sum();
        let total = u64::try_from(total_wide).unwrap_or(u64::MAX);
        let mut files = vec![Vec::new(); n];
        let mut cum: u128 = 0;
        let mut prev = 0usize;
        for (i, &sz) in sizes.iter().enumerate() {
            // Midpoint of the tensor in the concatenation, times n, over total.
            let mid2 = 2 * cum + u128::from(sz);
            let want = if total == 0 {
                (i * n) / t
            } else {
                ((mid2 * n as u128) / (2 * total_wide)) as usize
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
    /// must be the list the plan was made from: an index outside it is
    /// [`ShardError::PlanMismatch`].
    pub fn index_json(&self, specs: &[TensorSpec]) -> Result<String, ShardError> {
        let mismatch = ShardError::PlanMismatch {
            files: self.files.len(),
            world: self.files.len(),
        };
        // The fields are public, so a plan may be hand-made: it must place every tensor
        // exactly once, or the index would name a tensor twice or miss one.
        let mut placed = vec![false; specs.len()];
        let mut entries: Vec<(&str, usize)> = Vec::with_capacity(specs.len());
        for (j, f) in self.files.iter().enumerate() {
            for &i in f {
                match placed.get_mut(i) {
                    Some(p) if !*p => *p = true,
                    _ => return Err(mismatch),
                }
                entries.push((specs[i].name.as_str(), j));
            }
        }
        if placed.contains(&false) {
            return Err(mismatch);
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

/// This process's place among `world` writers: `rank < world`, by construction (the fields
/// are private; [`Rank::new`], [`Rank::parse`] and [`Rank::from_env`] check).
///
/// ```compile_fail,E0451
/// let r = glorot::io::Rank { rank: 5, world: 2 }; // private fields
/// ```
///
/// ```
/// let r = glorot::io::Rank::new(5, 2);
/// assert!(r.is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rank {
    rank: usize,
    world: usize,
}

/// The launcher variables [`Rank::from_env`] reads, most specific launcher first.
pub const LAUNCHER_VARS: [(&str, &str, &str); 4] = [
    ("torchrun", "RANK", "WORLD_SIZE"),
    ("Open MPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("PMI", "PMI_RANK", "PMI_SIZE"),
    ("Slurm", "SLURM_PROCID", "SLURM_NTASKS"),
];

impl Rank {
    /// Zero-based index of this process.
    pub const fn rank(&self) -> usize {
        self.rank
    }

    /// Number of processes (= number of files).
    pub const fn world(&self) -> usize {
        self.world
    }

    /// Rank `rank` of `world`; needs `rank < world`.
    pub fn new(rank: usize, world: usize) -> Result<Rank, ShardError> {
        if world == 0 || rank >= world {
            return Err(ShardError::InvalidRank { rank, world });
        }
        Ok(Rank { rank, world })
    }

    /// Parses `I/N` (zero-based, e.g. `0/3`, `1/3`, `2/3`).
    pub fn parse(s: &str) -> Result<Rank, ShardError> {
        let bad = || ShardError::Unparsable(s.to_string());
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let rank = a.trim().parse().map_err(|_| bad())?;
        let world = b.trim().parse().map_err(|_| bad())?;
        Rank::new(rank, world).map_err(|_| bad())
    }

    /// Reads rank and world size from the process environment: torchrun (`RANK`,
    /// `WORLD_SIZE`), Open MPI (`OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`), PMI
    /// (`PMI_RANK`, `PMI_SIZE`) or Slurm (`SLURM_PROCID`, `SLURM_NTASKS`).
    pub fn from_env() -> Result<Rank, ShardError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Rank::from_env`] over any variable lookup.
    ///
    /// The first launcher in [`LAUNCHER_VARS`] whose variables are set wins (the innermost
    /// launcher: `torchrun` or `mpirun` inside a Slurm allocation sees Slurm's variables too,
    /// with the allocation's counts). Only one of a pair set, a value that is not a number, a
    /// world size of 0 or a rank ≥ world size is an error naming the variables; so is finding
    /// none.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Rank, ShardError> {
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
                    return Err(ShardError::IncompleteEnv {
                        launcher,
                        set,
                        unset,
                    });
                }
                (Some(r), Some(w)) => {
                    let num = |var: &'static str, v: &str| {
                        v.trim()
                            .parse::<usize>()
                            .map_err(|_| ShardError::NotANumber {
                                var,
                                value: v.to_string(),
                            })
                    };
                    let (rank, world) = (num(rk, &r)?, num(wk, &w)?);
                    return Rank::new(rank, world).map_err(|_| ShardError::InconsistentEnv {
                        launcher,
                        rank_var: rk,
                        rank,
                        world_var: wk,
                        world,
                    });
                }
            }
        }
        Err(ShardError::NoLauncher)
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

/// Writes this rank's file of the `rank.world()`-way plan into `dir` (created if missing), and
/// from rank 0 also the index.
pub fn write_shard(
    dir: &Path,
    specs: &[TensorSpec],
    key: &Key,
    rank: Rank,
    opts: WriteOptions<'_>,
) -> Result<ShardSummary, WriteError> {
    let plan = ShardPlan::new(specs, rank.world)?;
    write_planned_shard(dir, specs, plan, key, rank, opts)
}

/// [`write_shard`] with a plan the caller already has (e.g. to size a progress bar): `plan`
/// must be [`ShardPlan::new`]`(specs, rank.world())`, anything else (a plan of another spec
/// list or world size, or a hand-made one) is [`ShardError::PlanMismatch`] before anything is
/// written.
pub fn write_planned_shard(
    dir: &Path,
    specs: &[TensorSpec],
    plan: ShardPlan,
    key: &Key,
    rank: Rank,
    opts: WriteOptions<'_>,
) -> Result<ShardSummary, WriteError> {
    // The plan's fields are public: only the plan every rank computes is accepted, so no
    // hand-made plan can drop a tensor or write one twice.
    let expected = ShardPlan::new(specs, rank.world);
    if plan.len() != rank.world || !matches!(&expected, Ok(p) if *p == plan) {
        return Err(ShardError::PlanMismatch {
            files: plan.len(),
            world: rank.world,
        }
        .into());
    }
    // Validate everything, once (every rank checks all tensors, each for its own dtype, so a
    // bad spec fails everywhere instead of leaving a checkpoint with holes).
    let dists = plan_fills(specs, &opts)?;
    let mut names = HashMap::with_capacity(specs.len());
    for s in specs {
        if names.insert(s.name.as_str(), ()).is_some() {
            return Err(WriteError::DuplicateName(s.name.clone()));
        }
    }
    if plan.total_size > i64::MAX as u64 {
        return Err(WriteError::TooLarge(
            "the tensors together exceed 2^63 - 1 bytes, more than a checkpoint's index can count"
                .into(),
        ));
    }
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
    let members = &plan.files[rank.rank];
    let member_dists = members.iter().map(|&i| dists[i]).collect();
    let file = write_members(&path, specs, members, member_dists, key, opts)?;
    let index = if let Some(json) = index_json {
        let p = index_path;
        write_small_file(&p, json.as_bytes(), &opts)?;
        Some(p)
    } else {
        None
    };
    Ok(ShardSummary { file, index, plan })
}
