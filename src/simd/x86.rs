//! What the AVX2 and AVX-512 backends share, stamped into each by macros so each backend file
//! holds only the intrinsics that differ: the arithmetic operator impls and the
//! `#[target_feature]` entry point.

/// `Add`, `Sub`, `Mul`, `Div` for a one-register lane type, each one intrinsic.
macro_rules! x86_binops {
    ($t:ident: $add:ident, $sub:ident, $mul:ident, $div:ident) => {
        x86_binops!(@one $t, Add, add, $add);
        x86_binops!(@one $t, Sub, sub, $sub);
        x86_binops!(@one $t, Mul, mul, $mul);
        x86_binops!(@one $t, Div, div, $div);
    };
    (@one $t:ident, $tr:ident, $f:ident, $intr:ident) => {
        impl core::ops::$tr for $t {
            type Output = $t;
            #[inline(always)]
            fn $f(self, rhs: $t) -> $t {
                // SAFETY: values of this type exist only inside this backend's
                // `#[target_feature]` entry point, reached with the level's proof token
                // (module docs); the intrinsic has no memory access.
                $t(unsafe { $intr(self.0, rhs.0) })
            }
        }
    };
}

/// The backend's entry point: `run(proof, op)` runs `op` with lane types `$v` (`f32`) and `$w`
/// (`f64`) inside a function compiled for `$feat`.
macro_rules! x86_entry {
    ($proof:ty, $feat:literal, $v:ty, $w:ty) => {
        /// Runs `op` with this backend's lanes; its whole (inlined) body is compiled for the
        /// backend's features.
        #[inline(always)]
        pub(super) fn run<Op: super::WithLanes>(_proof: $proof, op: Op) -> Op::Output {
            /// # Safety
            /// The CPU must support every feature in the `target_feature` list.
            #[target_feature(enable = $feat)]
            unsafe fn entry<Op: super::WithLanes>(op: Op) -> Op::Output {
                op.run::<$v, $w>()
            }
            // SAFETY: the proof token exists only after run-time detection reported these
            // features (`crate::level`).
            unsafe { entry(op) }
        }
    };
}
