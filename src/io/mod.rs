//! Writing models to disk: streamed safetensors files, Hugging Face-style sharded checkpoints
//! written by independent processes, and the error type that says which file failed and why.
//!
//! Nothing here needs the `cli` feature.

mod error;
mod header;
mod path;
pub mod presets;
mod representable;
mod shard;
mod spec;
mod write;

pub use error::{printable, Op, WriteError};
pub use header::{FileLayout, Placement, MAX_HEADER_SIZE};
pub use path::{check_output_path, remove_stale_temporaries, Existing, OutputKind};
pub use shard::{write_shard, Rank, ShardPlan, ShardSummary, INDEX_NAME, LAUNCHER_VARS};
pub use spec::TensorSpec;
pub use write::{write_safetensors, WriteOptions, WriteSummary, BUFFER_BUDGET, ITEM_ELEMS};
