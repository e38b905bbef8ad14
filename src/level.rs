//! The one SIMD knob: [`Level`], its run-time detection, the process-wide cap, and the proof
//! tokens the intrinsics code takes.
//!
//! Both the ChaCha generator and the fill kernels pick their instruction set from the same
//! [`Level`]. A requested level is first lowered to what the CPU has and what the cap allows
//! ([`Level::ready`]); the result, [`Ready`], carries a proof token ([`Avx2`], [`Avx512`])
//! for the x86 levels, so code that calls `#[target_feature]` functions can only be reached
//! after detection (the faer/pulp pattern). The bits never depend on the level.

use core::sync::atomic::{AtomicU8, Ordering};

/// Which instruction set the fills run on, lowest first. Every level gives the same bits; a
/// level the CPU lacks falls back to the best one below it.
///
/// | level | ChaCha words | kernels (sample, round, store) |
/// |---|---|---|
/// | `Scalar` | one block at a time | one lane: the reference the others are tested against |
/// | `Portable` | 4-way SSE2 on x86_64, else scalar | `wide` (8 lanes; its instruction set is fixed at compile time: SSE2 by default, AVX2 with `-C target-cpu=x86-64-v3`, NEON on aarch64) |
/// | `Avx2` | 8-way AVX2 | AVX2 + F16C, chosen at run time |
/// | `Avx512` | 16-way AVX-512F (+ 8-way AVX-512VL) | AVX-512F/DQ/VL, chosen at run time |
///
/// [`Level::Avx512`] is the default ([`fill_at`](crate::fill_at) asks for it), so a default
/// (SSE2-baseline) build runs the widest kernels the CPU has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// One element at a time, the same operations in the same order.
    Scalar,
    /// The portable vector path (`wide`), no run-time detection.
    Portable,
    /// AVX2 and F16C (x86, detected at run time).
    Avx2,
    /// AVX-512F, DQ and VL, plus AVX2 and F16C (x86, detected at run time).
    #[default]
    Avx512,
}

impl Level {
    const ALL: [Level; 4] = [Level::Scalar, Level::Portable, Level::Avx2, Level::Avx512];

    /// The highest level this CPU supports (detected once, then cached), ignoring the cap.
    pub fn detected() -> Level {
        // 0 = not yet detected, else 1 + the level.
        static STATE: AtomicU8 = AtomicU8::new(0);
        match STATE.load(Ordering::Relaxed) {
            0 => {
                let l = detect();
                STATE.store(1 + l as u8, Ordering::Relaxed);
                l
            }
            s => Level::ALL[usize::from(s - 1)],
        }
    }

    /// The highest level fills may use now: [`Level::detected`] lowered to the cap.
    pub fn available() -> Level {
        Level::detected().min(Level::ALL[usize::from(CAP.load(Ordering::Relaxed))])
    }

    /// This level lowered to [`Level::available`], with the proof of the CPU features.
    #[inline]
    pub(crate) fn ready(self) -> Ready {
        match self.min(Level::available()) {
            Level::Scalar => Ready::Scalar,
            Level::Portable => Ready::Portable,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Level::Avx2 => Ready::Avx2(Avx2(())),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Level::Avx512 => Ready::Avx512(Avx512(())),
            #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
            _ => Ready::Portable,
        }
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
fn detect() -> Level {
    use std::is_x86_feature_detected as has;
    if !(has!("avx2") && has!("f16c")) {
        return Level::Portable;
    }
    if has!("avx512f") && has!("avx512dq") && has!("avx512vl") {
        Level::Avx512
    } else {
        Level::Avx2
    }
}

#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
fn detect() -> Level {
    Level::Portable
}

/// The process-wide cap, as `Level as u8`. Only the crate's tests, benches and examples lower
/// it (`glorot::internals::cap_level`); the bits never depend on it.
static CAP: AtomicU8 = AtomicU8::new(Level::Avx512 as u8);

/// Caps every later fill and word generation in this process at `level`.
pub(crate) fn set_cap(level: Level) {
    CAP.store(level as u8, Ordering::Relaxed);
}

/// Proof that the CPU runs AVX2 and F16C: only [`Level::ready`] makes one, after detection.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Avx2(());

/// Proof that the CPU runs AVX-512F/DQ/VL, AVX2 and F16C: only [`Level::ready`] makes one.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Avx512(());

/// A [`Level`] the CPU is proven to run, holding the token of its features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ready {
    Scalar,
    Portable,
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx2(Avx2),
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx512(Avx512),
}

impl Ready {
    /// The level this proof stands for.
    #[cfg(test)]
    pub(crate) fn level(self) -> Level {
        match self {
            Ready::Scalar => Level::Scalar,
            Ready::Portable => Level::Portable,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Ready::Avx2(_) => Level::Avx2,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Ready::Avx512(_) => Level::Avx512,
        }
    }

    /// Every level the CPU runs, lowest first (for tests that pin each one).
    #[cfg(test)]
    pub(crate) fn all() -> Vec<Ready> {
        Level::ALL
            .into_iter()
            .filter(|&l| l <= Level::detected())
            .map(Level::ready)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_matches_the_cpu_and_ready_never_exceeds_it() {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        assert_eq!(
            Level::detected() >= Level::Avx2,
            std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("f16c")
        );
        for l in Level::ALL {
            assert!(l.ready().level() <= l.min(Level::detected()));
            assert_eq!(l.ready().level(), l.min(Level::available()));
        }
    }
}
