//! Writing models to disk: streamed safetensors files, Hugging Face-style sharded checkpoints
//! written by independent processes, and the error types: [`WriteError`] says which file failed
//! and why, [`ShardError`] what is wrong with a rank, launcher environment or shard plan.
//!
//! Nothing here needs the `cli` feature.

mod error;
mod header;
mod jax_keys;
mod model_dir;
mod path;
mod shard;
mod shard_error;
mod spec;
mod write;

pub use error::{printable, Op, WriteError};
pub use header::{read_header, FileLayout, HeaderEntry, Placement, MAX_HEADER_SIZE};
pub use jax_keys::{check_jax, crc32, JaxKeys};
pub use model_dir::{
    check_stale_files, plan_output, stale_checkpoint_files, write_model_dir, ModelDirSummary,
    Output, CONFIG_NAME, SINGLE_FILE_NAME,
};
pub use path::{check_output_path, remove_stale_temporaries, Existing, OutputKind};
pub use shard::{
    write_planned_shard, write_shard, Rank, ShardPlan, ShardSummary, INDEX_NAME, LAUNCHER_VARS,
};
pub use shard_error::ShardError;
pub use spec::{tensor_specs, Source, TensorSpec};
pub use write::{write_safetensors, WriteOptions, WriteSummary, BUFFER_BUDGET, ITEM_BYTES};
