//! The safetensors header: tensor order, byte offsets and the JSON table of contents, computed
//! exactly as the `safetensors` crate's serializer computes them.
//!
//! File layout: an 8-byte little-endian header length `N`, `N` bytes of JSON padded with
//! spaces to a multiple of 8, then every tensor's little-endian bytes back to back.
//! The serializer (`safetensors::tensor::prepare`, 0.4 – 0.8) sorts tensors by dtype
//! *descending in its `Dtype` enum order* (for the types here: F64, F32, BF16, F16) and then by
//! name (byte-wise), places them contiguously from offset 0, and writes compact JSON with
//! `__metadata__` first and each entry as `{"dtype":…,"shape":[…],"data_offsets":[b,e]}`.

use std::collections::HashSet;

use crate::DType;

use super::{TensorSpec, WriteError};

/// Largest header safetensors readers accept.
pub const MAX_HEADER_SIZE: usize = 100_000_000;

/// The rank of a dtype in safetensors' `Dtype` enum order (larger sorts first).
fn dtype_rank(d: DType) -> u8 {
    match d {
        DType::F16 => 0,
        DType::BF16 => 1,
        DType::F32 => 2,
        DType::F64 => 3,
    }
}

/// Where one tensor lives in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Index into the spec list the layout was built from.
    pub spec: usize,
    /// Absolute byte offset of the tensor's first byte in the file.
    pub start: u64,
    /// Bytes.
    pub len: u64,
}

/// A file's complete layout: header bytes and where every tensor goes.
#[derive(Clone, Debug)]
pub struct FileLayout {
    /// The 8-byte length prefix followed by the padded JSON header.
    pub header: Vec<u8>,
    /// Tensors in file order.
    pub placements: Vec<Placement>,
    /// Total file size in bytes.
    pub file_len: u64,
}

impl FileLayout {
    /// Lays out `specs[i]` for every `i` in `members` (all of `specs` for a single file), with
    /// optional `__metadata__` entries (written sorted by key). A member index outside `specs`,
    /// a repeated name, or sizes beyond what a file can hold are errors.
    pub fn new(
        specs: &[TensorSpec],
        members: &[usize],
        metadata: &[(String, String)],
    ) -> Result<FileLayout, WriteError> {
        let mut seen = HashSet::with_capacity(members.len());
        for &i in members {
            let s = specs.get(i).ok_or_else(|| {
                WriteError::TooLarge(format!(
                    "member index {i} is out of range for {} tensor(s)",
                    specs.len()
                ))
            })?;
            if s.name == "__metadata__" {
                return Err(WriteError::InvalidName {
                    name: s.name.clone(),
                    reason: "is reserved for the safetensors header's metadata",
                });
            }
            if !seen.insert(s.name.as_str()) {
                return Err(WriteError::DuplicateName(s.name.clone()));
            }
        }
        let mut order: Vec<usize> = members.to_vec();
        order.sort_by(|&a, &b| {
            let (a, b) = (&specs[a], &specs[b]);
            dtype_rank(b.dtype)
                .cmp(&dtype_rank(a.dtype))
                .then_with(|| a.name.cmp(&b.name))
        });

        // An upper bound of the JSON's length (names escaped at most 6×, 21 digits per number),
        // reserved fallibly so a huge spec list is an error, not an abort.
        let bound = order.iter().fold(64usize, |acc, &i| {
            let s = &specs[i];
            acc.saturating_add(
                s.name
                    .len()
                    .saturating_mul(6)
                    .saturating_add(96 + 21 * s.shape.len()),
            )
        });
        let bound = metadata
            .iter()
            .fold(bound, |acc, (k, v)| {
                acc.saturating_add(6 * (k.len() + v.len()) + 8)
            })
            .min(MAX_HEADER_SIZE + 64);
        let mut json = String::new();
        json.try_reserve_exact(bound)
            .map_err(|_| WriteError::OutOfMemory {
                bytes: bound as u64,
            })?;
        json.push('{');
        let mut first = true;
        if !metadata.is_empty() {
            let mut meta: Vec<&(String, String)> = metadata.iter().collect();
            meta.sort();
            json.push_str("\"__metadata__\":{");
            for (j, (k, v)) in meta.iter().enumerate() {
                if j > 0 {
                    json.push(',');
                }
                push_json_string(&mut json, k);
                json.push(':');
                push_json_string(&mut json, v);
            }
            json.push('}');
            first = false;
        }
        let mut offset: u64 = 0;
        let mut rel = Vec::with_capacity(order.len());
        for &i in &order {
            if json.len() > MAX_HEADER_SIZE {
                return Err(WriteError::HeaderTooLarge(json.len()));
            }
            let s = &specs[i];
            let len = s.checked_byte_len()?;
            let end = offset
                .checked_add(len)
                .filter(|&e| e <= (i64::MAX as u64) - MAX_HEADER_SIZE as u64 - 16)
                .ok_or_else(|| {
                    WriteError::TooLarge(format!(
                        "the tensors up to `{}` exceed 2^63 - 1 bytes, more than any file can hold",
                        super::printable(&s.name)
                    ))
                })?;
            if !first {
                json.push(',');
            }
            first = false;
            push_json_string(&mut json, &s.name);
            json.push_str(":{\"dtype\":\"");
            json.push_str(s.dtype.safetensors_name());
            json.push_str("\",\"shape\":[");
            for (j, d) in s.shape.iter().enumerate() {
                if j > 0 {
                    json.push(',');
                }
                json.push_str(&d.to_string());
            }
            json.push_str("],\"data_offsets\":[");
            json.push_str(&offset.to_string());
            json.push(',');
            json.push_str(&end.to_string());
            json.push_str("]}");
            rel.push((i, offset, len));
            offset = end;
        }
        json.push('}');
        let padded = json.len().next_multiple_of(8);
        if padded > MAX_HEADER_SIZE {
            return Err(WriteError::HeaderTooLarge(padded));
        }
        let mut header = Vec::new();
        header
            .try_reserve_exact(8 + padded)
            .map_err(|_| WriteError::OutOfMemory {
                bytes: 8 + padded as u64,
            })?;
        header.extend_from_slice(&(padded as u64).to_le_bytes());
        header.extend_from_slice(json.as_bytes());
        header.resize(8 + padded, b' ');
        let base = header.len() as u64;
        let placements = rel
            .into_iter()
            .map(|(spec, start, len)| Placement {
                spec,
                start: base + start,
                len,
            })
            .collect();
        Ok(FileLayout {
            file_len: base + offset,
            header,
            placements,
        })
    }
}

/// Appends `s` as a JSON string literal, escaped as `serde_json` escapes it (`"`, `\`, and
/// control characters; everything else verbatim).
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
