//! The error of rank, launcher-environment and shard-plan parsing: nothing is written yet
//! when one of these fails, so it is not a [`WriteError`](super::WriteError).

use core::fmt;

/// Why a rank, a launcher environment or a shard plan is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShardError {
    /// `rank` is not below `world`, or `world` is 0.
    InvalidRank {
        /// The zero-based rank given.
        rank: usize,
        /// The world size given.
        world: usize,
    },
    /// A `--shard` value that is neither `auto` nor `RANK/WORLD` with `RANK < WORLD`.
    Unparsable(String),
    /// One of a launcher's two variables is set, the other is not.
    IncompleteEnv {
        /// The launcher (`torchrun`, `Open MPI`, `PMI`, `Slurm`).
        launcher: &'static str,
        /// The variable that is set.
        set: &'static str,
        /// The variable that is missing.
        unset: &'static str,
    },
    /// A launcher variable's value is not a non-negative integer.
    NotANumber {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
    },
    /// A launcher's rank is not below its world size.
    InconsistentEnv {
        /// The launcher.
        launcher: &'static str,
        /// The rank variable.
        rank_var: &'static str,
        /// Its value.
        rank: usize,
        /// The world-size variable.
        world_var: &'static str,
        /// Its value.
        world: usize,
    },
    /// No launcher's variables are set.
    NoLauncher,
    /// A plan given to [`write_planned_shard`](super::write_planned_shard) was not made for
    /// this spec list and world size.
    PlanMismatch {
        /// Files in the plan.
        files: usize,
        /// The rank's world size.
        world: usize,
    },
    /// A plan needs `1 ≤ files ≤ tensors`.
    FileCount {
        /// Tensors to split.
        tensors: usize,
        /// Files asked for.
        files: usize,
    },
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardError::InvalidRank { rank, world } => write!(
                f,
                "invalid shard {rank}/{world}: need 0 <= rank < world size"
            ),
            ShardError::Unparsable(s) => write!(
                f,
                "invalid shard `{s}`: expected `auto` or RANK/WORLD with 0 <= RANK < WORLD, e.g. 0/4"
            ),
            ShardError::IncompleteEnv {
                launcher,
                set,
                unset,
            } => write!(
                f,
                "--shard auto: {set} is set but {unset} is not ({launcher} environment incomplete)"
            ),
            ShardError::NotANumber { var, value } => write!(
                f,
                "--shard auto: {var}={value:?} is not a non-negative integer"
            ),
            ShardError::InconsistentEnv {
                launcher,
                rank_var,
                rank,
                world_var,
                world,
            } => write!(
                f,
                "--shard auto: inconsistent {launcher} environment: {rank_var}={rank} but {world_var}={world}"
            ),
            ShardError::NoLauncher => f.write_str(
                "--shard auto: no launcher environment found (looked for RANK/WORLD_SIZE, \
                 OMPI_COMM_WORLD_RANK/OMPI_COMM_WORLD_SIZE, PMI_RANK/PMI_SIZE, SLURM_PROCID/SLURM_NTASKS)",
            ),
            ShardError::PlanMismatch { files, world } => write!(
                f,
                "the shard plan ({files} file(s)) was not made for this spec list and world size {world}"
            ),
            ShardError::FileCount { tensors, files } => write!(
                f,
                "cannot split {tensors} tensor(s) into {files} file(s): need 1 <= files <= tensors"
            ),
        }
    }
}

impl std::error::Error for ShardError {}
