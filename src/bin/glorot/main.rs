//! `glorot`: initialize models straight into safetensors files.
//!
//! ```text
//! glorot                                   # demo: GPT-2 small into a temporary directory
//! glorot init --model gpt2 --seed 0 --dtype bf16 --out gpt2.safetensors
//! glorot init --spec model.json --seed 0 --dtype f32 --out ckpt/ --shard auto   # one rank
//! glorot init --hf-config config.json --dtype bf16 --out model/   # a Hugging Face model directory
//! glorot list
//! glorot report --out report/                # Glorot & Bengio (2010) figure; --depth: He et al.
//! ```

#[cfg(test)]
mod fuzz;
mod guard;
mod report;
mod spec;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;

use guard::{CANCEL, EXIT_RUNTIME, EXIT_USAGE};

use clap::{Parser, Subcommand};
use glorot::io::{
    plan_output, printable, read_header, tensor_specs, write_model_dir, write_safetensors, JaxKeys,
    Output, OutputKind, Rank, ShardError, ShardPlan, TensorSpec, WriteError, WriteOptions,
};
use glorot::model::presets;
use glorot::{bf16, f16, DType, DistributionKind, Key};

#[derive(Parser, Debug)]
#[command(
    name = "glorot",
    version,
    about = "Fast, bit-reproducible neural-network weight initialization into safetensors files.",
    long_about = "Fast, bit-reproducible neural-network weight initialization into safetensors \
                  files.\n\nWithout arguments, initializes GPT-2 small into a temporary \
                  directory and prints a per-tensor table and the throughput.",
    after_help = "Exit status: 0 success; 1 runtime failure (bad spec content, I/O error, disk \
                  full); 2 usage error (bad flag, --shard or --out); 128+N when signal N \
                  cancelled the run (130 Ctrl-C, 129 SIGHUP, 131 SIGQUIT, 143 SIGTERM). A failed \
                  or cancelled run leaves nothing under the output name and any existing file \
                  there unchanged."
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
#[command(group(clap::ArgGroup::new("source").required(true).args(["model", "spec", "hf_config"])))]
struct InitArgs {
    /// A built-in model (see `glorot list`).
    #[arg(long)]
    model: Option<String>,
    /// A JSON model spec: {"layout": "torch", "tensors": [{"name": …, "shape": […], "init": …}]}.
    #[arg(long, value_name = "FILE.json")]
    spec: Option<PathBuf>,
    /// A Hugging Face config.json (model_type gpt2, llama, mistral, qwen2, qwen3, gemma or
    /// gpt_neox): the whole checkpoint with transformers' own _init_weights rules.
    #[arg(long, value_name = "config.json")]
    hf_config: Option<PathBuf>,
    /// The seed; the same seed gives the same bits on any machine and thread count.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The random numbers: `glorot` (the crate's streams, one per tensor name) or `jax`
    /// (JAX's threefry PRNG: every tensor is exactly the JAX initializer's output for
    /// jax.random.key(SEED), its shape and dtype; JAX's uniform family, constants, zeros and
    /// ones only; a spec without `layout` is read in JAX's layout (…, in, out)).
    #[arg(long, value_enum, default_value_t = Rng::Glorot)]
    rng: Rng,
    /// With --rng jax, which key each tensor gets: `same` (jax.random.key(SEED) for every
    /// tensor, the literal rule) or `per-tensor` (tensor NAME gets
    /// jax.random.fold_in(jax.random.key(SEED), zlib.crc32(NAME.encode()))).
    #[arg(long, value_enum, value_name = "same|per-tensor")]
    jax_key: Option<JaxKeyMode>,
    /// Element type: f32, bf16, f16 or f64.
    #[arg(long, default_value = "f32")]
    dtype: String,
    /// Output: `FILE.safetensors` (one bare file), or `DIR/` / an existing directory (a
    /// Hugging Face model directory: config.json when known, model.safetensors or the
    /// --shard files and index).
    #[arg(long)]
    out: PathBuf,
    /// Write only this process's file of a sharded checkpoint: `auto` (from torchrun, Slurm,
    /// Open MPI or PMI variables) or RANK/WORLD, zero-based (0/3, 1/3, 2/3).
    #[arg(long, value_name = "auto|I/N")]
    shard: Option<String>,
    /// Worker threads (default: all cores; at most 1024). The output does not depend on it, and
    /// the writer's memory does not grow with it.
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar or summary.
    #[arg(long)]
    quiet: bool,
    /// Print the per-tensor table after writing.
    #[arg(long)]
    table: bool,
    /// Skip the final fsync. DANGEROUS for files you keep: success is then reported while the
    /// data may still be only in memory, so a crash, power loss or writeback error after
    /// exit (e.g. a full network or thin-provisioned volume) can leave zeros or garbage under
    /// the output name — like dd without conv=fsync. For scratch files and benchmarks.
    #[arg(long)]
    no_sync: bool,
    /// Write through the page cache instead of direct I/O (O_DIRECT, used by default where the
    /// file system supports it, so a multi-GB model does not fill the page cache).
    #[arg(long)]
    buffered: bool,
    /// Replace an existing write-protected output file (as rm -f / cp -f). Directories,
    /// devices, FIFOs, sockets and symbolic links at --out are never replaced. In a model
    /// directory, also remove the stale index or shards of an earlier checkpoint that the new
    /// one does not replace, once the new checkpoint is written (without --force they are an
    /// error before anything is written).
    #[arg(long)]
    force: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Rng {
    Glorot,
    Jax,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum JaxKeyMode {
    Same,
    PerTensor,
}

/// `println!` that ignores a closed stdout (e.g. `glorot list | head -1`) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// A failure: the message for stderr and the exit code.
struct Failure(String, u8);

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(s, EXIT_RUNTIME)
    }
}

impl From<WriteError> for Failure {
    fn from(e: WriteError) -> Self {
        let code = match e {
            WriteError::Cancelled { .. } => guard::cancel_exit_code(),
            WriteError::Shard(_) | WriteError::Output { .. } | WriteError::NotJax { .. } => {
                EXIT_USAGE
            }
            _ => EXIT_RUNTIME,
        };
        Failure(e.to_string(), code)
    }
}

/// A run cancelled by a signal before the write started.
fn check_cancel() -> Result<(), Failure> {
    if CANCEL.load(Ordering::Relaxed) {
        return Err(Failure(
            "cancelled; nothing was written".into(),
            guard::cancel_exit_code(),
        ));
    }
    Ok(())
}

impl From<ShardError> for Failure {
    fn from(e: ShardError) -> Self {
        Failure(e.to_string(), EXIT_USAGE)
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
                printable(msg.join(" ").trim_start_matches("error: "))
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    guard::install_signal_handlers();
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
    DType::parse(s).map_err(|_| {
        Failure(
            format!("unknown --dtype `{}` (f32, bf16, f16, f64)", printable(s)),
            EXIT_USAGE,
        )
    })
}

/// The specs, and the config.json to put into a model directory when the source has one.
fn load_specs(args: &InitArgs, dtype: DType) -> Result<(Vec<TensorSpec>, Option<String>), Failure> {
    if let Some(path) = &args.hf_config {
        let model = glorot::hf::HfModel::from_file(path).map_err(|e| e.to_string())?;
        return Ok((model.specs(dtype), Some(hf_config_text(&model, dtype))));
    }
    if let Some(name) = &args.model {
        // Presets Hugging Face has a class for are written from its table: its names and
        // layout (GPT-2's Conv1D weights (in, out)), and a config.json for model directories.
        if let Some(m) = glorot::hf::preset_model(name) {
            return Ok((m.specs(dtype), Some(hf_config_text(&m, dtype))));
        }
        let p = presets::preset(name).ok_or_else(|| {
            let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
            Failure(
                format!(
                    "unknown --model `{}` (built-in: {}; see glorot list)",
                    printable(name),
                    names.join(", ")
                ),
                2,
            )
        })?;
        return Ok((tensor_specs(p.params, dtype), None));
    }
    let Some(path) = args.spec.as_ref() else {
        return Err(Failure("give --model or --spec".into(), EXIT_USAGE));
    };
    let shown = printable(&path.to_string_lossy()).into_owned();
    let text = guard::read_spec(path)?;
    check_cancel()?;
    guard::check_json(&text).map_err(|e| Failure(format!("{shown}: {e}"), EXIT_RUNTIME))?;
    check_cancel()?;
    // JAX mode reads shapes as JAX has them unless the spec says otherwise.
    let layout = match args.rng {
        Rng::Glorot => glorot::Layout::Torch,
        Rng::Jax => glorot::Layout::Jax,
    };
    let specs = spec::parse(&text, dtype, layout)
        .map_err(|e| Failure(format!("{shown}: {e}"), EXIT_RUNTIME))?;
    check_cancel()?;
    Ok((specs, None))
}

/// The config as given, with `dtype` set to what is written (as `save_pretrained` records it).
fn hf_config_text(model: &glorot::hf::HfModel, dtype: DType) -> String {
    let mut v = model.config().clone();
    let name = match dtype {
        DType::F32 => "float32",
        DType::F64 => "float64",
        DType::BF16 => "bfloat16",
        DType::F16 => "float16",
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("dtype".into(), name.into());
        if o.contains_key("torch_dtype") {
            o.insert("torch_dtype".into(), name.into());
        }
    }
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

/// Removes temporaries a killed earlier run left for `out` and says so on stderr.
fn clean_stale(out: &Path) {
    if let Ok(removed) = glorot::io::remove_stale_temporaries(out) {
        for p in removed {
            eprintln!(
                "glorot: removed {}, left behind by an earlier run that was killed",
                printable(&p.to_string_lossy())
            );
        }
    }
}

fn init(args: InitArgs) -> Result<(), Failure> {
    let dtype = parse_dtype(&args.dtype)?;
    if let Some(n) = args.threads {
        if n == 0 || n > 1024 {
            return Err(Failure(
                format!("--threads {n}: must be between 1 and 1024"),
                EXIT_USAGE,
            ));
        }
    }
    let jax = match (args.rng, args.jax_key) {
        (Rng::Glorot, None) => None,
        (Rng::Glorot, Some(_)) => {
            return Err(Failure("--jax-key needs --rng jax".into(), EXIT_USAGE))
        }
        (Rng::Jax, mode) => {
            let key = glorot::jax::JaxKey::from_seed(args.seed);
            Some(match mode.unwrap_or(JaxKeyMode::Same) {
                JaxKeyMode::Same => JaxKeys::Same(key),
                JaxKeyMode::PerTensor => JaxKeys::PerTensor(key),
            })
        }
    };
    start_threads(args.threads)?;
    let rank = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(Rank::from_env()?),
        Some(s) => Some(Rank::parse(s)?),
    };
    // The output path first: a bad --out fails before the spec is even read. `plan_output`
    // decides between one file and a Hugging Face model directory; `check_output_path` decides
    // whether what is there may be replaced.
    let target = plan_output(&args.out, rank.is_some())
        .map_err(|e| Failure(printable(&e.to_string()).into_owned(), EXIT_USAGE))?;
    let (checked, kind) = match &target {
        Output::File(p) => (p.as_path(), OutputKind::File),
        Output::ModelDir(d) => (d.as_path(), OutputKind::Directory),
    };
    glorot::io::check_output_path(checked, kind, args.force)
        .map_err(|e| Failure(format!("--out {e}"), EXIT_USAGE))?;
    if let Output::ModelDir(d) = &target {
        // An earlier checkpoint's index or shards that this write would not replace: refused
        // here, before the spec is read, unless --force (then removed after the write).
        glorot::io::check_stale_files(d, rank.map(|r| r.world()), args.force)
            .map_err(|e| Failure(printable(&e.to_string()).into_owned(), EXIT_USAGE))?;
    }
    let (specs, config) = load_specs(&args, dtype)?;
    if let Some(keys) = jax {
        // Every tensor's JAX counterpart, before any file or directory is touched.
        glorot::io::check_jax(&specs, keys).map_err(|e| {
            let code = match e {
                WriteError::NotJax { .. } => EXIT_USAGE,
                _ => EXIT_RUNTIME,
            };
            Failure(format!("--rng jax: {e}"), code)
        })?;
    }
    let key = Key::new(args.seed);
    let meta = vec![("format".to_string(), "pt".to_string())];
    // The one shard plan of this run: it sizes the progress bar, is written, and lists the
    // --table rows.
    let shard = match rank {
        None => None,
        Some(r) => Some((r, ShardPlan::new(&specs, r.world())?)),
    };
    let members: Vec<&TensorSpec> = match &shard {
        None => specs.iter().collect(),
        Some((r, plan)) => plan.files[r.rank()].iter().map(|&i| &specs[i]).collect(),
    };
    let total: u64 = members.iter().map(|s| s.byte_len()).sum();
    let show = !args.quiet && std::io::stdout().is_terminal();
    let bar = progress_bar(total, show);
    let progress = |b: u64| bar.inc(b);
    let hook = guard::test_pause;
    let opts = WriteOptions {
        metadata: &meta,
        no_sync: args.no_sync,
        buffered: args.buffered,
        force: args.force,
        progress: Some(&progress),
        cancel: Some(&CANCEL),
        stage_hook: Some(&hook),
        jax,
    };
    match &shard {
        None => clean_stale(&args.out),
        Some((r, plan)) => {
            clean_stale(&args.out.join(plan.file_name(r.rank())));
            if r.rank() == 0 {
                clean_stale(&args.out.join(glorot::io::INDEX_NAME));
            }
        }
    }
    check_cancel()?;
    let t0 = Instant::now();
    let (file, index, config, removed) = match &target {
        Output::File(path) => (
            write_safetensors(path, &specs, &key, opts)?,
            None,
            None,
            Vec::new(),
        ),
        Output::ModelDir(dir) => {
            let s = write_model_dir(dir, &specs, &key, config.as_deref(), shard, opts)?;
            (s.file, s.index, s.config, s.removed)
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if !args.quiet {
        outln!(
            "wrote {} ({} tensors, {}) in {:.2} s: {:.2} GB/s",
            printable(&file.path.to_string_lossy()),
            file.tensors,
            human(file.data_bytes),
            secs,
            file.data_bytes as f64 / secs / 1e9
        );
        for p in index.iter().chain(config.iter()) {
            outln!("wrote {}", printable(&p.to_string_lossy()));
        }
    }
    // On stderr even with --quiet: files were deleted.
    for p in &removed {
        eprintln!(
            "glorot: removed {}, a stale file of an earlier checkpoint (--force)",
            printable(&p.to_string_lossy())
        );
    }
    if args.table {
        print_table(&file.path, &members)?;
    }
    Ok(())
}

/// Starts the worker pool now, so that failing to start threads (e.g. under `ulimit -v` or a
/// pids limit) is an error here rather than a panic inside the first parallel call.
fn start_threads(n: Option<usize>) -> Result<(), Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = n {
        b = b.num_threads(n);
    }
    b.build_global()
        .map_err(|e| Failure(format!("could not start worker threads: {e}"), EXIT_RUNTIME))
}

/// No arguments: GPT-2 small into a temporary directory, the table, the throughput.
fn demo() -> Result<(), Failure> {
    start_threads(None)?;
    let specs = tensor_specs(
        presets::preset("gpt2")
            .ok_or_else(|| "the gpt2 preset is missing".to_string())?
            .params,
        DType::F32,
    );
    let dir = guard::private_scratch_dir()?;
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
    let width = specs
        .iter()
        .map(|s| printable(&s.name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<width$} {:<14} {:<5} {:<16} {:>7} {:>7} {:>18} {:>11} {:>11}",
        "name", "shape", "dtype", "init", "fan_in", "fan_out", "bound/value", "std", "measured"
    );
    for s in specs {
        let name = printable(&s.name);
        let (begin, end) = *offsets.get(&s.name).ok_or_else(|| {
            format!(
                "{} has no tensor `{name}`",
                printable(&path.to_string_lossy())
            )
        })?;
        let size = s.dtype.size() as u64;
        let n = (end.saturating_sub(begin) / size).min(1 << 20);
        let mut raw = Vec::new();
        raw.try_reserve_exact((n * size) as usize)
            .map_err(|_| "out of memory reading the table back".to_string())?;
        raw.resize((n * size) as usize, 0u8);
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(begin))
            .and_then(|_| f.read_exact(&mut raw))
            .map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let measured = std_of(&raw, s.dtype);
        let fans = s.resolved_fans();
        if s.init.is_structured() {
            // Orthogonal and the other structured rules have no distribution to show; the
            // measured std is still read back.
            let shape = format!("{:?}", s.shape);
            let _ = writeln!(
                out,
                "{:<width$} {:<14} {:<5} {:<16} {:>7} {:>7} {:>18} {:>11} {:>11.6}",
                name,
                shape,
                s.dtype.to_string(),
                s.init.name(),
                "-",
                "-",
                "(whole tensor)",
                "-",
                measured
            );
            continue;
        }
        let dist = s
            .distribution()
            .map_err(|e| format!("tensor `{name}`: {e}"))?;
        let bound = match dist.kind() {
            DistributionKind::Uniform { low, high } if low == -high => format!("U ±{high:.6}"),
            DistributionKind::Uniform { low, high } => format!("U [{low:.3}, {high:.3})"),
            DistributionKind::Normal { mean, .. } => format!("N mean {mean}"),
            DistributionKind::TruncatedNormal { low, high, .. } if low == -high => {
                format!("TN ±{high:.6}")
            }
            DistributionKind::TruncatedNormal { low, high, .. } => {
                format!("TN ({low:.3}, {high:.3})")
            }
            DistributionKind::Constant(v) => format!("={v}"),
            _ => "-".into(),
        };
        let std = dist.std();
        let shape = format!("{:?}", s.shape);
        let _ = writeln!(
            out,
            "{:<width$} {:<14} {:<5} {:<16} {:>7} {:>7} {:>18} {:>11.6} {:>11.6}",
            name,
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
    let err = |e: String| {
        Failure(
            format!(
                "could not read back {}: {e}",
                printable(&path.to_string_lossy())
            ),
            EXIT_RUNTIME,
        )
    };
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
