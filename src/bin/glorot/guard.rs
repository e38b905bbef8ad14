//! What stands between hostile input or an interrupted run and the writer: signals, the exit-code
//! scheme, bounded reading of `--spec`, the duplicate-key check of its JSON, the demo's
//! private scratch directory, and the test-only pause hook.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Set by SIGINT, SIGTERM, SIGHUP or SIGQUIT; the writer polls it and cleans up.
pub static CANCEL: AtomicBool = AtomicBool::new(false);
/// The first of those signals that arrived (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Exit codes: success 0, runtime failure 1 (bad spec content, I/O, disk full …), usage
/// error 2 (bad flag, bad --shard, unusable --out), and 128 + N when signal N cancelled the run
/// (130 for Ctrl-C, 129 for a hang-up, 131 for SIGQUIT, 143 for SIGTERM), as shells report.
pub const EXIT_RUNTIME: u8 = 1;
/// See [`EXIT_RUNTIME`].
pub const EXIT_USAGE: u8 = 2;

#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    let _ = SIGNAL.compare_exchange(0, sig, Ordering::Relaxed, Ordering::Relaxed);
    CANCEL.store(true, Ordering::Relaxed);
}

/// SIGINT, SIGTERM, SIGHUP (a dropped ssh session) and SIGQUIT all cancel the write cleanly.
/// A signal the run was started with ignored (`nohup`, a background job) stays ignored.
/// SIGXFSZ is ignored so that a file-size limit becomes an EFBIG error the writer reports.
pub fn install_signal_handlers() {
    #[cfg(unix)]
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        // SAFETY: sigaction with a null new action only reads the current disposition into
        // `old`; the handler installed afterwards only stores to atomics, which is
        // async-signal-safe.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let h = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::signal(sig, h);
        }
    }
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN has no memory effects.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// 128 + the signal that cancelled the run (130 if it was cancelled otherwise).
pub fn cancel_exit_code() -> u8 {
    match SIGNAL.load(Ordering::Relaxed) {
        s @ 1..=127 => 128 + s as u8,
        _ => 130,
    }
}

/// The largest `--spec` file read: 64 MiB (a spec of a million tensors is about 100 MB less
/// than that; real models need a few hundred KB).
pub const MAX_SPEC_BYTES: usize = 64 << 20;
/// The most JSON values (numbers, strings, lists, objects …) a spec may hold: bounds the
/// parser's memory at a few hundred MiB whatever the file.
pub const MAX_SPEC_VALUES: usize = 8_000_000;

/// Reads `path` as a spec's text: at most [`MAX_SPEC_BYTES`], failing at the first NUL byte or
/// invalid UTF-8 sequence (so `/dev/zero` or a binary file is rejected at once, not after
/// filling memory), and stopping when a signal arrives.
pub fn read_spec(path: &Path) -> Result<String, String> {
    let shown = glorot::io::printable(&path.to_string_lossy()).into_owned();
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("could not read spec {shown}: {e}"))?;
    if let Ok(m) = f.metadata() {
        if m.is_dir() {
            return Err(format!("spec {shown} is a directory"));
        }
        if m.is_file() && m.len() > MAX_SPEC_BYTES as u64 {
            return Err(format!(
                "spec {shown} is {} bytes; specs may be at most {MAX_SPEC_BYTES} bytes (64 MiB)",
                m.len()
            ));
        }
    }
    let mut text: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut checked = 0usize; // bytes known to be valid UTF-8
    loop {
        if CANCEL.load(Ordering::Relaxed) {
            return Err(format!("cancelled while reading spec {shown}"));
        }
        let n = match f.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("could not read spec {shown}: {e}")),
        };
        if text.len() + n > MAX_SPEC_BYTES {
            return Err(format!(
                "spec {shown} is larger than {MAX_SPEC_BYTES} bytes (64 MiB), the most a spec may be"
            ));
        }
        if text.try_reserve(n).is_err() {
            return Err(format!("out of memory reading spec {shown}"));
        }
        text.extend_from_slice(&chunk[..n]);
        if let Some(i) = text[checked..].iter().position(|&b| b == 0) {
            return Err(format!(
                "spec {shown}: byte {} is NUL; a spec is JSON text",
                checked + i
            ));
        }
        match std::str::from_utf8(&text[checked..]) {
            Ok(_) => checked = text.len(),
            Err(e) if e.error_len().is_none() => checked += e.valid_up_to(), // cut mid-character
            Err(e) => {
                return Err(format!(
                    "spec {shown}: invalid UTF-8 at byte {}; a spec is JSON text",
                    checked + e.valid_up_to()
                ))
            }
        }
    }
    String::from_utf8(text).map_err(|e| {
        format!(
            "spec {shown}: invalid UTF-8 at byte {} (the file ends mid-character)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Checks what `serde_json::Value` would silently accept: a key repeated in one object (the
/// Value keeps the last one), and more than [`MAX_SPEC_VALUES`] values. The error names the
/// key and its line and column.
pub fn check_json(text: &str) -> Result<(), String> {
    use serde::de::DeserializeSeed;
    let count = std::cell::Cell::new(0usize);
    let mut de = serde_json::Deserializer::from_str(text);
    Guard { count: &count }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| format!("invalid JSON: {e}"))
}

#[derive(Clone, Copy)]
struct Guard<'a> {
    count: &'a std::cell::Cell<usize>,
}

impl Guard<'_> {
    fn one<E: serde::de::Error>(&self) -> Result<(), E> {
        let n = self.count.get() + 1;
        self.count.set(n);
        if n > MAX_SPEC_VALUES {
            return Err(E::custom(format!(
                "more than {MAX_SPEC_VALUES} JSON values, the most a spec may hold"
            )));
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Guard<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Guard<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.one()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.one()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.one()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.one()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.one()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.one()
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.one()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        self.one()?;
        let mut keys = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            self.one()?;
            if let Some(k) = keys.replace(k) {
                return Err(A::Error::custom(format!(
                    "key `{}` appears twice in one object",
                    glorot::io::printable(&k)
                )));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// A new private directory `$TMPDIR/glorot-demo-XXXXXX` (`mkdtemp`: a fresh unpredictable
/// name, created exclusively with mode 0700), so nothing planted at a guessable path is ever
/// used or deleted.
pub fn private_scratch_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir().join("glorot-demo-XXXXXX");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let mut t = std::ffi::CString::new(base.as_os_str().as_bytes())
            .map_err(|_| "TMPDIR contains a NUL byte".to_string())?
            .into_bytes_with_nul();
        // SAFETY: `t` is a writable NUL-terminated buffer ending in "XXXXXX", as mkdtemp needs;
        // it is rewritten in place and not used after `t` is dropped.
        let p = unsafe { libc::mkdtemp(t.as_mut_ptr().cast()) };
        if p.is_null() {
            let e = std::io::Error::last_os_error();
            return Err(format!(
                "could not create a scratch directory in {}: {e}",
                glorot::io::printable(&std::env::temp_dir().to_string_lossy())
            ));
        }
        t.pop();
        Ok(PathBuf::from(std::ffi::OsString::from_vec(t)))
    }
    #[cfg(not(unix))]
    {
        let dir = base.with_file_name(format!("glorot-demo-{}", std::process::id()));
        std::fs::create_dir(&dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        Ok(dir)
    }
}

/// Test-only: `GLOROT_TEST_PAUSE_AT=STAGE[,STAGE…]` (stages `write`, `fsync`, `rename`) holds the
/// writer at those stages for `GLOROT_TEST_PAUSE_MS` milliseconds (default 10000) or until a
/// signal arrives, after printing `glorot-test: paused at STAGE` on stderr. The fault-injection
/// suite (`tests/faults.rs`) uses it to make the windows it signals into reachable; it is not a
/// user feature.
pub fn test_pause(stage: &'static str) {
    use std::sync::OnceLock;
    static CONF: OnceLock<Option<(Vec<String>, u64)>> = OnceLock::new();
    let conf = CONF.get_or_init(|| {
        let at = std::env::var("GLOROT_TEST_PAUSE_AT").ok()?;
        let ms = std::env::var("GLOROT_TEST_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        Some((at.split(',').map(str::to_string).collect(), ms))
    });
    let Some((stages, ms)) = conf else { return };
    if !stages.iter().any(|s| s == stage) {
        return;
    }
    eprintln!("glorot-test: paused at {stage}");
    let t0 = std::time::Instant::now();
    while t0.elapsed().as_millis() < u128::from(*ms) && !CANCEL.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
