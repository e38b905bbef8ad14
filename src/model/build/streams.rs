//! The last check of a finished table: no two tensors may share a name or a random stream
//! (the stream id is [`name_stream`](crate::name_stream) of the name, so equal hashes would
//! mean equal values).

use super::msg::Msg;
use super::Builder;
use crate::name_stream;

impl<const N: usize> Builder<N> {
    /// Panics (a compile error in const evaluation) if two names share a stream.
    pub(super) const fn check_streams(&self) {
        // Sort the hashes (heapsort: O(N log N) const steps) and look for neighbours.
        let mut hashes = [0u64; N];
        let mut i = 0;
        while i < N {
            hashes[i] = name_stream(self.specs[i].name());
            i += 1;
        }
        heapsort(&mut hashes);
        let mut k = 1;
        while k < N {
            if hashes[k] == hashes[k - 1] {
                self.report_collision(hashes[k]);
            }
            k += 1;
        }
    }

    const fn report_collision(&self, hash: u64) -> ! {
        let mut first = N;
        let mut i = 0;
        while i < N {
            if name_stream(self.specs[i].name()) == hash {
                if first == N {
                    first = i;
                } else {
                    let (a, b) = (self.specs[first].name(), self.specs[i].name());
                    let what = if str_eq(a, b) {
                        "network!: two tensors are both named `"
                    } else {
                        "network!: the names of two tensors hash to the same stream; rename `"
                    };
                    Msg::new()
                        .s(what)
                        .s(b)
                        .s("` (the other is `")
                        .s(a)
                        .s("`)")
                        .panic();
                }
            }
            i += 1;
        }
        panic!("network!: internal error: collision not found");
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn heapsort<const N: usize>(v: &mut [u64; N]) {
    let mut end = N;
    let mut start = N / 2;
    while start > 0 {
        start -= 1;
        sift_down(v, start, end);
    }
    while end > 1 {
        end -= 1;
        let t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(v, 0, end);
    }
}

const fn sift_down<const N: usize>(v: &mut [u64; N], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && v[child] < v[child + 1] {
            child += 1;
        }
        if v[root] >= v[child] {
            return;
        }
        let t = v[root];
        v[root] = v[child];
        v[child] = t;
        root = child;
    }
}
