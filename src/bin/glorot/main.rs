//! `glorot`: initialize models straight into safetensors files.
//!
//! ```text
//! glorot                                   # demo: GPT-2 small into a temporary directory
//! glorot init --model gpt2 --seed 0 --dtype bf16 --out gpt2.safetensors
//! glorot init --spec model.json --seed 0 --dtype f32 --out ckpt/ --shard auto   # one rank
//! glorot list
//! glorot report --out report/                # Glorot & Bengio (2010) figure; --depth: He et al.
//! ```

mod report;
mod spec;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{Parser, Subcommand};
use glorot::io::{
    read_header, tensor_specs, write_planned_shard, write_safetensors, Rank, ShardError, ShardPlan,
    TensorSpec, WriteError, WriteOptions,
};
use glorot::model::presets;
use glorot::{bf16, f16, DType, Distribution, Key};

#[derive(Parser, Debug)]
#[command(
    name = "glorot",
    version,
    about = "Fast, bit-reproducible neural-network weight initialization into safetensors files.",
    long_about = "Fast, bit-reproducible neural-network weight initialization into safetensors \
                  files.\n\nWithout arguments, initializes GPT-2 small into a temporary \
                  directory and prints a per-tensor table and the throughput."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Initialize a model (preset or JSON spec) into a safetensors file or sharded checkpoint.
    Init(InitArgs),
    /// List the built-in models with parameter counts and sizes.
    List,
    /// Variance propagation at initialization (Glorot & Bengio 2010, He et al. 2015):
    /// DIR/report.svg, DIR/report.html and a per-layer table.
    Report(report::ReportArgs),
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["model", "spec"])))]
struct InitArgs {
    /// A built-in model (see `glorot list`).
    #[arg(long)]
    model: Option<String>,
    /// A JSON model spec: {"layout": "torch", "tensors": [{"name": …, "shape": […], "init": …}]}.
    #[arg(long, value_name = "FILE.json")]
    spec: Option<PathBuf>,
    /// The seed; the same seed gives the same bits on any machine and thread count.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Element type: f32, bf16, f16 or f64.
    #[arg(long, default_value = "f32")]
    dtype: String,
    /// Output `.safetensors` file; with --shard, the checkpoint directory.
    #[arg(long)]
    out: PathBuf,
    /// Write only this process's file of a sharded checkpoint: `auto` (from torchrun, Slurm,
    /// Open MPI or PMI variables) or RANK/WORLD, zero-based (0/3, 1/3, 2/3).
    #[arg(long, value_name = "auto|I/N")]
    shard: Option<String>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar or summary.
    #[arg(long)]
    quiet: bool,
    /// Print the per-tensor table after writing.
    #[arg(long)]
    table: bool,
    /// Skip the final fsync.
    #[arg(long)]
    no_sync: bool,
}

/// `println!` that ignores a closed stdout (e.g. `glorot list | head -1`) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Set by SIGINT/SIGTERM; the writer polls it and cleans up.
static CANCEL: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn on_signal(_sig: libc::c_int) {
    CANCEL.store(true, Ordering::Relaxed);
}

fn install_signal_handlers() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe. Ignoring
    // SIGXFSZ turns a file-size limit into an EFBIG error the writer reports cleanly.
    unsafe {
        let h = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, h);
        libc::signal(libc::SIGTERM, h);
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// A failure: the message for stderr and the exit code.
struct Failure(String, u8);

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(s, 1)
    }
}

impl From<WriteError> for Failure {
    fn from(e: WriteError) -> Self {
        let code = if matches!(e, WriteError::Cancelled { .. }) {
            130
        } else {
            1
        };
        Failure(e.to_string(), code)
    }
}

impl From<ShardError> for Failure {
    fn from(e: ShardError) -> Self {
        Failure(e.to_string(), 1)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's message (the lines before its usage block) plus a pointer to
            // --help.
            let text = e.to_string();
            let msg: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!(
                "glorot: error: {} (see glorot --help)",
                msg.join(" ").trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    install_signal_handlers();
    // Never a backtrace: a bug still ends with one line on stderr and a non-zero exit.
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string().replace('\n', " ");
        eprintln!("glorot: internal error (please report): {msg}");
    }));
    let result = match cli.cmd {
        None => demo(),
        Some(Cmd::List) => list(),
        Some(Cmd::Init(args)) => init(args),
        Some(Cmd::Report(args)) => report::run(args).map_err(Failure::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg, code)) => {
            eprintln!("glorot: error: {msg}");
            ExitCode::from(code)
        }
    }
}

fn list() -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<10} {:>15} {:>10} {:>10} {:>8}  description",
        "model", "parameters", "f32", "bf16", "tensors"
    );
    for p in presets::PRESETS {
        let specs = tensor_specs(p.params, DType::F32);
        let n: u64 = specs.iter().map(|s| s.numel() as u64).sum();
        let _ = writeln!(
            out,
            "{:<10} {:>15} {:>10} {:>10} {:>8}  {}",
            p.name,
            group(n),
            human(4 * n),
            human(2 * n),
            specs.len(),
            p.about
        );
    }
    Ok(())
}

fn parse_dtype(s: &str) -> Result<DType, Failure> {
    DType::parse(s).map_err(|_| Failure(format!("unknown --dtype `{s}` (f32, bf16, f16, f64)"), 2))
}

fn load_specs(args: &InitArgs, dtype: DType) -> Result<Vec<TensorSpec>, Failure> {
    if let Some(name) = &args.model {
        let p = presets::preset(name).ok_or_else(|| {
            let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
            Failure(
                format!(
                    "unknown --model `{name}` (built-in: {}; see glorot list)",
                    names.join(", ")
                ),
                2,
            )
        })?;
        return Ok(tensor_specs(p.params, dtype));
    }
    let path = args.spec.as_ref().expect("clap requires --model or --spec");
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| format!("could not read spec {}: {e}", path.display()))?;
    spec::parse(&text, dtype).map_err(|e| Failure(format!("{}: {e}", path.display()), 1))
}

fn init(args: InitArgs) -> Result<(), Failure> {
    let dtype = parse_dtype(&args.dtype)?;
    if let Some(n) = args.threads {
        if n == 0 {
            return Err(Failure("--threads must be at least 1".into(), 2));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("could not start {n} threads: {e}"))?;
    }
    let rank = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(Rank::from_env()?),
        Some(s) => Some(Rank::parse(s)?),
    };
    let specs = load_specs(&args, dtype)?;
    if rank.is_none() && args.out.is_dir() {
        return Err(Failure(
            format!(
                "--out {} is a directory; without --shard it names a .safetensors file",
                args.out.display()
            ),
            2,
        ));
    }
    let key = Key::new(args.seed);
    let meta = vec![("format".to_string(), "pt".to_string())];
    // The one shard plan of this run: it sizes the progress bar, is written, and lists the
    // --table rows.
    let shard = match rank {
        None => None,
        Some(r) => Some((r, ShardPlan::new(&specs, r.world)?)),
    };
    let members: Vec<&TensorSpec> = match &shard {
        None => specs.iter().collect(),
        Some((r, plan)) => plan.files[r.rank].iter().map(|&i| &specs[i]).collect(),
    };
    let total: u64 = members.iter().map(|s| s.byte_len()).sum();
    let show = !args.quiet && std::io::stdout().is_terminal();
    let bar = progress_bar(total, show);
    let progress = |b: u64| bar.inc(b);
    let opts = WriteOptions {
        metadata: &meta,
        no_sync: args.no_sync,
        progress: Some(&progress),
        cancel: Some(&CANCEL),
    };
    let t0 = Instant::now();
    let (file, index) = match shard {
        None => (write_safetensors(&args.out, &specs, &key, opts)?, None),
        Some((r, plan)) => {
            let s = write_planned_shard(&args.out, &specs, plan, &key, r, opts)?;
            (s.file, s.index)
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if !args.quiet {
        outln!(
            "wrote {} ({} tensors, {}) in {:.2} s: {:.2} GB/s",
            file.path.display(),
            file.tensors,
            human(file.data_bytes),
            secs,
            file.data_bytes as f64 / secs / 1e9
        );
        if let Some(i) = index {
            outln!("wrote {}", i.display());
        }
    }
    if args.table {
        print_table(&file.path, &members)?;
    }
    Ok(())
}

/// No arguments: GPT-2 small into a temporary directory, the table, the throughput.
fn demo() -> Result<(), Failure> {
    let specs = tensor_specs(
        presets::preset("gpt2").expect("built-in").params,
        DType::F32,
    );
    let dir = std::env::temp_dir().join(format!("glorot-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let out = dir.join("gpt2.safetensors");
    let total: u64 = specs.iter().map(|s| s.byte_len()).sum();
    outln!(
        "glorot demo: GPT-2 small ({} parameters, f32, seed 0) -> {}",
        group(total / 4),
        out.display()
    );
    let bar = progress_bar(total, std::io::stdout().is_terminal());
    let progress = |b: u64| bar.inc(b);
    let meta = vec![("format".to_string(), "pt".to_string())];
    let opts = WriteOptions {
        metadata: &meta,
        progress: Some(&progress),
        cancel: Some(&CANCEL),
        ..Default::default()
    };
    let t0 = Instant::now();
    let res = write_safetensors(&out, &specs, &Key::new(0), opts);
    let secs = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let file = match res {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e.into());
        }
    };
    let block = "transformer.h.";
    let shown: Vec<&TensorSpec> = specs
        .iter()
        .filter(|s| !s.name.starts_with(block) || s.name.starts_with("transformer.h.0."))
        .collect();
    let table = print_table(&out, &shown);
    outln!(
        "(blocks {block}1 … {block}11 have the same rows as {block}0; std is the distribution's \
         exact one, measured is read back from the file over the first ≤ 1M elements of each \
         tensor)"
    );
    outln!(
        "wrote {} tensors, {} in {:.3} s: {:.2} GB/s (fsync included; {} threads)",
        file.tensors,
        human(file.data_bytes),
        secs,
        file.data_bytes as f64 / secs / 1e9,
        rayon::current_num_threads()
    );
    let _ = std::fs::remove_dir_all(&dir);
    outln!("(temporary directory removed; write your own with `glorot init --model gpt2 --out gpt2.safetensors`)");
    table
}

fn progress_bar(total: u64, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Reads up to `max` leading elements of every tensor back from the file (through its own
/// header) and prints the table.
fn print_table(path: &Path, specs: &[&TensorSpec]) -> Result<(), Failure> {
    let offsets = read_offsets(path)?;
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let mut out = std::io::stdout().lock();
    let width = specs.iter().map(|s| s.name.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        out,
        "{:<width$} {:<14} {:<5} {:<16} {:>7} {:>7} {:>18} {:>11} {:>11}",
        "name", "shape", "dtype", "init", "fan_in", "fan_out", "bound/value", "std", "measured"
    );
    for s in specs {
        let (begin, end) = *offsets
            .get(&s.name)
            .ok_or_else(|| format!("{} has no tensor `{}`", path.display(), s.name))?;
        let size = s.dtype.size() as u64;
        let n = ((end - begin) / size).min(1 << 20);
        let mut raw = vec![0u8; (n * size) as usize];
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(begin))
            .and_then(|_| f.read_exact(&mut raw))
            .map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let measured = std_of(&raw, s.dtype);
        let fans = s.resolved_fans();
        let dist = s
            .distribution()
            .map_err(|e| format!("tensor `{}`: {e}", s.name))?;
        let bound = match dist {
            Distribution::Uniform { low, high } if low == -high => format!("U ±{high:.6}"),
            Distribution::Uniform { low, high } => format!("U [{low:.3}, {high:.3})"),
            Distribution::Normal { mean, .. } => format!("N mean {mean}"),
            Distribution::TruncatedNormal { low, high, .. } if low == -high => {
                format!("TN ±{high:.6}")
            }
            Distribution::TruncatedNormal { low, high, .. } => {
                format!("TN ({low:.3}, {high:.3})")
            }
            Distribution::Constant(v) => format!("={v}"),
            _ => "-".into(),
        };
        let std = dist.std();
        let shape = format!("{:?}", s.shape);
        let _ = writeln!(
            out,
            "{:<width$} {:<14} {:<5} {:<16} {:>7} {:>7} {:>18} {:>11.6} {:>11.6}",
            s.name,
            shape,
            s.dtype.to_string(),
            s.init.name(),
            fans.map_or("-".into(), |f| f.fan_in.to_string()),
            fans.map_or("-".into(), |f| f.fan_out.to_string()),
            bound,
            std,
            measured
        );
    }
    Ok(())
}

fn std_of(raw: &[u8], dtype: DType) -> f64 {
    let vals: Vec<f64> = match dtype {
        DType::F32 => raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect(),
        DType::F64 => raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        DType::BF16 => raw
            .chunks_exact(2)
            .map(|c| bf16::from_le_bytes(c.try_into().unwrap()).to_f64())
            .collect(),
        DType::F16 => raw
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes(c.try_into().unwrap()).to_f64())
            .collect(),
    };
    if vals.is_empty() {
        return f64::NAN;
    }
    let n = vals.len() as f64;
    let mean = vals.iter().sum::<f64>() / n;
    (vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Tensor name → absolute (begin, end) byte offsets, from the file's own header.
fn read_offsets(path: &Path) -> Result<std::collections::HashMap<String, (u64, u64)>, Failure> {
    let err = |e: String| Failure(format!("could not read back {}: {e}", path.display()), 1);
    let mut f = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let entries = read_header(&mut f).map_err(|e| err(e.to_string()))?;
    Ok(entries
        .into_iter()
        .map(|e| (e.name, (e.start, e.end)))
        .collect())
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as `12.3 GB` (decimal units).
fn human(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b} B")
    }
}
