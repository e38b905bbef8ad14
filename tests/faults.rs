//! Fault injection against the `glorot` binary: signals during the write and during the final
//! fsync, kill -9 and the stale temporary it leaves, a full disk, a file-size limit, an
//! address-space limit, read-only and write-protected targets, a device node and a FIFO at
//! `--out`.
//!
//! Every case asserts the exit code, exactly one clear line on stderr, that an existing file
//! at `--out` keeps its bytes (checksum) and mode, that nothing partial appears under the final
//! name, and that no temporary file is left (or, after kill -9, that the next run removes it
//! and says so).
//!
//! The windows signals are sent into are made reachable deterministically by the binary's
//! test-only hook `GLOROT_TEST_PAUSE_AT=write|fsync|rename` (it prints `glorot-test: paused at
//! STAGE` and waits until a signal arrives). Cases that need root (tmpfs mounts, `unshare`,
//! device nodes) print `SKIPPED …` and pass when run unprivileged; CI runs this file as root
//! with `GLOROT_REQUIRE_FAULTS=1`, which turns every skip into a failure.

#![cfg(unix)]

#[path = "common/signals.rs"]
mod signals;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_glorot");

fn tmpdir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("glorot-faults-{tag}-"))
        .tempdir()
        .unwrap()
}

/// A case that cannot run here: a failure when `GLOROT_REQUIRE_FAULTS` is set (CI, as root),
/// otherwise a printed skip.
fn skip(why: &str) {
    assert!(
        std::env::var_os("GLOROT_REQUIRE_FAULTS").is_none(),
        "GLOROT_REQUIRE_FAULTS is set but {why}"
    );
    println!("SKIPPED {why}");
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// FNV-1a 64 of a file's bytes: enough to see that not one byte changed.
fn checksum(p: &Path) -> u64 {
    std::fs::read(p)
        .unwrap()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// An existing file at the output path, with its checksum and mode.
struct Precious {
    path: PathBuf,
    sum: u64,
    mode: u32,
}

impl Precious {
    fn new(path: PathBuf, mode: u32) -> Self {
        std::fs::write(&path, b"precious bytes that must survive").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        Precious {
            sum: checksum(&path),
            mode,
            path,
        }
    }

    fn assert_intact(&self) {
        assert_eq!(checksum(&self.path), self.sum, "existing file changed");
        assert_eq!(mode(&self.path), self.mode, "existing file's mode changed");
    }
}

/// Names in `dir` (hidden ones included).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn temporaries(dir: &Path) -> Vec<String> {
    listing(dir)
        .into_iter()
        .filter(|n| n.contains(".glorot-tmp-"))
        .collect()
}

/// stderr without the test hook's own lines.
fn stderr_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.starts_with("glorot-test:"))
        .map(str::to_string)
        .collect()
}

fn assert_one_line(o: &Output, code: i32, contains: &str) {
    let lines = stderr_lines(o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit status {:?}, stderr {lines:?}",
        o.status
    );
    assert_eq!(lines.len(), 1, "not one line: {lines:?}");
    assert!(lines[0].starts_with("glorot: error: "), "{lines:?}");
    assert!(lines[0].contains(contains), "{lines:?} lacks {contains:?}");
    assert!(!lines[0].contains("panicked"), "{lines:?}");
}

fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    signals::default_cancel_signals(&mut c);
    c.args(args).stdin(Stdio::null());
    for v in [
        "RANK",
        "WORLD_SIZE",
        "GLOROT_TEST_PAUSE_AT",
        "GLOROT_TEST_PAUSE_MS",
    ] {
        c.env_remove(v);
    }
    c
}

fn init_args<'a>(out: &'a str, model: &'a str) -> Vec<&'a str> {
    vec!["init", "--model", model, "--out", out, "--quiet"]
}

/// A write held at a stage: the child, what it printed before pausing, and a thread draining
/// the rest of its stderr.
struct Paused {
    child: Child,
    early: String,
    rest: std::thread::JoinHandle<String>,
}

/// Starts a write held at `stage` and returns once the binary reports it is paused there.
fn start_paused(args: &[&str], stage: &str) -> Paused {
    let mut child = cmd(args)
        .env("GLOROT_TEST_PAUSE_AT", stage)
        .env("GLOROT_TEST_PAUSE_MS", "60000")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut early = String::new();
    let mut r = BufReader::new(child.stderr.take().unwrap());
    let want = format!("glorot-test: paused at {stage}");
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).unwrap();
        assert!(n > 0, "exited before pausing at {stage}: {early:?}");
        if line.trim_end() == want {
            break;
        }
        early.push_str(&line);
    }
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut r, &mut s);
        s
    });
    Paused { child, early, rest }
}

fn signal_and_wait(p: Paused, sig: libc::c_int) -> Output {
    let Paused {
        mut child,
        mut early,
        rest,
    } = p;
    // SAFETY: plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    let status = child.wait().unwrap();
    early.push_str(&rest.join().unwrap());
    Output {
        status,
        stdout: Vec::new(),
        stderr: early.into_bytes(),
    }
}

#[test]
fn every_cancelling_signal_during_write_and_fsync_keeps_the_existing_file() {
    let cases = [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
        (libc::SIGQUIT, 131),
    ];
    for stage in ["write", "fsync", "rename"] {
        for (sig, code) in cases {
            let dir = tmpdir("sig");
            let out = dir.path().join("mlp.safetensors");
            let old = Precious::new(out.clone(), 0o640);
            let p = start_paused(&init_args(out.to_str().unwrap(), "mlp"), stage);
            assert!(
                !temporaries(dir.path()).is_empty(),
                "the write is under way"
            );
            let o = signal_and_wait(p, sig);
            assert_one_line(&o, code, "cancelled before");
            assert!(stderr_lines(&o)[0].contains("mlp.safetensors"));
            old.assert_intact();
            assert_eq!(
                listing(dir.path()),
                vec!["mlp.safetensors"],
                "{stage} {sig}"
            );
        }
    }
}

#[test]
fn a_new_output_never_appears_after_a_signal() {
    let dir = tmpdir("sig-new");
    let out = dir.path().join("new.safetensors");
    let p = start_paused(&init_args(out.to_str().unwrap(), "mlp"), "fsync");
    let o = signal_and_wait(p, libc::SIGTERM);
    assert_one_line(&o, 143, "cancelled before");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

#[test]
fn kill_9_leaves_a_recognizable_temporary_that_the_next_run_removes() {
    let dir = tmpdir("kill9");
    let out = dir.path().join("mlp.safetensors");
    let old = Precious::new(out.clone(), 0o600);
    let args = init_args(out.to_str().unwrap(), "mlp");
    let p = start_paused(&args, "write");
    let o = signal_and_wait(p, libc::SIGKILL);
    assert_eq!(o.status.code(), None, "killed by the signal");
    old.assert_intact();
    let left = temporaries(dir.path());
    assert_eq!(left.len(), 1, "{:?}", listing(dir.path()));
    assert!(
        left[0].starts_with(".mlp.safetensors.glorot-tmp-"),
        "{left:?}"
    );

    // The next run of the same output removes it and says so.
    let o = cmd(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&left[0]) && err.contains("removed"),
        "the removal is reported: {err}"
    );
    assert_eq!(listing(dir.path()), vec!["mlp.safetensors"]);
    assert_eq!(mode(&out), 0o600, "the replaced file keeps its mode");
    assert_ne!(checksum(&out), old.sum);
}

#[test]
fn stale_temporaries_of_live_processes_and_other_outputs_are_kept() {
    let dir = tmpdir("stale");
    let out = dir.path().join("m.safetensors");
    // pid 1 is alive; another output's temporary; a file that only looks similar.
    let keep = [
        ".m.safetensors.glorot-tmp-1-0000abcd".to_string(),
        ".other.safetensors.glorot-tmp-999999999-0000abcd".to_string(),
        ".m.safetensors.glorot-tmp-999999999-notahex!".to_string(),
    ];
    for k in &keep {
        std::fs::write(dir.path().join(k), b"x").unwrap();
    }
    let gone = ".m.safetensors.glorot-tmp-999999999-0123abcd";
    std::fs::write(dir.path().join(gone), b"x").unwrap();
    let removed = glorot::io::remove_stale_temporaries(&out).unwrap();
    assert_eq!(removed, vec![dir.path().join(gone)]);
    let mut want: Vec<String> = keep.to_vec();
    want.sort();
    assert_eq!(listing(dir.path()), want);
}

#[test]
fn write_protected_target_needs_force_and_keeps_its_mode() {
    let dir = tmpdir("wp");
    let out = dir.path().join("ro.safetensors");
    let old = Precious::new(out.clone(), 0o444);
    let s = out.to_str().unwrap();
    let o = cmd(&init_args(s, "mlp")).output().unwrap();
    assert_one_line(&o, 2, "write-protected");
    old.assert_intact();
    assert_eq!(listing(dir.path()), vec!["ro.safetensors"]);

    let mut args = init_args(s, "mlp");
    args.push("--force");
    let o = cmd(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(checksum(&out), old.sum, "replaced with --force");
    assert_eq!(mode(&out), 0o444, "the mode is kept");
    assert_eq!(listing(dir.path()), vec!["ro.safetensors"]);
}

#[test]
fn fifo_and_symlink_are_refused_before_writing() {
    let dir = tmpdir("kinds");
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let target = Precious::new(dir.path().join("target"), 0o644);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target.path, &link).unwrap();
    // An existing directory or a trailing slash is a Hugging Face model directory since the
    // model-directory work (tests/hf.rs covers them); a FIFO and a symbolic link are refused.
    for (out, what) in [
        (fifo.to_str().unwrap(), "is a FIFO"),
        (link.to_str().unwrap(), "is a symbolic link"),
    ] {
        let t0 = std::time::Instant::now();
        let o = cmd(&init_args(out, "gpt2")).output().unwrap();
        assert_one_line(&o, 2, what);
        assert!(
            t0.elapsed().as_secs_f64() < 5.0,
            "refused before writing GPT-2"
        );
    }
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    target.assert_intact();
    assert_eq!(listing(&sub), Vec::<String>::new());
    assert_eq!(
        listing(dir.path()),
        vec!["fifo", "link", "sub", "target"],
        "no temporaries"
    );
    // A file where a shard directory should be.
    let o = cmd(&[
        "init",
        "--model",
        "mlp",
        "--out",
        target.path.to_str().unwrap(),
        "--shard",
        "0/2",
    ])
    .output()
    .unwrap();
    assert_one_line(&o, 2, "is not a directory");
    target.assert_intact();
}

#[test]
fn device_node_at_out_is_never_replaced() {
    if !is_root() {
        skip("device-node test: mknod needs root");
        return;
    }
    let dir = tmpdir("dev");
    let dev = dir.path().join("null");
    let c = std::ffi::CString::new(dev.to_str().unwrap()).unwrap();
    // SAFETY: valid NUL-terminated path; makes a character device 1:3 (/dev/null's numbers).
    let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if rc != 0 {
        skip(&format!(
            "device-node test: mknod failed ({})",
            std::io::Error::last_os_error()
        ));
        return;
    }
    let o = cmd(&init_args(dev.to_str().unwrap(), "mlp"))
        .output()
        .unwrap();
    assert_one_line(&o, 2, "is a character device");
    assert!(std::fs::symlink_metadata(&dev)
        .unwrap()
        .file_type()
        .is_char_device());
    assert_eq!(listing(dir.path()), vec!["null"]);
}

/// Runs `script` as root in a private mount namespace (`unshare -m`), so its mounts vanish with
/// it; `None` (after printing why) where that is not possible.
fn in_mount_namespace(tag: &str, script: &str) -> Option<Output> {
    if !is_root() {
        skip(&format!("{tag}: needs root for unshare -m and mount"));
        return None;
    }
    let probe = Command::new("unshare")
        .args(["-m", "--propagation", "private", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        skip(&format!("{tag}: unshare -m is not available here"));
        return None;
    }
    Some(
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", script])
            .env("GLOROT", BIN)
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    )
}

/// The script's report: the glorot exit status, its stderr, and the directory listing and
/// checksum of the existing file, printed by the script before the mount vanishes.
fn report(o: &Output) -> (i32, String, String) {
    let s = String::from_utf8_lossy(&o.stdout).into_owned();
    let code = s
        .lines()
        .find_map(|l| l.strip_prefix("rc="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no rc in {s:?}; stderr {}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
    (code, String::from_utf8_lossy(&o.stderr).into_owned(), s)
}

#[test]
fn disk_full_on_a_small_tmpfs() {
    let dir = tmpdir("full");
    let mnt = dir.path().display().to_string();
    let script = format!(
        "mount -t tmpfs -o size=4m tmpfs {mnt} || exit 99
         printf keep > {mnt}/mlp.safetensors && chmod 640 {mnt}/mlp.safetensors
         \"$GLOROT\" init --model mlp --out {mnt}/mlp.safetensors --quiet; echo rc=$?
         ls -a {mnt}; cat {mnt}/mlp.safetensors; echo; stat -c mode=%a {mnt}/mlp.safetensors"
    );
    let Some(o) = in_mount_namespace("disk-full test", &script) else {
        return;
    };
    let (code, err, out) = report(&o);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("mlp.safetensors"),
        "{err}"
    );
    assert!(!out.contains("glorot-tmp-"), "{out}");
    assert!(
        out.contains("\nkeep\n") && out.contains("mode=640"),
        "{out}"
    );
}

#[test]
fn read_only_file_system() {
    let dir = tmpdir("rofs");
    let mnt = dir.path().display().to_string();
    let script = format!(
        "mount -t tmpfs -o size=16m tmpfs {mnt} || exit 99
         printf keep > {mnt}/mlp.safetensors
         mount -o remount,ro {mnt} || exit 98
         \"$GLOROT\" init --model mlp --out {mnt}/mlp.safetensors --quiet --force; echo rc=$?
         \"$GLOROT\" init --model mlp --out {mnt}/new.safetensors --quiet; echo rc2=$?
         ls -a {mnt}; cat {mnt}/mlp.safetensors; echo"
    );
    let Some(o) = in_mount_namespace("read-only file system test", &script) else {
        return;
    };
    let (code, err, out) = report(&o);
    // An existing file: refused before writing (even with --force), a usage error.
    assert_eq!(code, 2, "{err}");
    // A new file: creating the temporary fails, a runtime error.
    assert!(out.contains("rc2=1"), "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].contains("mlp.safetensors: is on a read-only file system"),
        "{err}"
    );
    assert!(
        lines[1].contains("new.safetensors") && lines[1].contains("Read-only file system"),
        "{err}"
    );
    assert!(
        out.contains("\nkeep\n") && !out.contains("glorot-tmp-"),
        "{out}"
    );
}

#[test]
fn file_size_limit() {
    let dir = tmpdir("fsize");
    let out = dir.path().join("mlp.safetensors");
    let old = Precious::new(out.clone(), 0o600);
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 1024 && exec {BIN} init --model mlp --out {} --quiet",
            out.display()
        ))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_one_line(&o, 1, "mlp.safetensors");
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("glorot-tmp-"),
        "names --out, not the temporary"
    );
    old.assert_intact();
    assert_eq!(listing(dir.path()), vec!["mlp.safetensors"]);
}

#[test]
fn address_space_limit_is_an_error_not_an_abort() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        skip("address-space test: no prlimit");
        return;
    }
    let dir = tmpdir("as");
    let out = dir.path().join("mlp.safetensors");
    let old = Precious::new(out.clone(), 0o644);
    // From "cannot even start threads" to "cannot allocate the write buffers" to success:
    // every outcome is a clean one-line error or a complete file, never an abort.
    let mut saw_error = false;
    // Limits are counted from the executable's own size: below it the kernel cannot even map
    // the image and kills the process during exec (SIGSEGV before any glorot code runs), which
    // says nothing about glorot. The binary outgrew a fixed 8 MiB floor at 8.4 MB.
    let image = std::fs::metadata(BIN).unwrap().len().div_ceil(1 << 20);
    for mb in [1u64, 2, 4, 6, 8, 16, 56].map(|extra| image + extra) {
        let o = Command::new("prlimit")
            .arg(format!("--as={}", mb << 20))
            .arg(BIN)
            .args(["init", "--model", "mlp", "--dtype", "f64", "--out"])
            .arg(&out)
            .arg("--quiet")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if err.contains("error while loading shared libraries") {
            continue; // too small for the dynamic loader: glorot never ran
        }
        match o.status.code() {
            Some(0) => break,
            Some(1) => {
                saw_error = true;
                assert_eq!(err.trim_end().lines().count(), 1, "{mb} MiB: {err}");
                assert!(
                    err.contains("out of memory") || err.contains("could not start worker threads"),
                    "{mb} MiB: {err}"
                );
                old.assert_intact();
            }
            other => panic!("{mb} MiB: exit {other:?}: {err}"),
        }
        assert_eq!(temporaries(dir.path()), Vec::<String>::new(), "{mb} MiB");
    }
    assert!(saw_error, "some limit must make the write fail");
}

#[test]
fn hostile_specs_fail_fast_with_one_line() {
    let dir = tmpdir("spec");
    let out = dir.path().join("o.safetensors");
    let o = out.to_str().unwrap();
    let t0 = std::time::Instant::now();
    let r = cmd(&["init", "--spec", "/dev/zero", "--out", o])
        .output()
        .unwrap();
    assert_one_line(&r, 1, "NUL");
    assert!(t0.elapsed().as_secs_f64() < 2.0);
    let bad = dir.path().join("bad.json");
    for (text, want) in [
        (&b"{\"tensors\": [\xff]}"[..], "invalid UTF-8 at byte 13"),
        (
            br#"{"tensors":[{"name":"a","shape":[2],"init":"normal","std":1,"std":2}]}"#,
            "key `std` appears twice",
        ),
        (
            br#"{"tensors":[{"name":"__metadata__","shape":[2],"init":"zeros"}]}"#,
            "reserved",
        ),
        (
            br#"{"tensors":[{"name":"a","shape":[2],"init":"zeros","in_axis":0,"out_axis":1}]}"#,
            "uses no fans",
        ),
        (
            br#"{"tensors":[{"name":"a","shape":[4611686018427387904],"init":"zeros"},{"name":"b","shape":[4611686018427387904],"init":"zeros"}]}"#,
            "more than any file can hold",
        ),
        // Values the dtype cannot hold: errors naming the field, never saturated or constant.
        (
            br#"{"tensors":[{"name":"c","shape":[2],"init":"constant","val":70000,"dtype":"f16"}]}"#,
            "tensor `c`: field `val`: the dtype cannot hold",
        ),
        (
            br#"{"tensors":[{"name":"n","shape":[2],"init":"normal","mean":1e6,"dtype":"f16"}]}"#,
            "tensor `n`: field `mean`/`std`: the dtype cannot hold",
        ),
        (
            br#"{"tensors":[{"name":"s","shape":[2],"init":"normal","mean":1,"std":1e-9}]}"#,
            "tensor `s`: field `std`: every sample would round to the same value",
        ),
        (
            br#"{"tensors":[{"name":"k","shape":[4,4],"init":"kaiming_uniform","a":1e100}]}"#,
            "tensor `k`: field `a`: every sample would round to the same value",
        ),
        (
            br#"{"tensors":[{"name":"k","shape":[4,4],"init":"kaiming_uniform","a":1e200}]}"#,
            "tensor `k`: field `a`: negative_slope must be finite, and its square too",
        ),
        (
            b"{\"tensors\":[{\"name\":\"a\\u001b[2J\",\"shape\":[2,2],\"init\":\"xavier_uniform\",\"gain\":-1}]}",
            "tensor `a\\u{1b}[2J`: field `gain`",
        ),
    ] {
        std::fs::write(&bad, text).unwrap();
        let r = cmd(&["init", "--spec", bad.to_str().unwrap(), "--out", o])
            .output()
            .unwrap();
        assert_one_line(&r, 1, want);
        assert!(!r.stderr.contains(&0x1b), "no raw escape reaches the terminal");
    }
    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 << 20).unwrap();
    let r = cmd(&["init", "--spec", big.to_str().unwrap(), "--out", o])
        .output()
        .unwrap();
    assert_one_line(&r, 1, "at most 67108864 bytes");
    assert!(listing(dir.path()).iter().all(|n| n != "o.safetensors"));
}

#[test]
fn long_output_names_and_escaped_tensor_names() {
    let dir = tmpdir("names");
    // Legal names up to NAME_MAX (255 bytes): the temporary's suffix must not push them over.
    for len in [235usize, 250, 255] {
        let name = format!("{}.safetensors", "n".repeat(len - 12));
        assert_eq!(name.len(), len);
        let out = dir.path().join(&name);
        let o = cmd(&init_args(out.to_str().unwrap(), "mlp"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{len}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.is_file());
    }
    assert!(temporaries(dir.path()).is_empty());
    // A tensor name with a terminal escape sequence reaches neither stdout nor stderr raw.
    let spec = dir.path().join("esc.json");
    std::fs::write(
        &spec,
        "{\"tensors\":[{\"name\":\"w\\u001b]0;owned\\u0007\\u001b[2J\",\"shape\":[4,3],\"init\":\"xavier_uniform\"}]}",
    )
    .unwrap();
    let out = dir.path().join("esc.safetensors");
    let o = cmd(&[
        "init",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--table",
    ])
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("w\\u{1b}]0;owned\\u{7}\\u{1b}[2J"),
        "{table}"
    );
    assert!(!o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07));
}
