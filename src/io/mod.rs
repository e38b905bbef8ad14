//! Writing models to disk: streamed safetensors files, Hugging Face-style sharded checkpoints
//! written by independent processes, and the error type that says which file failed and why.
//!
//! Nothing here needs the `cli` feature.

mod error;
mod header;
mod model_dir;
pub mod presets;
mod shard;
mod spec;
mod write;

pub use error::{Op, WriteError};
pub use header::{FileLayout, Placement, MAX_HEADER_SIZE};
pub use model_dir::{
    plan_output, write_model_dir, ModelDirSummary, Output, CONFIG_NAME, SINGLE_FILE_NAME,
};
pub use shard::{write_shard, Rank, ShardPlan, ShardSummary, INDEX_NAME, LAUNCHER_VARS};
pub use spec::TensorSpec;
pub use write::{write_safetensors, WriteOptions, WriteSummary, ITEM_ELEMS};
