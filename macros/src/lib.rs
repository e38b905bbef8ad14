//! # glorot-macros
//!
//! (guide goes here)

#![deny(missing_docs)]

mod args;
mod build;
mod dsl;
mod math;
mod module;
pub mod presets;
mod spec;

pub use math::{gain, sqrt};
pub use module::{Assemble, Module, Network};
pub use spec::{
    torch_fans, Act, InitSpec, Mode, Name, ParamSpec, Role, VarDist, MAX_RANK, NAME_CAP,
};

#[doc(hidden)]
pub mod __private {
    pub use crate::args::{KaimingArgs, NormalArgs, UniformArgs, VarianceArgs};
    pub use crate::build::{Builder, Cell, NormKind, Opts};
    pub use crate::module::Cursor;
}
