//! The one-way layering of `src/`: no module imports one above it.
//!
//! The layer table lives in one place, the "Architecture" section of the crate docs in
//! `src/lib.rs`; this test parses it from there, reads every `src/**/*.rs` (except `lib.rs`,
//! which declares and re-exports, and `bin/`, which sees only the public API), collects every
//! `crate::…` path outside comments — names re-exported at the crate root are resolved through
//! `lib.rs`'s `pub use` lines — and fails naming file, line and the offending import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One row of the table: its position (0 = bottom), name and the paths it owns (`x.rs` files,
/// `dir/` folders, relative to `src/`).
struct Layer {
    rank: usize,
    name: String,
    paths: Vec<String>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Parses the table rows `| rank | name | `a.rs`, `b/` | … |` of the Architecture section.
fn layers() -> Vec<Layer> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let section = lib
        .split("//! # Architecture")
        .nth(1)
        .expect("src/lib.rs has an `# Architecture` section");
    let mut layers = Vec::new();
    for line in section.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            if line.starts_with("//! #") {
                break; // the next section
            }
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(rank) = cells[0].parse::<usize>() else {
            continue; // header or separator row
        };
        let paths = cells[2]
            .split(',')
            .map(|p| p.trim().trim_matches('`').to_string())
            .filter(|p| !p.is_empty())
            .collect();
        layers.push(Layer {
            rank,
            name: cells[1].to_string(),
            paths,
        });
    }
    assert!(layers.len() >= 10, "layer table not found or too short");
    layers
}

/// The module name a table path declares (`chacha/` → `chacha`, `fill.rs` → `fill`).
fn module_of(path: &str) -> &str {
    path.trim_end_matches('/').trim_end_matches(".rs")
}

/// Source with comments blanked (line structure kept).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::` path's first segment (for `crate::{a, b::c}`: `a` and `b`), with its line.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(i) = text[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // `$crate::` in macros and `glorot_crate::`-like identifiers are not crate paths.
        if start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || b"_$".contains(&bytes[start - 1]))
        {
            continue;
        }
        let line = text[..start].matches('\n').count() + 1;
        if bytes.get(at) == Some(&b'{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut first = true;
            for c in text[at..].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        if depth > 1 {
                            first = false;
                        }
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        first = true;
                        if !item.is_empty() {
                            out.push((line, std::mem::take(&mut item)));
                        }
                    }
                    c if depth == 1 && first && (c.is_alphanumeric() || c == '_') => item.push(c),
                    ':' | ' ' | '\n' if depth == 1 && !item.is_empty() => first = false,
                    _ => {}
                }
            }
            if !item.is_empty() {
                out.push((line, item));
            }
        } else {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((line, name));
            }
        }
    }
    out
}

/// Root names re-exported by `lib.rs` (`pub use fill::{fill, …}`) → the module they come from.
fn reexports(modules: &[String]) -> BTreeMap<String, String> {
    let lib = strip_comments(&std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs"));
    let mut map = BTreeMap::new();
    for stmt in lib.split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim();
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        if !modules.iter().any(|m| m == module) {
            continue; // external crates (half, glorot_macros)
        }
        for name in rest.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                map.insert(name.to_string(), module.to_string());
            }
        }
    }
    map
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let layers = layers();
    let modules: Vec<String> = layers
        .iter()
        .flat_map(|l| l.paths.iter().map(|p| module_of(p).to_string()))
        .collect();
    let module_layer: BTreeMap<String, &Layer> = layers
        .iter()
        .flat_map(|l| l.paths.iter().map(move |p| (module_of(p).to_string(), l)))
        .collect();
    let names = reexports(&modules);

    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut errors = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file
            .strip_prefix(src())
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel.starts_with("bin/") {
            continue;
        }
        let top = rel.split('/').next().expect("a path");
        let module = module_of(top);
        let Some(own) = module_layer.get(module) else {
            errors.push(format!(
                "src/{rel}: not in the layer table of src/lib.rs's Architecture section"
            ));
            continue;
        };
        let text = strip_comments(&std::fs::read_to_string(file).expect("readable"));
        for (line, name) in crate_refs(&text) {
            let target = if module_layer.contains_key(&name) {
                name.clone()
            } else if let Some(m) = names.get(&name) {
                m.clone()
            } else {
                continue; // external re-exports (bf16, f16), macros, `internals`
            };
            let theirs = module_layer[&target];
            if theirs.rank > own.rank {
                errors.push(format!(
                    "src/{rel}:{line}: `crate::{name}` — layer {} ({}) imports `{target}` of layer {} ({}) above it",
                    own.rank, own.name, theirs.rank, theirs.name
                ));
            }
        }
        checked += 1;
    }
    assert!(checked > 20, "only {checked} files checked");
    assert!(errors.is_empty(), "upward imports:\n{}", errors.join("\n"));
}

/// The checker itself catches what it must: braced groups, nested paths, root re-exports.
#[test]
fn the_scanner_sees_grouped_and_plain_paths() {
    let text = strip_comments(
        "use crate::{a, b::{c, d}, e::F};\nfn f() { crate::g::h(); $crate::x; }\n// crate::comment",
    );
    let refs = crate_refs(&text);
    let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["a", "b", "e", "g"]);
    assert_eq!(refs[3].0, 2);
}
