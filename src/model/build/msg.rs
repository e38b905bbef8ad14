//! A byte buffer for const-panic messages: `const fn`s cannot format numbers, so the
//! builder's diagnostics are assembled here.

use crate::model::Name;

/// A message buffer for const panics (numbers can't be formatted in const, so we do it here).
pub(super) struct Msg {
    bytes: [u8; 512],
    len: usize,
}

impl Msg {
    pub(super) const fn new() -> Self {
        Msg {
            bytes: [0; 512],
            len: 0,
        }
    }
    pub(super) const fn s(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }
    pub(super) const fn n(self, n: usize) -> Self {
        let mut name = Name::EMPTY;
        name.push_usize(n);
        self.s(name.as_str())
    }
    pub(super) const fn w(self, w: Option<usize>) -> Self {
        match w {
            Some(n) => self.n(n),
            None => self.s("nothing"),
        }
    }
    pub(super) const fn panic(&self) -> ! {
        let (head, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => panic!("{}", s),
            Err(_) => panic!("network!: invalid model"),
        }
    }
}
