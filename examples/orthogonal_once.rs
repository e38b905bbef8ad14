//! One orthogonal fill of an `n × n` f32 matrix on `threads` threads, for profilers
//! (`perf stat`, `valgrind --tool=callgrind`): `orthogonal_once N THREADS`.
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().unwrap())
        .collect();
    let (n, threads) = (
        args.first().copied().unwrap_or(1024),
        args.get(1).copied().unwrap_or(1),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut w = vec![0f32; n * n];
    let key = glorot::Key::new(0).tensor("w");
    let t = std::time::Instant::now();
    pool.install(|| glorot::structured::orthogonal(&mut w, &[n, n], 1.0, &key))
        .unwrap();
    eprintln!(
        "{n}² on {threads} thread(s): {:.3} s",
        t.elapsed().as_secs_f64()
    );
}
