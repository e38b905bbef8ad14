//! The `glorot` command-line tool (work in progress).

fn main() {}
