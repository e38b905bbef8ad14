//! Ad-hoc benchmark: stream a preset into a safetensors file vs. initialize it in memory.
//!
//! ```text
//! cargo run --release --example write_bench -- file gpt2-xl /path/out.safetensors [f32|bf16] [nosync]
//! cargo run --release --example write_bench -- mem  gpt2-xl [f32|bf16]
//! ```
//!
//! `file` writes the model with `glorot::io::write_safetensors`; `mem` allocates and fills
//! every tensor in memory (all held at once, as a training process would). Both print the
//! wall time and the peak anonymous memory (RssAnon, sampled from /proc/self/status every
//! 5 ms). Compare `file` with `mem` + `dd if=/dev/zero bs=1M count=… [conv=fsync]` of the same
//! byte count.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use glorot::io::{tensor_specs, write_safetensors, TensorSpec, WriteOptions};
use glorot::model::presets;
use glorot::{bf16, DType, Key};

fn rss_anon_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn alloc(s: &TensorSpec, key: &Key) -> Box<dyn std::any::Any> {
    let k = key.tensor(&s.name);
    match s.dtype {
        DType::F32 => Box::new(s.init.alloc::<f32>(&s.shape, s.layout, &k).unwrap()),
        DType::BF16 => Box::new(s.init.alloc::<bf16>(&s.shape, s.layout, &k).unwrap()),
        d => panic!("{d} not wired in this benchmark"),
    }
}

/// The alternative design, for comparison only: map the whole file and fill tensors in place.
/// (No temporary name or error cleanup; the library's writer uses positioned writes.)
fn mmap_write(path: &std::path::Path, specs: &[TensorSpec], key: &Key) {
    use std::os::unix::io::AsRawFd;
    let all: Vec<usize> = (0..specs.len()).collect();
    let layout = glorot::io::FileLayout::new(specs, &all, &[]).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .unwrap();
    let len = layout.file_len as usize;
    // SAFETY: ad-hoc benchmark; the file is ours, sized before mapping, unmapped at the end.
    unsafe {
        assert_eq!(
            libc::posix_fallocate(file.as_raw_fd(), 0, len as libc::off_t),
            0
        );
        let p = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        );
        assert_ne!(p, libc::MAP_FAILED);
        let map = std::slice::from_raw_parts_mut(p as *mut u8, len);
        map[..layout.header.len()].copy_from_slice(&layout.header);
        for pl in &layout.placements {
            let s = &specs[pl.spec];
            let dst = &mut map[pl.start as usize..(pl.start + pl.len) as usize];
            let dist = s.distribution().unwrap();
            let k = key.tensor(&s.name);
            match s.dtype {
                DType::F32 => glorot::fill(bytemuck::cast_slice_mut::<u8, f32>(dst), &dist, &k),
                DType::BF16 => glorot::fill(bytemuck::cast_slice_mut::<u8, bf16>(dst), &dist, &k),
                d => panic!("{d}"),
            }
            .unwrap();
        }
        assert_eq!(libc::msync(p, len, libc::MS_SYNC), 0);
        libc::munmap(p, len);
    }
    file.sync_all().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("file");
    let model = args.get(1).map(String::as_str).unwrap_or("gpt2-xl");
    let dtype_arg = if mode == "file" || mode == "mmap" {
        args.get(3)
    } else {
        args.get(2)
    };
    let dtype = DType::parse(dtype_arg.map(String::as_str).unwrap_or("f32")).unwrap();
    let specs = tensor_specs(
        presets::preset(model).expect("unknown preset").params,
        dtype,
    );
    let bytes: u64 = specs.iter().map(|s| s.byte_len()).sum();
    let key = Key::new(0);

    let peak = AtomicU64::new(rss_anon_kib());
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_anon_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let t0 = Instant::now();
        match mode {
            "file" => {
                let out = std::path::PathBuf::from(args.get(2).expect("output path"));
                let no_sync = args.iter().any(|a| a == "nosync");
                let opts = WriteOptions {
                    no_sync,
                    ..Default::default()
                };
                write_safetensors(&out, &specs, &key, opts).unwrap();
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "file {model} {dtype} {:.3} GB{}: {secs:.2} s, {:.2} GB/s",
                    bytes as f64 / 1e9,
                    if no_sync { " (no fsync)" } else { " (fsync)" },
                    bytes as f64 / secs / 1e9
                );
            }
            "mmap" => {
                let out = std::path::PathBuf::from(args.get(2).expect("output path"));
                mmap_write(&out, &specs, &key);
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "mmap {model} {dtype} {:.3} GB (msync): {secs:.2} s, {:.2} GB/s",
                    bytes as f64 / 1e9,
                    bytes as f64 / secs / 1e9
                );
            }
            "mem" => {
                let held: Vec<_> = specs.iter().map(|s| alloc(s, &key)).collect();
                let secs = t0.elapsed().as_secs_f64();
                println!(
                    "mem  {model} {dtype} {:.3} GB: {secs:.2} s, {:.2} GB/s ({} tensors held)",
                    bytes as f64 / 1e9,
                    bytes as f64 / secs / 1e9,
                    held.len()
                );
            }
            m => panic!("unknown mode {m}"),
        }
        done.store(true, Ordering::Relaxed);
    });
    println!(
        "peak RssAnon {:.1} MiB; model bytes {bytes}",
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
}
