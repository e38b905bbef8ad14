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
    /// optional `__metadata__` entries (written sorted by key).
    pub fn new(
        specs: &[TensorSpec],
        members: &[usize],
        metadata: &[(String, String)],
    ) -> Result<FileLayout, WriteError> {
        let mut seen = HashSet::with_capacity(members.len());
        for &i in members {
            if !seen.insert(specs[i].name.as_str()) {
                return Err(WriteError::DuplicateName(specs[i].name.clone()));
            }
        }
        let mut order: Vec<usize> = members.to_vec();
        order.sort_by(|&a, &b| {
            let (a, b) = (&specs[a], &specs[b]);
            dtype_rank(b.dtype)
                .cmp(&dtype_rank(a.dtype))
                .then_with(|| a.name.cmp(&b.name))
        });

        let mut json = String::with_capacity(64 + members.len() * 96);
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
            let s = &specs[i];
            let len = s.byte_len();
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
            json.push_str(&(offset + len).to_string());
            json.push_str("]}");
            rel.push((i, offset, len));
            offset += len;
        }
        json.push('}');
        let padded = json.len().next_multiple_of(8);
        if padded > MAX_HEADER_SIZE {
            return Err(WriteError::HeaderTooLarge(padded));
        }
        let mut header = Vec::with_capacity(8 + padded);
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

/// One tensor entry of a safetensors header, as read back by [`read_header`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderEntry {
    /// The tensor's name.
    pub name: String,
    /// The safetensors dtype name (`"F32"`, `"BF16"`, …).
    pub dtype: String,
    /// The shape.
    pub shape: Vec<u64>,
    /// Absolute byte offset of the tensor's first byte in the file.
    pub start: u64,
    /// Absolute byte offset one past its last byte.
    pub end: u64,
}

/// Reads the header of a safetensors file (the format [`FileLayout`] writes): every tensor
/// entry, in header order, with absolute byte offsets; `__metadata__` is skipped. A header
/// larger than [`MAX_HEADER_SIZE`], JSON that is not a safetensors table of contents, or
/// offsets past the header's own end are [`std::io::ErrorKind::InvalidData`] errors.
pub fn read_header(r: &mut impl std::io::Read) -> std::io::Result<Vec<HeaderEntry>> {
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER_SIZE as u64 {
        return Err(bad("header too large".into()));
    }
    let mut text = vec![0u8; n as usize];
    r.read_exact(&mut text)?;
    let text = std::str::from_utf8(&text).map_err(|e| bad(e.to_string()))?;
    let mut p = json::Parser::new(text);
    let root = p.document().map_err(bad)?;
    let json::Value::Object(items) = root else {
        return Err(bad("header is not an object".into()));
    };
    let base = 8 + n;
    let mut out = Vec::with_capacity(items.len());
    for (name, v) in items {
        if name == "__metadata__" {
            continue;
        }
        let field = |k: &str| match &v {
            json::Value::Object(o) => o.iter().find(|(key, _)| key == k).map(|(_, v)| v),
            _ => None,
        };
        let dtype = match field("dtype") {
            Some(json::Value::String(s)) => s.clone(),
            _ => return Err(bad(format!("`{name}` has no dtype"))),
        };
        let shape = match field("shape") {
            Some(json::Value::Array(a)) => a.iter().map(json::Value::as_u64).collect(),
            _ => None,
        }
        .ok_or_else(|| bad(format!("`{name}` has no shape")))?;
        let (b, e) = match field("data_offsets") {
            Some(json::Value::Array(a)) if a.len() == 2 => (a[0].as_u64(), a[1].as_u64()),
            _ => (None, None),
        };
        let (Some(b), Some(e)) = (b, e) else {
            return Err(bad(format!("`{name}` has no offsets")));
        };
        if b > e {
            return Err(bad(format!("`{name}` has offsets [{b}, {e}]")));
        }
        out.push(HeaderEntry {
            name,
            dtype,
            shape,
            start: base + b,
            end: base + e,
        });
    }
    Ok(out)
}

/// The small JSON reader [`read_header`] needs (objects keep their order; numbers are kept
/// only when they are non-negative integers, which is all a safetensors header holds).
mod json {
    pub(super) enum Value {
        Object(Vec<(String, Value)>),
        Array(Vec<Value>),
        String(String),
        UInt(u64),
        Other,
    }

    impl Value {
        pub(super) fn as_u64(&self) -> Option<u64> {
            match self {
                Value::UInt(n) => Some(*n),
                _ => None,
            }
        }
    }

    pub(super) struct Parser<'a> {
        s: &'a [u8],
        text: &'a str,
        i: usize,
    }

    /// Nesting limit, so a hostile header cannot overflow the stack.
    const MAX_DEPTH: usize = 64;

    impl<'a> Parser<'a> {
        pub(super) fn new(text: &'a str) -> Self {
            Parser {
                s: text.as_bytes(),
                text,
                i: 0,
            }
        }

        pub(super) fn document(&mut self) -> Result<Value, String> {
            let v = self.value(0)?;
            self.ws();
            if self.i != self.s.len() {
                return Err(self.err("trailing characters"));
            }
            Ok(v)
        }

        fn err(&self, what: &str) -> String {
            format!("invalid header JSON at byte {}: {what}", self.i)
        }

        fn ws(&mut self) {
            while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            }
        }

        fn eat(&mut self, c: u8) -> Result<(), String> {
            self.ws();
            if self.s.get(self.i) == Some(&c) {
                self.i += 1;
                Ok(())
            } else {
                Err(self.err(&format!("expected `{}`", c as char)))
            }
        }

        fn peek(&mut self) -> Option<u8> {
            self.ws();
            self.s.get(self.i).copied()
        }

        fn value(&mut self, depth: usize) -> Result<Value, String> {
            if depth > MAX_DEPTH {
                return Err(self.err("nested too deeply"));
            }
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        return Ok(Value::Object(items));
                    }
                    loop {
                        self.ws();
                        let k = self.string()?;
                        self.eat(b':')?;
                        items.push((k, self.value(depth + 1)?));
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Value::Object(items));
                            }
                            _ => return Err(self.err("expected `,` or `}`")),
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        return Ok(Value::Array(items));
                    }
                    loop {
                        items.push(self.value(depth + 1)?);
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Value::Array(items));
                            }
                            _ => return Err(self.err("expected `,` or `]`")),
                        }
                    }
                }
                Some(b'"') => Ok(Value::String(self.string()?)),
                Some(b'-' | b'0'..=b'9') => self.number(),
                Some(b't') => self.word("true"),
                Some(b'f') => self.word("false"),
                Some(b'n') => self.word("null"),
                _ => Err(self.err("expected a value")),
            }
        }

        fn word(&mut self, w: &str) -> Result<Value, String> {
            if self.s[self.i..].starts_with(w.as_bytes()) {
                self.i += w.len();
                Ok(Value::Other)
            } else {
                Err(self.err("expected a value"))
            }
        }

        fn number(&mut self) -> Result<Value, String> {
            let start = self.i;
            while self.i < self.s.len()
                && matches!(
                    self.s[self.i],
                    b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                )
            {
                self.i += 1;
            }
            let t = &self.text[start..self.i];
            if let Ok(n) = t.parse::<u64>() {
                Ok(Value::UInt(n))
            } else if t.parse::<f64>().is_ok() {
                Ok(Value::Other)
            } else {
                Err(self.err("invalid number"))
            }
        }

        fn hex4(&mut self) -> Result<u32, String> {
            let h = self
                .text
                .get(self.i..self.i + 4)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            self.i += 4;
            Ok(h)
        }

        fn string(&mut self) -> Result<String, String> {
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string"));
            }
            self.i += 1;
            let mut out = String::new();
            loop {
                let start = self.i;
                while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\') {
                    self.i += 1;
                }
                out.push_str(&self.text[start..self.i]);
                match self.s.get(self.i) {
                    Some(b'"') => {
                        self.i += 1;
                        return Ok(out);
                    }
                    Some(b'\\') => {
                        self.i += 1;
                        let c = *self.s.get(self.i).ok_or_else(|| self.err("bad escape"))?;
                        self.i += 1;
                        match c {
                            b'"' => out.push('"'),
                            b'\\' => out.push('\\'),
                            b'/' => out.push('/'),
                            b'b' => out.push('\u{08}'),
                            b'f' => out.push('\u{0c}'),
                            b'n' => out.push('\n'),
                            b'r' => out.push('\r'),
                            b't' => out.push('\t'),
                            b'u' => {
                                let hi = self.hex4()?;
                                let code = if (0xd800..0xdc00).contains(&hi) {
                                    if !self.s[self.i..].starts_with(b"\\u") {
                                        return Err(self.err("unpaired surrogate"));
                                    }
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    if !(0xdc00..0xe000).contains(&lo) {
                                        return Err(self.err("unpaired surrogate"));
                                    }
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    hi
                                };
                                out.push(
                                    char::from_u32(code)
                                        .ok_or_else(|| self.err("invalid \\u escape"))?,
                                );
                            }
                            _ => return Err(self.err("bad escape")),
                        }
                    }
                    _ => return Err(self.err("unterminated string")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_header_round_trips_the_layout() {
        let specs = vec![
            TensorSpec::new("b\"\\\n\u{1}é", &[3], crate::Init::Zeros),
            TensorSpec::new("a", &[2, 5], crate::Init::Ones).with_dtype(DType::BF16),
        ];
        let meta = vec![("format".to_string(), "pt".to_string())];
        let layout = FileLayout::new(&specs, &[0, 1], &meta).unwrap();
        let read = read_header(&mut &layout.header[..]).unwrap();
        assert_eq!(read.len(), 2);
        for (e, p) in read.iter().zip(&layout.placements) {
            let s = &specs[p.spec];
            assert_eq!(e.name, s.name);
            assert_eq!(e.dtype, s.dtype.safetensors_name());
            let shape: Vec<u64> = s.shape.iter().map(|&d| d as u64).collect();
            assert_eq!(e.shape, shape);
            assert_eq!((e.start, e.end), (p.start, p.start + p.len));
        }
    }

    #[test]
    fn read_header_rejects_what_is_not_a_header() {
        let frame = |j: &str| {
            let mut v = (j.len() as u64).to_le_bytes().to_vec();
            v.extend_from_slice(j.as_bytes());
            v
        };
        for bad in [
            "[1]",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
            "{\"a\":",
            "{\"a\":\"\\ud800\"}",
            &"[".repeat(100),
        ] {
            let e = read_header(&mut &frame(bad)[..]).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{bad}");
        }
        let mut huge = (MAX_HEADER_SIZE as u64 + 1).to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert!(read_header(&mut &huge[..]).is_err());
    }
}
